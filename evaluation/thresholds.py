"""Per-label decision thresholds that maximise F1 on held-out data."""

from __future__ import annotations

import numpy as np

from parley.labels import LABELS

DEFAULT_THRESHOLD = 0.5


def best_f1_threshold(y_true: np.ndarray, scores: np.ndarray) -> tuple[float, float]:
    """(threshold, F1) maximising F1 for one label; ties go to the higher threshold.

    Candidates are midpoints between consecutive distinct scores, so the threshold sits
    between a positive and a negative rather than on a training score.
    """
    y_true = np.asarray(y_true).astype(bool)
    scores = np.asarray(scores, dtype=np.float64)
    if y_true.sum() == 0:
        return DEFAULT_THRESHOLD, 0.0
    order = np.argsort(-scores, kind="stable")
    sorted_scores, sorted_true = scores[order], y_true[order]
    tp = np.cumsum(sorted_true)
    fp = np.cumsum(~sorted_true)
    # Only cut where the score changes.
    last_of_run = np.r_[sorted_scores[1:] != sorted_scores[:-1], True]
    precision = tp / (tp + fp)
    recall = tp / y_true.sum()
    f1 = np.where(precision + recall > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0.0)
    f1 = np.where(last_of_run, f1, -1.0)
    best = int(np.argmax(f1))
    below = sorted_scores[best + 1] if best + 1 < len(sorted_scores) else 0.0
    threshold = float((sorted_scores[best] + below) / 2.0)
    return float(np.clip(threshold, 0.0, 1.0)), float(f1[best])


def tune_thresholds(y_true: np.ndarray, scores: np.ndarray) -> dict[str, float]:
    return {label: round(best_f1_threshold(y_true[:, i], scores[:, i])[0], 6) for i, label in enumerate(LABELS)}
