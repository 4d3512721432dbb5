"""The model directory: one format for every family, validated before anything is loaded.

    MODEL/
      model.json   family, label schema version, thresholds, config, data hashes, metrics,
                   and the SHA-256 of every weights file
      README.md    the model card
      weights      linear.safetensors + vocabulary.json (what linear prediction reads; its
                   scikit-learn pipeline.skops beside them), head.skops (scikit-learn, loaded
                   with an explicit list of trusted types) or hf/ (transformers config +
                   safetensors)

Loading never executes code from the directory: pickle/joblib files are refused, skops
files may only contain allow-listed types, and every weights file must match its hash.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from parley import __version__
from parley.errors import ModelError
from parley.labels import LABELS, SCHEMA_VERSION
from parley.registry import FAMILIES
from parley.text import model_inputs

FORMAT_VERSION = 1
MODEL_JSON = "model.json"
# How a transformer model runs: torch over hf/ (the default), or ONNX Runtime over model.onnx.
RUNTIMES = ("torch", "onnxruntime")
# Longer sentences are cut for the model (never dropped); the record says so.
DEFAULT_MAX_CHARS = 1000
UNSAFE_SUFFIXES = {".pkl", ".pickle", ".joblib", ".pt", ".pth", ".bin", ".npy", ".npz", ".dill", ".cloudpickle"}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def weight_files(directory: Path) -> dict[str, str]:
    """Relative path -> SHA-256 for every file but model.json and the card."""
    return {
        p.relative_to(directory).as_posix(): sha256_file(p)
        for p in sorted(directory.rglob("*"))
        if p.is_file() and p.name not in (MODEL_JSON, "README.md")
    }


def write_model_json(directory: Path, meta: dict) -> dict:
    """Fill in format fields and file hashes, then write model.json."""
    meta = {
        "format_version": FORMAT_VERSION,
        "parley_version": __version__,
        "label_schema_version": SCHEMA_VERSION,
        "labels": list(LABELS),
        **meta,
        "files": weight_files(directory),
    }
    (directory / MODEL_JSON).write_text(json.dumps(meta, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return meta


def read_model_json(directory: str | Path) -> dict:
    """Read and validate model.json; checks files and hashes too."""
    directory = Path(directory)
    if not directory.exists():
        raise ModelError("no such model directory", directory)
    if not directory.is_dir():
        raise ModelError("not a model directory (a file was given)", directory)
    path = directory / MODEL_JSON
    if not path.is_file():
        raise ModelError("not a Parley model directory: model.json is missing", directory)
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"model.json is not valid JSON: {exc}", path) from None
    if not isinstance(meta, dict):
        raise ModelError("model.json must hold a JSON object", path)
    _validate_meta(meta, path)
    unsafe = sorted(p.name for p in directory.rglob("*") if p.suffix.lower() in UNSAFE_SUFFIXES)
    if unsafe:
        raise ModelError(
            f"refusing to load: {', '.join(unsafe)} may execute code when loaded (pickle/joblib); "
            "Parley models use skops and safetensors only",
            directory,
        )
    files = meta.get("files")
    if not isinstance(files, dict):
        raise ModelError("model.json has no 'files' table of weight hashes", path)
    for name, expected in files.items():
        file = directory / name
        if not file.is_file():
            raise ModelError(f"missing model file {name}", directory)
        if sha256_file(file) != expected:
            raise ModelError(f"{name} does not match its SHA-256 in model.json (tampered or corrupted)", directory)
    return meta


def _validate_meta(meta: dict, path: Path) -> None:
    family = meta.get("family")
    if family not in FAMILIES:
        raise ModelError(f"unknown model family {family!r}; expected one of {list(FAMILIES)}", path)
    if meta.get("format_version") != FORMAT_VERSION:
        raise ModelError(
            f"model format version {meta.get('format_version')!r}, this Parley reads {FORMAT_VERSION}", path
        )
    if meta.get("label_schema_version") != SCHEMA_VERSION:
        raise ModelError(
            f"label schema version {meta.get('label_schema_version')!r}, this Parley uses {SCHEMA_VERSION}; "
            "retrain the model",
            path,
        )
    if meta.get("labels") != list(LABELS):
        raise ModelError(f"labels {meta.get('labels')!r} do not match the schema {list(LABELS)}", path)
    if FAMILIES[family].uses_cues:
        from parley.families.rules import RULES_VERSION

        if meta.get("rules_version") != RULES_VERSION:
            raise ModelError(
                f"trained with rules lexicon version {meta.get('rules_version')!r}, this Parley has {RULES_VERSION}; "
                "its cue features would differ: retrain the model",
                path,
            )
    if family == "ensemble" and not isinstance(meta.get("members"), list):
        raise ModelError("an ensemble's model.json must list its 'members'", path)
    runtime = meta.get("runtime")
    if runtime is not None:
        if family != "transformer":
            raise ModelError(f"'runtime' applies to the transformer family only, not {family}", path)
        if runtime not in RUNTIMES:
            raise ModelError(f"unknown runtime {runtime!r}; expected one of {list(RUNTIMES)}", path)
    thresholds = meta.get("thresholds")
    if not isinstance(thresholds, dict) or sorted(thresholds) != sorted(LABELS):
        raise ModelError(f"thresholds must give one value per label {list(LABELS)}", path)
    for label, value in thresholds.items():
        if (
            not isinstance(value, (int, float))
            or isinstance(value, bool)
            or not 0.0 <= value <= 1.0
            or math.isnan(value)
        ):
            raise ModelError(f"threshold for {label} must be a number in [0, 1], got {value!r}", path)


@dataclass
class Model:
    """A loaded model: scores, thresholds and the metadata it was saved with."""

    directory: Path
    meta: dict
    scorer: object

    @property
    def name(self) -> str:
        return self.meta.get("name") or self.directory.name

    @property
    def family(self) -> str:
        return self.meta["family"]

    @property
    def max_chars(self) -> int:
        return int(self.meta.get("max_chars", DEFAULT_MAX_CHARS))

    def thresholds(self, override: float | dict | None = None) -> np.ndarray:
        if override is None:
            return np.asarray([self.meta["thresholds"][label] for label in LABELS])
        if isinstance(override, dict):
            return np.asarray([override.get(label, self.meta["thresholds"][label]) for label in LABELS])
        return np.full(len(LABELS), float(override))

    def prepare(self, texts: list[str]) -> list[str]:
        return model_inputs(texts, self.max_chars)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(LABELS)))
        return np.asarray(self.scorer.predict_proba(self.prepare(texts)), dtype=np.float64)

    def predict(self, texts: list[str], threshold: float | dict | None = None) -> np.ndarray:
        return (self.predict_proba(texts) >= self.thresholds(threshold)).astype(np.int64)


def load_model(directory: str | Path) -> Model:
    """Validate a model directory (hashes included) and load its family's scorer."""
    directory = Path(directory)
    meta = read_model_json(directory)
    return Model(directory, meta, FAMILIES[meta["family"]].load_scorer(directory, meta))


def default_model_dir() -> Path:
    """models/default of a source checkout, or the copy installed with the package."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "models" / "default", here / "default_model"):
        if (candidate / MODEL_JSON).is_file():
            return candidate
    return here.parent / "models" / "default"
