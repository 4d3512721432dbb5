"""The `rules` family: nothing to fit; the lexicon lives in parley.families.rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from parley.families.rules import RULES_VERSION, RulesScorer


class RulesModel:
    family = "rules"

    def __init__(self, seed: int = 0):
        self.seed = seed
        self._scorer = RulesScorer()

    def fit(self, texts: list[str], y: np.ndarray) -> RulesModel:
        return self

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return self._scorer.predict_proba(texts)

    def save(self, directory: Path) -> None:
        (Path(directory) / "rules.txt").write_text(f"parley rules lexicon version {RULES_VERSION}\n", encoding="utf-8")
