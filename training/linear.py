"""The `linear` family: TF-IDF word and character n-grams plus cue features, one-vs-rest
logistic regression."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline

from parley.families.linear import save_linear
from parley.features import CueFeaturizer


class LinearModel:
    family = "linear"

    def __init__(
        self,
        word_ngrams: tuple[int, int] = (1, 2),
        char_ngrams: tuple[int, int] = (2, 5),
        min_df: int = 2,
        max_features: int | None = 200_000,
        cue_weight: float = 3.0,
        C: float = 1.0,
        class_weight: str | None = "balanced",
        max_iter: int = 2000,
        seed: int = 0,
    ):
        self.word_ngrams = tuple(word_ngrams)
        self.char_ngrams = tuple(char_ngrams)
        self.min_df = min_df
        self.max_features = max_features
        self.cue_weight = cue_weight
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.seed = seed
        self.pipeline: Pipeline | None = None

    def _build(self) -> Pipeline:
        features = [
            (
                "words",
                TfidfVectorizer(
                    ngram_range=self.word_ngrams,
                    min_df=self.min_df,
                    sublinear_tf=True,
                    max_features=self.max_features,
                    lowercase=True,
                ),
            ),
            (
                "chars",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=self.char_ngrams,
                    min_df=self.min_df,
                    sublinear_tf=True,
                    max_features=self.max_features,
                    lowercase=True,
                ),
            ),
        ]
        if self.cue_weight > 0:
            features.append(("cues", CueFeaturizer(weight=self.cue_weight)))
        classifier = LogisticRegression(
            C=self.C, class_weight=self.class_weight, max_iter=self.max_iter, random_state=self.seed, solver="liblinear"
        )
        return Pipeline([("features", FeatureUnion(features)), ("classifier", OneVsRestClassifier(classifier))])

    def fit(self, texts: list[str], y: np.ndarray) -> LinearModel:
        self.pipeline = self._build().fit(list(texts), np.asarray(y))
        for _, transformer in self.pipeline.named_steps["features"].transformer_list:
            if hasattr(transformer, "stop_words_"):
                # Terms pruned by min_df/max_features: kept by scikit-learn only for
                # introspection, and most of the saved model's size.
                del transformer.stop_words_
        return self

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.pipeline.predict_proba(list(texts)))

    def save(self, directory: Path) -> None:
        save_linear(self.pipeline, Path(directory))
