"""The library API, in the style of `spacy.load`:

    import parley
    nlp = parley.load("default")                  # or "fast", or a model directory
    nlp.predict(["Moscow rejected the plan."])    # one record per sentence
    nlp.predict_documents({"a1": article_text})   # split into sentences, one result per article
    nlp.explain("Moscow rejected the plan.")      # scores, thresholds and why

`parley predict` and `parley explain` call these same functions.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from parley.errors import ModelError
from parley.model import Model, default_model_dir, load_model
from parley.predict import Document, Predictor, summarise
from parley.settings import in_project


def resolve_model(name_or_path: str | Path) -> Path:
    """'default' -> the shipped default model; 'fast' -> models/fast of a checkout; else a path."""
    if str(name_or_path) == "default":
        return default_model_dir()
    if str(name_or_path) == "fast":
        fast = in_project("models", "fast")
        if not fast.is_dir():
            raise ModelError("no model named 'fast' here (models/fast of a source checkout)", fast)
        return fast
    return Path(name_or_path)


class Labeller:
    """A loaded model with everything needed to label text: thresholds, splitting, records."""

    def __init__(self, model: Model):
        self.model = model

    @property
    def name(self) -> str:
        return self.model.name

    @property
    def family(self) -> str:
        return self.model.family

    @property
    def thresholds(self) -> dict[str, float]:
        return dict(self.model.meta["thresholds"])

    def predict(self, sentences: Iterable[str], threshold: float | dict | None = None) -> list[dict]:
        """One record per given sentence (not split further): text, labels, scores, model."""
        documents = [Document(str(i), text, "") for i, text in enumerate(sentences)]
        predictor = Predictor(self.model, threshold, presplit=True)
        records = []
        for _, doc_records in predictor.records(documents):
            for record in doc_records:
                record = dict(record)
                record.pop("sentence")
                record["index"] = int(record.pop("doc_id"))
                records.append(record)
        return records

    def predict_documents(
        self, documents: Mapping[str, str] | Iterable[str], threshold: float | dict | None = None, workers: int = 1
    ) -> list[dict]:
        """Split each article into sentences and label them: per article, its id, sentence
        records (with character offsets) and summary. Ids are the mapping's keys or 0, 1, ..."""
        items = documents.items() if isinstance(documents, Mapping) else enumerate(documents)
        docs = [Document(str(doc_id), text, "") for doc_id, text in items]
        predictor = Predictor(self.model, threshold, workers=workers)
        return [
            {"doc_id": doc.id, "sentences": records, "summary": summarise(doc.id, records)}
            for doc, records in predictor.records(docs)
        ]

    def explain(self, text: str, top: int = 8) -> dict:
        from parley.explain import explain

        return explain(self.model, text, top=top)


def load(name_or_path: str | Path = "default") -> Labeller:
    """Load a model by name ('default', 'fast') or directory, validating it first."""
    return Labeller(load_model(resolve_model(name_or_path)))
