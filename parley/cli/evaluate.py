"""`parley evaluate` and `parley compare` (evaluation code is imported lazily)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def evaluate(
    model: Annotated[Path, typer.Argument(help="Model directory.")],
    data: Annotated[list[Path], typer.Argument(help="Labelled .jsonl/.csv files or directories.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Report directory.")] = Path("reports/latest"),
    split: Annotated[str | None, typer.Option(help="Only records of this split (train, dev or test).")] = None,
    contrast: Annotated[Path | None, typer.Option(help="Contrast suite (default data/contrast when present).")] = None,
    pool: Annotated[list[Path], typer.Option(help="Unlabelled real sentences for prevalence; repeatable.")] = [],
    pool_limit: Annotated[int, typer.Option(help="Read at most this many pool sentences per file.")] = 20000,
    bootstrap: Annotated[int, typer.Option(help="Bootstrap resamples for confidence intervals.")] = 1000,
    min_confidence: Annotated[
        str | None, typer.Option(help="Keep rows with confidence >= this (high, medium, low).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing report directory.")] = False,
    events: Annotated[
        bool,
        typer.Option(
            "--events",
            help="Also score who/what/to-whom and reply links on the "
            "event-annotated articles (per role, exact span and head token).",
        ),
    ] = False,
    events_data: Annotated[
        Path | None, typer.Option(help="Event-annotated articles (default data/events/events.jsonl).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
):
    """Metrics with confidence intervals, threshold and calibration analysis, errors, slices,
    contrast-suite and real-world prevalence; writes report.md, report.html, PNGs, metrics.json."""
    from parley.evaluation.report import build_report
    from parley.settings import in_project

    summary = build_report(
        model,
        data,
        out,
        split=split,
        contrast=contrast,
        pools=pool,
        pool_limit=pool_limit,
        n_boot=bootstrap,
        min_confidence=min_confidence,
        force=force,
        events=(events_data or in_project("data", "events", "events.jsonl")) if events else None,
        quiet=quiet,
    )
    typer.echo(summary)


def compare(
    items: Annotated[
        list[Path], typer.Argument(help="Report directories, or model directories followed by data files.")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory for compare.md and compare.html.")] = Path(
        "reports/compare"
    ),
):
    """Side-by-side table of models across data sets, best per column marked, with CIs."""
    from parley.evaluation.compare import compare_paths

    typer.echo(compare_paths(items, out))
