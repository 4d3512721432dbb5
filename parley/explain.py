"""Why a sentence got its labels: per label the score, the threshold, the rules evidence
(pattern, matched words, and whether it fired or was negated, hedged or refused) and, for the
linear family, the features that pushed the score up or down most."""

from __future__ import annotations

import numpy as np

from parley.families.rules import CUE_STATUSES, analyse, decide
from parley.labels import LABELS
from parley.model import Model

# Names of the cue columns, in the order parley.families.rules.cue_features writes them.
CUE_NAMES = (
    [f"cue {label} {status}" for label in LABELS for status in CUE_STATUSES]
    + [f"rules decide {label}" for label in LABELS]
    + ["question mark", "named proposer"]
)


def explain(model: Model, text: str, top: int = 8) -> dict:
    prepared = model.prepare([text])
    scores = model.predict_proba([text])[0]
    thresholds = model.thresholds()
    evidence = analyse(prepared[0])
    fired = decide(evidence)
    contributions = _linear_contributions(model, prepared, top) if model.family == "linear" else None
    labels = {}
    for i, label in enumerate(LABELS):
        entry = {
            "score": round(float(scores[i]), 4),
            "threshold": round(float(thresholds[i]), 4),
            "on": bool(scores[i] >= thresholds[i]),
            "rules_fire": [f"{e.pattern}: {e.match!r}" for e in fired[label]],
            "evidence": [
                {"pattern": e.pattern, "match": e.match, "start": e.start, "status": e.status}
                for e in evidence
                if e.label == label
            ],
        }
        if contributions is not None:
            entry["features"] = contributions[label]
        labels[label] = entry
    return {"text": text, "model": model.name, "family": model.family, "labels": labels}


def _linear_contributions(model: Model, texts: list[str], top: int) -> dict[str, dict[str, list]]:
    """Per label, the features with the largest positive and negative weight x value."""
    names, weights = model.scorer.contributions(texts[0], CUE_NAMES)
    out = {}
    for i, label in enumerate(LABELS):
        order = np.argsort(weights[i], kind="stable")
        out[label] = {
            "up": [[names[c], round(float(weights[i, c]), 4)] for c in order[::-1] if weights[i, c] > 0][:top],
            "down": [[names[c], round(float(weights[i, c]), 4)] for c in order if weights[i, c] < 0][:top],
        }
    return out
