"""Train a model directory: data -> fit -> dev thresholds -> model.json + card, atomically."""

from __future__ import annotations

import inspect
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from parley import __version__
from parley.errors import InputError
from parley.families.rules import RULES_VERSION
from parley.io import Record, data_files, load_records
from parley.labels import LABELS, to_matrix
from parley.metrics import expected_calibration_error, summary, tune_thresholds
from parley.model import DEFAULT_MAX_CHARS, sha256_file, write_model_json
from parley.registry import family_spec
from parley.splits import assign_splits
from parley.staging import staged_dir
from parley.text import model_inputs
from parley.training.card import write_card

# Fewer training sentences than this cannot fit three one-vs-rest classifiers meaningfully.
MIN_TRAIN_RECORDS = 8


@dataclass
class Splits:
    train: list[Record]
    dev: list[Record]
    test: list[Record]


def split_records(records: list[Record]) -> Splits:
    """Use the stored `split` field; records without one are split by article here."""
    unsplit = [r for r in records if r.split is None]
    assignment = assign_splits(unsplit) if unsplit else {}
    stored = {r.id: r.split for r in records}
    parts: dict[str, list[Record]] = {"train": [], "dev": [], "test": []}
    for record in records:
        name = record.split or assignment.get(record.article_id or record.id) or stored.get(record.twin_of)
        if name is None:
            raise InputError(
                f"twin of {record.twin_of!r}, which is in none of the files given and has no split",
                record.path,
                record.line,
            )
        if name not in parts:
            raise InputError(f"unknown split {name!r}; expected train, dev or test", record.path, record.line)
        parts[name].append(record)
    return Splits(**parts)


def prepare(records: list[Record], max_chars: int = DEFAULT_MAX_CHARS) -> tuple[list[str], np.ndarray]:
    return model_inputs((r.text for r in records), max_chars), to_matrix(r.labels for r in records)


def check_trainable(splits: Splits, sources: str) -> None:
    if len(splits.train) < MIN_TRAIN_RECORDS:
        raise InputError(
            f"training split has {len(splits.train)} records, fewer than the {MIN_TRAIN_RECORDS} training needs "
            f"({sources})"
        )
    if not splits.dev:
        raise InputError(f"no dev records to tune thresholds on ({sources}); add a 'split' field or more articles")
    y = to_matrix(r.labels for r in splits.train)
    for i, label in enumerate(LABELS):
        if y[:, i].sum() == 0:
            raise InputError(f"label {label!r} has no positive example in the training split ({sources})")
        if y[:, i].sum() == len(y):
            raise InputError(f"label {label!r} is on for every training record; nothing to contrast ({sources})")


def train_model(
    family: str,
    data: list[str | Path],
    out: str | Path,
    config: dict,
    *,
    name: str | None = None,
    force: bool = False,
    tune_data: list[str | Path] | None = None,
    target_precision: float | None = None,
    log=print,
) -> dict:
    """Train `family` on the train split of `data`, tune thresholds on a dev split, write `out`.

    Thresholds are tuned on the dev split of `tune_data` when given (the news-shaped articles,
    where acts are as rare as in news), else on the dev split of `data`; with
    `target_precision`, each label's threshold is the lowest that reaches that precision there.

    The directory is built under a temporary name beside `out` and renamed at the end, so
    an interrupted run never leaves a half-written model at `out`.
    """
    out = Path(out)
    if out.exists() and not force:
        raise InputError("output directory exists; pass --force to replace it", out)
    files = data_files(list(data))
    records = load_records(files)
    splits = split_records(records)
    sources = ", ".join(str(f) for f in files)
    check_trainable(splits, sources)

    seed = int(config.get("seed", 0))
    random.seed(seed)
    np.random.seed(seed)
    spec = family_spec(family)
    estimator = spec.trainer_class()(**config)
    tune_files = data_files(list(tune_data)) if tune_data else []
    tune_records = split_records(load_records(tune_files)).dev if tune_files else splits.dev
    if not tune_records:
        raise InputError(f"no dev records to tune thresholds on in {', '.join(map(str, tune_files))}")
    train_texts, train_y = prepare(splits.train)
    dev_texts, dev_y = prepare(tune_records)

    fit_texts, fit_y = (dev_texts, dev_y) if spec.fits_on_dev else (train_texts, train_y)
    log(f"training {family} on {len(fit_texts)} sentences ({len(dev_texts)} dev) ...")
    started = time.perf_counter()
    if "dev" in inspect.signature(estimator.fit).parameters:  # families that report a dev score as they train
        estimator.fit(fit_texts, fit_y, dev=(dev_texts, dev_y))
    else:
        estimator.fit(fit_texts, fit_y)
    fit_seconds = time.perf_counter() - started
    dev_scores = estimator.predict_proba(dev_texts)
    if spec.tunes_thresholds:
        thresholds = tune_thresholds(dev_y, dev_scores, target_precision)
    else:
        thresholds = {label: 0.5 for label in LABELS}
    threshold_vector = np.asarray([thresholds[label] for label in LABELS])
    dev_metrics = summary(dev_y, (dev_scores >= threshold_vector).astype(int), dev_scores)
    calibration = {
        label: round(expected_calibration_error(dev_y[:, i], dev_scores[:, i])[0], 4) for i, label in enumerate(LABELS)
    }

    with staged_dir(out) as staging:
        estimator.save(staging)
        meta = write_model_json(
            staging,
            {
                "name": name or out.name,
                "family": family,
                "thresholds": thresholds,
                "max_chars": DEFAULT_MAX_CHARS,
                "config": config,
                "data": [{"path": f.as_posix(), "sha256": sha256_file(f)} for f in files],
                "split_sizes": {"train": len(splits.train), "dev": len(tune_records), "test": len(splits.test)},
                "tuned_on": {
                    "data": [f.as_posix() for f in tune_files] or "the dev split of the training data",
                    "split": "dev",
                    "sentences": len(tune_records),
                    "target_precision": target_precision,
                },
                "calibration_dev_ece": calibration,
                "train_label_rates": {label: float(train_y[:, i].mean()) for i, label in enumerate(LABELS)},
                "metrics_dev": dev_metrics,
                "fit_seconds": round(fit_seconds, 2),
                "created_with": f"parley {__version__}",
                "rules_version": RULES_VERSION,
                **(estimator.model_meta(out) if hasattr(estimator, "model_meta") else {}),
            },
        )
        write_card(staging, meta)
    return meta
