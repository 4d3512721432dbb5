"""`parley explain "sentence"`: scores, thresholds and the reasons behind them."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer


class ExplainFormat(StrEnum):
    table = "table"
    json = "json"


def explain(
    sentence: Annotated[str, typer.Argument(help="The sentence to explain (quote it).")],
    model: Annotated[
        Path | None, typer.Option("--model", "-m", help="Model directory or name (default: the shipped default).")
    ] = None,
    fmt: Annotated[ExplainFormat, typer.Option("--format", help="table or json.")] = ExplainFormat.table,
    top: Annotated[int, typer.Option(help="Features listed per direction (linear models).")] = 8,
):
    """Per label: the score, the threshold, the rules evidence (pattern, negation, hedge), for
    linear models the features that pushed the score up and down most, and for an ensemble
    (the default) each member's score and weighted margin."""
    import parley

    result = parley.load(model or "default").explain(sentence, top=top)
    if fmt is ExplainFormat.json:
        typer.echo(json.dumps(result, ensure_ascii=False, indent=1))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(
        f"[bold]{result['text']}[/bold]  (model {result['model']}, {result['family']})", markup=True, highlight=False
    )
    for label, entry in result["labels"].items():
        verdict = "ON" if entry["on"] else "off"
        table = Table(
            title=f"{label}: {entry['score']:.3f} vs threshold {entry['threshold']:.3f} -> {verdict}",
            title_justify="left",
            show_header=True,
        )
        table.add_column("why")
        table.add_column("detail", overflow="fold")
        for m in entry.get("members", []):
            table.add_row(
                f"member {m['member']}",
                f"{m['score']:.3f} vs its threshold {m['threshold']:.3f}: {m['weighted_margin']:+.2f} to the logit",
            )
        for e in entry["evidence"]:
            table.add_row(f"rules ({e['status']})", f"{e['pattern']}: {e['match']!r}")
        for name, weight in entry.get("features", {}).get("up", []):
            table.add_row("feature +", f"{name} ({weight:+.3f})")
        for name, weight in entry.get("features", {}).get("down", []):
            table.add_row("feature -", f"{name} ({weight:+.3f})")
        console.print(table)
