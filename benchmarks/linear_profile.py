"""Where the linear family's time goes: each stage timed alone on the same real sentences,
in one process on one core, plus the CLI's own reading and writing.

Stages run over batches of the CLI's size, cold first (new words fill the per-word n-gram cache and spaCy's vocabulary),
then warm, as a long run over wire copy would see them.
"""

from __future__ import annotations

import io
import json
import time

import numpy as np

from benchmarks.common import ROOT, WORK, pool_sentences, write_inputs
from parley.families.linear import CueBlock
from parley.model import load_model
from parley.predict import Predictor, iter_documents
from parley.writers import make_writer

BATCH = 1024  # the CLI's default batch: whole-input matrices would add allocation costs it never pays


def _rate(n: int, fn) -> int:
    started = time.perf_counter()
    fn()
    return round(n / (time.perf_counter() - started))


def _batched(fn, texts: list[str]):
    return lambda: [fn(texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)]


class _ConstantModel:
    """Stands in for a model so that reading, record building and writing are timed alone."""

    name, max_chars, family = "constant", 1000, "linear"

    def thresholds(self, override=None):
        return np.full(3, 0.5)

    def predict_proba(self, texts):
        return np.full((len(texts), 3), 0.25)


def run(limit: int | None = None) -> dict:
    model = load_model(ROOT / "models" / "fast")
    texts = model.prepare([r["text"] for r in pool_sentences(limit)])
    n = len(texts)
    scorer = model.scorer
    stages: dict[str, int] = {}
    stages["normalise"] = _rate(n, _batched(model.prepare, texts))
    for name, block in scorer.named_blocks:
        label = "cue features" if isinstance(block, CueBlock) else f"{name} n-grams"
        stages[f"{label} (cold)"] = _rate(n, _batched(block.transform, texts))
        stages[f"{label} (warm)"] = _rate(n, _batched(block.transform, texts))
    stages["all model stages (warm)"] = _rate(n, _batched(model.predict_proba, texts))

    presplit, articles, _ = write_inputs(limit)
    from parley.segment import split_sentences

    article_texts = [json.loads(line)["text"] for line in articles.open(encoding="utf-8")]
    split_sentences("Warm up. Imports and builds the pipeline.")
    stages["sentence splitting (mostly cold)"] = _rate(n, lambda: [split_sentences(t) for t in article_texts])
    stages["sentence splitting (warm)"] = _rate(n, lambda: [split_sentences(t) for t in article_texts])

    documents = list(iter_documents([str(presplit)]))
    stages["CLI: read JSONL"] = _rate(n, lambda: list(iter_documents([str(presplit)])))
    records = []
    stages["CLI: build records"] = _rate(
        n, lambda: records.extend(Predictor(_ConstantModel(), presplit=True).records(documents))
    )
    writer = make_writer("jsonl", io.StringIO(), None, header=True, show_all=False)
    stages["CLI: write JSONL"] = _rate(n, lambda: [writer.write_records(r, None) for _, r in records])
    return {"sentences": n, "stages_sentences_per_second": stages}


if __name__ == "__main__":
    WORK.mkdir(parents=True, exist_ok=True)
    print(json.dumps(run(), indent=1))
