"""Question 1: prediction throughput and peak memory per family, pre-split and raw articles.

Throughput excludes interpreter start-up and model loading: the same command on a
one-sentence input is timed in the same run and subtracted. The I/O floor (reading and
writing the same JSONL in plain Python) is the baseline for ratios.
"""

from __future__ import annotations

import json
import sys

from benchmarks.common import ROOT, WORK, median_run, parley, timed, write_inputs

FAMILY_DIRS = {"rules": "models/rules", "linear": "models/default", "embed": "models/embed",
               "transformer": "models/transformer"}


def io_floor(path) -> float:
    code = ("import json,sys\nout=open(sys.argv[2],'w')\n"
            "for l in open(sys.argv[1]):\n r=json.loads(l); out.write(json.dumps({'doc_id': r['id'], 'text': r['text'],"
            " 'labels': [], 'scores': {}})+'\\n')\n")
    return timed([sys.executable, "-c", code, str(path), str(WORK / "floor.jsonl")])[0]


def run(runs: int = 3, limit: int | None = None, slow_limit: int = 5000) -> dict:
    presplit, articles, n = write_inputs(limit)
    tiny = WORK / "one.jsonl"
    tiny.write_text(json.dumps({"id": "x", "text": "Moscow rejected the plan."}) + "\n")
    results = {"sentences": n, "runs": runs, "io_floor_seconds": io_floor(presplit), "families": {}}
    for family, directory in FAMILY_DIRS.items():
        model = ROOT / directory
        if not (model / "model.json").is_file():
            continue
        count = n
        inputs = (presplit, articles)
        if family in ("embed", "transformer"):  # ~100x slower on CPU: a subset keeps the run short
            count = min(n, slow_limit)
            inputs = write_inputs(count)[:2]
        startup, _ = median_run(parley("predict", "--model", model, "--presplit", "--format", "jsonl", "-o",
                                       WORK / "one.out.jsonl", tiny), runs)
        row = {"sentences": count, "startup_seconds": round(startup, 2)}
        for mode, path, extra in (("presplit", inputs[0], ["--presplit"]), ("articles", inputs[1], [])):
            output = WORK / f"{family}_{mode}.jsonl"
            seconds, peak = median_run(parley("predict", "--model", model, "--format", "jsonl", *extra, "-o",
                                              output, path), runs)
            produced = sum(1 for _ in output.open(encoding="utf-8"))  # articles are re-split into sentences
            row[mode] = {"seconds": round(seconds, 2), "peak_rss_mb": round(peak, 1), "sentences": produced,
                         "sentences_per_second": round(produced / max(seconds - startup, 1e-6)),
                         "end_to_end_sentences_per_second": round(produced / seconds)}
        results["families"][family] = row
        print(family, row, flush=True)
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=1))
