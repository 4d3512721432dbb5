"""Model families behind one protocol: fit(texts, Y), predict_proba(texts) -> (n, 3),
save(directory), load(directory)."""

from training.base import FAMILY_CLASSES, get_family

__all__ = ["FAMILY_CLASSES", "get_family"]
