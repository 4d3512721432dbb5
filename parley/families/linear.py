"""Runtime for the `linear` family: a scikit-learn Pipeline saved with skops."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from parley.families.skops_io import load_skops

PIPELINE_FILE = "pipeline.skops"


class LinearScorer:
    family = "linear"

    def __init__(self, pipeline):
        self.pipeline = pipeline

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.pipeline.predict_proba(texts))


def load_linear(directory: Path, meta: dict) -> LinearScorer:
    return LinearScorer(load_skops(directory / PIPELINE_FILE))
