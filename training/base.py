"""The protocol every trainable family implements; the families themselves are listed once, in
`parley.registry`."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from parley.registry import family_spec


@runtime_checkable
class Trainable(Protocol):
    family: str

    def fit(self, texts: list[str], y: np.ndarray) -> Trainable: ...

    def predict_proba(self, texts: list[str]) -> np.ndarray: ...

    def save(self, directory: Path) -> None: ...


def get_family(name: str) -> type:
    """The estimator class `parley train NAME` fits (unknown names raise InputError)."""
    return family_spec(name).trainer_class()
