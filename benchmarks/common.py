"""Shared helpers: real-news inputs from ../shared/external/pools and timed CLI runs."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from parley.settings import pools_dir

ROOT = Path(__file__).resolve().parent.parent
POOLS = pools_dir()
WORK = ROOT / "benchmarks" / "out"
SENTENCES_PER_ARTICLE = 20


def pool_sentences(limit: int | None = None) -> list[dict]:
    files = sorted(POOLS.glob("*.jsonl"))
    if not files:
        raise SystemExit("benchmarks need ../shared/external/pools (not found)")
    rows = []
    for f in files:
        for line in f.open(encoding="utf-8"):
            row = json.loads(line)
            rows.append({"id": row["id"], "text": row["text"], "source": f.stem})
    return rows[:limit] if limit else rows


def write_inputs(limit: int | None = None) -> tuple[Path, Path, int]:
    """(pre-split sentences JSONL, article-like documents JSONL, sentence count)."""
    WORK.mkdir(parents=True, exist_ok=True)
    rows = pool_sentences(limit)
    presplit = WORK / f"presplit_{len(rows)}.jsonl"
    articles = WORK / f"articles_{len(rows)}.jsonl"
    with presplit.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps({"id": row["id"], "text": row["text"]}, ensure_ascii=False) + "\n")
    with articles.open("w", encoding="utf-8") as handle:
        for start in range(0, len(rows), SENTENCES_PER_ARTICLE):
            chunk = rows[start : start + SENTENCES_PER_ARTICLE]
            handle.write(
                json.dumps(
                    {"id": f"art{start // SENTENCES_PER_ARTICLE:05d}", "text": " ".join(r["text"] for r in chunk)},
                    ensure_ascii=False,
                )
                + "\n"
            )
    return presplit, articles, len(rows)


def _process_tree(pid: int) -> list[int]:
    pids, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        pids.append(current)
        try:
            frontier += [int(c) for c in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except OSError:
            pass
    return pids


def _tree_pss_mb(pid: int) -> float:
    """Proportional set size of a process and its descendants: shared pages (a forked
    worker's copy-on-write model) are split between the processes sharing them, not
    counted once per process as RSS would."""
    total = 0
    for member in _process_tree(pid):
        try:
            for line in Path(f"/proc/{member}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
        except OSError:
            continue
    return total / 1024


def timed(command: list[str], env: dict | None = None) -> tuple[float, float]:
    """(wall seconds, peak memory in MB) of one child process and any workers it forks.

    Memory is polled: rusage's ru_maxrss would also count pages the child shared with
    this (large) parent between fork and exec, and would miss the workers.
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, **(env or {})}
    )
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, _tree_pss_mb(process.pid))
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {process.stderr.read().decode()[-2000:]}")
    return seconds, peak


def median_run(command: list[str], runs: int) -> tuple[float, float]:
    results = [timed(command) for _ in range(runs)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def parley(*args: str) -> list[str]:
    return [sys.executable, "-m", "parley", *map(str, args)]
