"""Runtime for a `transformer` model exported to ONNX (see training/export_onnx.py).

Needs only onnxruntime and tokenizers: no torch, no transformers. Sentences are tokenised
once, sorted by token count and padded per batch to that batch's longest, so almost no
compute goes to padding.

An int8 export (dynamic quantisation) scores each sentence alone. Its activations are quantised
with one scale per tensor computed at run time, so in a batch a sentence's scale is set by its
neighbours and its padding: the stage-18 model's scores moved by up to 0.48 with the batching
alone, and external macro-F1 read 0.808, 0.825 or 0.829 for the same model and sentences
(whole list, one by one, chunks of 512). A batch of one makes a sentence's labels a function of
the sentence; on 2 cores it costs little (measured: 244 sent/s alone vs 205 in batches of 64
while the other core trained, since nothing is padded).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from parley.cores import scoring_threads
from parley.errors import ModelError
from parley.families.transformer import HF_DIR
from parley.labels import LABELS

ONNX_FILE = "model.onnx"


class OnnxTransformerScorer:
    family = "transformer"

    def __init__(self, directory: Path, meta: dict, session, tokenizer, pad_id: int, batch_size: int = 64):
        self.directory, self.meta = directory, meta
        self.session = session
        self.tokenizer = tokenizer
        self.pad_id = pad_id
        self.batch_size = batch_size
        self.input_names = {i.name for i in session.get_inputs()}

    def batches(self, texts: list[str]):
        """(row indices into texts, feeds for the session) per batch, shortest sentences first."""
        encodings = self.tokenizer.encode_batch(texts)
        lengths = np.asarray([len(e.ids) for e in encodings])
        order = np.argsort(lengths, kind="stable")
        for start in range(0, len(texts), self.batch_size):
            index = order[start : start + self.batch_size]
            shape = (len(index), int(lengths[index].max()))
            feeds = {
                "input_ids": np.full(shape, self.pad_id, dtype=np.int64),
                "attention_mask": np.zeros(shape, dtype=np.int64),
                "token_type_ids": np.zeros(shape, dtype=np.int64),
            }
            for row, i in enumerate(index):
                n = lengths[i]
                feeds["input_ids"][row, :n] = encodings[i].ids
                feeds["attention_mask"][row, :n] = 1
                feeds["token_type_ids"][row, :n] = encodings[i].type_ids
            yield index, {name: value for name, value in feeds.items() if name in self.input_names}

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
        for index, feeds in self.batches(texts):
            out[index] = self.session.run(None, feeds)[0]
        return out

    def __reduce__(self):
        # An ONNX Runtime session cannot be pickled: a worker process loads its own.
        return load_onnx_transformer, (self.directory, self.meta)


def load_onnx_transformer(directory: Path, meta: dict) -> OnnxTransformerScorer:
    try:
        import onnxruntime
        from tokenizers import Tokenizer
    except ModuleNotFoundError:
        # Only a missing package is a model error: a Ctrl-C inside an extension's import surfaces
        # as another ImportError, which the CLI reports as an interrupt (exit 130).
        raise ModelError(
            "this ONNX model needs onnxruntime and tokenizers: pip install onnxruntime tokenizers", directory
        ) from None
    # read_model_json verified every file listed in model.json; an unlisted model.onnx was not.
    if ONNX_FILE not in meta.get("files", {}):
        raise ModelError(f"{ONNX_FILE} is not listed with its SHA-256 in model.json", directory)
    config = meta.get("config", {})
    tokenizer = Tokenizer.from_file(str(directory / HF_DIR / "tokenizer.json"))
    # Padding is done per batch after sorting by token count, so the tokenizer must not pad.
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=config.get("max_length", 128))
    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.intra_op_num_threads = scoring_threads()
    session = onnxruntime.InferenceSession(str(directory / ONNX_FILE), options, providers=["CPUExecutionProvider"])
    batch_size = 1 if meta.get("quantized") else config.get("predict_batch_size", 64)
    return OnnxTransformerScorer(directory, meta, session, tokenizer, _pad_id(directory, tokenizer), batch_size)


def _pad_id(directory: Path, tokenizer) -> int:
    settings = json.loads((directory / HF_DIR / "tokenizer_config.json").read_text(encoding="utf-8"))
    pad_id = tokenizer.token_to_id(settings.get("pad_token") or "[PAD]")
    if pad_id is None:
        raise ModelError("the tokenizer has no padding token", directory / HF_DIR)
    return pad_id
