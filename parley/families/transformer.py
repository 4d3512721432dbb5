"""Runtime for the `transformer` family: a fine-tuned encoder saved as safetensors in hf/
(MiniLM, a BERT, or mpnet: hf/config.json's model_type says which head class to build).

Prediction batches sentences by length (encoder.length_batches). A model
exported with `parley export-onnx` (runtime "onnxruntime") is run by onnx_scorer.py instead.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from parley.errors import ModelError
from parley.families.encoder import length_batches, mean_pool, torch_threads

HF_DIR = "hf"


# The encoder architectures the family fine-tunes: model_type -> (pretrained base, encoder class)
# import names in transformers. MiniLM is a BERT; all-mpnet-base-v2 an MPNet.
ENCODER_CLASSES = {"bert": ("BertPreTrainedModel", "BertModel"), "mpnet": ("MPNetPreTrainedModel", "MPNetModel")}


def mean_pool_classifier(model_type: str = "bert"):
    """An encoder with a mean-pooled linear head, built lazily (torch is optional).

    all-MiniLM-L6-v2 was trained as a mean-pooled sentence encoder: its [CLS] pooler is
    left over from pre-training, and a classifier on it barely moves from the label priors
    in three epochs (measured: training loss 0.47 vs 0.48 for predicting the priors). On
    the mean of the token states, the representation the encoder was trained for, it learns.
    all-mpnet-base-v2 was trained the same way. The encoder sits under the base's own prefix
    (`bert.`, `mpnet.`), so sentence-transformers checkpoints load into it unchanged.
    """
    import torch
    import transformers
    from transformers.modeling_outputs import SequenceClassifierOutput

    if model_type not in ENCODER_CLASSES:
        raise ModelError(f"the transformer family fine-tunes {sorted(ENCODER_CLASSES)} encoders, not {model_type!r}")
    base_name, encoder_name = ENCODER_CLASSES[model_type]
    base, encoder_class = getattr(transformers, base_name), getattr(transformers, encoder_name)
    prefix = base.base_model_prefix

    class MeanPoolClassifier(base):
        def __init__(self, config):
            super().__init__(config)
            self.num_labels = config.num_labels
            setattr(self, prefix, encoder_class(config, add_pooling_layer=False))
            self.dropout = torch.nn.Dropout(config.hidden_dropout_prob)
            self.classifier = torch.nn.Linear(config.hidden_size, config.num_labels)
            self.post_init()

        def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, labels=None, **kwargs):
            # MPNet has no token types; pass them only to encoders that were given them.
            extra = {} if token_type_ids is None else {"token_type_ids": token_type_ids}
            hidden = getattr(self, prefix)(
                input_ids=input_ids, attention_mask=attention_mask, **extra
            ).last_hidden_state
            logits = self.classifier(self.dropout(mean_pool(hidden, attention_mask)))
            loss = None
            if labels is not None:
                loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels.to(logits.dtype))
            return SequenceClassifierOutput(loss=loss, logits=logits)

    # The name save_pretrained records in config.json "architectures" (as before for BERT).
    name = f"MeanPool{encoder_name.removesuffix('Model')}ForSequenceClassification"
    MeanPoolClassifier.__name__ = MeanPoolClassifier.__qualname__ = name
    return MeanPoolClassifier


def encoder_model_type(path: str | Path) -> str:
    """The model_type in a transformers config.json (what mean_pool_classifier builds)."""
    config = Path(path) / "config.json"
    try:
        return json.loads(config.read_text(encoding="utf-8"))["model_type"]
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"cannot read model_type ({exc.__class__.__name__})", config) from None


class TransformerScorer:
    family = "transformer"

    def __init__(
        self,
        tokenizer,
        model,
        batch_size: int = 64,
        max_length: int = 128,
        directory: Path | None = None,
        meta: dict | None = None,
    ):
        self.directory, self.meta = directory, meta  # where a worker process loads it from
        self.tokenizer = tokenizer
        self.model = model
        self.batch_size = batch_size
        self.max_length = max_length

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        import torch

        torch_threads()
        out = np.zeros((len(texts), self.model.config.num_labels), dtype=np.float32)
        with torch.inference_mode():
            for index, batch in length_batches(self.tokenizer, texts, self.batch_size, self.max_length):
                out[index] = torch.sigmoid(self.model(**batch).logits).numpy()
        return out

    def __reduce__(self):
        # A worker process loads the weights from disk rather than receive a pickled copy
        # (one being trained has no directory yet and is pickled as it is).
        if self.directory is None:
            return super().__reduce__()
        return load_transformer, (self.directory, self.meta)


def load_transformer(directory: Path, meta: dict):
    """A TransformerScorer over hf/, or an OnnxTransformerScorer for an ONNX export."""
    if meta.get("runtime") == "onnxruntime":
        from parley.families.onnx_scorer import load_onnx_transformer

        return load_onnx_transformer(directory, meta)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        from transformers import AutoTokenizer
    except ModuleNotFoundError:  # not a Ctrl-C inside the import: the CLI reports that as an interrupt
        raise ModelError("the transformer family needs: pip install 'parley[transformer]'", directory) from None
    path = directory / HF_DIR
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = mean_pool_classifier(encoder_model_type(path)).from_pretrained(path, use_safetensors=True)
    model.eval()
    config = meta.get("config", {})
    return TransformerScorer(
        tokenizer, model, config.get("predict_batch_size", 64), config.get("max_length", 128), directory, meta
    )
