"""Imported once in the forkserver process that forks prediction workers: their Python-level
stderr goes to /dev/null.

A worker still starting when the run is interrupted cannot rebuild the parent's (already
released) locks and would print a multiprocessing traceback under the user's "interrupted".
Nothing of value is lost: a worker's errors reach the parent through its results, and a worker
that dies is reported by the parent ("a worker process died ... rerun with --workers 1").
"""

import os
import sys

sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the forkserver
