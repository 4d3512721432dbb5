"""`parley evaluate`: score a model on labelled data and write a report people can trust.

report.md, report.html (self-contained, plots embedded), PNG plots and metrics.json.
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from parley.errors import InputError
from parley.evaluation import plots
from parley.evaluation.html import markdown_to_html
from parley.io import Record, iter_rows, load_records
from parley.labels import LABELS, to_matrix
from parley.metrics import best_f1_threshold, bootstrap_ci, expected_calibration_error, summary
from parley.model import Model, load_model
from parley.progress import StageProgress
from parley.settings import in_project
from parley.staging import staged_dir

CONFIDENCE_ORDER = {"low": 0, "medium": 1, "high": 2}
TOP_ERRORS = 10
PREVALENCE_SAMPLE = 50
SCORE_BATCH = 512


def score(model: Model, texts: list[str], description: str = "scoring", progress: StageProgress | None = None):
    """Scores in batches, advancing the progress bar if there is one."""
    if progress is not None:
        progress.stage(f"{description}: {len(texts):,} sentences", total=len(texts))
    out = []
    for start in range(0, len(texts), SCORE_BATCH):
        batch = texts[start : start + SCORE_BATCH]
        out.append(model.predict_proba(batch))
        if progress is not None:
            progress.advance(len(batch))
    return np.vstack(out) if out else np.zeros((0, len(LABELS)))


def select_records(records: list[Record], split: str | None, min_confidence: str | None) -> list[Record]:
    if split is not None:
        records = [r for r in records if r.split == split]
    if min_confidence is not None:
        if min_confidence not in CONFIDENCE_ORDER:
            raise InputError(f"--min-confidence must be one of {list(CONFIDENCE_ORDER)}, got {min_confidence!r}")
        floor = CONFIDENCE_ORDER[min_confidence]
        records = [r for r in records if CONFIDENCE_ORDER.get(r.confidence or "high", 2) >= floor]
    return records


def evaluate_records(
    model: Model, records: list[Record], n_boot: int = 1000, seed: int = 0, progress: StageProgress | None = None
) -> dict:
    """Every metric of the report for one model on one set of labelled records."""
    texts = [r.text for r in records]
    y = to_matrix(r.labels for r in records)
    scores = score(model, texts, progress=progress)
    thresholds = model.thresholds()
    pred = (scores >= thresholds).astype(int)
    groups = [r.article_id for r in records] if any(r.article_id for r in records) else None
    if progress is not None:
        progress.stage(f"bootstrap: {n_boot:,} resamples by {'article' if groups else 'sentence'}")
    result = {
        "summary": summary(y, pred, scores),
        "ci": bootstrap_ci(y, pred, groups, n_boot=n_boot, seed=seed),
        "ci_resampling": "article" if groups else "sentence",
    }
    threshold_analysis, calibration = {}, {}
    for i, label in enumerate(LABELS):
        best_t, best_f1 = best_f1_threshold(y[:, i], scores[:, i])
        threshold_analysis[label] = {
            "stored_threshold": float(thresholds[i]),
            "f1_at_stored": result["summary"]["per_label"][label]["f1"],
            "best_threshold_here": best_t,
            "best_f1_here": best_f1,
        }
        ece, bins = expected_calibration_error(y[:, i], scores[:, i])
        calibration[label] = {"ece": ece, "bins": bins}
    result["thresholds"] = threshold_analysis
    result["calibration"] = calibration
    result["errors"] = _errors(records, y, scores, thresholds)
    result["label_sets"] = _label_set_confusion(y, pred)
    result["slices"] = _slices(records, y, pred)
    result["_arrays"] = (y, scores, pred)
    return result


def _errors(records, y, scores, thresholds) -> dict:
    out = {}
    for i, label in enumerate(LABELS):
        fp = [j for j in np.argsort(-scores[:, i]) if y[j, i] == 0 and scores[j, i] >= thresholds[i]][:TOP_ERRORS]
        fn = [j for j in np.argsort(scores[:, i]) if y[j, i] == 1 and scores[j, i] < thresholds[i]][:TOP_ERRORS]
        out[label] = {
            kind: [
                {
                    "id": records[j].id,
                    "where": records[j].where(),
                    "text": records[j].text,
                    "gold": list(records[j].labels),
                    "score": round(float(scores[j, i]), 4),
                }
                for j in rows
            ]
            for kind, rows in (("false_positives", fp), ("false_negatives", fn))
        }
    return out


def _label_set_confusion(y, pred) -> list[dict]:
    name = lambda row: "+".join(lab for lab, on in zip(LABELS, row) if on) or "none"  # noqa: E731
    counts = Counter((name(t), name(p)) for t, p in zip(y, pred))
    return [{"gold": g, "predicted": p, "count": c} for (g, p), c in counts.most_common()]


def _slices(records, y, pred) -> dict:
    out = {}
    for key, getter in (
        ("domain", lambda r: r.domain),
        ("source_file", lambda r: Path(r.path).name),
        ("confidence", lambda r: r.confidence),
    ):
        values = [getter(r) for r in records]
        if all(v is None for v in values):
            continue
        index = defaultdict(list)
        for j, v in enumerate(values):
            index[v or "-"].append(j)
        if len(index) < 2:
            continue
        out[key] = {v: {**_slim(summary(y[rows], pred[rows])), "n": len(rows)} for v, rows in sorted(index.items())}
    return out


def _slim(s: dict) -> dict:
    return {
        "macro_f1": s["macro_f1"],
        "micro_f1": s["micro_f1"],
        **{f"{label}_f1": s["per_label"][label]["f1"] for label in LABELS},
    }


def evaluate_contrast(model: Model, path: Path, progress: StageProgress | None = None) -> dict:
    """Per group: are all members labelled exactly right, and does the model flip where gold flips?"""
    records = load_records([path])
    groups: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        groups[r.group or r.id].append(r)
    scores = score(model, [r.text for r in records], "contrast suite", progress)
    pred = (scores >= model.thresholds()).astype(int)
    row_of = {id(r): j for j, r in enumerate(records)}
    per_group, by_topic = [], defaultdict(list)
    for name, members in groups.items():
        gold = [tuple(to_matrix([m.labels])[0]) for m in members]
        got = [tuple(pred[row_of[id(m)]]) for m in members]
        exact = all(g == p for g, p in zip(gold, got))
        flips_gold = len(set(gold)) > 1
        flips_pred = len(set(got)) > 1
        topic = (members[0].note or "").split(":")[0].strip() or "-"
        item = {
            "group": name,
            "topic": topic,
            "exact": exact,
            "gold_flips": flips_gold,
            "pred_flips": flips_pred,
            "flip_ok": flips_gold == flips_pred,
            "note": members[0].note,
            "members": [
                {
                    "text": m.text,
                    "gold": list(m.labels),
                    "predicted": [lab for lab, on in zip(LABELS, pred[row_of[id(m)]]) if on],
                }
                for m in members
            ],
        }
        per_group.append(item)
        by_topic[topic].append(item)
    n = len(per_group)
    return {
        "groups": n,
        "group_accuracy": sum(g["exact"] for g in per_group) / max(n, 1),
        "flip_agreement": sum(g["flip_ok"] for g in per_group) / max(n, 1),
        "sentence_accuracy": float((pred == to_matrix(r.labels for r in records)).all(axis=1).mean())
        if records
        else 0.0,
        "by_topic": {
            t: {"groups": len(items), "group_accuracy": sum(i["exact"] for i in items) / len(items)}
            for t, items in sorted(by_topic.items())
        },
        "failures": [g for g in per_group if not g["exact"]],
    }


def evaluate_pool(model: Model, path: Path, limit: int, seed: int = 0, progress: StageProgress | None = None) -> dict:
    """Share of real, unlabelled sentences each label fires on, plus a review sample."""
    texts = []
    for _, row in iter_rows(path):
        text = row.get("text")
        if isinstance(text, str) and text.strip():
            texts.append(text)
        if len(texts) >= limit:
            break
    if not texts:
        raise InputError("pool has no sentences with a 'text' field", path)
    scores = score(model, texts, f"pool {path.name}", progress)
    pred = scores >= model.thresholds()
    rng = random.Random(seed)
    samples = {}
    for i, label in enumerate(LABELS):
        firing = [j for j in range(len(texts)) if pred[j, i]]
        picked = sorted(rng.sample(firing, min(PREVALENCE_SAMPLE, len(firing))))
        samples[label] = [{"text": texts[j], "score": round(float(scores[j, i]), 4)} for j in picked]
    return {
        "file": str(path),
        "sentences": len(texts),
        "share": {label: float(pred[:, i].mean()) for i, label in enumerate(LABELS)},
        "any_label_share": float(pred.any(axis=1).mean()),
        "samples": samples,
    }


def build_report(
    model_dir,
    data,
    out,
    *,
    split=None,
    contrast=None,
    pools=(),
    pool_limit=20000,
    n_boot=1000,
    min_confidence=None,
    force=False,
    data_name: str | None = None,
    events: Path | None = None,
    quiet: bool = False,
    console=None,
) -> str:
    """Evaluate and write the report directory; returns the one-line summary. Progress goes to
    stderr on a terminal (or to `console`), unless `quiet`."""
    out = Path(out)
    if out.exists() and not force:
        raise InputError("report directory exists; pass --force to replace it", out)
    with StageProgress(False if quiet else None, console) as progress:
        progress.stage(f"loading model {model_dir}")
        model = load_model(model_dir)
        progress.stage("reading labelled data")
        records = select_records(load_records(list(data)), split, min_confidence)
        if not records:
            raise InputError(
                f"no labelled records selected from {', '.join(map(str, data))}"
                + (f" (split={split})" if split else "")
                + (f" (min confidence {min_confidence})" if min_confidence else "")
            )
        result = evaluate_records(model, records, n_boot=n_boot, progress=progress)
        y, scores, pred = result.pop("_arrays")
        if contrast is None and in_project("data", "contrast").is_dir():
            contrast = in_project("data", "contrast")
        if contrast is not None:
            result["contrast"] = evaluate_contrast(model, Path(contrast), progress)
        result["prevalence"] = [evaluate_pool(model, Path(p), pool_limit, progress=progress) for p in pools]
        events_markdown = ""
        if events is not None:
            from parley.api import Labeller
            from parley.evaluation.events import evaluate_modes, events_report_markdown, load_articles

            articles = load_articles(Path(events), split)
            if not articles:
                raise InputError(f"no event-annotated articles{f' in split {split}' if split else ''}", events)
            progress.stage(f"events: {len(articles)} articles, gold and predicted acts")
            found = evaluate_modes(articles, Labeller(model))
            events_markdown = events_report_markdown(found)
            result["events"] = {
                mode: (
                    {k: v for k, v in value.items() if k not in ("errors", "link_errors")}
                    if isinstance(value, dict)
                    else value
                )
                for mode, value in found.items()
            }
        result["model"] = {
            "name": model.name,
            "family": model.family,
            "directory": str(model.directory),
            "thresholds": model.meta["thresholds"],
        }
        result["data"] = {
            "name": data_name
            or "+".join(Path(d).stem for d in data)
            + (f":{split}" if split else "")
            + (f":{min_confidence}+" if min_confidence else ""),
            "files": [str(d) for d in data],
            "split": split,
            "min_confidence": min_confidence,
            "records": len(records),
        }

        progress.stage(f"writing {out}")
        with staged_dir(out) as staging:
            images = {
                "pr_curves.png": plots.pr_curves(y, scores, model.thresholds(), staging / "pr_curves.png"),
                "reliability.png": plots.reliability(result["calibration"], staging / "reliability.png"),
            }
            (staging / "metrics.json").write_text(
                json.dumps(result, indent=2, default=_json_default) + "\n", encoding="utf-8"
            )
            markdown = render_markdown(result, images) + ("\n" + events_markdown if events_markdown else "")
            (staging / "report.md").write_text(markdown, encoding="utf-8")
            (staging / "report.html").write_text(
                markdown_to_html(markdown, staging, title=f"Parley report: {model.name}"), encoding="utf-8"
            )
    s = result["summary"]
    ci = result["ci"]["macro_f1"]
    line = (
        f"{model.name} on {result['data']['name']} ({len(records)} sentences): macro-F1 {s['macro_f1']:.3f} "
        f"[{ci[0]:.3f}, {ci[1]:.3f}], micro-F1 {s['micro_f1']:.3f}"
    )
    if "contrast" in result:
        line += f"; contrast groups {result['contrast']['group_accuracy']:.1%}"
    return line + f"\nreport: {out / 'report.html'}"


def _json_default(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(type(value))


def _pct(x) -> str:
    return "-" if x is None else f"{x:.3f}"


def render_markdown(result: dict, images: dict) -> str:
    s, ci = result["summary"], result["ci"]
    lines = [
        f"# Parley evaluation: `{result['model']['name']}` ({result['model']['family']})",
        "",
        f"Data: **{result['data']['name']}**, {result['data']['records']} sentences "
        f"({', '.join(result['data']['files'])}). Confidence intervals: 95% bootstrap, resampling by "
        f"{result['ci_resampling']}.",
        "",
        f"**Macro-F1 {s['macro_f1']:.3f}** [{ci['macro_f1'][0]:.3f}, {ci['macro_f1'][1]:.3f}] · micro-F1 "
        f"{s['micro_f1']:.3f} [{ci['micro_f1'][0]:.3f}, {ci['micro_f1'][1]:.3f}] · subset accuracy "
        f"{s['subset_accuracy']:.3f} · Hamming loss {s['hamming_loss']:.3f}",
        "",
        "## Per label",
        "",
        "| label | precision | recall | F1 | support | predicted | ROC-AUC | avg precision |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label in LABELS:
        m = s["per_label"][label]
        lines.append(
            f"| {label} | {m['precision']:.3f} [{ci[label + '.precision'][0]:.2f}, {ci[label + '.precision'][1]:.2f}] "
            f"| {m['recall']:.3f} [{ci[label + '.recall'][0]:.2f}, {ci[label + '.recall'][1]:.2f}] "
            f"| {m['f1']:.3f} [{ci[label + '.f1'][0]:.2f}, {ci[label + '.f1'][1]:.2f}] "
            f"| {m['support']} | {m['predicted']} "
            f"| {_pct(m.get('roc_auc'))} | {_pct(m.get('average_precision'))} |"
        )
    lines += [
        "",
        "## Thresholds",
        "",
        f"![precision-recall curves]({next(iter(images))})",
        "",
        "| label | stored threshold | F1 at stored | best threshold on this data | best F1 here |",
        "|---|---|---|---|---|",
    ]
    for label, t in result["thresholds"].items():
        lines.append(
            f"| {label} | {t['stored_threshold']:.3f} | {t['f1_at_stored']:.3f} | {t['best_threshold_here']:.3f} "
            f"| {t['best_f1_here']:.3f} |"
        )
    lines += [
        "",
        "## Calibration",
        "",
        "![reliability diagram](reliability.png)",
        "",
        "| label | expected calibration error |",
        "|---|---|",
    ]
    lines += [f"| {label} | {c['ece']:.3f} |" for label, c in result["calibration"].items()]
    lines += ["", "## Label-set confusion (gold → predicted)", "", "| gold | predicted | count |", "|---|---|---|"]
    lines += [f"| {row['gold']} | {row['predicted']} | {row['count']} |" for row in result["label_sets"][:20]]
    for key, table in result["slices"].items():
        lines += [
            "",
            f"## Slices by {key}",
            "",
            "| " + key + " | n | macro-F1 | " + " | ".join(f"{lab} F1" for lab in LABELS) + " |",
            "|---|---|---|" + "---|" * len(LABELS),
        ]
        for value, m in table.items():
            lines.append(
                f"| {value} | {m['n']} | {m['macro_f1']:.3f} | "
                + " | ".join(f"{m[lab + '_f1']:.3f}" for lab in LABELS)
                + " |"
            )
    if "contrast" in result:
        c = result["contrast"]
        lines += [
            "",
            "## Contrast suite",
            "",
            f"{c['groups']} groups: all members exactly right in **{c['group_accuracy']:.1%}**; the model flips "
            f"where the gold flips (and only there) in {c['flip_agreement']:.1%}; sentence exact-match "
            f"{c['sentence_accuracy']:.1%}.",
            "",
            "| topic | groups | group accuracy |",
            "|---|---|---|",
        ]
        lines += [f"| {t} | {v['groups']} | {v['group_accuracy']:.1%} |" for t, v in c["by_topic"].items()]
        lines += ["", "Failed groups (first 25):", ""]
        for g in c["failures"][:25]:
            lines.append(
                f"- **{g['group']}** ({g['note']}): "
                + "; ".join(
                    f"“{m['text']}” gold {m['gold'] or '[]'} got {m['predicted'] or '[]'}" for m in g["members"]
                )
            )
    lines += ["", "## Errors", ""]
    for label, kinds in result["errors"].items():
        for kind, rows in kinds.items():
            lines += [f"### {label}: top {kind.replace('_', ' ')}", ""]
            lines += [f"- {r['score']:.3f} `{r['where']}` gold {r['gold'] or '[]'}: {r['text']}" for r in rows] or [
                "- none"
            ]
            lines.append("")
    if result["prevalence"]:
        lines += [
            "## Real-world prevalence (unlabelled pools)",
            "",
            "Share of real sentences each label fires on. Compare with the training rates in the model card: a "
            "model that fires far more often than acts occur in news will have low precision at real base rates.",
            "",
            "| pool | sentences | any label | " + " | ".join(LABELS) + " |",
            "|---|---|---|" + "---|" * len(LABELS),
        ]
        for p in result["prevalence"]:
            lines.append(
                f"| {Path(p['file']).name} | {p['sentences']} | {p['any_label_share']:.1%} | "
                + " | ".join(f"{p['share'][lab]:.1%}" for lab in LABELS)
                + " |"
            )
        for p in result["prevalence"]:
            for label in LABELS:
                lines += [
                    "",
                    f"### Sample of sentences firing `{label}` in {Path(p['file']).name} "
                    f"({len(p['samples'][label])} random, for review)",
                    "",
                ]
                lines += [f"- {r['score']:.2f} {r['text']}" for r in p["samples"][label]] or ["- none"]
    return "\n".join(lines) + "\n"
