"""The `parley` command's entry point: signals first, then the CLI.

Importing the CLI (typer, rich, numpy, the command modules) takes about a second; a Ctrl-C or
SIGTERM in that second used to print an import traceback or kill the process without its exit
code. The handlers are installed here, before anything heavy is imported.
"""

from __future__ import annotations

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
    run()
