"""The label schema: one place for label names, their order in score matrices and the version."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

LABELS: tuple[str, ...] = ("proposal", "agreement", "rejection")
# Bump when label names, their meaning or their order change: models record it and
# loading refuses a model trained under another version.
SCHEMA_VERSION = 1
LABEL_INDEX = {name: i for i, name in enumerate(LABELS)}


class UnknownLabel(ValueError):
    pass


def validate_labels(labels: Iterable[str]) -> list[str]:
    """Return labels in schema order; raise UnknownLabel or ValueError on bad input."""
    seen = list(labels)
    unknown = [name for name in seen if name not in LABEL_INDEX]
    if unknown:
        raise UnknownLabel(f"unknown label(s) {unknown}; expected a subset of {list(LABELS)}")
    if len(set(seen)) != len(seen):
        raise ValueError(f"repeated label in {seen}")
    return sorted(seen, key=LABEL_INDEX.__getitem__)


def to_matrix(label_sets: Iterable[Iterable[str]]) -> np.ndarray:
    """Label sets -> (n, len(LABELS)) 0/1 int matrix in schema order."""
    import numpy as np

    rows = [[1 if name in set(labels) else 0 for name in LABELS] for labels in label_sets]
    return np.asarray(rows, dtype=np.int64).reshape(-1, len(LABELS))


def from_row(row: Iterable[int | bool]) -> list[str]:
    return [name for name, on in zip(LABELS, row) if on]
