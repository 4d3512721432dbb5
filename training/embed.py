"""The `embed` family: frozen sentence embeddings (config `encoder`: "minilm", the default,
"mpnet" or a directory) with a logistic head per label."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier

from parley.families.embed import HEAD_FILE, EmbedScorer
from parley.families.encoder import DEFAULT_ENCODER, SentenceEncoder
from parley.families.skops_io import dump_skops
from parley.progress import StageProgress


class EmbedModel:
    family = "embed"

    def __init__(
        self,
        encoder: str = DEFAULT_ENCODER,
        max_length: int = 128,
        cue_weight: float = 4.0,
        C: float = 0.5,
        class_weight: str | None = "balanced",
        max_iter: int = 3000,
        seed: int = 0,
    ):
        self.encoder = encoder
        self.max_length = max_length
        self.cue_weight = cue_weight
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.seed = seed
        self.scorer: EmbedScorer | None = None

    def fit(self, texts: list[str], y: np.ndarray) -> EmbedModel:
        head = OneVsRestClassifier(
            LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter, random_state=self.seed)
        )
        scorer = EmbedScorer(SentenceEncoder(self.encoder, max_length=self.max_length), head, self.cue_weight)
        # Encoding is the long part (mpnet: about half an hour for 13k sentences on 2 cores).
        with StageProgress() as progress:
            progress.stage(f"encoding with {self.encoder}", total=len(texts))
            features = scorer.features(list(texts), progress.advance)
        head.fit(features, np.asarray(y))
        self.scorer = scorer
        return self

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return self.scorer.predict_proba(list(texts))

    def save(self, directory: Path) -> None:
        dump_skops(self.scorer.head, Path(directory) / HEAD_FILE)
