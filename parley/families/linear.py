"""Runtime for the `linear` family: TF-IDF word and character n-grams plus cue features, one
logistic regression per label, scored with numpy alone.

A trained model directory holds the scikit-learn Pipeline (pipeline.skops, the reference) and
the same weights in a plain form that prediction reads (linear.safetensors: IDF vectors,
coefficients, intercepts, and the analyser settings as metadata; vocabulary.json: the terms).
Prediction never imports scikit-learn, scipy or skops: importing them (skops enumerates
scikit-learn's types, and pulls pytest in) took 1.4 of the 2.9 s to the first label on one
sentence. `tests/test_models.py` proves the scores equal `pipeline.predict_proba`.

TF-IDF vocabularies (hundreds of thousands of terms) are a JSON list per vectorizer: skops spells
out every dict entry as an object, which made the file 50 MB and slow to load.

Character n-grams are counted per word (char_wb n-grams never cross a space) and each word's
vocabulary indices are cached: scikit-learn's analyser generates and looks up every n-gram of
every sentence in pure Python (about 3,000 sentences/s), while news repeats its words.
"""

from __future__ import annotations

import json
import re
from array import array
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from parley.errors import ModelError
from parley.families.rules import cue_features
from parley.labels import LABELS

PIPELINE_FILE = "pipeline.skops"
VOCABULARY_FILE = "vocabulary.json"
WEIGHTS_FILE = "linear.safetensors"
# Words whose n-gram indices are kept; past this the cache starts afresh, so memory stays
# bounded on any input (about 60 MB at the limit).
WORD_CACHE_LIMIT = 200_000
_PACKED_SIZE = array("i").itemsize


def char_wb_ngrams(word: str, low: int, high: int) -> list[str]:
    """scikit-learn's char_wb n-grams of one (already preprocessed) word, in its order."""
    padded = f" {word} "
    length = len(padded)
    grams = []
    for n in range(low, high + 1):
        offset = 0
        grams.append(padded[offset : offset + n])
        while offset + n < length:
            offset += 1
            grams.append(padded[offset : offset + n])
        if offset == 0:  # a word shorter than n is counted once
            break
    return grams


def word_ngrams(tokens: list[str], low: int, high: int) -> list[str]:
    """scikit-learn's word n-grams of a token list (no stop words)."""
    grams = list(tokens) if low == 1 else []
    for n in range(max(low, 2), min(high, len(tokens)) + 1):
        grams += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    return grams


class NgramBlock:
    """One TF-IDF vectorizer's output: counts of in-vocabulary n-grams, sublinear TF, IDF, L2."""

    def __init__(self, settings: dict, terms: list[str], idf: np.ndarray, cache_limit: int = WORD_CACHE_LIMIT):
        self.analyzer = settings["analyzer"]
        self.low, self.high = settings["ngram_range"]
        self.lowercase = settings["lowercase"]
        self.sublinear_tf = settings["sublinear_tf"]
        self.norm = settings["norm"]
        self.token_pattern = re.compile(settings["token_pattern"])
        self.terms = terms
        self.vocabulary = {term: index for index, term in enumerate(terms)}
        self.idf = idf
        self.cache: dict[str, bytes] = {}
        self.cache_limit = cache_limit

    @property
    def size(self) -> int:
        return len(self.terms)

    def _word_indices(self, word: str) -> bytes:
        """The word's in-vocabulary n-gram indices as packed int32 (appending bytes is a memcpy)."""
        indices = self.cache.get(word)
        if indices is None:
            if len(self.cache) >= self.cache_limit:
                self.cache.clear()
            get = self.vocabulary.get
            grams = char_wb_ngrams(word, self.low, self.high)
            indices = array("i", [i for i in map(get, grams) if i is not None]).tobytes()
            self.cache[word] = indices
        return indices

    def counts(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, count) of every distinct in-vocabulary n-gram, sorted by row then column."""
        lengths = np.zeros(len(texts), dtype=np.int64)
        if self.analyzer == "char_wb":
            packed = bytearray()
            for row, text in enumerate(texts):
                before = len(packed)
                for word in (text.lower() if self.lowercase else text).split():
                    packed += self._word_indices(word)
                lengths[row] = (len(packed) - before) // _PACKED_SIZE
            columns = np.frombuffer(packed, dtype=np.intc).astype(np.int64)
        else:
            found: list[int] = []
            get = self.vocabulary.get
            for row, text in enumerate(texts):
                tokens = self.token_pattern.findall(text.lower() if self.lowercase else text)
                grams = [i for i in map(get, word_ngrams(tokens, self.low, self.high)) if i is not None]
                found += grams
                lengths[row] = len(grams)
            columns = np.asarray(found, dtype=np.int64)
        keys, counts = np.unique(np.repeat(np.arange(len(texts)), lengths) * self.size + columns, return_counts=True)
        return keys // self.size, keys % self.size, counts

    def transform(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(row, column, TF-IDF value), as `TfidfVectorizer.transform` gives them."""
        rows, columns, counts = self.counts(texts)
        values = counts.astype(np.float64)
        if self.sublinear_tf:
            values = np.log(values) + 1.0
        values *= self.idf[columns]
        if self.norm == "l2":
            norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=len(texts)))
            norms[norms == 0.0] = 1.0
            values /= norms[rows]
        return rows, columns, values


@dataclass
class CueBlock:
    """The rules' cue, negation and hedge indicators, scaled as the training pipeline scaled them."""

    weight: float
    size: int

    def transform(self, texts: list[str]) -> np.ndarray:
        return cue_features(texts) * np.float32(self.weight)


class LinearScorer:
    family = "linear"

    def __init__(self, named_blocks: list[tuple[str, NgramBlock | CueBlock]], coef: np.ndarray, intercept: np.ndarray):
        self.named_blocks = named_blocks
        self.coef = coef  # labels x features, blocks side by side in order
        self.intercept = intercept
        self.offsets = np.cumsum([0] + [block.size for block in self.blocks])[:-1].tolist()

    @property
    def blocks(self) -> list[NgramBlock | CueBlock]:
        return [block for _, block in self.named_blocks]

    def decision_function(self, texts: list[str]) -> np.ndarray:
        scores = np.tile(self.intercept, (len(texts), 1))
        for block, offset in zip(self.blocks, self.offsets):
            if isinstance(block, CueBlock):
                scores += block.transform(texts).astype(np.float64) @ self.coef[:, offset : offset + block.size].T
                continue
            rows, columns, values = block.transform(texts)
            weights = self.coef[:, offset + columns]
            for label in range(len(self.intercept)):
                scores[:, label] += np.bincount(rows, weights=values * weights[label], minlength=len(texts))
        return scores

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.decision_function(texts)))

    def contributions(self, text: str, cue_names: list[str]) -> tuple[list[str], np.ndarray]:
        """For one text: the names of its non-zero features and their weight x value per label."""
        names: list[str] = []
        columns: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for (name, block), offset in zip(self.named_blocks, self.offsets):
            if isinstance(block, CueBlock):
                row = block.transform([text])[0].astype(np.float64)
                present = np.flatnonzero(row)
                names += [cue_names[i] for i in present]
                columns.append(offset + present)
                values.append(row[present])
                continue
            _, found, found_values = block.transform([text])
            names += [f"{name}: {block.terms[c]!r}" for c in found]
            columns.append(offset + found)
            values.append(found_values)
        column = np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64)
        return names, self.coef[:, column] * np.concatenate(values)


def _settings(vectorizer) -> dict:
    """The analyser settings of a vectorizer the runtime can reproduce; ValueError otherwise."""
    supported = (
        vectorizer.analyzer in ("word", "char_wb")
        and vectorizer.input == "content"
        and vectorizer.preprocessor is None
        and vectorizer.tokenizer is None
        and vectorizer.strip_accents is None
        and vectorizer.stop_words is None
        and not vectorizer.binary
        and vectorizer.use_idf
        and vectorizer.norm in ("l2", None)
        and vectorizer.decode_error == "strict"
    )
    if not supported:
        raise ValueError(f"the linear runtime cannot reproduce this vectorizer: {vectorizer!r}")
    return {
        "analyzer": vectorizer.analyzer,
        "ngram_range": list(vectorizer.ngram_range),
        "lowercase": bool(vectorizer.lowercase),
        "sublinear_tf": bool(vectorizer.sublinear_tf),
        "norm": vectorizer.norm,
        "token_pattern": vectorizer.token_pattern,
    }


def export_weights(pipeline) -> tuple[dict, dict[str, np.ndarray], dict[str, list[str]]]:
    """(layout, arrays, vocabularies) of a fitted pipeline, in the runtime's form."""
    from sklearn.linear_model import LogisticRegression

    union = pipeline.named_steps["features"]
    if union.transformer_weights is not None:
        raise ValueError("the linear runtime does not support FeatureUnion transformer_weights")
    layout, arrays, vocabularies = [], {}, {}
    for name, step in union.transformer_list:
        if step == "drop":
            continue
        if hasattr(step, "vocabulary_"):
            layout.append({"name": name, "kind": "ngrams", **_settings(step)})
            vocabularies[name] = sorted(step.vocabulary_, key=step.vocabulary_.__getitem__)
            arrays[f"{name}.idf"] = np.asarray(step.idf_, dtype=np.float64)
        elif type(step).__name__ == "CueFeaturizer":
            layout.append({"name": name, "kind": "cues", "weight": float(step.weight), "size": step.n_features_out_})
        else:
            raise ValueError(f"the linear runtime does not support the feature step {name!r}: {step!r}")
    estimators = pipeline.named_steps["classifier"].estimators_
    if len(estimators) != len(LABELS) or not all(isinstance(e, LogisticRegression) for e in estimators):
        raise ValueError("the linear runtime needs one fitted logistic regression per label")
    arrays["coef"] = np.vstack([e.coef_.ravel() for e in estimators]).astype(np.float64)
    arrays["intercept"] = np.asarray([float(e.intercept_[0]) for e in estimators])
    return {"blocks": layout}, arrays, vocabularies


def save_linear(pipeline, directory: Path) -> None:
    from safetensors.numpy import save_file

    from parley.families.skops_io import dump_skops

    layout, arrays, vocabularies = export_weights(pipeline)
    kept = {name: step.vocabulary_ for name, step in _vectorizers(pipeline)}
    try:  # the vocabularies go to vocabulary.json, not into the skops schema
        for _, step in _vectorizers(pipeline):
            step.vocabulary_ = {}
        dump_skops(pipeline, directory / PIPELINE_FILE)
    finally:
        for name, step in _vectorizers(pipeline):
            step.vocabulary_ = kept[name]
    (directory / VOCABULARY_FILE).write_text(json.dumps(vocabularies, ensure_ascii=False), encoding="utf-8")
    save_file(arrays, str(directory / WEIGHTS_FILE), metadata={"layout": json.dumps(layout)})


def _vectorizers(pipeline):
    return [
        (name, step) for name, step in pipeline.named_steps["features"].transformer_list if hasattr(step, "vocabulary_")
    ]


def load_pipeline(directory: Path):
    """The scikit-learn Pipeline of a model directory, vocabularies restored (the reference)."""
    from parley.families.skops_io import load_skops

    pipeline = load_skops(directory / PIPELINE_FILE)
    vocabularies = _read_vocabularies(directory)
    for name, vectorizer in _vectorizers(pipeline):
        terms = vocabularies.get(name)
        if not isinstance(terms, list):
            raise ModelError(f"{VOCABULARY_FILE} has no vocabulary for {name!r}", directory)
        vectorizer.vocabulary_ = {term: index for index, term in enumerate(terms)}
    return pipeline


def _read_vocabularies(directory: Path) -> dict:
    try:
        return json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read {VOCABULARY_FILE}: {exc}", directory) from None


def load_linear(directory: Path, meta: dict) -> LinearScorer:
    from safetensors import SafetensorError, safe_open

    path = directory / WEIGHTS_FILE
    if not path.is_file():
        raise ModelError(f"{WEIGHTS_FILE} is missing: retrain the model with this Parley", directory)
    try:
        with safe_open(str(path), framework="numpy") as handle:  # one read: the layout and the arrays
            layout = json.loads((handle.metadata() or {})["layout"])
            arrays = {name: handle.get_tensor(name) for name in handle.keys()}
    except (SafetensorError, OSError, KeyError, ValueError) as exc:
        raise ModelError(f"cannot read {WEIGHTS_FILE}: {exc}", directory) from None
    vocabularies = _read_vocabularies(directory)
    blocks = []
    for spec in layout["blocks"]:
        name = spec["name"]
        if spec["kind"] == "cues":
            blocks.append((name, CueBlock(spec["weight"], spec["size"])))
        else:
            terms = vocabularies.get(name)
            idf = arrays.get(f"{name}.idf")
            if not isinstance(terms, list) or idf is None or len(idf) != len(terms):
                raise ModelError(f"{VOCABULARY_FILE} and {WEIGHTS_FILE} disagree on the {name!r} vocabulary", directory)
            blocks.append((name, NgramBlock(spec, terms, idf)))
    scorer = LinearScorer(blocks, arrays["coef"], arrays["intercept"])
    if scorer.coef.shape != (len(LABELS), sum(block.size for block in scorer.blocks)):
        raise ModelError(f"{WEIGHTS_FILE}: coefficients do not match the features", directory)
    return scorer
