"""Question 3: peers on the same data in the same run: spaCy textcat_multilabel (bow and
ensemble) and fastText (one-vs-all), against Parley's families.

Every system trains on the corpus train split; thresholds of the peers are tuned on the dev
split exactly as Parley tunes its own, so the comparison is of models, not of cut-offs.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.common import ROOT
from parley.io import load_records
from parley.labels import LABELS, to_matrix
from parley.metrics import summary, tune_thresholds
from parley.settings import external_dir
from parley.text import normalize

EXTERNAL = external_dir()


def data():
    records = load_records([ROOT / "data" / "corpus"])
    parts = {name: [r for r in records if r.split == name] for name in ("train", "dev", "test")}
    external = [r for r in load_records(sorted(EXTERNAL.glob("*.jsonl"))) if r.confidence in ("high", "medium")]
    return parts, external


def xy(records):
    return [normalize(r.text) for r in records], to_matrix(r.labels for r in records)


class SpacyTextcat:
    def __init__(self, architecture: str, epochs: int = 10, seed: int = 0):
        self.architecture, self.epochs, self.seed = architecture, epochs, seed

    def fit(self, texts, y):
        import spacy
        from spacy.training import Example
        from spacy.util import fix_random_seed, minibatch

        fix_random_seed(self.seed)
        self.nlp = spacy.blank("en")
        config = {"threshold": 0.5}
        if self.architecture == "bow":
            config["model"] = {
                "@architectures": "spacy.TextCatBOW.v3",
                "exclusive_classes": False,
                "ngram_size": 2,
                "no_output_layer": False,
            }
        textcat = self.nlp.add_pipe("textcat_multilabel", config=config)  # default model: TextCatEnsemble.v2
        for label in LABELS:
            textcat.add_label(label)
        examples = [
            Example.from_dict(self.nlp.make_doc(t), {"cats": {lab: float(v) for lab, v in zip(LABELS, row)}})
            for t, row in zip(texts, y)
        ]
        optimizer = self.nlp.initialize(lambda: examples)
        rng = random.Random(self.seed)
        for _ in range(self.epochs):
            rng.shuffle(examples)
            for batch in minibatch(examples, size=32):
                self.nlp.update(batch, sgd=optimizer)
        return self

    def predict_proba(self, texts):
        return np.asarray([[doc.cats[lab] for lab in LABELS] for doc in self.nlp.pipe(texts, batch_size=256)])


class FastText:
    def __init__(self, epochs: int = 25, seed: int = 0):
        self.epochs, self.seed = epochs, seed

    def fit(self, texts, y):
        import fasttext

        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as handle:
            for text, row in zip(texts, y):
                tags = " ".join(f"__label__{lab}" for lab, v in zip(LABELS, row) if v) or "__label__none"
                handle.write(f"{tags} {text.lower()}\n")
        self.model = fasttext.train_supervised(
            handle.name,
            loss="ova",
            epoch=self.epochs,
            wordNgrams=2,
            lr=0.5,
            minCount=1,
            seed=self.seed,
            thread=1,
            verbose=0,
        )
        Path(handle.name).unlink()
        return self

    def predict_proba(self, texts):
        # fasttext-wheel's batch predict returns one repeated probability under NumPy 2;
        # its C++ binding, called per sentence, returns the real (probability, label) pairs.
        out = np.zeros((len(texts), len(LABELS)))
        for i, text in enumerate(texts):
            for probability, label in self.model.f.predict(text.lower().replace("\n", " "), -1, 0.0, "strict"):
                name = label.replace("__label__", "")
                if name in LABELS:
                    out[i, LABELS.index(name)] = probability
        return out


def evaluate(model, parts, external) -> dict:
    train_x, train_y = xy(parts["train"])
    started = time.perf_counter()
    model.fit(train_x, train_y)
    fit_seconds = time.perf_counter() - started
    dev_x, dev_y = xy(parts["dev"])
    thresholds = np.asarray(list(tune_thresholds(dev_y, model.predict_proba(dev_x)).values()))
    row = {"train_seconds": round(fit_seconds, 1)}
    for name, records in (("test", parts["test"]), ("external", external)):
        x, y = xy(records)
        started = time.perf_counter()
        scores = model.predict_proba(x)
        seconds = time.perf_counter() - started
        row[f"{name}_macro_f1"] = round(summary(y, (scores >= thresholds).astype(int))["macro_f1"], 4)
        if name == "test":
            row["predict_sentences_per_second"] = round(len(x) / seconds)
    return row


def parley_rows(parts, external) -> dict:
    """Parley's families, scored through the same code path from their model directories."""
    from parley.model import load_model

    rows = {}
    for family, directory in (
        ("parley rules", "models/rules"),
        ("parley linear", "models/fast"),
        ("parley default (ensemble)", "models/default"),
        ("parley embed", "models/embed"),
        ("parley transformer", "models/transformer"),
    ):
        path = ROOT / directory
        if not (path / "model.json").is_file():
            continue
        model = load_model(path)
        row = {"train_seconds": json.loads((path / "model.json").read_text()).get("fit_seconds")}
        for name, records in (("test", parts["test"]), ("external", external)):
            x, y = xy(records)
            started = time.perf_counter()
            predicted = model.predict(x)
            seconds = time.perf_counter() - started
            row[f"{name}_macro_f1"] = round(summary(y, predicted)["macro_f1"], 4)
            if name == "test":
                row["predict_sentences_per_second"] = round(len(x) / seconds)
        rows[family] = row
    return rows


def run() -> dict:
    parts, external = data()
    results = parley_rows(parts, external)
    for name, model in (
        ("fastText (ova)", FastText()),
        ("spaCy textcat_multilabel bow", SpacyTextcat("bow")),
        ("spaCy textcat_multilabel ensemble", SpacyTextcat("ensemble", epochs=5)),
    ):
        try:
            results[name] = evaluate(model, parts, external)
        except ImportError as exc:
            results[name] = {"error": f"not installed: {exc}"}
        print(name, results[name], flush=True)
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=1))
