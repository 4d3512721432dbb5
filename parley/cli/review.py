"""`parley review` (the labelling page) and `parley data agreement` (two annotators compared)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from parley.errors import InputError


def review(
    source: Annotated[
        list[str],
        typer.Argument(
            help=".txt files, directories, .jsonl/.csv files, or - for stdin (anything `parley predict` reads)."
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Decision file (.jsonl): appended to, and resumed from.")],
    model: Annotated[
        list[Path],
        typer.Option("--model", help="Model directory; repeat for --strategy disagree (default: models/default)."),
    ] = [],
    strategy: Annotated[
        str,
        typer.Option(
            help="uncertain (scores nearest their thresholds first), disagree "
            "(two models that disagree first) or random."
        ),
    ] = "uncertain",
    seed: Annotated[int, typer.Option(help="Seed of --strategy random.")] = 0,
    annotator: Annotated[
        str | None, typer.Option(help="Name stored with each decision (default: the OS user).")
    ] = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 8765,
    allow_remote: Annotated[
        bool,
        typer.Option("--allow-remote", help="Allow a non-local --host; every request then needs the printed token."),
    ] = False,
    retrain_every: Annotated[
        int,
        typer.Option(
            help="Retrain the linear model on --data plus the decisions after "
            "every N decisions, in the background, and re-order."
        ),
    ] = 0,
    data: Annotated[list[Path], typer.Option("--data", help="Labelled data: retrained on, and not shown again.")] = [],
    text_column: Annotated[str, typer.Option(help="Text field of JSONL/CSV input.")] = "text",
    id_column: Annotated[str, typer.Option(help="Document id field of JSONL/CSV input.")] = "id",
    presplit: Annotated[bool, typer.Option("--presplit", help="Each input row is already one sentence.")] = False,
):
    """Label sentences on a local web page, most useful first; decisions are saved as they are made."""
    from parley.model import default_model_dir
    from parley.review.app import serve
    from parley.review.queue import open_session

    session = open_session(
        source,
        model or [default_model_dir()],
        out,
        strategy=strategy,
        seed=seed,
        annotator=annotator,
        retrain_every=retrain_every,
        data=data,
        text_column=text_column,
        id_column=id_column,
        presplit=presplit,
    )
    serve(session, host=host, port=port, allow_remote=allow_remote, echo=typer.echo)


def agreement(
    a: Annotated[Path, typer.Argument(help="First annotator's records (.jsonl/.csv); the reference for F1.")],
    b: Annotated[Path, typer.Argument(help="Second annotator's records.")],
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
):
    """Agreement between two annotators on the ids both labelled, and the disagreements to adjudicate."""
    from rich.console import Console
    from rich.table import Table

    from parley.agreement import compare_annotations

    if fmt not in ("table", "json"):
        raise InputError(f"--format must be table or json, got {fmt!r}")
    result = compare_annotations(a, b)
    if fmt == "json":
        typer.echo(json.dumps(result, indent=2, ensure_ascii=False))
        return
    console = Console()
    console.print(
        f"[bold]{result['common']}[/] ids labelled by both ({result['only_a']} only in {a}, "
        f"{result['only_b']} only in {b}): exact match {result['exact_match']:.1%}, "
        f"macro-F1 {result['macro_f1']:.3f} ({a} as reference)"
    )
    table = Table(title="Per label")
    for column in ("label", "Cohen's kappa", "F1", f"positives {a.name}", f"positives {b.name}"):
        table.add_column(column, justify="right" if column != "label" else "left")
    for label, row in result["per_label"].items():
        kappa = "n/a" if row["kappa"] is None else f"{row['kappa']:.3f}"
        table.add_row(label, kappa, f"{row['f1']:.3f}", str(row["a"]), str(row["b"]))
    console.print(table)
    if result["disagreements"]:
        table = Table(title=f"{len(result['disagreements'])} disagreements to adjudicate")
        for column in ("id", "text", a.name, b.name):
            table.add_column(column)
        for row in result["disagreements"]:
            table.add_row(row["id"], row["text"], ", ".join(row["a"]) or "-", ", ".join(row["b"]) or "-")
        console.print(table)
