"""Why a sentence got its labels: per label the score, the threshold, the rules evidence
(pattern, matched words, and whether it fired or was negated, hedged or refused), for the
linear family the features that pushed the score up or down most, and for an ensemble what
each member said (its score, threshold and weighted margin) with its linear member's features."""

from __future__ import annotations

import numpy as np

from parley.families.ensemble import margins
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
    contributions, members = None, None
    if model.family == "linear":
        contributions = _linear_contributions(model, prepared, top)
    elif model.family == "ensemble":
        members = _ensemble_members(model, prepared)
        linear = [m for m in model.scorer.members if m.family == "linear"]
        if linear:
            contributions = _linear_contributions(linear[0], linear[0].prepare(prepared), top)
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
        if members is not None:
            entry["members"] = members[label]
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


def _ensemble_members(model: Model, texts: list[str]) -> dict[str, list[dict]]:
    """Per label and member: its score and threshold, and weight x margin, its share of the
    ensemble's logit (the bias is the rest)."""
    scorer = model.scorer
    out = {label: [] for label in LABELS}
    for j, member in enumerate(scorer.members):
        scores, thresholds = member.predict_proba(texts)[0], member.thresholds()
        margin = margins(scores, thresholds)
        for i, label in enumerate(LABELS):
            out[label].append(
                {
                    "member": member.name,
                    "family": member.family,
                    "score": round(float(scores[i]), 4),
                    "threshold": round(float(thresholds[i]), 4),
                    "weighted_margin": round(float(scorer.weights[i, j] * margin[i]), 4),
                }
            )
    return out
