"""Question 1: prediction throughput and peak memory per family, pre-split and raw articles.

Throughput excludes interpreter start-up and model loading: the same command on a
one-sentence input is timed in the same run and subtracted. The I/O floor (reading and
writing the same JSONL in plain Python) is the baseline for ratios. Peak memory is the
proportional set size of the command and its worker processes together.
"""

from __future__ import annotations

import json
import sys

from benchmarks.common import ROOT, WORK, median_run, parley, timed, write_inputs

FAMILY_DIRS = {
    "rules": "models/rules",
    "linear": "models/fast",
    "embed": "models/embed",
    "transformer": "models/transformer",
    "transformer-int8": "models/transformer-int8",
    "ensemble": "models/default",
}
# Rows: (row name, family, extra predict flags). The default is one worker process per core
# for rules and linear; the one-process linear row shows what the workers add.
ROWS = [
    ("rules", "rules", []),
    ("linear", "linear", []),
    ("linear, 1 process", "linear", ["--workers", "1"]),
    ("embed", "embed", []),
    ("transformer", "transformer", []),
    ("transformer-int8", "transformer-int8", []),
    ("default: ensemble (linear + transformer-int8)", "ensemble", []),
]


def io_floor(path) -> float:
    code = (
        "import json,sys\nout=open(sys.argv[2],'w')\n"
        "for l in open(sys.argv[1]):\n r=json.loads(l); out.write(json.dumps({'doc_id': r['id'], 'text': r['text'],"
        " 'labels': [], 'scores': {}})+'\\n')\n"
    )
    return timed([sys.executable, "-c", code, str(path), str(WORK / "floor.jsonl")])[0]


def run(runs: int = 3, limit: int | None = None, slow_limit: int = 5000) -> dict:
    presplit, articles, n = write_inputs(limit)
    tiny = WORK / "one.jsonl"
    tiny.write_text(json.dumps({"id": "x", "text": "Moscow rejected the plan."}) + "\n")
    results = {"sentences": n, "runs": runs, "io_floor_seconds": io_floor(presplit), "families": {}}
    for name, family, flags in ROWS:
        model = ROOT / FAMILY_DIRS[family]
        if not (model / "model.json").is_file():
            continue
        count = n
        inputs = (presplit, articles)
        if family in ("embed", "transformer", "transformer-int8", "ensemble"):  # 10-100x slower on CPU: a subset
            count = min(n, slow_limit)
            inputs = write_inputs(count)[:2]
        startup, _ = median_run(
            parley(
                "predict",
                "--model",
                model,
                *flags,
                "--presplit",
                "--format",
                "jsonl",
                "--force",  # every run replaces the previous run's output
                "-o",
                WORK / "one.out.jsonl",
                tiny,
            ),
            runs,
        )
        row = {"family": family, "flags": flags, "sentences": count, "startup_seconds": round(startup, 2)}
        for mode, path, extra in (("presplit", inputs[0], ["--presplit"]), ("articles", inputs[1], [])):
            output = WORK / f"{family}{'_' + '_'.join(flags[1:]) if flags else ''}_{mode}.jsonl"
            seconds, peak = median_run(
                parley("predict", "--model", model, *flags, "--format", "jsonl", *extra, "--force", "-o", output, path),
                runs,
            )
            produced = sum(1 for _ in output.open(encoding="utf-8"))  # articles are re-split into sentences
            row[mode] = {
                "seconds": round(seconds, 2),
                "peak_mb": round(peak, 1),
                "sentences": produced,
                "sentences_per_second": round(produced / max(seconds - startup, 1e-6)),
                "end_to_end_sentences_per_second": round(produced / seconds),
            }
        results["families"][name] = row
        print(name, row, flush=True)
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=1))
