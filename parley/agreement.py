"""Agreement between two annotators (`parley data agreement A B`), on the ids both labelled.

Before decisions from several people are pooled for training, the labels must mean the
same thing to each of them: per-label Cohen's kappa corrects raw agreement for chance (a
rare label agreed "absent" everywhere is not agreement), macro-F1 with A as the reference
reads like a model score, and the list of disagreements is what to adjudicate.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from parley.errors import InputError
from parley.io import load_records
from parley.labels import LABELS, to_matrix
from parley.metrics import summary


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float | None:
    """Kappa of two 0/1 vectors; None when chance agreement is already perfect (both
    annotators gave one value throughout), where kappa is undefined."""
    observed = float(np.mean(a == b))
    pa, pb = float(np.mean(a)), float(np.mean(b))
    expected = pa * pb + (1 - pa) * (1 - pb)
    if expected >= 1.0:
        return None
    return (observed - expected) / (1 - expected)


def compare_annotations(path_a: str | Path, path_b: str | Path) -> dict:
    """Kappa per label, macro-F1 (A as reference), exact-match rate and the disagreements."""
    a = {r.id: r for r in load_records([path_a])}
    b = {r.id: r for r in load_records([path_b])}
    common = [i for i in a if i in b]
    if not common:
        raise InputError(f"no id is labelled in both {path_a} and {path_b}")
    ya = to_matrix(a[i].labels for i in common)
    yb = to_matrix(b[i].labels for i in common)
    scores = summary(ya, yb)
    return {
        "a": str(path_a),
        "b": str(path_b),
        "only_a": len(a) - len(common),
        "only_b": len(b) - len(common),
        "common": len(common),
        "exact_match": float(np.mean((ya == yb).all(axis=1))),
        "macro_f1": scores["macro_f1"],
        "per_label": {
            label: {
                "kappa": cohen_kappa(ya[:, j], yb[:, j]),
                "f1": scores["per_label"][label]["f1"],
                "a": int(ya[:, j].sum()),
                "b": int(yb[:, j].sum()),
            }
            for j, label in enumerate(LABELS)
        },
        "disagreements": [
            {"id": i, "text": a[i].text, "a": list(a[i].labels), "b": list(b[i].labels)}
            for i in common
            if a[i].labels != b[i].labels
        ],
    }
