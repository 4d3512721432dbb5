"""The `parley` command's entry point: signals first, then the CLI.

Importing the CLI (typer, rich, numpy, the command modules) takes about a second; a Ctrl-C or
SIGTERM in that second used to print an import traceback or kill the process without its exit
code. The handlers are installed here, before anything heavy is imported.
"""

from __future__ import annotations

import os
import signal
import sys

EXIT_ERROR = 1
EXIT_SIGINT = 130
EXIT_SIGTERM = 143


class Terminated(BaseException):
    """Raised from the SIGTERM handler so that cleanup code runs as for Ctrl-C."""


def _on_sigterm(signum, frame):
    raise Terminated()


def main() -> None:
    signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        from parley.cli import run
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(EXIT_SIGINT)
    except Terminated:
        print("terminated", file=sys.stderr)
        sys.exit(EXIT_SIGTERM)
    try:
        run()
    except SystemExit as exc:
        _leave_now_if_workers_are_stuck(exc.code)
        raise


def _leave_now_if_workers_are_stuck(code) -> None:
    """Exit at once when an interrupted worker pool left a thread that Python's exit would wait
    for in vain (parley.predict._stop); every output was closed before we got here."""
    predict = sys.modules.get("parley.predict")
    if predict is not None and predict.blocked_worker_threads():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code if isinstance(code, int) else EXIT_ERROR)
