"""PNG plots for reports (matplotlib, headless)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.metrics import precision_recall_curve

from parley.labels import LABELS


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def pr_curves(y: np.ndarray, scores: np.ndarray, thresholds: np.ndarray, path: Path) -> Path:
    """Precision-recall curve per label with the stored threshold marked."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(LABELS), figsize=(4 * len(LABELS), 3.6), sharey=True)
    for ax, i, label in zip(axes, range(len(LABELS)), LABELS):
        if y[:, i].sum() == 0:
            ax.text(0.5, 0.5, "no positives", ha="center", va="center")
        else:
            precision, recall, _ = precision_recall_curve(y[:, i], scores[:, i])
            ax.plot(recall, precision, lw=1.8)
            at = scores[:, i] >= thresholds[i]
            tp = int((at & (y[:, i] == 1)).sum())
            p_here = tp / max(int(at.sum()), 1)
            r_here = tp / int(y[:, i].sum())
            ax.plot([r_here], [p_here], "o", color="crimson", label=f"stored threshold {thresholds[i]:.2f}")
            ax.legend(loc="lower left", fontsize=8)
        _frame(ax, label, "recall")
    return _save(plt, fig, axes, "precision", path)


def reliability(calibration: dict, path: Path) -> Path:
    """Reliability diagram: mean predicted score against observed positive rate per bin."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(LABELS), figsize=(4 * len(LABELS), 3.6), sharey=True)
    for ax, label in zip(axes, LABELS):
        bins = [b for b in calibration[label]["bins"] if b["n"]]
        ax.plot([0, 1], [0, 1], "--", color="grey", lw=1)
        ax.plot([b["confidence"] for b in bins], [b["accuracy"] for b in bins], "o-", lw=1.5)
        for b in bins:
            ax.annotate(str(b["n"]), (b["confidence"], b["accuracy"]), fontsize=6, alpha=0.7)
        _frame(ax, f"{label} (ECE {calibration[label]['ece']:.3f})", "mean score")
    return _save(plt, fig, axes, "observed positive rate", path)


def _frame(ax, title: str, xlabel: str) -> None:
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.grid(alpha=0.3)


def _save(plt, fig, axes, ylabel: str, path: Path) -> Path:
    axes[0].set_ylabel(ylabel)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
