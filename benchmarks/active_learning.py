"""Active learning on the corpus: does `parley review --strategy uncertain` pick sentences worth
labelling, compared with labelling sentences at random?

The corpus train split is the unlabelled pool (its labels stay hidden until a sentence is
"labelled"). Both strategies start from the same 200 seeded-random sentences and grow to
3,000; at each step the linear family is retrained with its defaults (min_df=1, since a few
hundred sentences leave little above 2), thresholds are tuned on the corpus dev split as
`parley train` does, and macro-F1 is measured on (a) the news-shaped test split (data/natural,
`split == "test"`) where it exists, (b) the external pooled files (high and medium confidence),
when PARLEY_SHARED/external has them, and (c) the corpus v1 test split, drawn like the pool: the
in-distribution reference that tells "labels do not help here" from "the strategy does not help". `uncertain` ranks
the pool with the same function the review page uses (parley.review.queue.rank).

    python -m benchmarks.active_learning              # 100 labels per step (a few minutes on 2 cores)
    python -m benchmarks.active_learning --every 300  # a quicker, coarser curve

Writes benchmarks/active_learning.{json,md,png}.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from parley.evaluation.report import select_records
from parley.io import Record, load_records
from parley.labels import LABELS
from parley.metrics import summary, tune_thresholds
from parley.review.queue import rank
from parley.settings import external_dir, in_project
from parley.training.base import get_family
from parley.training.config import load_config
from parley.training.run import prepare, split_records

OUT = Path(__file__).resolve().parent
START, LIMIT = 200, 3000
STRATEGIES = ("uncertain", "random")


def evaluation_sets(corpus: list[Record]) -> dict[str, tuple[list[str], np.ndarray]]:
    sets: dict[str, list[Record]] = {}
    natural = in_project("data", "natural")
    if natural.is_dir():
        sets["news-shaped test split"] = select_records(load_records([natural]), "test", None)
    sets["corpus v1 test split"] = [r for r in corpus if r.split == "test"]  # in distribution: the reference
    files = sorted(external_dir().glob("*.jsonl"))
    if files:
        sets["external pooled (high+medium)"] = select_records(load_records(files), None, "medium")
    else:
        print(f"no external files in {external_dir()}: measuring the test splits only")
    return {name: prepare(records) for name, records in sets.items()}


def fit(texts: list[str], y: np.ndarray, dev: tuple[list[str], np.ndarray], config: dict):
    """The linear family as `parley train` fits it: thresholds tuned on dev to maximise F1."""
    estimator = get_family("linear")(**config).fit(texts, y)
    thresholds = tune_thresholds(dev[1], estimator.predict_proba(dev[0]))
    return estimator, np.asarray([thresholds[label] for label in LABELS])


def run(schedule: list[int], seed: int = 0) -> dict:
    corpus = load_records([in_project("data", "corpus")])
    splits = split_records(corpus)
    pool_texts, pool_y = prepare(splits.train)
    dev = prepare(splits.dev)
    sets = evaluation_sets(corpus)
    config = load_config("linear", overrides={"min_df": 1})
    start = np.random.default_rng(seed).choice(len(pool_texts), START, replace=False)
    points = []
    for strategy in STRATEGIES:
        rng = np.random.default_rng(seed + 1)
        labelled = list(start)
        estimator = thresholds = None  # fitted on the seed set at the first size
        for size in schedule:
            need = size - len(labelled)
            if need > 0:
                unlabelled = np.setdiff1d(np.arange(len(pool_texts)), labelled)
                if strategy == "random":
                    labelled += list(rng.choice(unlabelled, need, replace=False))
                else:
                    scores = estimator.predict_proba([pool_texts[i] for i in unlabelled])
                    labelled += list(unlabelled[rank("uncertain", [scores], [thresholds])[:need]])
            started = time.perf_counter()
            estimator, thresholds = fit([pool_texts[i] for i in labelled], pool_y[labelled], dev, config)
            point = {
                "strategy": strategy,
                "labels": len(labelled),
                "fit_seconds": round(time.perf_counter() - started, 2),
                "positives": {label: int(pool_y[labelled, j].sum()) for j, label in enumerate(LABELS)},
            }
            for name, (texts, y) in sets.items():
                result = summary(y, (estimator.predict_proba(texts) >= thresholds).astype(int))
                point[name] = {
                    "macro_f1": round(result["macro_f1"], 4),
                    "f1": {label: round(result["per_label"][label]["f1"], 4) for label in LABELS},
                }
            points.append(point)
            print(
                f"{strategy:9} {len(labelled):5} labels: "
                + ", ".join(f"{name} {point[name]['macro_f1']:.3f}" for name in sets),
                flush=True,
            )
    return {
        "seed": seed,
        "schedule": schedule,
        "pool": len(pool_texts),
        "dev": len(dev[0]),
        "sets": {name: len(texts) for name, (texts, _) in sets.items()},
        "config": config,
        "points": points,
        "headline": headline(points, list(sets)),
    }


def headline(points: list[dict], sets: list[str]) -> dict:
    """Per evaluation set: the fewest labels at which `uncertain` reaches random's macro-F1 at
    the largest size (None when it never does)."""
    out = {}
    random = sorted((p for p in points if p["strategy"] == "random"), key=lambda p: p["labels"])
    for name in sets:
        target = random[-1][name]["macro_f1"]
        reached = [p["labels"] for p in points if p["strategy"] == "uncertain" and p[name]["macro_f1"] >= target]
        out[name] = {
            "random_at_start": random[0][name]["macro_f1"],
            "random_at_limit": target,
            "uncertain_reaches_at": min(reached) if reached else None,
        }
    return out


def markdown(result: dict) -> str:
    sets = list(result["sets"])
    limit = result["schedule"][-1]
    lines = [
        "# Active learning: `uncertain` vs `random`",
        "",
        f"Pool: the corpus train split ({result['pool']:,} sentences, labels hidden until picked); start "
        f"{START} seeded-random sentences, {result['schedule'][1] - START} more per step up to {limit:,}; the linear "
        f"family retrained at every step (defaults, min_df=1), thresholds tuned on the dev split "
        f"({result['dev']:,}). Produced by `python -m benchmarks.active_learning`.",
        "",
    ]
    for name in sets:
        figure = result["headline"][name]
        at = figure["uncertain_reaches_at"]
        flat = figure["random_at_limit"] <= figure["random_at_start"]
        lines.append(
            f"- **{name}** ({result['sets'][name]:,} sentences): uncertain reaches random's "
            f"{limit:,}-label macro-F1 ({figure['random_at_limit']:.3f}) at "
            + (f"**{at:,} labels**" if at is not None else f"**no size up to {limit:,}**")
            + (
                f" (random's {limit:,} labels score no better than its first {START}: more labels from "
                "this pool do not help on this set)."
                if flat
                else "."
            )
        )
    lines += [
        "",
        "| labels | " + " | ".join(f"{n}: uncertain | {n}: random" for n in sets) + " |",
        "|---:|" + "---:|---:|" * len(sets),
    ]
    by = {(p["strategy"], p["labels"]): p for p in result["points"]}
    for size in result["schedule"]:
        cells = [f"{by[(s, size)][n]['macro_f1']:.3f}" for n in sets for s in STRATEGIES]
        lines.append(f"| {size:,} | " + " | ".join(cells) + " |")
    lines += ["", "![macro-F1 against labels](active_learning.png)", ""]
    return "\n".join(lines)


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sets = list(result["sets"])
    fig, axes = plt.subplots(1, len(sets), figsize=(4.8 * len(sets), 3.8), squeeze=False)
    for ax, name in zip(axes[0], sets):
        for strategy, style in zip(STRATEGIES, ("o-", "s--")):
            points = [p for p in result["points"] if p["strategy"] == strategy]
            ax.plot([p["labels"] for p in points], [p[name]["macro_f1"] for p in points], style, label=strategy)
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("labelled sentences")
        ax.set_ylabel("macro-F1")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=100, help="labels added per step")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    schedule = sorted({*range(START, LIMIT, args.every), LIMIT})
    started = time.perf_counter()
    result = run(schedule, args.seed)
    result["seconds"] = round(time.perf_counter() - started, 1)
    (OUT / "active_learning.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (OUT / "active_learning.md").write_text(markdown(result), encoding="utf-8")
    plot(result, OUT / "active_learning.png")
    print(f"wrote benchmarks/active_learning.{{json,md,png}} in {result['seconds']} s")


if __name__ == "__main__":
    main()
