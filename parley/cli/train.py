"""`parley train FAMILY`: thin wrapper over training.run.train_model (imported lazily)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from parley.errors import InputError
from parley.registry import FAMILIES


def train(
    family: Annotated[str, typer.Argument(help=f"One of: {', '.join(FAMILIES)}.")],
    data: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Labelled .jsonl/.csv files or directories with train and dev splits (default: data/corpus).",
            show_default=False,
        ),
    ] = None,
    data_option: Annotated[
        list[Path], typer.Option("--data", hidden=True, help="The DATA arguments, as an option (older spelling).")
    ] = [],
    out: Annotated[Path, typer.Option("--out", "-o", help="Model directory to write.")] = Path("models/new"),
    config: Annotated[Path | None, typer.Option("--config", help="TOML file of hyper-parameters.")] = None,
    seed: Annotated[int | None, typer.Option(help="Random seed (overrides the config).")] = None,
    epochs: Annotated[float | None, typer.Option(help="Epochs (transformer; overrides the config).")] = None,
    learning_rate: Annotated[float | None, typer.Option(help="Learning rate (transformer).")] = None,
    set_: Annotated[
        list[str], typer.Option("--set", help="Any parameter as KEY=VALUE (TOML syntax); repeatable.")
    ] = [],
    name: Annotated[str | None, typer.Option(help="Model name stored in model.json (default: directory name).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output directory.")] = False,
    members: Annotated[str | None, typer.Option(help="Ensemble: member model directories, comma-separated.")] = None,
    tune_data: Annotated[
        list[Path],
        typer.Option(
            "--tune-data",
            help="Tune thresholds on the dev split of these files "
            "(e.g. data/natural, at news density) instead of the training data's.",
        ),
    ] = [],
    target_precision: Annotated[
        float | None,
        typer.Option(
            help="Per label, the lowest threshold reaching this precision on the tuning split (else best F1)."
        ),
    ] = None,
):
    """Train a model family; thresholds are tuned on the dev split and stored with the model."""
    from rich.console import Console
    from rich.table import Table

    from parley.labels import LABELS
    from parley.registry import family_spec
    from parley.training.config import load_config, parse_override
    from parley.training.run import train_model

    family_spec(family)
    overrides = dict(parse_override(item) for item in set_)
    if family == "transformer":
        overrides.update({k: v for k, v in (("epochs", epochs), ("learning_rate", learning_rate)) if v is not None})
    elif epochs is not None or learning_rate is not None:
        raise InputError(f"--epochs/--learning-rate apply to the transformer family, not {family}")
    if seed is not None:
        overrides["seed"] = seed
    if members is not None:
        if family != "ensemble":
            raise InputError(f"--members applies to the ensemble family, not {family}")
        overrides["members"] = [part.strip() for part in members.split(",") if part.strip()]
    if target_precision is not None and not 0.0 < target_precision <= 1.0:
        raise InputError(f"--target-precision must lie in (0, 1], got {target_precision}")
    settings = load_config(family, config, overrides)
    data = [*(data or []), *data_option] or [Path("data/corpus")]
    console = Console(stderr=True)
    with console.status(f"training {family} ..."):
        meta = train_model(
            family,
            data,
            out,
            settings,
            name=name,
            force=force,
            tune_data=tune_data or None,
            target_precision=target_precision,
            log=lambda m: console.log(m),
        )
    metrics = meta["metrics_dev"]
    table = Table(title=f"{out} ({family}): dev macro-F1 {metrics['macro_f1']:.3f}, micro-F1 {metrics['micro_f1']:.3f}")
    for column in ("label", "precision", "recall", "F1", "support", "threshold"):
        table.add_column(column, justify="right")
    for label in LABELS:
        m = metrics["per_label"][label]
        table.add_row(
            label,
            f"{m['precision']:.3f}",
            f"{m['recall']:.3f}",
            f"{m['f1']:.3f}",
            str(m["support"]),
            f"{meta['thresholds'][label]:.3f}",
        )
    Console().print(table)
