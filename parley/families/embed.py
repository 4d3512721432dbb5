"""Runtime for the `embed` family: frozen sentence embeddings (plus optional cue features)
and a skops logistic-regression head per label."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from parley.families.encoder import DEFAULT_ENCODER, SentenceEncoder
from parley.families.rules import cue_features
from parley.families.skops_io import load_skops

HEAD_FILE = "head.skops"


class EmbedScorer:
    family = "embed"

    def __init__(self, encoder: SentenceEncoder, head, cue_weight: float = 0.0):
        self.encoder = encoder
        self.head = head
        self.cue_weight = cue_weight

    def features(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        embeddings = self.encoder.encode(texts, progress)
        if self.cue_weight <= 0:
            return embeddings
        return np.hstack([embeddings, cue_features(texts) * np.float32(self.cue_weight)])

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.head.predict_proba(self.features(texts)))


def load_embed(directory: Path, meta: dict) -> EmbedScorer:
    config = meta.get("config", {})
    encoder = SentenceEncoder(config.get("encoder", DEFAULT_ENCODER), max_length=config.get("max_length", 128))
    return EmbedScorer(encoder, load_skops(directory / HEAD_FILE), config.get("cue_weight", 0.0))
