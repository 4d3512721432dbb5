"""`parley compare`: models side by side across data sets, best per column marked."""

from __future__ import annotations

import json
from pathlib import Path

from parley.errors import InputError
from parley.evaluation.html import markdown_to_html
from parley.model import MODEL_JSON


def load_reports(directories: list[Path]) -> list[dict]:
    reports = []
    for directory in directories:
        path = Path(directory) / "metrics.json"
        if not path.is_file():
            raise InputError("not a report directory (no metrics.json); run parley evaluate first", directory)
        reports.append(json.loads(path.read_text(encoding="utf-8")))
    return reports


def comparison_table(reports: list[dict], metric: str = "macro_f1", columns: list[str] | None = None) -> str:
    """Markdown table: one row per model, one column per data set, cell = metric [95% CI]."""
    cells: dict[tuple[str, str], tuple[float, list[float]]] = {}
    models: list[str] = []
    data_names: list[str] = []
    for r in reports:
        model, data = r["model"]["name"], r["data"]["name"]
        if model not in models:
            models.append(model)
        if data not in data_names:
            data_names.append(data)
        cells[(model, data)] = (r["summary"][metric], r["ci"][metric])
    data_names = columns or data_names
    best = {d: max((cells[(m, d)][0] for m in models if (m, d) in cells), default=None) for d in data_names}
    lines = ["| model | " + " | ".join(data_names) + " |", "|---|" + "---|" * len(data_names)]
    for m in models:
        row = []
        for d in data_names:
            if (m, d) not in cells:
                row.append("-")
                continue
            value, (low, high) = cells[(m, d)]
            text = f"{value:.3f} [{low:.2f}, {high:.2f}]"
            row.append(f"**{text}** ★" if best[d] is not None and abs(value - best[d]) < 1e-12 else text)
        lines.append(f"| {m} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def compare_paths(items: list[Path], out: Path, n_boot: int = 500) -> str:
    items = [Path(i) for i in items]
    for item in items:
        if not item.exists():
            raise InputError("no such report, model directory or data file", item)
    if all((i / "metrics.json").is_file() for i in items):
        reports = load_reports(items)
    else:
        models = [i for i in items if (i / MODEL_JSON).is_file()]
        data = [i for i in items if i not in models]
        if not models or not data:
            raise InputError("compare takes report directories, or model directories followed by labelled data files")
        from parley.evaluation.report import build_report

        runs = []
        for model in models:
            for d in data:
                run = out / "runs" / f"{model.name}__{d.stem}"
                build_report(model, [d], run, n_boot=n_boot, force=True, contrast=None)
                runs.append(run)
        reports = load_reports(runs)
    markdown = (
        "# Model comparison\n\nMacro-F1 with 95% bootstrap confidence intervals; ★ marks the best in each column.\n\n"
        + comparison_table(reports)
        + "\n\n## Micro-F1\n\n"
        + comparison_table(reports, "micro_f1")
        + "\n"
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / "compare.md").write_text(markdown, encoding="utf-8")
    (out / "compare.html").write_text(markdown_to_html(markdown, title="Parley comparison"), encoding="utf-8")
    return markdown
