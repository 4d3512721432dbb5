"""The review queue behind `parley review`: which sentence to show next, and decisions that
are never lost.

Ordering spends the annotator's time where a label changes the model most: `uncertain`
puts the sentences whose scores lie nearest their thresholds first, `disagree` those on
which two models decide differently, `random` is the seeded baseline. Near-duplicates
(same letters-only key as `parley data check`) are shown once, and sentences already in
the decision file or in the training data are not shown again.

Decisions go to an append-only JSONL file in the corpus record format, each line flushed
and fsynced before the page moves on, so a killed server loses at most the sentence on
screen and restarting the same command resumes at the next undecided sentence. Undo
rewrites the file atomically without the undone line, so the file always holds one record
per id: `parley data check` accepts it and `parley train --data ... FILE` reads it as
ordinary labelled records.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import tempfile
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from parley.datacheck import exact_key, near_key
from parley.errors import InputError, OutputError, ParleyError
from parley.families.rules import analyse
from parley.io import iter_rows, load_records
from parley.labels import LABELS, validate_labels
from parley.model import Model, load_model
from parley.predict import Predictor, auto_workers, iter_documents
from parley.splits import DEFAULT_SHARES, SPLITS
from parley.staging import output_error, staged_file

STRATEGIES = ("uncertain", "disagree", "random")
# Sentences shown on each side of the one under review.
CONTEXT = 3
# Keys shorter than this are compared exactly, as in `parley data check`.
MIN_NEAR_KEY = 20


def dedup_key(text: str) -> str:
    """The key under which two sentences count as one (`parley data check`'s near-duplicate rule)."""
    loose = near_key(text)
    return loose if len(loose) >= MIN_NEAR_KEY else exact_key(text)


def review_split(article_id: str) -> str:
    """train/dev/test 70/15/15 from a SHA-256 of the article id: the same for every annotator,
    session and machine, and never two splits for one article."""
    value = int(hashlib.sha256(f"parley-review:{article_id}".encode()).hexdigest()[:12], 16) / 16**12
    bound = 0.0
    for name, share in zip(SPLITS, DEFAULT_SHARES):
        bound += share
        if value < bound:
            return name
    return SPLITS[-1]


def margins(scores: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Per sentence, how far its closest score lies from that label's threshold."""
    return np.abs(np.asarray(scores) - np.asarray(thresholds)).min(axis=1)


def rank(strategy: str, scores: list[np.ndarray], thresholds: list[np.ndarray], seed: int = 0) -> np.ndarray:
    """Row indices in review order. `scores`/`thresholds` hold one entry per model; `uncertain`
    uses the first, `disagree` needs two or more (ties fall back to the first's uncertainty)."""
    if strategy not in STRATEGIES:
        raise InputError(f"--strategy must be one of {list(STRATEGIES)}, got {strategy!r}")
    n = len(scores[0])
    if strategy == "random":
        return np.random.default_rng(seed).permutation(n)
    closeness = margins(scores[0], thresholds[0])
    if strategy == "uncertain":
        return np.argsort(closeness, kind="stable")
    if len(scores) < 2:
        raise InputError("--strategy disagree needs two or more --model options")
    decisions = np.stack([s >= t for s, t in zip(scores, thresholds)])
    disagreeing = (decisions != decisions[0]).any(axis=0).sum(axis=1)
    return np.lexsort((closeness, -disagreeing))


@dataclass(slots=True)
class Sentence:
    id: str
    article_id: str
    position: int
    text: str


def read_sentences(
    inputs: Iterable[str], model: Model, *, text_column: str = "text", id_column: str = "id", presplit: bool = False
) -> tuple[list[Sentence], np.ndarray]:
    """Every sentence of the inputs (split as `parley predict` splits them) with its scores."""
    # Worker processes pay off for splitting articles; scoring pre-split rows is vectorised, and
    # there a second process cost more than it saved (35k pool rows on 2 cores: 3.8 s vs 5.5 s).
    predictor = Predictor(model, presplit=presplit, workers=1 if presplit else auto_workers(model.family))
    documents = iter_documents(inputs, text_column=text_column, id_column=id_column)
    sentences, scores, seen = [], [], set()
    for doc, records in predictor.records(documents):
        if doc.id in seen:
            raise InputError(
                f"document id {doc.id!r} appears twice: decisions are kept by id, so ids must be "
                "unique (use --id-column)",
                doc.origin,
            )
        seen.add(doc.id)
        for record in records:
            sentences.append(Sentence(f"{doc.id}:{record['sentence']}", doc.id, record["sentence"], record["text"]))
            scores.append([record["scores"][label] for label in LABELS])
    if not sentences:
        raise InputError("no sentences to review in " + ", ".join(inputs))
    return sentences, np.asarray(scores, dtype=np.float64).reshape(-1, len(LABELS))


def highlight(text: str) -> list[dict]:
    """The sentence as consecutive segments; cue words carry their label and status
    (fires, negated, hedged, refused) from the rules analysis."""
    segments, at = [], 0
    for cue in sorted(analyse(text), key=lambda e: (e.start, -len(e.match))):
        if cue.start < at:
            continue  # overlaps a cue already shown
        if cue.start > at:
            segments.append({"text": text[at : cue.start]})
        segments.append({"text": cue.match, "label": cue.label, "status": cue.status, "pattern": cue.pattern})
        at = cue.start + len(cue.match)
    if at < len(text):
        segments.append({"text": text[at:]})
    return segments


def default_annotator() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class DecisionLog:
    """The decision file: one JSON record per line, each flushed and fsynced when written."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if self.path.suffix.lower() not in (".jsonl", ".ndjson"):
            raise InputError("the decision file must be .jsonl (the corpus record format)", self.path)
        if not self.path.parent.is_dir():
            raise OutputError("no such folder for the decision file", self.path.parent)
        if not os.access(self.path if self.path.exists() else self.path.parent, os.W_OK):
            raise OutputError("cannot write: permission denied", self.path)

    def read(self) -> list[dict]:
        """Records written so far. A last line cut short by a crash mid-write is dropped."""
        if not self.path.exists():
            return []
        data = self.path.read_bytes()
        if data and not data.endswith(b"\n"):
            self._rewrite([line.decode("utf-8") for line in data.split(b"\n")[:-1]])
        rows = [row for _, row in iter_rows(self.path)]
        for row in rows:
            if "id" not in row:
                raise InputError("a decision record has no 'id'; is this a review decision file?", self.path)
        return rows

    def append(self, record: dict) -> None:
        try:
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise output_error(exc, self.path) from None

    def remove(self, record_id: str) -> None:
        """Rewrite the file atomically without the record `record_id`."""
        lines = self.path.read_text(encoding="utf-8").splitlines()
        self._rewrite([line for line in lines if line.strip() and json.loads(line).get("id") != record_id])

    def _rewrite(self, lines: list[str]) -> None:
        with staged_file(self.path) as handle:
            handle.writelines(line + "\n" for line in lines)
            handle.flush()
            os.fsync(handle.fileno())


class StaleDecision(ParleyError):
    """The page decided on a sentence that is no longer the one under review (a second tab,
    a double key press); it gets the current sentence instead."""


class ReviewSession:
    """The queue of one `parley review` run: ordering, decisions, skips, undo and retraining.

    All methods are safe to call from the server's threads and the retraining thread.
    """

    def __init__(
        self,
        sentences: list[Sentence],
        models: list[Model],
        scores: list[np.ndarray],
        log: DecisionLog,
        *,
        strategy: str = "uncertain",
        seed: int = 0,
        annotator: str | None = None,
        known_texts: Iterable[str] = (),
        retrain_every: int = 0,
        data: list[Path] = (),
    ):
        self.sentences = sentences
        self.models = list(models)
        self.scores = [np.asarray(s, dtype=np.float64) for s in scores]
        self.log = log
        self.strategy = strategy
        self.seed = seed
        self.annotator = annotator or default_annotator()
        self.retrain_every = retrain_every
        self.data = list(data)
        self.status = ""
        self._lock = threading.RLock()
        self._retraining: threading.Thread | None = None
        self._since_retrain = 0
        self.by_article: dict[str, list[int]] = {}
        for i, sentence in enumerate(sentences):
            self.by_article.setdefault(sentence.article_id, []).append(i)
        index = {s.id: i for i, s in enumerate(sentences)}
        self.decisions = {row["id"]: row for row in log.read()}
        # Undo walks back through this source's decisions in file order, across restarts.
        self.undo_stack = [index[i] for i in self.decisions if i in index]
        seen = {dedup_key(text) for text in known_texts}
        seen |= {
            dedup_key(row["text"])
            for i, row in self.decisions.items()
            if i not in index and isinstance(row.get("text"), str)
        }
        candidates = []
        for i in [*self.undo_stack, *range(len(sentences))]:  # a decided sentence represents its duplicates
            key = dedup_key(sentences[i].text)
            if key not in seen:
                seen.add(key)
                candidates.append(i)
        self.candidates = sorted(candidates)
        self.total = len(self.candidates)
        self.queue: deque[int] = deque()
        self.skipped: list[int] = []
        self._reorder(keep_head=False)

    # -- ordering ---------------------------------------------------------

    def thresholds(self) -> list[np.ndarray]:
        return [model.thresholds() for model in self.models]

    def _reorder(self, keep_head: bool) -> None:
        """Rank the undecided candidates; skipped sentences stay last, in the order skipped,
        and with `keep_head` the sentence on screen stays where it is."""
        head = self.queue[0] if keep_head and self.queue else None
        rows = np.asarray(self.candidates, dtype=np.int64)
        order = rows[rank(self.strategy, [s[rows] for s in self.scores], self.thresholds(), self.seed)]
        skipped = set(self.skipped)
        ranked = [
            int(i)
            for i in order
            if int(i) not in skipped and int(i) != head and self.sentences[i].id not in self.decisions
        ]
        self.queue = deque(([head] if head is not None else []) + ranked + self.skipped)

    # -- what the page shows ------------------------------------------------

    def view(self) -> dict:
        with self._lock:
            progress = {"decided": len(self.undo_stack), "remaining": len(self.queue), "total": self.total}
            base = {
                "progress": progress,
                "labels": list(LABELS),
                "strategy": self.strategy,
                "status": self.status,
                "can_undo": bool(self.undo_stack),
                "annotator": self.annotator,
                "models": [
                    {
                        "name": m.name,
                        "family": m.family,
                        "thresholds": {lab: float(t) for lab, t in zip(LABELS, m.thresholds())},
                    }
                    for m in self.models
                ],
            }
            if not self.queue:
                return {**base, "item": None}
            return {**base, "item": self._item(self.queue[0])}

    def _item(self, i: int) -> dict:
        sentence = self.sentences[i]
        members = self.by_article[sentence.article_id]
        at = members.index(i)
        window = members[max(0, at - CONTEXT) : at + CONTEXT + 1]
        per_model = []
        for model, scores, thresholds in zip(self.models, self.scores, self.thresholds()):
            per_model.append(
                {
                    "name": model.name,
                    "scores": {lab: round(float(s), 4) for lab, s in zip(LABELS, scores[i])},
                    "labels": [lab for lab, s, t in zip(LABELS, scores[i], thresholds) if s >= t],
                }
            )
        return {
            "id": sentence.id,
            "article_id": sentence.article_id,
            "position": sentence.position,
            "segments": highlight(sentence.text),
            "context": [
                {
                    "position": self.sentences[j].position,
                    "current": j == i,
                    "segments": highlight(self.sentences[j].text),
                }
                for j in window
            ],
            "more_before": members[0] not in window,
            "more_after": members[-1] not in window,
            "article_sentences": len(members),
            "scores": per_model[0]["scores"],
            "suggested": per_model[0]["labels"],
            "per_model": per_model,
        }

    # -- decisions ----------------------------------------------------------

    def _head(self, sentence_id: str) -> int:
        if not self.queue or self.sentences[self.queue[0]].id != sentence_id:
            raise StaleDecision(f"sentence {sentence_id!r} is not the one under review")
        return self.queue[0]

    def record(self, i: int, labels: list[str]) -> dict:
        sentence = self.sentences[i]
        return {
            "id": sentence.id,
            "article_id": sentence.article_id,
            "position": sentence.position,
            "text": sentence.text,
            "labels": labels,
            "split": review_split(sentence.article_id),
            "annotator": self.annotator,
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "scores": {lab: round(float(s), 4) for lab, s in zip(LABELS, self.scores[0][i])},
            "model": self.models[0].name,
            "domain": "review",
        }

    def decide(self, sentence_id: str, labels: list[str]) -> dict:
        """Write the decision (flushed and fsynced), then move on to the next sentence."""
        try:
            labels = validate_labels(labels)
        except ValueError as exc:
            raise InputError(str(exc)) from None
        with self._lock:
            i = self._head(sentence_id)
            record = self.record(i, labels)
            self.log.append(record)
            self.decisions[sentence_id] = record
            self.queue.popleft()
            if i in self.skipped:
                self.skipped.remove(i)
            self.undo_stack.append(i)
            self._since_retrain += 1
            if self.retrain_every and self._since_retrain >= self.retrain_every and self._retraining is None:
                self._start_retraining()
            return record

    def skip(self, sentence_id: str) -> None:
        """Put the sentence at the end of the queue; nothing is written."""
        with self._lock:
            i = self._head(sentence_id)
            self.queue.popleft()
            if i in self.skipped:
                self.skipped.remove(i)
            self.skipped.append(i)
            self.queue.append(i)

    def undo(self) -> str | None:
        """Take back the last decision (removed from the file atomically) and show it again."""
        with self._lock:
            if not self.undo_stack:
                return None
            i = self.undo_stack.pop()
            sentence_id = self.sentences[i].id
            self.log.remove(sentence_id)
            self.decisions.pop(sentence_id, None)
            self.queue.appendleft(i)
            return sentence_id

    # -- closing the loop -----------------------------------------------------

    def _start_retraining(self) -> None:
        self._since_retrain = 0
        rows = list(self.decisions.values())
        self.status = f"retraining the linear model on the data and {len(rows)} decisions ..."
        self._retraining = threading.Thread(target=self._retrain, args=(rows,), name="parley-retrain", daemon=True)
        self._retraining.start()

    def _retrain(self, rows: list[dict]) -> None:
        from parley.training.config import load_config
        from parley.training.run import train_model

        try:
            with tempfile.TemporaryDirectory(prefix="parley-review-") as tmp:
                snapshot = Path(tmp) / "decisions.jsonl"
                snapshot.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
                meta = train_model(
                    "linear",
                    [*self.data, snapshot],
                    Path(tmp) / "model",
                    load_config("linear"),
                    name=f"retrained-{len(rows)}",
                    log=lambda message: None,
                )
                model = load_model(Path(tmp) / "model")
            with self._lock:
                pending = list(self.queue)
            texts = [self.sentences[i].text for i in pending]
            scores = model.predict_proba(texts)
            with self._lock:
                self.models[0] = model
                self.scores[0][pending] = scores
                self._reorder(keep_head=True)
                stamp = datetime.now(UTC).strftime("%H:%M:%S")
                self.status = (
                    f"retrained on {len(rows)} decisions at {stamp} UTC "
                    f"(dev macro-F1 {meta['metrics_dev']['macro_f1']:.3f}); queue re-ordered"
                )
        except Exception as exc:  # noqa: BLE001 - a failed retrain must not stop the page; it says why
            self.status = f"retraining failed: {exc}"
        finally:
            with self._lock:
                self._retraining = None

    def wait_for_retraining(self, timeout: float | None = None) -> None:
        thread = self._retraining
        if thread is not None:
            thread.join(timeout)


def open_session(
    inputs: list[str],
    model_dirs: list[Path],
    out: Path,
    *,
    strategy: str = "uncertain",
    seed: int = 0,
    annotator: str | None = None,
    retrain_every: int = 0,
    data: list[Path] = (),
    text_column: str = "text",
    id_column: str = "id",
    presplit: bool = False,
) -> ReviewSession:
    """Read and score the inputs, drop what is already decided or labelled, order the rest."""
    if not model_dirs:
        raise InputError("give at least one --model")
    if strategy == "disagree" and len(model_dirs) < 2:
        raise InputError("--strategy disagree needs two or more --model options")
    if retrain_every < 0:
        raise InputError(f"--retrain-every must be 0 (never) or more, got {retrain_every}")
    if retrain_every and not data:
        raise InputError("--retrain-every needs --data: the labelled data to retrain on with the decisions")
    log = DecisionLog(out)
    models = [load_model(directory) for directory in model_dirs]
    sentences, first = read_sentences(
        inputs, models[0], text_column=text_column, id_column=id_column, presplit=presplit
    )
    texts = [s.text for s in sentences]
    scores = [first] + [model.predict_proba(texts) for model in models[1:]]
    known = [r.text for r in load_records(list(data))] if data else []
    return ReviewSession(
        sentences,
        models,
        scores,
        log,
        strategy=strategy,
        seed=seed,
        annotator=annotator,
        known_texts=known,
        retrain_every=retrain_every,
        data=list(data),
    )
