"""Feature transformers used inside saved scikit-learn pipelines.

They live in the runtime package because loading a saved pipeline needs them.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin

from parley.families.rules import cue_features


class CueFeaturizer(TransformerMixin, BaseEstimator):
    """Cue, negation and hedge indicators per label from the rules analysis.

    Bag-of-words sees "accept" in both "accepted the plan" and "did not accept the plan";
    these features tell the two apart. `weight` scales them against TF-IDF columns.
    """

    def __init__(self, weight: float = 1.0):
        self.weight = weight

    def fit(self, texts, y=None):
        self.n_features_out_ = cue_features(["x"]).shape[1]
        return self

    def transform(self, texts):
        return sparse.csr_matrix(cue_features(list(texts)) * np.float32(self.weight))

    def get_feature_names_out(self, input_features=None):
        return np.asarray([f"cue{i}" for i in range(self.n_features_out_)], dtype=object)
