"""The prediction run behind `parley predict` and `parley.load(...).predict_files`: documents
in, records out, through a `PredictionOutput` that owns the side files and resume.

Flag combinations are checked once, in the CLI (`check_options`); this module trusts them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
from contextlib import ExitStack, nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

from parley.errors import InputError
from parley.model import MODEL_JSON, Model
from parley.predict import ArticleSummary, InputStats, Predictor, iter_documents, looks_non_english
from parley.staging import output_error, partial_path, staged_file
from parley.writers import make_writer, read_partial


@dataclass(frozen=True)
class RunOptions:
    """Everything that shapes the output of a run: --resume continues only an identical run."""

    fmt: str = "jsonl"
    summary: bool = False
    presplit: bool = False
    text_column: str = "text"
    id_column: str = "id"
    threshold: float | dict | None = None
    show_all: bool = False
    events: bool = False
    html: str | None = None


def check_options(options: RunOptions, output: Path | None, resume: bool, force: bool = False) -> None:
    """The one place where flag combinations are refused (the CLI calls it before loading anything)."""
    if output is not None and output.exists() and not (resume or force):
        raise InputError("output exists; pass --force to replace it (or --resume to continue it)", output)
    if resume and output is None:
        raise InputError("--resume needs --out FILE")
    if resume and options.fmt not in ("jsonl", "csv"):
        raise InputError("--resume works with --format jsonl or csv")
    if options.events and options.fmt == "csv" and output is None:
        raise InputError("--events with --format csv writes events to OUTPUT.events.csv: give --out FILE")
    if options.html and resume:
        raise InputError("--html draws the documents of one run: it cannot be resumed")


def run_description(model: Model, options: RunOptions) -> dict:
    model_json = (model.directory / MODEL_JSON).read_bytes()
    return {
        "model": str(model.directory),
        "model_sha256": hashlib.sha256(model_json).hexdigest(),
        "thresholds": [float(t) for t in model.thresholds(options.threshold)],
        "options": asdict(options),
    }


# The model directory may move between a run and its resume; its content may not.
RESUME_MUST_MATCH = ("model_sha256", "thresholds", "options")


def _describe_path(side: Path) -> Path:
    return side.with_name(side.name + ".json")


def summary_path(output: Path) -> Path:
    return output.with_name(output.stem + ".summary.csv")


def events_path(output: Path) -> Path:
    return output.with_name(output.stem + ".events.csv")


class PredictionOutput:
    """stdout, or OUTPUT written through OUTPUT.partial (whole documents only, kept on
    interruption for --resume, with OUTPUT.partial.json describing the run) and, for CSV with
    --summary, OUTPUT.summary.csv through its own side file."""

    def __init__(self, output: Path | None, options: RunOptions, description: dict, resume: bool = False):
        self.output = output
        self.options = options
        self.description = description
        self.resume = resume
        self.done: list[str] = []
        self.documents_written = 0
        self.opened = False

    @property
    def side(self) -> Path | None:
        return partial_path(self.output) if self.output is not None else None

    def _prepare_resume(self) -> bool:
        """Truncate the side files to whole documents; True when appending to them."""
        side = self.side
        if not side.exists():
            raise InputError(f"nothing to resume: {side} does not exist; run again without --resume", self.output)
        recorded = self._recorded_description()
        changed = [key for key in RESUME_MUST_MATCH if recorded.get(key) != self.description[key]]
        if changed:
            raise InputError(
                f"cannot resume: the interrupted run used different {', '.join(changed)} "
                f"(see {_describe_path(side)}); rerun it as it was, or start again without --resume",
                self.output,
            )
        self.done, keep = read_partial(side, self.options.fmt)
        try:
            with side.open("r+b") as handle:
                handle.truncate(keep)
            for extra in self._extra_csv_files():
                _keep_csv_rows(partial_path(extra), set(self.done))
        except OSError as exc:
            raise output_error(exc, side) from None
        return keep > 0

    def _recorded_description(self) -> dict:
        try:
            return json.loads(_describe_path(self.side).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def _extra_csv_files(self) -> list[Path]:
        """CSV output's second and third files: summaries and events (one row each)."""
        if self.options.fmt != "csv" or self.output is None:
            return []
        return ([summary_path(self.output)] if self.options.summary else []) + (
            [events_path(self.output)] if self.options.events else []
        )

    def open(self, stack: ExitStack, stdout: TextIO | None = None) -> tuple[TextIO, TextIO | None, TextIO | None, bool]:
        """(record stream, summary stream, events stream (CSV), appending) for the duration of `stack`."""
        if self.output is None:
            stream = stdout or sys.stdout
            summary = sys.stderr if self.options.summary and self.options.fmt == "csv" else None
            return stream, summary, None, False
        appending = self._prepare_resume() if self.resume else False
        stream = stack.enter_context(staged_file(self.output, append=self.resume, keep_partial=True))
        try:
            _describe_path(self.side).write_text(json.dumps(self.description, indent=1), encoding="utf-8")
        except OSError as exc:
            raise output_error(exc, self.side) from None
        summary = events = None
        if self.options.summary and self.options.fmt == "csv":
            summary = stack.enter_context(staged_file(summary_path(self.output), append=self.resume, keep_partial=True))
        if self.options.events and self.options.fmt == "csv":
            events = stack.enter_context(staged_file(events_path(self.output), append=self.resume, keep_partial=True))
        self.opened = True
        return stream, summary, events, appending

    def finished(self) -> None:
        if self.side is not None:
            _describe_path(self.side).unlink(missing_ok=True)

    def stopped(self) -> None:
        side = self.side
        if side is None or not self.opened:
            return
        if self.documents_written == 0 and not self.done:
            for path in (side, _describe_path(side), *map(partial_path, self._extra_csv_files())):
                path.unlink(missing_ok=True)
            print("stopped before any document was finished: nothing to resume", file=sys.stderr)
            return
        print(
            f"stopped: documents finished so far are kept in {side}; rerun the same command with --resume to continue",
            file=sys.stderr,
        )


def _keep_csv_rows(path: Path, keep: set[str]) -> None:
    """Keep the header and the rows of the documents kept in the main side file."""
    if not path.exists():
        return
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    kept = lines[:1] + [
        line for line in lines[1:] if line.endswith("\n") and next(csv.reader(io.StringIO(line)), [""])[0] in keep
    ]
    path.write_text("".join(kept), encoding="utf-8")


def _documents(predictor: Predictor, documents, options: RunOptions, on_batch):
    """(document, records, events or None, last) in input order. Without events, a long document
    comes in parts (memory stays bounded on one huge line); events link replies across a whole
    document, so with them each document comes whole."""
    if not options.events:
        return ((doc, records, None, last) for doc, records, last in predictor.parts(documents, on_batch))
    from parley.events import attach_events

    pairs = predictor.records(documents, on_batch)
    return ((doc, records, events, True) for doc, records, events in attach_events(pairs))


def _progress(quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed} documents"),
        TextColumn("{task.fields[sentences]} sentences"),
        TimeElapsedColumn(),
        transient=True,
    )


def run_prediction(
    model: Model,
    inputs: list[str],
    *,
    options: RunOptions = RunOptions(),
    output: Path | None = None,
    batch_size: int = 1024,
    skip_bad: bool = False,
    resume: bool = False,
    workers: int = 1,
    quiet: bool = False,
    stdout=None,
) -> InputStats:
    """Predict and write records; returns input statistics (documents read, skipped)."""
    predictor = Predictor(model, options.threshold, batch_size=batch_size, presplit=options.presplit, workers=workers)
    stats = InputStats()
    documents = iter_documents(
        inputs, text_column=options.text_column, id_column=options.id_column, skip_bad=skip_bad, stats=stats
    )
    target = PredictionOutput(output, options, run_description(model, options), resume)
    progress = _progress(quiet)
    non_english: list[str] = []
    try:
        with ExitStack() as stack:
            stream, summary_stream, events_stream, appending = target.open(stack, stdout)
            if target.done:
                skip = set(target.done)
                documents = (d for d in documents if d.id not in skip)
            writer = make_writer(
                options.fmt,
                stream,
                summary_stream,
                header=not appending,
                show_all=options.show_all,
                events_stream=events_stream,
                events=options.events,
            )
            drawn: list[dict] = []
            with progress or nullcontext():
                task = progress.add_task("predicting", total=None, sentences=0) if progress else None
                sentences = 0

                def on_batch(n_docs: int, n_sentences: int) -> None:
                    nonlocal sentences
                    sentences += n_sentences
                    if progress:
                        progress.update(task, advance=n_docs, sentences=sentences)
                    stream.flush()

                summary: ArticleSummary | None = None
                for doc, records, events, last in _documents(predictor, documents, options, on_batch):
                    if options.summary:
                        summary = summary or ArticleSummary(doc.id)
                        summary.add(records)
                    writer.write_records(records, summary.result(events) if summary and last else None, events)
                    if not last:
                        continue
                    summary = None
                    target.documents_written += 1
                    if options.html:
                        drawn.append({"doc_id": doc.id, "sentences": records, "events": events or []})
                    if looks_non_english(doc.text):
                        non_english.append(doc.id)
            writer.close()
            if options.html:
                from parley.html_view import render_html

                with staged_file(options.html) as handle:
                    handle.write(render_html(drawn))
    except OSError as exc:
        target.stopped()
        raise output_error(exc, output or Path("<stdout>")) from None
    except BaseException:
        target.stopped()
        raise
    target.finished()
    if non_english:
        print(
            f"warning: {len(non_english)} document(s) do not look like English (first: {non_english[0]}); Parley's "
            "models are trained on English news and will find few or no acts there",
            file=sys.stderr,
        )
    if stats.skipped:
        print(f"warning: skipped {stats.skipped} bad record(s)/file(s):", file=sys.stderr)
        for problem in stats.problems[:20]:
            print(f"  {problem}", file=sys.stderr)
    if stats.documents == 0 and not target.done:
        raise InputError("no documents to predict on (all inputs were empty or skipped)")
    return stats
