"""`parley data check|stats|split`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from parley.cli.review import agreement
from parley.errors import InputError
from parley.labels import LABELS

# Library modules are imported inside each command: `parley --help` must not pay for numpy.

app = typer.Typer(
    help="Check, describe and split labelled data (JSONL or CSV).", no_args_is_help=True, rich_markup_mode=None
)

Paths = Annotated[list[Path], typer.Argument(help="Files or directories of .jsonl/.csv records.")]
app.command("agreement")(agreement)


@app.command()
def check(
    paths: Paths,
    max_problems: Annotated[int, typer.Option(help="Print at most this many problems.")] = 200,
    shared: Annotated[
        bool,
        typer.Option(
            "--shared/--no-shared",
            help="Also refuse 8-word runs shared with the "
            "external real text (PARLEY_SHARED/external), when it is present.",
        ),
    ] = True,
):
    """Validate schema, duplicates, near-duplicates, leaks across splits, twins, labels, and
    (by default) runs of 8 words copied from the external real text."""
    from parley.datacheck import check_paths
    from parley.settings import external_dir

    records, problems = check_paths(paths, external_dir() if shared else None)
    errors = [p for p in problems if p.severity == "error"]
    for problem in problems[:max_problems]:
        typer.echo(str(problem), err=True)
    if len(problems) > max_problems:
        typer.echo(f"... and {len(problems) - max_problems} more", err=True)
    typer.echo(f"{len(records)} records checked: {len(errors)} error(s), {len(problems) - len(errors)} warning(s)")
    raise typer.Exit(1 if errors else 0)


@app.command()
def stats(
    paths: Paths,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
    pools: Annotated[
        bool,
        typer.Option(
            "--pools",
            help="Also compare the news shape (length, quotes, names, act and "
            "trigger rates, overused 4-grams) with the real news pools.",
        ),
    ] = False,
):
    """Counts per label, split and domain; label co-occurrence; sentence length; with --pools,
    the datasheet's comparison with real news."""
    from rich.console import Console
    from rich.table import Table

    from parley.datastats import corpus_stats
    from parley.io import load_records

    records = load_records(paths)
    result = corpus_stats(records)
    if pools:
        result["shape"] = _shape_against_pools(records)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    console = Console()
    console.print(
        f"[bold]{result['sentences']}[/] sentences, {result['articles']} articles; "
        f"no label: {result['none']} ({result['none_share']:.1%}); positives phrased without "
        f"propose/agree/reject/accept/offer: {result['indirect_share']:.1%}"
    )
    for title, key in (("Per split", "by_split"), ("Per domain / source", "by_domain")):
        table = Table(title=title)
        for column in ("", "sentences", *LABELS, "none"):
            table.add_column(column, justify="right" if column else "left")
        for name, counts in result[key].items():
            table.add_row(name, *[str(counts.get(c, 0)) for c in ("sentences", *LABELS, "none")])
        table.add_row(
            "[bold]total",
            str(result["sentences"]),
            *[str(result["labels"][lab]) for lab in LABELS],
            str(result["none"]),
        )
        console.print(table)
    if result["articles_by_split"]:
        console.print("articles per split: " + ", ".join(f"{k} {v}" for k, v in result["articles_by_split"].items()))
    table = Table(title="Label co-occurrence (sentences)")
    table.add_column("")
    for label in LABELS:
        table.add_column(label, justify="right")
    for a in LABELS:
        table.add_row(a, *[str(result["cooccurrence"][a][b]) for b in LABELS])
    console.print(table)
    length = result["length_words"]
    console.print("sentence length (words): " + ", ".join(f"{k} {v}" for k, v in length.items()))
    if pools:
        shape = result["shape"]
        columns = {"corpus": shape["corpus"], **shape["pools"], "pools": shape["pools_together"] or {}}
        table = Table(title="News shape: corpus vs real news pools")
        table.add_column("")
        for name in columns:
            table.add_column(name.split("_")[0], justify="right")
        for key in (
            "sentences",
            "length_p50",
            "length_p90",
            "over_30_words",
            "quote_rate",
            "names_per_sentence",
            "trigger_rate",
            "any_act_rate",
            "trigger_nonacts_per_act",
        ):
            table.add_row(key, *[_cell(values.get(key)) for values in columns.values()])
        console.print(table)
        grams = Table(title="Top 4-grams of act sentences: per 10k act sentences vs per 10k pool trigger sentences")
        for column in ("4-gram", "corpus", "pools", "ratio"):
            grams.add_column(column, justify="right")
        for row in shape["act_four_grams"]:
            grams.add_row(
                row["four_gram"], f"{row['corpus_per_10k']:.0f}", f"{row['pool_per_10k']:.0f}", f"{row['ratio']:.1f}"
            )
        console.print(grams)


def _cell(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}" if value < 1 else f"{value:.1f}"
    return str(value)


@app.command()
def split(
    paths: Paths,
    seed_salt: Annotated[str, typer.Option(help="Salt of the article hash.")] = "parley",
    shares: Annotated[
        str, typer.Option(help="train,dev,test shares of sentences and of each label.")
    ] = "0.7,0.15,0.15",
):
    """Assign a deterministic, stratified train/dev/test `split` to every record, by article,
    rewriting JSONL files in place (atomically). Twins follow the sentence they flip."""
    try:
        weights = tuple(float(part) for part in shares.split(","))
    except ValueError:
        weights = ()
    if len(weights) != 3 or min(weights) < 0 or sum(weights) <= 0:
        raise InputError(f"--shares expects three non-negative numbers such as 0.7,0.15,0.15, got {shares!r}")
    from parley.io import data_files, iter_rows, load_records
    from parley.splits import assign_splits
    from parley.staging import staged_file

    files = data_files(paths)
    records = load_records(files)
    assignment = assign_splits(records, shares=weights, salt=seed_salt)
    for path in files:
        if path.suffix.lower() not in (".jsonl", ".ndjson"):
            raise typer.BadParameter(f"{path}: split rewrites JSONL files only")
        rows = []
        for line, row in iter_rows(path):
            key = str(row.get("article_id") or row.get("id") or f"{path.name}:{line}")
            if key not in assignment:
                raise InputError(
                    f"twin of {row.get('twin_of')!r}, which is in none of the files given: split them together",
                    path,
                    line,
                )
            row["split"] = assignment[key]
            rows.append(row)
        with staged_file(path) as handle:
            handle.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    counts = {name: sum(1 for v in assignment.values() if v == name) for name in ("train", "dev", "test")}
    typer.echo(f"assigned {len(assignment)} articles: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


# The pools corpus v2 was modelled on and teacher-student training reads (agnews and reddit stay
# untouched, for prevalence checks).
NEWS_POOLS = ("bbc_politics_sentences", "guardian_sdf_sample_sentences", "reuters21578_reut2-000_sentences")


def _shape_against_pools(records) -> dict:
    from parley.datastats import news_shape, overused_four_grams
    from parley.io import iter_rows
    from parley.settings import pools_dir

    pool_texts = {}
    for name in NEWS_POOLS:
        path = pools_dir() / f"{name}.jsonl"
        if path.is_file():
            pool_texts[name] = [row["text"] for _, row in iter_rows(path) if isinstance(row.get("text"), str)]
    every_pool = [t for texts in pool_texts.values() for t in texts]
    return {
        "corpus": news_shape([r.text for r in records], [r.labels for r in records]),
        "pools": {name: news_shape(texts) for name, texts in pool_texts.items()},
        "pools_together": news_shape(every_pool) if every_pool else None,
        "act_four_grams": overused_four_grams([r.text for r in records if r.labels], every_pool) if every_pool else [],
    }


@app.command("pseudo-label")
def pseudo_label(
    model: Annotated[Path, typer.Option("--model", "-m", help="Teacher model directory.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="JSONL of confident labels (keep it outside the repo).")],
    pools: Annotated[
        list[Path],
        typer.Argument(
            help="Unlabelled sentence files (default: the bbc_politics, "
            "guardian and reuters pools under PARLEY_SHARED)."
        ),
    ] = None,
    margin: Annotated[float, typer.Option(help="How far past its threshold a label must score to be kept on.")] = 0.25,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output file.")] = False,
):
    """Teacher to student: label real news with a strong model, keep the confident labels."""
    from parley.model import load_model
    from parley.settings import pools_dir
    from parley.training.pseudo import pseudo_label as label_pools

    if out.exists() and not force:
        raise InputError("output exists; pass --force to replace it", out)
    chosen = pools or [pools_dir() / f"{name}.jsonl" for name in NEWS_POOLS]
    for path in chosen:
        if not path.is_file():
            raise InputError("no such pool file", path)
    counts = label_pools(load_model(model), chosen, out, margin)
    typer.echo(f"kept {counts['kept']} of {counts['sentences']} sentences; positives {counts['positives']}")
