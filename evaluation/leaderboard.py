"""Regenerate reports/LEADERBOARD.md: every family on every data set, external data first.

    python -m evaluation.leaderboard [--train-missing]

The external files in ../shared/external were written by others and never trained on, so
they are the honest number; the corpus test split and the contrast suite follow.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from parley.evaluation.compare import comparison_table
from parley.evaluation.report import evaluate_contrast, evaluate_records, select_records
from parley.io import load_records
from parley.model import load_model

ROOT = Path(__file__).resolve().parent.parent
EXTERNAL = ROOT.parent / "shared" / "external"
MODELS = {"rules": "models/rules", "linear": "models/default", "embed": "models/embed", "transformer": "models/transformer"}


def datasets() -> list[tuple[str, list]]:
    """(name, records) pairs: pooled external, each external file (all rows, high only), corpus test."""
    out = []
    files = sorted(EXTERNAL.glob("*.jsonl"))
    if files:
        records = load_records(files)
        out.append(("external pooled (high+medium)", select_records(records, None, "medium")))
        for f in files:
            rows = [r for r in records if r.path == str(f)]
            out.append((f"{f.stem} (all)", rows))
            high = select_records(rows, None, "high")
            if high:
                out.append((f"{f.stem} (high)", high))
    out.append(("corpus test split", select_records(load_records([ROOT / "data" / "corpus"]), "test", None)))
    return out


def ensure_models(train_missing: bool) -> dict[str, Path]:
    found = {}
    for family, directory in MODELS.items():
        path = ROOT / directory
        if not (path / "model.json").is_file() and train_missing:
            from parley.training.config import load_config
            from parley.training.run import train_model

            train_model(family, [ROOT / "data" / "corpus"], path, load_config(family), name=family)
        if (path / "model.json").is_file():
            found[family] = path
    return found


def build(train_missing: bool = False, n_boot: int = 500) -> str:
    models = ensure_models(train_missing)
    sets = datasets()
    rows, contrast = [], {}
    for family, path in models.items():
        model = load_model(path)
        for name, records in sets:
            result = evaluate_records(model, records, n_boot=n_boot)
            rows.append({"model": {"name": family}, "data": {"name": name, "records": len(records)},
                         "summary": result["summary"], "ci": result["ci"]})
        contrast[family] = evaluate_contrast(model, ROOT / "data" / "contrast")
    external = [name for name, _ in sets if name != "corpus test split"]
    sizes = {name: len(records) for name, records in sets}
    lines = [
        "# Leaderboard", "",
        "Regenerate with `make leaderboard` (`python -m evaluation.leaderboard --train-missing`). Macro-F1 with 95%",
        "bootstrap intervals (by article where there are articles); ★ marks the best per column. Every model",
        "was trained on the train split of data/corpus only; thresholds were tuned on its dev split. A label with",
        "no positive row in a file scores F1 0 (scikit-learn's convention), which caps macro-F1 at 0.667 on",
        "files where only two labels occur; the pooled row is the number to quote.", "",
        "## External data (written by others, never trained on)", "",
        "Sizes: " + ", ".join(f"{n} {sizes[n]}" for n in external) + ".", "",
        comparison_table(rows, "macro_f1", external[:1]), "",
        "Per file:", "",
        comparison_table(rows, "macro_f1", external[1:]), "",
        "## Project data", "",
        comparison_table(rows, "macro_f1", ["corpus test split"]), "",
        "| model | contrast groups exactly right | flips where gold flips | sentences exactly right |",
        "|---|---|---|---|",
    ]
    best = max(c["group_accuracy"] for c in contrast.values())
    for family, c in contrast.items():
        mark = " ★" if c["group_accuracy"] == best else ""
        lines.append(f"| {family} | {c['group_accuracy']:.1%}{mark} ({c['groups']} groups) | {c['flip_agreement']:.1%} "
                     f"| {c['sentence_accuracy']:.1%} |")
    markdown = "\n".join(lines) + "\n"
    out = ROOT / "reports"
    out.mkdir(exist_ok=True)
    (out / "LEADERBOARD.md").write_text(markdown, encoding="utf-8")
    (out / "leaderboard.json").write_text(json.dumps({"rows": rows, "contrast": {
        k: {kk: vv for kk, vv in v.items() if kk != "failures"} for k, v in contrast.items()}}, indent=1), encoding="utf-8")
    return markdown


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-missing", action="store_true", help="train families whose model directory is missing")
    parser.add_argument("--bootstrap", type=int, default=500)
    args = parser.parse_args()
    print(build(args.train_missing, args.bootstrap))


if __name__ == "__main__":
    main()
