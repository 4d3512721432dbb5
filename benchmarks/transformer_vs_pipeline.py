"""Question 4: the transformer family's predictor against a plain transformers.pipeline over
the same model and sentences, in the same run (median of several runs each)."""

from __future__ import annotations

import json
import os
import statistics
import time

from benchmarks.common import ROOT, pool_sentences


def run(runs: int = 3, limit: int = 2000) -> dict:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import pipeline

    from parley.model import load_model

    directory = ROOT / "models" / "transformer"
    if not (directory / "model.json").is_file():
        return {"error": "models/transformer is missing; run make leaderboard first"}
    model = load_model(directory)
    texts = model.prepare([r["text"] for r in pool_sentences(limit)])
    # The same weights and tokenizer object: only the batching differs.
    plain = pipeline("text-classification", model=model.scorer.model, tokenizer=model.scorer.tokenizer, top_k=None,
                     function_to_apply="sigmoid", device=-1)

    def clock(fn) -> float:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    ours = clock(lambda: model.predict_proba(texts))
    theirs = clock(lambda: plain(texts, batch_size=64, truncation=True))
    return {"sentences": len(texts), "runs": runs,
            "parley_sentences_per_second": round(len(texts) / ours),
            "pipeline_sentences_per_second": round(len(texts) / theirs),
            "speedup": round(theirs / ours, 2)}


if __name__ == "__main__":
    print(json.dumps(run(), indent=1))
