"""Shared helpers: real-news inputs from ../shared/external/pools and timed CLI runs."""

from __future__ import annotations

import itertools
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


INT8_INSTRUCTIONS = ("avx512_vnni", "avx_vnni", "amx_int8")


def int8_instructions() -> list[str]:
    """The CPU's int8 dot-product extensions (VNNI, AMX) from /proc/cpuinfo; [] where unknown."""
    try:
        flags = next(line for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags"))
    except (OSError, StopIteration):
        return []
    present = set(flags.split(":", 1)[1].split())
    return [name for name in INT8_INSTRUCTIONS if name in present]


def _article_key(row_id: str) -> str:
    """Pool ids are "<source>-<article number>-<title|position>"; a row whose prefix holds no
    article number (a Reddit title, "fwdnews-17") is an article of its own."""
    prefix, _, _ = row_id.rpartition("-")
    return prefix if any(c.isdigit() for c in prefix) else row_id


def pool_sentences(limit: int | None = None) -> list[dict]:
    """Pool rows, whole articles taken from each pool in turn (article 1 of every pool, then
    article 2, ...), so that a limited sample holds every pool rather than the first file."""
    files = sorted(POOLS.glob("*.jsonl"))
    if not files:
        raise SystemExit("benchmarks need ../shared/external/pools (not found)")
    by_pool = []
    for f in files:
        articles: dict[str, list[dict]] = {}
        for line in f.open(encoding="utf-8"):
            row = json.loads(line)
            key = _article_key(row["id"])
            row = {"id": row["id"], "text": row["text"], "source": f.stem, "article": key}
            articles.setdefault(key, []).append(row)
        by_pool.append(list(articles.values()))
    rows = [row for turn in itertools.zip_longest(*by_pool) for article in turn if article for row in article]
    return rows[:limit] if limit else rows


def pool_articles(rows: list[dict]) -> list[dict]:
    """The rows' articles as documents: a headline on its own paragraph, body sentences joined
    as running text, as an article file reads."""
    documents = []
    for key, group in itertools.groupby(rows, key=lambda r: r["article"]):
        group = list(group)
        titles = [r["text"] for r in group if r["id"].endswith("-title")]
        body = " ".join(r["text"] for r in group if not r["id"].endswith("-title"))
        documents.append({"id": key, "text": "\n\n".join([*titles, body] if body else titles)})
    return documents


def write_inputs(limit: int | None = None) -> tuple[Path, Path, int]:
    """(pre-split sentences JSONL, the same sentences as whole articles JSONL, sentence count)."""
    WORK.mkdir(parents=True, exist_ok=True)
    rows = pool_sentences(limit)
    presplit = WORK / f"presplit_{len(rows)}.jsonl"
    articles = WORK / f"articles_{len(rows)}.jsonl"
    with presplit.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps({"id": row["id"], "text": row["text"]}, ensure_ascii=False) + "\n")
    with articles.open("w", encoding="utf-8") as handle:
        for document in pool_articles(rows):
            handle.write(json.dumps(document, ensure_ascii=False) + "\n")
    return presplit, articles, len(rows)


def process_tree(pid: int) -> list[int]:
    """A process and its live descendants (Linux /proc), the process first."""
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
    for member in process_tree(pid):
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
