"""Deterministic train/dev/test split by article, stratified by label.

Articles are visited in the order of a SHA-256 of their id (the same on every machine and
Python version) and each goes to the split furthest below its target share of sentences
and of each label's positives, so no article straddles two splits and every split gets
every label.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

import numpy as np

from parley.labels import LABELS

SPLITS = ("train", "dev", "test")
DEFAULT_SHARES = (0.7, 0.15, 0.15)


def assign_splits(records, shares: tuple[float, float, float] = DEFAULT_SHARES, salt: str = "parley") -> dict[str, str]:
    """article id -> split name. Records without an article id count as their own article."""
    articles: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(len(LABELS) + 1))
    for record in records:
        key = record.article_id or record.id
        counts = articles[key]
        counts[0] += 1
        for label in record.labels:
            counts[1 + LABELS.index(label)] += 1
    totals = np.maximum(sum(articles.values(), np.zeros(len(LABELS) + 1)), 1)
    targets = np.outer(np.asarray(shares), totals)
    current = np.zeros_like(targets)
    assignment: dict[str, str] = {}
    for key in sorted(articles, key=lambda a: hashlib.sha256(f"{salt}:{a}".encode()).hexdigest()):
        counts = articles[key]
        weights = counts > 0
        deficit = ((targets - current) / totals * weights).sum(axis=1)
        choice = int(np.argmax(deficit))
        assignment[key] = SPLITS[choice]
        current[choice] += counts
    return assignment
