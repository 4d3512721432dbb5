"""The `parley` command line: thin commands over library functions."""

from __future__ import annotations

import signal
import sys

import typer

from parley.cli import data as data_cmd
from parley.cli import evaluate as evaluate_cmd
from parley.cli import export as export_cmd
from parley.cli import predict as predict_cmd
from parley.cli import train as train_cmd
from parley.errors import ParleyError

app = typer.Typer(
    name="parley",
    help="Find proposals, agreements and rejections in news text, sentence by sentence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(data_cmd.app, name="data")
app.command("train")(train_cmd.train)
app.command("predict")(predict_cmd.predict)
app.command("evaluate")(evaluate_cmd.evaluate)
app.command("compare")(evaluate_cmd.compare)
app.command("export-onnx")(export_cmd.export_onnx)

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
        code = app(standalone_mode=False)
    except ParleyError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(EXIT_SIGINT)
    except Terminated:
        typer.echo("terminated", err=True)
        sys.exit(EXIT_SIGTERM)
    except Exception as exc:  # click's usage errors
        import click

        if isinstance(exc, click.exceptions.Abort):
            typer.echo("interrupted", err=True)
            sys.exit(EXIT_SIGINT)
        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
    sys.exit(code if isinstance(code, int) else 0)
