"""`parley predict`: batch prediction over articles or pre-split sentences."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from parley.errors import InputError


class OutputFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"
    table = "table"


class Engine(StrEnum):
    local = "local"
    ray = "ray"


def predict(
    inputs: Annotated[list[str], typer.Argument(help=".txt files, directories, .jsonl/.csv files, or - for stdin.")],
    model: Annotated[Path | None, typer.Option("--model", help="Model directory (default: models/default).")] = None,
    fmt: Annotated[
        OutputFormat | None,
        typer.Option("--format", help="Default: table on a terminal, jsonl otherwise.", show_default=False),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--out", "-o", "--output", help="Write here (atomically) instead of stdout.")
    ] = None,
    text_column: Annotated[str, typer.Option(help="Text field of JSONL/CSV input.")] = "text",
    id_column: Annotated[str, typer.Option(help="Document id field of JSONL/CSV input.")] = "id",
    presplit: Annotated[bool, typer.Option("--presplit", help="Each input row is already one sentence.")] = False,
    summary: Annotated[bool, typer.Option("--summary", help="Add per-article counts and sentences per act.")] = False,
    threshold: Annotated[
        str | None, typer.Option(help="Override thresholds: 0.4 or proposal=0.4,rejection=0.6.")
    ] = None,
    batch_size: Annotated[int, typer.Option(help="Sentences scored per batch.")] = 1024,
    workers: Annotated[
        int,
        typer.Option(
            help="Processes that split and score (0: one per core for rules and linear, 1 for torch families)."
        ),
    ] = 0,
    skip_bad: Annotated[
        bool, typer.Option("--skip-bad", help="Warn about and skip bad records/files instead of failing.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output file.")] = False,
    events: Annotated[
        bool,
        typer.Option(
            "--events",
            help="Who proposed, accepted or refused what, to whom, and which "
            "proposal a reply answers (parses only labelled sentences).",
        ),
    ] = False,
    html: Annotated[
        Path | None,
        typer.Option(
            "--html",
            help="Also write one self-contained page with acts "
            "highlighted and replies joined to proposals (implies --events).",
        ),
    ] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted run from OUTPUT.partial.")] = False,
    show_all: Annotated[bool, typer.Option("--all", help="Table format: show sentences without labels too.")] = False,
    engine: Annotated[Engine, typer.Option(help="ray needs parley[ray].")] = Engine.local,
    ray_address: Annotated[str | None, typer.Option(help="Ray cluster address (engine ray).")] = None,
    ray_actors: Annotated[int, typer.Option(help="Model-holding actors (engine ray); one CPU each.")] = 1,
):
    """Split articles into sentences and label each one."""
    from parley.model import default_model_dir, load_model
    from parley.predict import auto_workers, parse_threshold
    from parley.run_predict import RunOptions, check_options, run_prediction

    fmt = str(fmt or ("table" if output is None and sys.stdout.isatty() else "jsonl"))
    if workers < 0:
        raise InputError(f"--workers must be 0 (auto) or more, got {workers}")
    options = RunOptions(
        fmt=fmt,
        summary=summary,
        presplit=presplit,
        text_column=text_column,
        id_column=id_column,
        threshold=parse_threshold(threshold),
        show_all=show_all,
        events=events or html is not None,
        html=str(html) if html else None,
    )
    check_options(options, output, resume, force)
    model_dir = model or default_model_dir()
    if engine is Engine.ray:
        from parley.ray_engine import run_ray_prediction

        if html is not None:
            raise InputError("--html draws pages on one machine: use --engine local")
        run_ray_prediction(
            inputs,
            model_dir,
            output,
            text_column=text_column,
            id_column=id_column,
            presplit=presplit,
            threshold=threshold,
            batch_size=batch_size,
            address=ray_address,
            concurrency=ray_actors,
            events=events,
        )
        return
    loaded = load_model(model_dir)
    run_prediction(
        loaded,
        inputs,
        options=options,
        output=output,
        batch_size=batch_size,
        skip_bad=skip_bad,
        resume=resume,
        workers=workers or auto_workers(loaded.family),
    )
