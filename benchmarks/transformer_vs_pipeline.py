"""Question 4: the transformer family's predictor against a plain transformers.pipeline over
the same model and sentences, in the same run (median of several runs each, alternated so
that load on a shared machine falls on all of them alike). The ONNX Runtime int8 export
(`make transformer-int8`) is timed beside them when present, with its macro-F1 next to the
torch model's on the corpus test split."""

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
    plain = pipeline(
        "text-classification",
        model=model.scorer.model,
        tokenizer=model.scorer.tokenizer,
        top_k=None,
        function_to_apply="sigmoid",
        device=-1,
    )

    def seconds_for(fn) -> float:
        started = time.perf_counter()
        fn()
        return time.perf_counter() - started

    contenders = {
        "parley": lambda: model.predict_proba(texts),
        "pipeline": lambda: plain(texts, batch_size=64, truncation=True),
    }
    exported = ROOT / "models" / "transformer-int8"
    if (exported / "model.json").is_file():
        int8 = load_model(exported)
        contenders["parley_onnx_int8"] = lambda: int8.predict_proba(texts)
    times = {name: [] for name in contenders}
    for _ in range(runs):
        for name, fn in contenders.items():
            times[name].append(seconds_for(fn))
    seconds = {name: statistics.median(t) for name, t in times.items()}
    result = {
        "sentences": len(texts),
        "runs": runs,
        "parley_sentences_per_second": round(len(texts) / seconds["parley"]),
        "pipeline_sentences_per_second": round(len(texts) / seconds["pipeline"]),
        "speedup": round(seconds["pipeline"] / seconds["parley"], 2),
    }
    if "parley_onnx_int8" in seconds:
        result["onnx_int8_sentences_per_second"] = round(len(texts) / seconds["parley_onnx_int8"])
        result["onnx_int8_speedup"] = round(seconds["pipeline"] / seconds["parley_onnx_int8"], 2)
        result["test_macro_f1"] = {"torch": corpus_test_macro_f1(model), "onnx_int8": corpus_test_macro_f1(int8)}
    return result


def corpus_test_macro_f1(model) -> float:
    from parley.io import load_records
    from parley.labels import to_matrix
    from parley.metrics import summary

    records = [r for r in load_records([ROOT / "data" / "corpus"]) if r.split == "test"]
    predicted = model.predict([r.text for r in records])
    return round(summary(to_matrix(r.labels for r in records), predicted)["macro_f1"], 4)


if __name__ == "__main__":
    print(json.dumps(run(), indent=1))
