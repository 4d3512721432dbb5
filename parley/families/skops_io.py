"""Loading scikit-learn objects with skops, trusting only an explicit list of types."""

from __future__ import annotations

from pathlib import Path

from parley.errors import ModelError
from parley.imports import without_torch

# Every type a Parley pipeline or head may contain beyond skops' own defaults. A file that
# asks for anything else is refused instead of being loaded.
TRUSTED_TYPES = frozenset(
    {
        "parley.features.CueFeaturizer",
        "sklearn.pipeline.Pipeline",
        "sklearn.pipeline.FeatureUnion",
        "sklearn.feature_extraction.text.TfidfVectorizer",
        "sklearn.feature_extraction.text.TfidfTransformer",
        "sklearn.feature_extraction.text.CountVectorizer",
        "sklearn.linear_model._logistic.LogisticRegression",
        "sklearn.multiclass.OneVsRestClassifier",
        "sklearn.preprocessing._label.LabelBinarizer",
        "sklearn.preprocessing._data.StandardScaler",
        "sklearn.preprocessing._data.MaxAbsScaler",
        "sklearn.preprocessing._function_transformer.FunctionTransformer",
        "numpy.float64",
        "numpy.float32",
        "numpy.int64",
        "numpy.int32",
        "numpy.dtype",
        "numpy.ndarray",
        "builtins.str",
        "builtins.int",
        "builtins.float",
        "scipy.sparse._csr.csr_matrix",
        "scipy.sparse._csr.csr_array",
        "re.Pattern",
        "collections.defaultdict",
        "builtins.dict",
    }
)


def load_skops(path: Path):
    with without_torch():
        import skops.io as sio

    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # a corrupt archive raises zipfile/json errors of many kinds
        raise ModelError(f"cannot read skops file: {exc}", path) from None
    refused = sorted(set(untrusted) - TRUSTED_TYPES)
    if refused:
        raise ModelError(f"refusing to load: the file asks for untrusted types {refused}", path)
    try:
        return sio.load(path, trusted=list(untrusted))
    except Exception as exc:
        raise ModelError(f"cannot load skops file: {exc}", path) from None


def dump_skops(obj, path: Path) -> None:
    import zipfile

    import skops.io as sio

    # The schema spells out every vocabulary entry; it compresses about 20-fold.
    sio.dump(obj, path, compression=zipfile.ZIP_DEFLATED, compresslevel=6)
