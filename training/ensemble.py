"""The `ensemble` family: per-label logistic weights over member models' margins.

Fitted on the dev split (`fits_on_dev` in the registry): the members were fitted on the train
split, so their train scores are optimistic and would teach the ensemble to trust whichever
member over-fits most. With one weight per member and a bias per label, the fit has few
parameters; thresholds are then tuned on the same dev split.

With `bundle = true` the members are copied into the ensemble's own `members/` folder and named
there, so the directory is whole on its own: the default model ships this way inside the wheel,
where a path to a sibling directory would not exist.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from parley.errors import InputError
from parley.families.ensemble import WEIGHTS_FILE, combine, member_features, model_json_sha256
from parley.labels import LABELS
from parley.model import load_model

BUNDLED = "members"


class EnsembleModel:
    family = "ensemble"

    def __init__(self, members: list[str] | None = None, C: float = 1.0, seed: int = 0, bundle: bool = False):
        if not members or len(members) < 2:
            raise InputError("an ensemble needs at least two --members model directories")
        if not isinstance(bundle, bool):
            raise InputError(f"bundle must be true or false, not {bundle!r}")
        self.members = [str(m) for m in members]
        self.C = C
        self.seed = seed
        self.bundle = bundle
        self.loaded = [load_model(m) for m in self.members]
        names = [m.name for m in self.loaded]
        if bundle and len(set(names)) < len(names):
            raise InputError(f"bundled members need distinct model names, got {names}")
        self.weights: np.ndarray | None = None
        self.bias: np.ndarray | None = None

    def fit(self, texts: list[str], y: np.ndarray) -> EnsembleModel:
        features = member_features(self.loaded, list(texts))
        y = np.asarray(y)
        self.weights = np.zeros((len(LABELS), len(self.loaded)))
        self.bias = np.zeros(len(LABELS))
        for i in range(len(LABELS)):
            if len(set(y[:, i])) < 2:
                self.weights[i] = 1.0 / len(self.loaded)  # nothing to fit: the mean margin
                continue
            head = LogisticRegression(C=self.C, random_state=self.seed).fit(features[:, i, :], y[:, i])
            self.weights[i], self.bias[i] = head.coef_.ravel(), float(head.intercept_[0])
        return self

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return combine(member_features(self.loaded, list(texts)), self.weights, self.bias)

    def save(self, directory: Path) -> None:
        if self.bundle:
            for source, loaded in zip(self.members, self.loaded):
                shutil.copytree(source, Path(directory) / BUNDLED / loaded.name)
        (Path(directory) / WEIGHTS_FILE).write_text(
            json.dumps(
                {
                    "labels": list(LABELS),
                    "members": [m.name for m in self.loaded],
                    "weights": self.weights.round(6).tolist(),
                    "bias": self.bias.round(6).tolist(),
                },
                indent=1,
            ),
            encoding="utf-8",
        )

    def model_meta(self, out: Path) -> dict:
        """model.json fields: each member by its path relative to the ensemble's final directory."""

        def path(member: str, loaded) -> str:
            if self.bundle:
                return f"{BUNDLED}/{loaded.name}"
            return Path(os.path.relpath(Path(member).resolve(), Path(out).resolve())).as_posix()

        return {
            "members": [
                {
                    "path": path(m, loaded),
                    "sha256": model_json_sha256(Path(m)),
                    "name": loaded.name,
                    "family": loaded.family,
                }
                for m, loaded in zip(self.members, self.loaded)
            ]
        }
