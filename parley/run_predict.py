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
from parley.predict import InputStats, Predictor, iter_documents, looks_non_english, summarise
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


def check_options(options: RunOptions, output: Path | None, resume: bool, force: bool = False) -> None:
    """The one place where flag combinations are refused (the CLI calls it before loading anything)."""
    if output is not None and output.exists() and not (resume or force):
        raise InputError("output exists; pass --force to replace it (or --resume to continue it)", output)
    if resume and output is None:
        raise InputError("--resume needs --out FILE")
    if resume and options.fmt not in ("jsonl", "csv"):
        raise InputError("--resume works with --format jsonl or csv")


def run_description(model: Model, options: RunOptions) -> dict:
    model_json = (model.directory / MODEL_JSON).read_bytes()
    return {"model": str(model.directory), "model_sha256": hashlib.sha256(model_json).hexdigest(),
            "thresholds": [float(t) for t in model.thresholds(options.threshold)], "options": asdict(options)}


# The model directory may move between a run and its resume; its content may not.
RESUME_MUST_MATCH = ("model_sha256", "thresholds", "options")


def _describe_path(side: Path) -> Path:
    return side.with_name(side.name + ".json")


def summary_path(output: Path) -> Path:
    return output.with_name(output.stem + ".summary.csv")


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
            raise InputError(f"cannot resume: the interrupted run used different {', '.join(changed)} "
                             f"(see {_describe_path(side)}); rerun it as it was, or start again without --resume",
                             self.output)
        self.done, keep = read_partial(side, self.options.fmt)
        try:
            with side.open("r+b") as handle:
                handle.truncate(keep)
            if self.options.summary and self.options.fmt == "csv":
                _keep_summary_rows(partial_path(summary_path(self.output)), set(self.done))
        except OSError as exc:
            raise output_error(exc, side) from None
        return keep > 0

    def _recorded_description(self) -> dict:
        try:
            return json.loads(_describe_path(self.side).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}

    def open(self, stack: ExitStack, stdout: TextIO | None = None) -> tuple[TextIO, TextIO | None, bool]:
        """(record stream, summary stream or None, appending) for the duration of `stack`."""
        if self.output is None:
            stream = stdout or sys.stdout
            summary = sys.stderr if self.options.summary and self.options.fmt == "csv" else None
            return stream, summary, False
        appending = self._prepare_resume() if self.resume else False
        stream = stack.enter_context(staged_file(self.output, append=self.resume, keep_partial=True))
        try:
            _describe_path(self.side).write_text(json.dumps(self.description, indent=1), encoding="utf-8")
        except OSError as exc:
            raise output_error(exc, self.side) from None
        summary = None
        if self.options.summary and self.options.fmt == "csv":
            summary = stack.enter_context(staged_file(summary_path(self.output), append=self.resume, keep_partial=True))
        self.opened = True
        return stream, summary, appending

    def finished(self) -> None:
        if self.side is not None:
            _describe_path(self.side).unlink(missing_ok=True)

    def stopped(self) -> None:
        side = self.side
        if side is None or not self.opened:
            return
        if self.documents_written == 0 and not self.done:
            for path in (side, _describe_path(side), partial_path(summary_path(self.output))):
                path.unlink(missing_ok=True)
            print("stopped before any document was finished: nothing to resume", file=sys.stderr)
            return
        print(f"stopped: documents finished so far are kept in {side}; "
              "rerun the same command with --resume to continue", file=sys.stderr)


def _keep_summary_rows(path: Path, keep: set[str]) -> None:
    if not path.exists():
        return
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    kept = lines[:1] + [line for line in lines[1:] if line.endswith("\n")
                        and next(csv.reader(io.StringIO(line)), [""])[0] in keep]
    path.write_text("".join(kept), encoding="utf-8")


def _progress(quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed} documents"),
                    TextColumn("{task.fields[sentences]} sentences"), TimeElapsedColumn(), transient=True)


def run_prediction(model: Model, inputs: list[str], *, options: RunOptions = RunOptions(), output: Path | None = None,
                   batch_size: int = 1024, skip_bad: bool = False, resume: bool = False, workers: int = 1,
                   quiet: bool = False, stdout=None) -> InputStats:
    """Predict and write records; returns input statistics (documents read, skipped)."""
    predictor = Predictor(model, options.threshold, batch_size=batch_size, presplit=options.presplit, workers=workers)
    stats = InputStats()
    documents = iter_documents(inputs, text_column=options.text_column, id_column=options.id_column,
                               skip_bad=skip_bad, stats=stats)
    target = PredictionOutput(output, options, run_description(model, options), resume)
    progress = _progress(quiet)
    non_english: list[str] = []
    try:
        with ExitStack() as stack:
            stream, summary_stream, appending = target.open(stack, stdout)
            if target.done:
                skip = set(target.done)
                documents = (d for d in documents if d.id not in skip)
            writer = make_writer(options.fmt, stream, summary_stream, header=not appending, show_all=options.show_all)
            with progress or nullcontext():
                task = progress.add_task("predicting", total=None, sentences=0) if progress else None
                sentences = 0

                def on_batch(n_docs: int, n_sentences: int) -> None:
                    nonlocal sentences
                    sentences += n_sentences
                    if progress:
                        progress.update(task, advance=n_docs, sentences=sentences)
                    stream.flush()

                for doc, records in predictor.records(documents, on_batch=on_batch):
                    writer.write_document(records, summarise(doc.id, records) if options.summary else None)
                    target.documents_written += 1
                    if looks_non_english(doc.text):
                        non_english.append(doc.id)
            writer.close()
    except OSError as exc:
        target.stopped()
        raise output_error(exc, output or Path("<stdout>")) from None
    except BaseException:
        target.stopped()
        raise
    target.finished()
    if non_english:
        print(f"warning: {len(non_english)} document(s) do not look like English (first: {non_english[0]}); Parley's "
              "models are trained on English news and will find few or no acts there", file=sys.stderr)
    if stats.skipped:
        print(f"warning: skipped {stats.skipped} bad record(s)/file(s):", file=sys.stderr)
        for problem in stats.problems[:20]:
            print(f"  {problem}", file=sys.stderr)
    if stats.documents == 0 and not target.done:
        raise InputError("no documents to predict on (all inputs were empty or skipped)")
    return stats
