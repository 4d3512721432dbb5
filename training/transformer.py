"""The `transformer` family: a sentence encoder (config `encoder`: "minilm", the default, "mpnet"
or a directory) fine-tuned for multi-label classification with `transformers.Trainer` over a
`datasets.Dataset`, with dynamic padding."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np

from parley.encoders import resolve_encoder
from parley.families.encoder import DEFAULT_ENCODER, torch_threads
from parley.families.transformer import HF_DIR, TransformerScorer, encoder_model_type, mean_pool_classifier
from parley.labels import LABELS
from parley.training.progress import trainer_progress


def _has_gpu() -> bool:
    import torch

    return torch.cuda.is_available()


def _dev_score(scorer: TransformerScorer, dev: tuple[list[str], np.ndarray] | None):
    """Macro-F1 on the dev split at the best per-label thresholds, for the per-epoch progress line."""
    if dev is None:
        return None
    texts, y = dev

    def score() -> float:
        from parley.metrics import best_f1_threshold

        scores = scorer.predict_proba(texts)
        return float(np.mean([best_f1_threshold(y[:, i], scores[:, i])[1] for i in range(len(LABELS))]))

    return score


class TransformerModel:
    family = "transformer"

    def __init__(
        self,
        encoder: str = DEFAULT_ENCODER,
        epochs: float = 3.0,
        learning_rate: float = 5e-5,
        batch_size: int = 32,
        weight_decay: float = 0.01,
        warmup_ratio: float = 0.1,
        max_length: int = 128,
        predict_batch_size: int = 64,
        seed: int = 0,
    ):
        self.encoder = encoder
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.warmup_ratio = warmup_ratio
        self.max_length = max_length
        self.predict_batch_size = predict_batch_size
        self.seed = seed
        self.scorer: TransformerScorer | None = None

    def fit(self, texts: list[str], y: np.ndarray, dev: tuple[list[str], np.ndarray] | None = None) -> TransformerModel:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from datasets import Dataset
        from transformers import AutoTokenizer, DataCollatorWithPadding, Trainer, TrainingArguments, set_seed
        from transformers.trainer_callback import PrinterCallback

        torch_threads()
        set_seed(self.seed)
        path = resolve_encoder(self.encoder)
        tokenizer = AutoTokenizer.from_pretrained(path)
        model = mean_pool_classifier(encoder_model_type(path)).from_pretrained(
            path,
            num_labels=len(LABELS),
            problem_type="multi_label_classification",
            id2label=dict(enumerate(LABELS)),
            label2id={name: i for i, name in enumerate(LABELS)},
            use_safetensors=True,
        )
        rows = [{"text": t, "labels": [float(v) for v in row]} for t, row in zip(texts, np.asarray(y))]
        dataset = Dataset.from_list(rows).map(
            lambda batch: tokenizer(batch["text"], truncation=True, max_length=self.max_length),
            batched=True,
            remove_columns=["text"],
        )
        with tempfile.TemporaryDirectory(prefix="parley-trainer-") as scratch:
            args = TrainingArguments(
                output_dir=scratch,
                num_train_epochs=self.epochs,
                learning_rate=self.learning_rate,
                per_device_train_batch_size=self.batch_size,
                weight_decay=self.weight_decay,
                warmup_steps=self.warmup_ratio,
                seed=self.seed,
                data_seed=self.seed,
                save_strategy="no",
                report_to=[],
                logging_strategy="steps",
                logging_steps=25,
                disable_tqdm=True,
                dataloader_num_workers=0,
                train_sampling_strategy="group_by_length",
                use_cpu=not _has_gpu(),
            )
            scorer = TransformerScorer(tokenizer, model, self.predict_batch_size, self.max_length)
            trainer = Trainer(
                model=model,
                args=args,
                train_dataset=dataset,
                data_collator=DataCollatorWithPadding(tokenizer),
                callbacks=[trainer_progress(_dev_score(scorer, dev))],
            )
            trainer.remove_callback(PrinterCallback)  # progress replaces its raw log dicts
            trainer.train()
        model.eval()
        self.scorer = scorer
        return self

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return self.scorer.predict_proba(list(texts))

    def save(self, directory: Path) -> None:
        target = Path(directory) / HF_DIR
        self.scorer.model.save_pretrained(target, safe_serialization=True)
        self.scorer.tokenizer.save_pretrained(target)
