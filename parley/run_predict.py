"""The prediction run behind `parley predict`: inputs, writer, progress, side file, resume."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path

from parley.errors import InputError
from parley.model import Model
from parley.predict import InputStats, Predictor, iter_documents, parse_threshold, summarise
from parley.writers import make_writer, open_output, partial_path


def _progress():
    if not sys.stderr.isatty():
        return None
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed} documents"),
                    TextColumn("{task.fields[sentences]} sentences"), TimeElapsedColumn(), transient=True)


def run_prediction(model: Model, inputs: list[str], *, fmt: str = "jsonl", output: Path | None = None,
                   text_column: str = "text", id_column: str = "id", presplit: bool = False, summary: bool = False,
                   threshold: str | None = None, batch_size: int = 1024, skip_bad: bool = False,
                   resume: bool = False, show_all: bool = False, workers: int = 1, stdout=None) -> InputStats:
    """Predict and write records; returns input statistics (documents read, skipped)."""
    if resume and fmt not in ("jsonl", "csv"):
        raise InputError("--resume works with --format jsonl or csv")
    if resume and summary and fmt == "csv":
        raise InputError("--resume with --summary needs --format jsonl (CSV summaries go to a second file)")
    predictor = Predictor(model, parse_threshold(threshold), batch_size=batch_size, presplit=presplit,
                          workers=workers)
    stats = InputStats()
    documents = iter_documents(inputs, text_column=text_column, id_column=id_column, skip_bad=skip_bad, stats=stats)

    stream, side, done, appending = open_output(output, fmt, resume)
    if stream is sys.stdout and stdout is not None:
        stream = stdout
    summary_stream = None
    summary_side = None
    if summary and fmt == "csv":
        if output is None:
            summary_stream = sys.stderr
        else:
            summary_side = partial_path(output.with_name(output.stem + ".summary.csv"))
            summary_stream = summary_side.open("w", encoding="utf-8", newline="")
    if done:
        skip = set(done)
        documents = (d for d in documents if d.id not in skip)
    writer = make_writer(fmt, stream, summary_stream, header=not appending, show_all=show_all)
    progress = _progress()
    completed = False
    try:
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
                writer.write_document(records, summarise(doc.id, records) if summary else None)
        writer.close()
        completed = True
    finally:
        if side is not None:
            stream.close()
            if summary_stream is not None and summary_side is not None:
                summary_stream.close()
            if completed:
                side.replace(output)
                if summary_side is not None:
                    summary_side.replace(summary_side.with_suffix(""))
            else:
                print(f"stopped: documents finished so far are kept in {side}; "
                      f"rerun the same command with --resume to continue", file=sys.stderr)
    if stats.skipped:
        print(f"warning: skipped {stats.skipped} bad record(s)/file(s):", file=sys.stderr)
        for problem in stats.problems[:20]:
            print(f"  {problem}", file=sys.stderr)
    if stats.documents == 0 and not done:
        raise InputError("no documents to predict on (all inputs were empty or skipped)")
    return stats
