"""The `parley` command line: thin commands over library functions."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from parley import __version__
from parley.cli import data as data_cmd
from parley.cli import evaluate as evaluate_cmd
from parley.cli import explain as explain_cmd
from parley.cli import export as export_cmd
from parley.cli import leaderboard as leaderboard_cmd
from parley.cli import predict as predict_cmd
from parley.cli import review as review_cmd
from parley.cli import train as train_cmd
from parley.entry import EXIT_ERROR, EXIT_SIGINT, EXIT_SIGTERM, Terminated
from parley.errors import ParleyError
from parley.registry import missing_extra_message

app = typer.Typer(
    name="parley",
    help="Find proposals, agreements and rejections in news text, sentence by sentence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain help: rich markup showed "<bool>" after every flag and swallowed "[ray]" in texts.
    rich_markup_mode=None,
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"parley {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool, typer.Option("--version", callback=_show_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Find proposals, agreements and rejections in news text, sentence by sentence."""


app.add_typer(data_cmd.app, name="data")
app.command("train")(train_cmd.train)
app.command("predict")(predict_cmd.predict)
app.command("evaluate")(evaluate_cmd.evaluate)
app.command("compare")(evaluate_cmd.compare)
app.command("export-onnx")(export_cmd.export_onnx)
app.command("explain")(explain_cmd.explain)
app.command("leaderboard")(leaderboard_cmd.leaderboard)
app.command("review")(review_cmd.review)


def _click_exception_types() -> tuple[type, tuple[type, ...]]:
    """(ClickException, abort types) of the click that typer runs on: typer >= 0.2x bundles its
    own copy, so the standalone `click` package's classes would not match."""
    click_exception = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
    aborts = {typer.Abort, *(getattr(sys.modules[click_exception.__module__], "Abort", typer.Abort),)}
    return click_exception, tuple(aborts)


def signal_behind(exc: BaseException) -> BaseException | None:
    """The Ctrl-C or SIGTERM that an extension module's import turned into an ImportError (numpy
    and onnxruntime re-raise it as 'initialization failed'), found along the exception's causes."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, (KeyboardInterrupt, Terminated)):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def run() -> None:
    """Run the command line; every error and interrupt ends in one line and an exit code."""
    click_exception, aborts = _click_exception_types()
    try:
        code = app(standalone_mode=False)
    except ParleyError as exc:
        typer.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    except (KeyboardInterrupt, *aborts):
        typer.echo("interrupted", err=True)
        sys.exit(EXIT_SIGINT)
    except Terminated:
        typer.echo("terminated", err=True)
        sys.exit(EXIT_SIGTERM)
    except click_exception as exc:  # usage errors: one line and the usage hint, exit 2
        exc.show()
        sys.exit(exc.exit_code)
    except ModuleNotFoundError as exc:  # an optional extra that this command needs is not installed
        typer.echo(f"error: {missing_extra_message(exc, 'this command')}", err=True)
        sys.exit(EXIT_ERROR)
    except ImportError as exc:
        signal = signal_behind(exc)
        if signal is None:
            raise
        terminated = isinstance(signal, Terminated)
        typer.echo("terminated" if terminated else "interrupted", err=True)
        sys.exit(EXIT_SIGTERM if terminated else EXIT_SIGINT)
    if code == EXIT_SIGINT:  # typer turns a KeyboardInterrupt inside a command into exit code 130
        typer.echo("interrupted", err=True)
    sys.exit(code if isinstance(code, int) else 0)
