"""Runtime for the `ensemble` family: member models combined per label.

The families make different mistakes on real news (measured before corpus v2: averaging the
linear and transformer margins lifted both real-news sets by 3-3.5 points with no new
training), so an ensemble scores a sentence with every member and combines their margins
(logit of the score minus logit of the member's own threshold) with per-label weights fitted
on a dev split; its own thresholds sit on the combined score.

Members are other model directories, named in model.json by a path relative to the ensemble
and the SHA-256 of their model.json (which itself holds the hashes of every weights file): a
member that changed since the ensemble was fitted is refused, like a tampered weights file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from parley.errors import ModelError

WEIGHTS_FILE = "weights.json"
# Scores are clipped away from 0 and 1 before the logit so one certain member cannot dominate.
EPSILON = 1e-4


def margins(scores: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Per label, how far past its own threshold a member's score lies, in logit units."""

    def logit(p):
        p = np.clip(np.asarray(p, dtype=np.float64), EPSILON, 1 - EPSILON)
        return np.log(p / (1 - p))

    return logit(scores) - logit(thresholds)


def member_features(members, texts: list[str]) -> np.ndarray:
    """(n, labels, members) margins of every member on every text."""
    return np.stack([margins(m.predict_proba(texts), m.thresholds()) for m in members], axis=-1)


def combine(features: np.ndarray, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """Per label a logistic combination of the member margins: (n, labels) scores in (0, 1)."""
    z = np.einsum("nlm,lm->nl", features, weights) + bias
    return 1.0 / (1.0 + np.exp(-z))


def model_json_sha256(directory: Path) -> str:
    return hashlib.sha256((directory / "model.json").read_bytes()).hexdigest()


class EnsembleScorer:
    family = "ensemble"

    def __init__(self, directory: Path, meta: dict, members: list, weights: np.ndarray, bias: np.ndarray):
        self.directory, self.meta = directory, meta
        self.members = members
        self.weights, self.bias = weights, bias

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return combine(member_features(self.members, texts), self.weights, self.bias)

    def __reduce__(self):
        # Worker processes load the members themselves (an ONNX Runtime session cannot be
        # pickled, and a copy of torch weights per worker would cost more than loading).
        return load_ensemble, (self.directory, self.meta)


def resolve_members(directory: Path, meta: dict) -> list[Path]:
    members = meta.get("members")
    if not isinstance(members, list) or not members:
        raise ModelError("an ensemble's model.json must list its 'members'", directory / "model.json")
    paths = []
    for member in members:
        if not isinstance(member, dict) or not isinstance(member.get("path"), str) or "sha256" not in member:
            raise ModelError(
                "each ensemble member needs a 'path' and the 'sha256' of its model.json", directory / "model.json"
            )
        path = (directory / member["path"]).resolve()
        if not (path / "model.json").is_file():
            raise ModelError(f"ensemble member {member['path']!r} is missing", directory)
        if model_json_sha256(path) != member["sha256"]:
            raise ModelError(
                f"ensemble member {member['path']!r} changed since the ensemble was fitted "
                "(its model.json SHA-256 differs): refit the ensemble",
                directory,
            )
        paths.append(path)
    return paths


def load_ensemble(directory: Path, meta: dict) -> EnsembleScorer:
    from parley.model import load_model

    members = [load_model(path) for path in resolve_members(directory, meta)]
    try:
        stored = json.loads((directory / WEIGHTS_FILE).read_text(encoding="utf-8"))
        weights, bias = np.asarray(stored["weights"], dtype=np.float64), np.asarray(stored["bias"], dtype=np.float64)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"unreadable {WEIGHTS_FILE}: {exc}", directory) from None
    if weights.shape != (len(stored.get("labels", [])), len(members)) or bias.shape != (weights.shape[0],):
        raise ModelError(f"{WEIGHTS_FILE} does not match {len(members)} members", directory)
    return EnsembleScorer(directory, meta, members, weights, bias)
