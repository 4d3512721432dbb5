"""Batch prediction: documents -> sentences -> scores -> labels -> records, streaming.

Memory stays flat: documents are read lazily, sentences are scored in fixed-size batches,
and each document's records (and its summary) are written as soon as it is complete. A
document longer than one batch is split, scored and written in parts of about one batch: a
50 MB article on one line peaked at 8.2 GB when it was scored whole (per sentence, ~6 KB of
the linear scorer's features at once, ~0.5 KB split, ~0.6 KB of records), and at 0.34 GB in
parts (one process; 0.67 GB for a parent and two workers together).
"""

from __future__ import annotations

import itertools
import multiprocessing
import pickle
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from parley.cores import available_cores, limit_scoring_threads
from parley.errors import InputError
from parley.io import TABLE_SUFFIXES, TEXT_SUFFIXES, csv_header, iter_rows, read_text, stdin_text
from parley.labels import LABELS
from parley.model import Model
from parley.segment import parts, split_sentences

DEFAULT_BATCH = 1024


@dataclass(slots=True)
class Document:
    id: str
    text: str
    origin: str  # file or file:line, for messages


@dataclass
class InputStats:
    documents: int = 0
    skipped: int = 0
    problems: list[str] = field(default_factory=list)


def _skip_or_raise(error: InputError, skip_bad: bool, stats: InputStats) -> None:
    if not skip_bad:
        raise error
    stats.skipped += 1
    stats.problems.append(str(error))


def _input_files(given: Path) -> list[Path]:
    if given.is_dir():
        files = sorted(
            p
            for p in given.rglob("*")
            if p.is_file()
            and p.suffix.lower() in TEXT_SUFFIXES | TABLE_SUFFIXES
            and not any(part.startswith(".") for part in p.relative_to(given).parts)
        )
        if not files:
            raise InputError("directory has no usable files (.txt, .text, .md, .jsonl, .ndjson, .csv or .tsv)", given)
        return files
    if given.is_file():
        return [given]
    raise InputError("no such file or directory", given)


def iter_documents(
    inputs: Iterable[str],
    *,
    text_column: str = "text",
    id_column: str = "id",
    skip_bad: bool = False,
    stats: InputStats | None = None,
) -> Iterator[Document]:
    """Documents from .txt files, directories, JSONL/CSV rows, or '-' (standard input)."""
    stats = stats if stats is not None else InputStats()
    for given in inputs:
        if given == "-":
            text = stdin_text()
            if text.strip():
                stats.documents += 1
                yield Document("stdin", text, "<stdin>")
            else:
                _skip_or_raise(InputError("standard input is empty"), skip_bad, stats)
            continue
        root = Path(given)
        for path in _input_files(root):
            if path.suffix.lower() in TABLE_SUFFIXES:
                yield from _table_documents(path, text_column, id_column, skip_bad, stats)
                continue
            doc_id = path.relative_to(root).with_suffix("").as_posix() if root.is_dir() else path.stem
            try:
                text = read_text(path)
            except InputError as exc:
                _skip_or_raise(exc, skip_bad, stats)
                continue
            if not text.strip():
                _skip_or_raise(
                    InputError("empty file (no text)" if not text else "file holds only whitespace", path),
                    skip_bad,
                    stats,
                )
                continue
            stats.documents += 1
            yield Document(doc_id, text, str(path))


def _table_documents(path: Path, text_column: str, id_column: str, skip_bad: bool, stats: InputStats):
    if path.suffix.lower() in (".csv", ".tsv"):
        header = csv_header(path)
        if not header:
            raise InputError("empty file (no CSV header)", path)
        if text_column not in header:
            raise InputError(
                f"CSV has no column {text_column!r} (columns: {', '.join(header)}); use --text-column", path, 1
            )
    rows = 0
    malformed: list | None = [] if skip_bad else None
    for line, row in iter_rows(path, problems=malformed):
        rows += 1
        text = row.get(text_column)
        if not isinstance(text, str) or not text.strip():
            problem = (
                f"record has no {text_column!r} field"
                if text_column not in row
                else f"field {text_column!r} is empty or not a string"
            )
            _skip_or_raise(InputError(problem, path, line), skip_bad, stats)
            continue
        raw_id = row.get(id_column)
        stats.documents += 1
        yield Document(str(raw_id) if raw_id not in (None, "") else f"{path.name}:{line}", text, f"{path}:{line}")
    for problem in malformed or []:
        rows += 1
        _skip_or_raise(InputError(problem.message, problem.path, problem.line), skip_bad, stats)
    if rows == 0:
        _skip_or_raise(InputError("empty file (no records)", path), skip_bad, stats)


# Below this share of ASCII letters among the letters of a document's opening, it is not English.
ENGLISH_ASCII_SHARE = 0.6


def looks_non_english(text: str, sample: int = 2000) -> bool:
    """A cheap check on the opening of a document: mostly non-Latin letters means not English
    (accented names in English news stay well above the bar)."""
    letters = [c for c in text[:sample] if c.isalpha()]
    if len(letters) < 40:
        return False
    return sum(c.isascii() for c in letters) / len(letters) < ENGLISH_ASCII_SHARE


def parse_threshold(value: str | None) -> float | dict | None:
    """--threshold: one number for every label, or LABEL=NUMBER pairs."""
    if value is None:
        return None
    try:
        if "=" not in value:
            parsed: float | dict = float(value)
            values = [parsed]
        else:
            parsed = {}
            for part in value.split(","):
                label, number = part.split("=", 1)
                if label.strip() not in LABELS:
                    raise InputError(f"--threshold: unknown label {label.strip()!r}; expected {list(LABELS)}")
                parsed[label.strip()] = float(number)
            values = list(parsed.values())
    except ValueError:
        raise InputError(f"--threshold expects a number or LABEL=NUMBER[,...], got {value!r}") from None
    if not all(0.0 <= v <= 1.0 for v in values):
        raise InputError(f"--threshold values must lie in [0, 1], got {value!r}")
    return parsed


# Documents are grouped until they hold about this many characters per requested
# sentence (news sentences average ~120), so a batch is about `batch_size` sentences
# whether it holds pre-split sentences or whole articles.
CHARS_PER_SENTENCE = 120


def auto_workers(family: str) -> int:
    """Worker processes for `--workers 0`: one per core for the pure-Python families; the
    torch and ONNX Runtime families already spread matrix work over the cores with threads."""
    from parley.registry import family_spec

    if family_spec(family).threaded:
        return 1
    return max(1, min(available_cores(), 8))


@dataclass(slots=True)
class _Piece:
    """What a batch holds: a whole document, or one part of a long one (its text from `start`
    to `end`, split along `chunks`, whose offsets are relative to `start`)."""

    doc: Document
    start: int = 0
    end: int = 0
    chunks: list[tuple[int, int]] | None = None
    last: bool = True

    def to_split(self) -> tuple[str, list[tuple[int, int]] | None]:
        return (self.doc.text, None) if self.chunks is None else (self.doc.text[self.start : self.end], self.chunks)


def _sentence_spans(text: str, presplit: bool, chunks: list[tuple[int, int]] | None) -> list[tuple[int, int, str]]:
    if presplit:
        start = len(text) - len(text.lstrip())
        return [(start, start + len(text.strip()), text.strip())]
    return [(s.start, s.end, s.text) for s in split_sentences(text, chunks)]


def _score_texts(model: Model, texts: list[tuple[str, list[tuple[int, int]] | None]], presplit: bool):
    """Split a batch of (text, chunks) and score all their sentences: (spans per text, scores)."""
    spans = [_sentence_spans(text, presplit, chunks) for text, chunks in texts]
    flat = [sentence for doc_spans in spans for _, _, sentence in doc_spans]
    scores = model.predict_proba(flat) if flat else np.zeros((0, len(LABELS)))
    return spans, scores


_worker_model: Model | None = None
# One start method on every install: forkserver workers start clean (no threads or locks
# inherited from torch, ONNX Runtime or pyarrow, which made forked workers hang) and load
# the model once each; the start cost is paid only when the input spans several batches.
WORKER_START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def _init_worker(threads: int, pickled_model: bytes) -> None:
    global _worker_model
    # The thread share is set before the model is unpickled: scorers that cannot be pickled
    # (an ONNX Runtime session, torch weights) are loaded again here, and size their thread
    # pools as they load.
    limit_scoring_threads(threads)
    _worker_model = pickle.loads(pickled_model)
    # Ctrl-C reaches the whole process group: the parent alone handles it and stops the pool.
    # SIGTERM (which the parent's pool.terminate() sends) ends a worker at once, without the
    # parent's handler and so without a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _score_in_worker(texts: list[tuple[str, list[tuple[int, int]] | None]], presplit: bool):
    return _score_texts(_worker_model, texts, presplit)


def _result(future):
    try:
        return future.result()
    except BrokenProcessPool:
        raise InputError("a worker process died while scoring; rerun with --workers 1 to see why") from None


# After an interruption, running batches get this long to finish before their workers are
# ended: a worker ended while it writes a result leaves the executor's manager thread blocked
# for ever on the half-written message, and Python's exit waits for that thread (a hang seen
# about once in 30 interruptions on a loaded machine). A batch is about 1,000 sentences.
STOP_GRACE_SECONDS = 10.0
# Manager threads that stayed blocked after their workers were ended; the command then leaves
# with os._exit once its outputs are closed (parley.entry), since a normal exit would wait.
_blocked_managers: list = []


def blocked_worker_threads() -> bool:
    return any(thread.is_alive() for thread in _blocked_managers)


def _stop(executor: ProcessPoolExecutor) -> None:
    """Cancel what has not started, let running batches finish (bounded), then end any worker
    still busy; the parent has already kept every finished document."""
    processes = list((getattr(executor, "_processes", None) or {}).values())
    manager = getattr(executor, "_executor_manager_thread", None)
    executor.shutdown(wait=False, cancel_futures=True)
    if manager is None:
        return
    try:
        manager.join(timeout=STOP_GRACE_SECONDS)  # the workers finish their batch and leave on the sentinel
    except BaseException:  # a second Ctrl-C or SIGTERM: stop waiting
        pass
    if not manager.is_alive():
        return
    for process in processes:
        if process.is_alive():
            process.terminate()
    manager.join(timeout=5)
    if manager.is_alive():
        _blocked_managers.append(manager)


class Predictor:
    """Turns documents into sentence records and article summaries with one loaded model.

    With `workers` > 1, batches are split and scored in that many worker processes (forked
    after the model is loaded where that is safe), while this process reads input and
    writes records in order; output is identical to a single process's.
    """

    def __init__(
        self,
        model: Model,
        threshold: float | dict | None = None,
        batch_size: int = DEFAULT_BATCH,
        presplit: bool = False,
        workers: int = 1,
    ):
        self.model = model
        self.thresholds = model.thresholds(threshold)
        self.batch_size = batch_size
        self.presplit = presplit
        self.workers = workers

    def _batches(self, documents: Iterable[Document]) -> Iterator[list[_Piece]]:
        batch: list[_Piece] = []
        chars = 0
        budget = self.batch_size * CHARS_PER_SENTENCE
        for doc in documents:
            if len(doc.text) > budget and not self.presplit:  # alone, in parts: memory stays bounded
                if batch:
                    yield batch
                    batch, chars = [], 0
                yield from ([piece] for piece in _parts(doc, budget))
                continue
            batch.append(_Piece(doc))
            chars += len(doc.text)
            if chars >= budget or len(batch) >= self.batch_size:
                yield batch
                batch, chars = [], 0
        if batch:
            yield batch

    def records(
        self, documents: Iterable[Document], on_batch: Callable[[int, int], None] | None = None
    ) -> Iterator[tuple[Document, list[dict]]]:
        """Yield (document, its sentence records) in input order (a long document's parts joined)."""
        earlier: list[dict] = []
        for doc, records, last in self.parts(documents, on_batch):
            if not last:
                earlier.extend(records)
                continue
            yield doc, (earlier + records if earlier else records)
            earlier = []

    def parts(
        self, documents: Iterable[Document], on_batch: Callable[[int, int], None] | None = None
    ) -> Iterator[tuple[Document, list[dict], bool]]:
        """Yield (document, the records of its next sentences, whether they are its last) in input
        order: a document longer than one batch comes in parts of about one batch."""
        batches = self._batches(documents)
        first = next(batches, None)
        second = next(batches, None) if first is not None else None
        head = [batch for batch in (first, second) if batch is not None]
        carried = 0  # sentences of a long document already emitted in its earlier parts

        def emit(batch: list[_Piece], spans: list, scores: np.ndarray):
            nonlocal carried
            yield from self._emit(batch, spans, scores, on_batch, carried)
            carried = 0 if batch[-1].last else carried + len(spans[-1])

        if self.workers <= 1 or second is None:  # one batch: starting workers would cost more than it saves
            for batch in itertools.chain(head, batches):
                yield from emit(batch, *_score_texts(self.model, [p.to_split() for p in batch], self.presplit))
            return
        context = multiprocessing.get_context(WORKER_START_METHOD)
        if WORKER_START_METHOD == "forkserver":
            context.set_forkserver_preload(["parley.quiet_workers", "parley.predict"])
        # ProcessPoolExecutor, not multiprocessing.Pool: a worker that dies makes every pending
        # result raise BrokenProcessPool, where Pool silently replaces the worker and waits for
        # its lost task for ever.
        threads = max(1, available_cores() // self.workers)
        executor = ProcessPoolExecutor(
            self.workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(threads, pickle.dumps(self.model)),
        )
        try:
            in_flight: deque = deque()
            for batch in itertools.chain(head, batches):
                texts = [p.to_split() for p in batch]
                in_flight.append((batch, executor.submit(_score_in_worker, texts, self.presplit)))
                if len(in_flight) > 2 * self.workers:  # bounded read-ahead keeps memory flat
                    done, future = in_flight.popleft()
                    yield from emit(done, *_result(future))
            while in_flight:
                done, future = in_flight.popleft()
                yield from emit(done, *_result(future))
        finally:
            _stop(executor)

    def _emit(self, batch: list[_Piece], spans: list, scores: np.ndarray, on_batch, first: int):
        """(document, records, last) per piece; `first` numbers the first piece's sentences on
        from the earlier parts of its document."""
        decided = scores >= self.thresholds
        row = 0
        name, max_chars = self.model.name, self.model.max_chars
        for piece, doc_spans in zip(batch, spans):
            doc, offset = piece.doc, piece.start
            out = []
            for index, (start, end, text) in enumerate(doc_spans, first):
                out.append(
                    {
                        "doc_id": doc.id,
                        "sentence": index,
                        "start": offset + start,
                        "end": offset + end,
                        "text": text,
                        "labels": [label for label, on in zip(LABELS, decided[row]) if on],
                        "scores": {label: round(float(s), 4) for label, s in zip(LABELS, scores[row])},
                        "model": name,
                        "truncated": len(text) > max_chars,
                    }
                )
                row += 1
            yield doc, out, piece.last
            first = 0
        if on_batch:
            on_batch(sum(piece.last for piece in batch), len(scores))


def _parts(doc: Document, max_chars: int) -> Iterator[_Piece]:
    """A long document as pieces of about `max_chars`, the last one marked (a blank one still
    yields one piece, so that every document is emitted)."""
    held = _Piece(doc, 0, 0, [])
    for number, (start, end, chunks) in enumerate(parts(doc.text, max_chars)):
        if number:
            yield held
        held = _Piece(doc, start, end, chunks, last=False)
    held.last = True
    yield held


class ArticleSummary:
    """`summarise` built part by part, holding counts and the indices of labelled sentences only."""

    def __init__(self, doc_id: str):
        self.doc_id = doc_id
        self.sentences = 0
        self.acts: dict[str, list[int]] = {label: [] for label in LABELS}

    def add(self, records: list[dict]) -> None:
        self.sentences += len(records)
        for record in records:
            for label in record["labels"]:
                self.acts[label].append(record["sentence"])

    def result(self, events: list[dict] | None = None) -> dict:
        summary = {
            "type": "article",
            "doc_id": self.doc_id,
            "sentences": self.sentences,
            "counts": {label: len(indices) for label, indices in self.acts.items()},
            "sentences_by_label": self.acts,
        }
        if events is not None:
            from parley.events import summary_timeline

            summary["timeline"] = summary_timeline(events)
        return summary


def summarise(doc_id: str, records: list[dict], events: list[dict] | None = None) -> dict:
    """Per-article counts and the sentence indices carrying each act; with events, a timeline
    of the proposals with their replies (accepted / rejected / mixed / open)."""
    summary = ArticleSummary(doc_id)
    summary.add(records)
    return summary.result(events)
