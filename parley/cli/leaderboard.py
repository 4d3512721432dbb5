"""`parley leaderboard`: every model on every data set, external data first, into
reports/LEADERBOARD.md and reports/leaderboard.json.

A command above training and evaluation (the Makefile's model targets train what it reads), so
neither package imports the other. The external files (PARLEY_SHARED/external) were written by
others and never trained on: they are the honest number. The news-shaped test split (whole
articles at news density, data/natural) comes next; the act-dense v1 test split last.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from parley.settings import external_dir, in_project

EXTERNAL_POOLED = "external pooled (high+medium)"
NEWS_TEST = "news-shaped test split"
V1_TEST = "corpus v1 test split"


def datasets(corpus: Path, natural: Path) -> list[tuple[str, list]]:
    from parley.evaluation.report import select_records
    from parley.io import load_records

    out = []
    files = sorted(external_dir().glob("*.jsonl"))
    if files:
        records = load_records(files)
        out.append((EXTERNAL_POOLED, select_records(records, None, "medium")))
        for f in files:
            rows = [r for r in records if r.path == str(f)]
            out.append((f"{f.stem} (all)", rows))
            high = select_records(rows, None, "high")
            if high:
                out.append((f"{f.stem} (high)", high))
    if natural.is_dir():
        out.append((NEWS_TEST, select_records(load_records([natural]), "test", None)))
    if corpus.is_dir():
        out.append((V1_TEST, select_records(load_records([corpus]), "test", None)))
    return out


def model_directories(models: list[Path]) -> list[Path]:
    """Model directories given, or every models/*/ holding a model.json (sorted)."""
    if models:
        return models
    return sorted(p.parent for p in in_project("models").glob("*/model.json"))


def build(models: list[Path], corpus: Path, natural: Path, contrast: Path, out: Path, n_boot: int = 500) -> str:
    from parley.evaluation.compare import comparison_table
    from parley.evaluation.report import evaluate_contrast, evaluate_records
    from parley.model import load_model
    from parley.progress import StageProgress
    from parley.staging import staged_file

    sets = datasets(corpus, natural)
    rows, contrast_results = [], {}
    with StageProgress() as progress:
        for directory in models:
            progress.stage(f"loading model {directory}")
            model = load_model(directory)
            # "default (ensemble)": a row names the family where the model's name does not.
            label = model.name if model.name == model.family else f"{model.name} ({model.family})"
            for name, records in sets:
                result = evaluate_records(model, records, n_boot=n_boot, progress=progress)
                rows.append(
                    {
                        "model": {"name": label, "family": model.family},
                        "data": {"name": name, "records": len(records)},
                        "summary": result["summary"],
                        "ci": result["ci"],
                    }
                )
            if contrast.exists():
                contrast_results[label] = evaluate_contrast(model, contrast, progress)
    names = [name for name, _ in sets]
    external = [n for n in names if n not in (NEWS_TEST, V1_TEST)]
    sizes = {name: len(records) for name, records in sets}
    lines = [
        "# Leaderboard",
        "",
        "Regenerate with `make leaderboard` (`parley leaderboard`). Macro-F1 with 95% bootstrap intervals (by article",
        "where there are articles); ★ marks the best per column. A label with no positive row in a file scores F1 0",
        "(scikit-learn's convention), which caps macro-F1 at 0.667 on files where only two labels occur; the pooled",
        "row is the number to quote.",
        "",
    ]
    if external:
        lines += [
            "## External data (written by others, never trained on)",
            "",
            "Sizes: " + ", ".join(f"{n} {sizes[n]}" for n in external) + ".",
            "",
            comparison_table(rows, "macro_f1", external[:1]),
            "",
            "Per file:",
            "",
            comparison_table(rows, "macro_f1", external[1:]),
            "",
        ]
    project = [n for n in (NEWS_TEST, V1_TEST) if n in names]
    if project:
        lines += [
            "## Project data",
            "",
            "The news-shaped test split holds whole articles at news density (most sentences carry no act); "
            "the v1 test split is act-dense. Sizes: " + ", ".join(f"{n} {sizes[n]}" for n in project) + ".",
            "",
            comparison_table(rows, "macro_f1", project),
            "",
        ]
    if contrast_results:
        lines += [
            "| model | contrast groups exactly right | flips where gold flips | sentences exactly right |",
            "|---|---|---|---|",
        ]
        best = max(c["group_accuracy"] for c in contrast_results.values())
        for name, c in contrast_results.items():
            mark = " ★" if c["group_accuracy"] == best else ""
            lines.append(
                f"| {name} | {c['group_accuracy']:.1%}{mark} ({c['groups']} groups) | {c['flip_agreement']:.1%} "
                f"| {c['sentence_accuracy']:.1%} |"
            )
    markdown = "\n".join(lines) + "\n"
    with staged_file(out / "LEADERBOARD.md") as handle:
        handle.write(markdown)
    with staged_file(out / "leaderboard.json") as handle:
        json.dump(
            {
                "rows": rows,
                "contrast": {
                    k: {kk: vv for kk, vv in v.items() if kk != "failures"} for k, v in contrast_results.items()
                },
            },
            handle,
            indent=1,
        )
    return markdown


def leaderboard(
    models: Annotated[
        list[Path], typer.Argument(help="Model directories (default: every models/*/ with a model.json).")
    ] = None,
    corpus: Annotated[Path, typer.Option(help="Corpus v1 (its test split is a column).")] = in_project(
        "data", "corpus"
    ),
    natural: Annotated[Path, typer.Option(help="News-shaped articles (their test split is a column).")] = in_project(
        "data", "natural"
    ),
    contrast: Annotated[Path, typer.Option(help="Contrast suite.")] = in_project("data", "contrast"),
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for LEADERBOARD.md and leaderboard.json.")
    ] = in_project("reports"),
    bootstrap: Annotated[int, typer.Option(help="Bootstrap resamples for the intervals.")] = 500,
):
    """Evaluate models on the external files, the news-shaped and v1 test splits and the contrast suite."""
    typer.echo(build(model_directories(models or []), corpus, natural, contrast, out, bootstrap))
