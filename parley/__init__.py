"""Parley: find proposals, agreements and rejections in news text.

import parley
nlp = parley.load("default")
nlp.predict(["Moscow rejected the plan."])
"""

__version__ = "0.1.0"


def load(name_or_path="default"):
    """A `parley.api.Labeller` for a named model ('default', 'fast') or a model directory."""
    from parley.api import load as _load

    return _load(name_or_path)
