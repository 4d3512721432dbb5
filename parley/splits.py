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
    """article id -> split name. Records without an article id count as their own article.

    A twin (a record with `twin_of`) is not balanced on its own: its article goes where the
    article of the sentence it flips goes, so a twin never crosses to another split."""
    records = list(records)
    article_of = {r.id: r.article_id or r.id for r in records}
    articles: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(len(LABELS) + 1))
    for record in records:
        if record.twin_of is not None:
            continue
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
    for record in records:
        if record.twin_of is not None:
            original = article_of.get(record.twin_of)
            # An original outside these records keeps its stored split; the twin's own stays.
            if original in assignment:
                assignment[record.article_id or record.id] = assignment[original]
            elif record.split is not None:
                assignment[record.article_id or record.id] = record.split
    return assignment
