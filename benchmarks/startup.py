"""Start-up: `parley --help` and the first label on one sentence.

    python -m benchmarks.startup     # writes benchmarks/startup.md

Each command runs five times in a fresh process (benchmarks.common.median_run); the median
wall time is reported with the load average at the time, since other work on a shared 2-core
machine inflates it. Targets: --help under 0.5 s, the first label under 2 s.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from benchmarks.common import ROOT, median_run, parley

RUNS = 5


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        sentence = Path(folder, "one.txt")
        sentence.write_text("Moscow rejected the plan.\n", encoding="utf-8")
        rules = ROOT / "models" / "rules"
        rows = [
            ("parley --help", median_run(parley("--help"), RUNS), 0.5),
            (
                "first label, one sentence, default model (ensemble: linear + transformer-int8)",
                median_run(parley("predict", sentence, "--format", "jsonl"), RUNS),
                2.0,
            ),
            (
                "first label, one sentence, fast model (linear)",
                median_run(parley("predict", sentence, "--format", "jsonl", "--model", ROOT / "models" / "fast"), RUNS),
                2.0,
            ),
            (
                "first label, one sentence, rules model",
                median_run(parley("predict", sentence, "--format", "jsonl", "--model", rules), RUNS),
                2.0,
            ),
        ]
    load = os.getloadavg()[0]
    lines = [
        "# Start-up",
        "",
        f"Median of {RUNS} fresh processes; load average {load:.1f} on {os.cpu_count()} cores when measured.",
        "",
        "| command | seconds | peak MB | target | met |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {name} | {seconds:.2f} | {peak:.0f} | < {target} s | {'yes' if seconds < target else 'no'} |"
        for name, (seconds, peak), target in rows
    ]
    text = "\n".join(lines) + "\n"
    (ROOT / "benchmarks" / "startup.md").write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
