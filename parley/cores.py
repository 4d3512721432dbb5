"""How many cores this process may use, and how many native threads one scorer may start."""

from __future__ import annotations

import os


def available_cores() -> int:
    """Cores this process may run on (a container or taskset may allow fewer than exist)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


# Set in a prediction worker process to its share of the cores: a scorer that starts as many
# threads as there are cores in every one of N workers would oversubscribe them N times.
_scoring_threads: int | None = None


def limit_scoring_threads(threads: int | None) -> None:
    """Native threads (ONNX Runtime, torch) a scorer loaded from now on in this process may use;
    None means every available core."""
    global _scoring_threads
    _scoring_threads = threads


def scoring_threads() -> int:
    return _scoring_threads or available_cores()
