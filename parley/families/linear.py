"""Runtime for the `linear` family: a scikit-learn Pipeline saved with skops.

TF-IDF vocabularies (hundreds of thousands of terms) are stored beside the pipeline as a
plain JSON list per vectorizer: skops spells out every dict entry as an object, which made
the file 50 MB and slow to load.

Prediction computes the pipeline's features itself (`TfidfCounter`), with results equal to
the pipeline's own `predict_proba`: scikit-learn's character n-gram analyser generates and
looks up every n-gram of every sentence in pure Python (about 3,000 sentences/s), while
news repeats its words, so n-gram indices are cached per word.
"""

from __future__ import annotations

import json
from array import array
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from parley.errors import ModelError
from parley.families.skops_io import dump_skops, load_skops

PIPELINE_FILE = "pipeline.skops"
VOCABULARY_FILE = "vocabulary.json"


# Words whose n-gram indices are kept; past this the cache starts afresh, so memory stays
# bounded on any input (about 60 MB at the limit).
WORD_CACHE_LIMIT = 200_000
_PACKED_SIZE = array("i").itemsize


class TfidfCounter:
    """`vectorizer.transform(texts)` for a fitted word or char_wb TfidfVectorizer, faster.

    char_wb n-grams never cross a space, so a sentence's n-grams are the union of its
    words' n-grams, and each word's vocabulary indices are computed once and cached.
    """

    def __init__(self, vectorizer: TfidfVectorizer, cache_limit: int = WORD_CACHE_LIMIT):
        self.vectorizer = vectorizer
        self.vocabulary = vectorizer.vocabulary_
        self.char_words = vectorizer.analyzer == "char_wb"
        self.preprocess = vectorizer.build_preprocessor()
        self.analyze = vectorizer.build_analyzer()
        self.cache: dict[str, bytes] = {}
        self.cache_limit = cache_limit

    @staticmethod
    def supports(step) -> bool:
        return (
            isinstance(step, TfidfVectorizer)
            and step.analyzer in ("word", "char_wb")
            and step.input == "content"
            and step.preprocessor is None
            and step.tokenizer is None
            and not step.binary
            and step.use_idf
        )

    def _word_indices(self, word: str) -> bytes:
        """The word's in-vocabulary n-gram indices as packed int32 (appending bytes is a memcpy)."""
        indices = self.cache.get(word)
        if indices is None:
            if len(self.cache) >= self.cache_limit:
                self.cache.clear()
            get = self.vocabulary.get
            indices = array("i", [i for i in map(get, self.analyze(word)) if i is not None]).tobytes()
            self.cache[word] = indices
        return indices

    def counts(self, texts: list[str]) -> sparse.csr_matrix:
        indptr = np.zeros(len(texts) + 1, dtype=np.int64)
        if self.char_words:
            packed = bytearray()
            for row, text in enumerate(texts, start=1):
                for word in self.preprocess(text).split():
                    packed += self._word_indices(word)
                indptr[row] = len(packed) // _PACKED_SIZE
            indices = np.frombuffer(packed, dtype=np.intc)
        else:
            found: list[int] = []
            get = self.vocabulary.get
            for row, text in enumerate(texts, start=1):
                found += [i for i in map(get, self.analyze(text)) if i is not None]
                indptr[row] = len(found)
            indices = np.asarray(found, dtype=np.intc)
        matrix = sparse.csr_matrix(
            (np.ones(len(indices), dtype=np.float64), indices, indptr), shape=(len(texts), len(self.vocabulary))
        )
        matrix.sum_duplicates()  # also sorts indices, as scikit-learn's counts are
        return matrix

    def transform(self, texts: list[str]) -> sparse.csr_matrix:
        matrix = self.counts(texts)
        if self.vectorizer.sublinear_tf:
            np.log(matrix.data, matrix.data)
            matrix.data += 1.0
        matrix.data *= self.vectorizer.idf_[matrix.indices]
        if self.vectorizer.norm is not None:
            matrix = normalize(matrix, norm=self.vectorizer.norm, copy=False)
        return matrix


class LinearScorer:
    family = "linear"

    def __init__(self, pipeline):
        self.pipeline = pipeline
        union = pipeline.named_steps["features"]
        self.steps = None
        if union.transformer_weights is None:
            self.steps = [
                TfidfCounter(step) if TfidfCounter.supports(step) else step
                for _, step in union.transformer_list
                if step != "drop"
            ]

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        if self.steps is None:
            return np.asarray(self.pipeline.predict_proba(texts))
        features = sparse.hstack([step.transform(texts) for step in self.steps], format="csr")
        return np.asarray(self.pipeline.named_steps["classifier"].predict_proba(features))


def _vectorizers(pipeline):
    return [
        (name, step) for name, step in pipeline.named_steps["features"].transformer_list if hasattr(step, "vocabulary_")
    ]


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
