"""The protocol every model family implements, and the registry of families."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Trainable(Protocol):
    family: str

    def fit(self, texts: list[str], y: np.ndarray) -> "Trainable": ...

    def predict_proba(self, texts: list[str]) -> np.ndarray: ...

    def save(self, directory: Path) -> None: ...

    @classmethod
    def load(cls, directory: Path) -> "Trainable": ...


def get_family(name: str) -> type:
    if name not in FAMILY_CLASSES:
        raise KeyError(name)
    module_name, class_name = FAMILY_CLASSES[name]
    import importlib

    return getattr(importlib.import_module(module_name), class_name)


# Imported lazily so that `linear` does not pull in torch.
FAMILY_CLASSES = {
    "rules": ("training.rules", "RulesModel"),
    "linear": ("training.linear", "LinearModel"),
    "embed": ("training.embed", "EmbedModel"),
    "transformer": ("training.transformer", "TransformerModel"),
}
