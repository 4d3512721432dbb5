"""Keeping torch out of processes that never use it.

With torch installed (the full install), two imports on the light prediction path pull it
in without using it: thinc (under spaCy) probes for it, and skops walks every
scikit-learn module, including the array-API wrapper that imports torch. That cost
2.5 s of start-up and about 200 MB per process, and each forked worker carried it.
"""

from __future__ import annotations

import importlib.abc
import sys
from contextlib import contextmanager


class _RefuseTorch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ImportError(f"{name} is kept out of this import by parley.imports.without_torch")
        return None


@contextmanager
def without_torch():
    """Imports inside see torch as not installed, unless it is already loaded."""
    if "torch" in sys.modules:
        yield
        return
    finder = _RefuseTorch()
    sys.meta_path.insert(0, finder)
    try:
        yield
    finally:
        sys.meta_path.remove(finder)
