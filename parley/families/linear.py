"""Runtime for the `linear` family: a scikit-learn Pipeline saved with skops.

TF-IDF vocabularies (hundreds of thousands of terms) are stored beside the pipeline as a
plain JSON list per vectorizer: skops spells out every dict entry as an object, which made
the file 50 MB and slow to load.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from parley.errors import ModelError
from parley.families.skops_io import dump_skops, load_skops

PIPELINE_FILE = "pipeline.skops"
VOCABULARY_FILE = "vocabulary.json"


class LinearScorer:
    family = "linear"

    def __init__(self, pipeline):
        self.pipeline = pipeline

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.pipeline.predict_proba(texts))


def _vectorizers(pipeline):
    return [(name, step) for name, step in pipeline.named_steps["features"].transformer_list
            if hasattr(step, "vocabulary_")]


def save_linear(pipeline, directory: Path) -> None:
    vocabularies = {}
    for name, vectorizer in _vectorizers(pipeline):
        vocabularies[name] = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
    kept = {name: vectorizer.vocabulary_ for name, vectorizer in _vectorizers(pipeline)}
    try:
        for _, vectorizer in _vectorizers(pipeline):
            vectorizer.vocabulary_ = {}
        dump_skops(pipeline, directory / PIPELINE_FILE)
    finally:
        for name, vectorizer in _vectorizers(pipeline):
            vectorizer.vocabulary_ = kept[name]
    (directory / VOCABULARY_FILE).write_text(json.dumps(vocabularies, ensure_ascii=False), encoding="utf-8")


def load_linear(directory: Path, meta: dict) -> LinearScorer:
    pipeline = load_skops(directory / PIPELINE_FILE)
    try:
        vocabularies = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read {VOCABULARY_FILE}: {exc}", directory) from None
    for name, vectorizer in _vectorizers(pipeline):
        terms = vocabularies.get(name)
        if not isinstance(terms, list):
            raise ModelError(f"{VOCABULARY_FILE} has no vocabulary for {name!r}", directory)
        vectorizer.vocabulary_ = {term: index for index, term in enumerate(terms)}
    return LinearScorer(pipeline)
