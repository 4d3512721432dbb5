"""What events cost: prediction with event extraction against prediction alone, on real news.

The first 5,000 sentences of ../shared/external/pools, joined 20 per article as in
benchmarks/common.py, are labelled with the default model (one process, the library API
`parley.load("default").predict_documents`), then the same with events extracted, article
by article (`extract_events`) and for all articles at once (`extract_events_batch`). Extraction parses
only the labelled sentences, so its cost follows the share
of sentences that carry an act. The two parts of batched extraction, parsing (spaCy) and the
rules on the parses, are also timed alone in the same rounds. The spaCy pipeline is loaded
before timing (a one-time cost, reported on its own). Writes benchmarks/events_cost.md.

    python -m benchmarks.events_cost [--sentences 5000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import parley
from benchmarks.common import pool_articles, pool_sentences
from parley.events import extract_events, extract_events_batch, load_parser, parse

OUT = Path(__file__).resolve().parent / "events_cost.md"
TARGET_RATIO = 2.0


def articles(limit: int) -> dict[str, str]:
    return {document["id"]: document["text"] for document in pool_articles(pool_sentences(limit))}


def predict_only(labeller, documents: dict[str, str]) -> list[dict]:
    return labeller.predict_documents(documents)


def predict_with_events(labeller, documents: dict[str, str]) -> list[dict]:
    """Events document by document (`extract_events`), as a caller handling one article at a time."""
    results = labeller.predict_documents(documents)
    for result in results:
        result["events"] = extract_events(documents[result["doc_id"]], result["sentences"])
    return results


def predict_with_batched_events(labeller, documents: dict[str, str]) -> list[dict]:
    """Events for all documents of the batch at once (`extract_events_batch`)."""
    results = labeller.predict_documents(documents)
    events = extract_events_batch([(documents[r["doc_id"]], r["sentences"]) for r in results])
    for result, found in zip(results, events):
        result["events"] = found
    return results


VARIANTS = {
    "predict": predict_only,
    "predict + events, per document": predict_with_events,
    "predict + events, batched": predict_with_batched_events,
}


class Parsed:
    """A stand-in pipeline that hands back docs parsed before, to time the rules without spaCy."""

    def __init__(self, docs: list):
        self.docs = docs

    def pipe(self, texts, batch_size: int):
        return iter(self.docs)


def interleaved_medians(labeller, documents: dict[str, str], runs: int) -> tuple[dict, dict, dict, dict]:
    """Median wall and CPU seconds per variant, the variants run in turn so that load from
    other processes on the machine falls on all of them alike. CPU time (this process only)
    is the steadier cost measure on a shared machine; wall time is what a user waits. Also the
    median CPU seconds of the two parts of batched extraction, each timed alone in the same
    rounds: parsing the labelled sentences (spaCy) and the rules on those parses."""
    wall: dict[str, list[float]] = {name: [] for name in VARIANTS}
    cpu: dict[str, list[float]] = {name: [] for name in VARIANTS}
    parts: dict[str, list[float]] = {"parsing": [], "rules": []}
    pairs = [(documents[r["doc_id"]], r["sentences"]) for r in labeller.predict_documents(documents)]
    texts = [text[s["start"] : s["end"]] for text, sentences in pairs for s in sentences if s["labels"]]
    results = {}
    for _ in range(runs):
        for name, function in VARIANTS.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            results[name] = function(labeller, documents)
            wall[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - started_cpu)
        started_cpu = time.process_time()
        docs = parse(texts)
        parts["parsing"].append(time.process_time() - started_cpu)
        started_cpu = time.process_time()
        extract_events_batch(pairs, Parsed(docs))
        parts["rules"].append(time.process_time() - started_cpu)
    median = lambda table: {name: statistics.median(values) for name, values in table.items()}  # noqa: E731
    return median(wall), median(cpu), results, median(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    documents = articles(args.sentences)
    labeller = parley.load("default")
    started = time.perf_counter()
    load_parser()
    parser_load = time.perf_counter() - started
    warm = dict(list(documents.items())[:5])
    for function in VARIANTS.values():
        function(labeller, warm)

    load_before = os.getloadavg()[0]
    wall, cpu, results, parts = interleaved_medians(labeller, documents, args.runs)
    plain = results["predict"]
    sentences = sum(len(r["sentences"]) for r in plain)
    labelled = sum(1 for r in plain for s in r["sentences"] if s["labels"])
    events = sum(len(r["events"]) for r in results["predict + events, batched"])
    batched = "predict + events, batched"
    wall_ratio, cpu_ratio = wall[batched] / wall["predict"], cpu[batched] / cpu["predict"]
    added_cpu = cpu[batched] - cpu["predict"]
    lines = [
        "# Cost of event extraction",
        "",
        f"Input: {args.sentences:,} rows of the real news pools as their own articles, taken from each pool in "
        f"turn ({len(documents)} articles, {sentences:,} sentences after splitting). Default model, one "
        f"process, median of {args.runs} interleaved runs. Written by `python -m benchmarks.events_cost`.",
        "",
        "| | wall s | sentences/s (wall) | wall ratio | CPU s | sentences/s (CPU) | CPU ratio |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {name} | {wall[name]:.2f} | {sentences / wall[name]:,.0f} | {wall[name] / wall['predict']:.2f}x | "
        f"{cpu[name]:.2f} | {sentences / cpu[name]:,.0f} | {cpu[name] / cpu['predict']:.2f}x |"
        for name in VARIANTS
    ]
    lines += [
        "",
        f"Batched: **{wall_ratio:.2f}x** wall, **{cpu_ratio:.2f}x** CPU (target: under {TARGET_RATIO:.0f}x) — "
        f"{'met' if max(wall_ratio, cpu_ratio) < TARGET_RATIO else 'NOT met'}.",
        "",
        f"{labelled:,} of {sentences:,} sentences ({labelled / sentences:.1%}) carry a label and are parsed; "
        f"{events:,} events. Batched events add {added_cpu:.2f} s CPU to prediction; timed alone, parsing the "
        f"labelled sentences (spaCy) takes {parts['parsing']:.2f} s and the rules on the parses "
        f"{parts['rules']:.3f} s. "
        f"Loading the spaCy pipeline once: {parser_load:.2f} s (not in the timings). Machine: {os.cpu_count()} "
        f"cores, load average {load_before:.1f} at the start of the timed runs and "
        f"{os.getloadavg()[0]:.1f} at the end.",
        "",
    ]
    OUT.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
