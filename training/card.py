"""The model card (README.md) written into every model directory."""

from __future__ import annotations

from pathlib import Path

from parley.labels import LABELS
from parley.registry import FAMILIES


def _tuning(meta: dict) -> str:
    tuned = meta.get("tuned_on") or {}
    where = tuned.get("data") or "the dev split of the training data"
    where = where if isinstance(where, str) else "the dev split of " + ", ".join(f"`{d}`" for d in where)
    goal = (
        f"for precision >= {tuned['target_precision']}" if tuned.get("target_precision") else "to maximise per-label F1"
    )
    ece = meta.get("calibration_dev_ece")
    calibration = (
        ("; calibration error (ECE) there: " + ", ".join(f"{k} {v:.3f}" for k, v in ece.items())) if ece else ""
    )
    return f"{where} ({meta['split_sizes']['dev']} sentences) {goal}{calibration}"


def install_note(meta: dict) -> str:
    """The card's line on what a model needs to load."""
    family = meta["family"]
    if meta.get("runtime") == "onnxruntime":
        return "Runs on the light install (onnxruntime and tokenizers; no torch)."
    if FAMILIES[family].heavy:
        return (
            "Needs `pip install 'parley[transformer]'` (torch) to load; "
            "an ONNX export (`parley export-onnx`) runs on the light install (onnxruntime, tokenizers)."
        )
    if family == "ensemble":
        members = ", ".join(f"`{m['name']}` ({m['family']}, `{m['path']}`)" for m in meta.get("members", []))
        return (
            f"Members: {members}; it needs what they need (linear and int8 ONNX members run on the light "
            "install). Its per-label weights and thresholds were fitted on the dev split named below."
        )
    return "Runs on the light install (`pip install parley`)."


def write_card(directory: Path, meta: dict) -> None:
    metrics = meta["metrics_dev"]
    rows = "\n".join(
        f"| {label} | {metrics['per_label'][label]['precision']:.3f} | {metrics['per_label'][label]['recall']:.3f} "
        f"| {metrics['per_label'][label]['f1']:.3f} | {metrics['per_label'][label]['support']} "
        f"| {meta['thresholds'][label]:.3f} |"
        for label in LABELS
    )
    data = "\n".join(f"- `{d['path']}` (sha256 `{d['sha256'][:12]}…`)" for d in meta["data"])
    rates = ", ".join(f"{k} {v:.1%}" for k, v in meta["train_label_rates"].items())
    trained = "Its members were trained" if meta["family"] == "ensemble" else "Trained"
    text = f"""# Parley model `{meta["name"]}` ({meta["family"]})

## Intended use
Sentence-level detection of reported **proposals, agreements and rejections** in English
news text (negotiations: wars and ceasefires, trade, coalitions, strikes, mergers), for
analysts and newsrooms who review the output. Not for automated decisions about people,
and not validated outside English news prose.

## Model
{FAMILIES[meta["family"]].description}. Configuration: `{meta["config"]}`.
{install_note(meta)}
Label schema version {meta["label_schema_version"]}; parley {meta["parley_version"]}.

## Data
{trained} on the train split ({meta["split_sizes"]["train"]} sentences) of:
{data}

Thresholds were tuned on {_tuning(meta)}. Training label rates: {rates}. These are far higher than in real news, where
most sentences report none of the acts: expect lower precision at real base rates, and
check `parley evaluate`'s prevalence section before trusting counts.

## Dev metrics (macro-F1 {metrics["macro_f1"]:.3f}, micro-F1 {metrics["micro_f1"]:.3f})

| label | precision | recall | F1 | support | threshold |
|---|---|---|---|---|---|
{rows}

## Limits
- The corpus is written in news style by the project, not sampled from real news; scores on
  real text (see reports/LEADERBOARD.md) are lower than on the dev split.
- Sentences are judged alone: an act spread over two sentences, or implied by context, is missed.
- Inputs longer than {meta["max_chars"]} characters are truncated for the model.
"""
    (Path(directory) / "README.md").write_text(text, encoding="utf-8")
