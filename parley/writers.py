"""Record writers (JSONL, CSV, rich table) and the side-file protocol for safe output.

Output goes to `OUTPUT.partial` and is renamed to OUTPUT only when the run completes, so an
interrupted run never leaves a partial file at the output path. The side file holds whole
documents only, so `--resume` can continue from it.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path
from typing import TextIO

from parley.errors import InputError
from parley.labels import LABELS

FORMATS = ("jsonl", "csv", "table")
CSV_FIELDS = [
    "doc_id",
    "sentence",
    "start",
    "end",
    "text",
    "labels",
    *[f"score_{label}" for label in LABELS],
    "model",
    "truncated",
]
# C0 control characters (but tab and line breaks) break spreadsheets; CSV cells get a space.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SUMMARY_CSV_FIELDS = [
    "doc_id",
    "sentences",
    *[f"n_{label}" for label in LABELS],
    *[f"sentences_{label}" for label in LABELS],
]


EVENT_ROLES = ("trigger", "actor", "counterpart", "object", "source")
EVENTS_CSV_FIELDS = [
    "doc_id",
    "id",
    "act",
    "sentence",
    "answers",
    *[f"{role}_{part}" for role in EVENT_ROLES for part in ("text", "start", "end")],
]


def event_row(doc_id: str, event: dict) -> dict:
    row = {
        "doc_id": doc_id,
        "id": event["id"],
        "act": event["act"],
        "sentence": event["sentence"],
        "answers": event.get("answers") or "",
    }
    for role in EVENT_ROLES:
        span = event.get(role) or {}
        row.update(
            {
                f"{role}_text": _CONTROL.sub(" ", span.get("text", "")),
                f"{role}_start": span.get("start", ""),
                f"{role}_end": span.get("end", ""),
            }
        )
    return row


def who_act_what(events: list[dict]) -> str:
    """Table cell: "actor act object" per event of a sentence ("-" for a role not stated)."""

    def text(span):
        return span["text"] if span else "-"

    return "; ".join(
        f"{text(e.get('actor'))} {e['act']} {text(e.get('object'))}"
        + (f" (answers {e['answers'].rsplit('-', 1)[-1]})" if e.get("answers") else "")
        for e in events
    )


class RecordWriter:
    def __init__(self, stream: TextIO, summary_stream: TextIO | None = None):
        self.stream = stream
        self.summary_stream = summary_stream

    def write_records(self, records: list[dict], summary: dict | None, events: list[dict] | None = None) -> None:
        """Records of one document, or of the next part of a long one (with events, documents
        come whole); the summary comes with the document's last part."""
        raise NotImplementedError

    def close(self) -> None:
        self.stream.flush()


class JsonlWriter(RecordWriter):
    """Sentence records carry "type": "sentence"; article summaries "type": "article"."""

    def write_records(self, records, summary, events=None):
        for record in records:
            self.stream.write(json.dumps({"type": "sentence", **record}, ensure_ascii=False) + "\n")
        if summary is not None:
            self.stream.write(json.dumps(summary, ensure_ascii=False) + "\n")


class CsvWriter(RecordWriter):
    """Sentences in the main file; with --summary and --events, one row per article and per
    event in OUTPUT.summary.csv and OUTPUT.events.csv."""

    def __init__(self, stream, summary_stream=None, header: bool = True, events_stream=None):
        super().__init__(stream, summary_stream)
        self.writer = csv.DictWriter(stream, CSV_FIELDS, lineterminator="\n")
        self.summary_writer = (
            csv.DictWriter(summary_stream, SUMMARY_CSV_FIELDS, lineterminator="\n") if summary_stream else None
        )
        self.events_writer = (
            csv.DictWriter(events_stream, EVENTS_CSV_FIELDS, lineterminator="\n") if events_stream else None
        )
        if header:
            for writer in (self.writer, self.summary_writer, self.events_writer):
                if writer:
                    writer.writeheader()

    def write_records(self, records, summary, events=None):
        if self.events_writer and events and records:
            for event in events:
                self.events_writer.writerow(event_row(records[0]["doc_id"], event))
        for r in records:
            self.writer.writerow(
                {
                    "doc_id": r["doc_id"],
                    "sentence": r["sentence"],
                    "start": r["start"],
                    "end": r["end"],
                    "text": _CONTROL.sub(" ", r["text"]),
                    "labels": ";".join(r["labels"]),
                    **{f"score_{label}": r["scores"][label] for label in LABELS},
                    "model": r["model"],
                    "truncated": r["truncated"],
                }
            )
        if summary is not None and self.summary_writer:
            self.summary_writer.writerow(
                {
                    "doc_id": summary["doc_id"],
                    "sentences": summary["sentences"],
                    **{f"n_{label}": summary["counts"][label] for label in LABELS},
                    **{
                        f"sentences_{label}": " ".join(map(str, summary["sentences_by_label"][label]))
                        for label in LABELS
                    },
                }
            )


class TableWriter(RecordWriter):
    """A rich table of sentences with at least one label (all sentences with show_all)."""

    def __init__(self, stream, summary_stream=None, show_all: bool = False, events: bool = False):
        super().__init__(stream, summary_stream)
        self.events = events
        from rich.console import Console

        self.console = Console(file=stream, width=max(100, min(160, _terminal_width())))
        self.show_all = show_all
        self.rows: list[tuple] = []
        self.summaries: list[dict] = []
        self.sentences = 0
        self.with_acts = 0

    def write_records(self, records, summary, events=None):
        self.sentences += len(records)
        self.with_acts += sum(1 for r in records if r["labels"])
        for r in records:
            if r["labels"] or self.show_all:
                row = (
                    r["doc_id"],
                    str(r["sentence"]),
                    r["text"],
                    ", ".join(r["labels"]) or "-",
                    " ".join(f"{r['scores'][label]:.2f}" for label in LABELS),
                )
                self.rows.append(row + ((who_act_what(r.get("events", [])),) if self.events else ()))
        if summary is not None:
            self.summaries.append(summary)

    def close(self):
        from rich.table import Table

        shown = "all sentences" if self.show_all else "sentences with an act"
        table = Table(
            title=f"Acts found in {self.with_acts} of {self.sentences} sentences ({shown} listed)",
            caption="scores: P proposal, A agreement, R rejection (an act when at or above its threshold)",
            show_lines=False,
        )
        columns = [("doc", "cyan"), ("#", "dim"), ("sentence", None), ("labels", "bold"), ("scores P A R", "dim")]
        for name, style in columns + ([("who · act · what", None)] if self.events else []):
            table.add_column(name, style=style, overflow="fold")
        for row in self.rows:
            table.add_row(*row)
        self.console.print(table)
        if self.summaries:
            summary = Table(title="Per article")
            for name in ("doc", "sentences", *LABELS):
                summary.add_column(name)
            for s in self.summaries:
                summary.add_row(
                    s["doc_id"],
                    str(s["sentences"]),
                    *[f"{s['counts'][label]} {s['sentences_by_label'][label]}" for label in LABELS],
                )
            self.console.print(summary)
            steps = [(s["doc_id"], item) for s in self.summaries for item in s.get("timeline", [])]
            if steps:
                timeline = Table(title="Proposals and their replies")
                for name in ("doc", "proposal", "by", "what", "status", "replies"):
                    timeline.add_column(name, overflow="fold")
                for doc_id, item in steps:
                    replies = ", ".join(f"{r['actor'] or '?'} {r['act']} (s{r['sentence']})" for r in item["replies"])
                    timeline.add_row(
                        doc_id,
                        f"s{item['sentence']}",
                        item["actor"] or "-",
                        item["object"] or "-",
                        item["status"],
                        replies or "-",
                    )
                self.console.print(timeline)
        self.stream.flush()


def _terminal_width() -> int:
    try:
        return os.get_terminal_size().columns
    except OSError:
        return 120


def make_writer(
    fmt: str,
    stream: TextIO,
    summary_stream: TextIO | None = None,
    *,
    header: bool = True,
    show_all: bool = False,
    events_stream: TextIO | None = None,
    events: bool = False,
) -> RecordWriter:
    if fmt == "jsonl":
        return JsonlWriter(stream, summary_stream)
    if fmt == "csv":
        return CsvWriter(stream, summary_stream, header=header, events_stream=events_stream)
    if fmt == "table":
        return TableWriter(stream, summary_stream, show_all=show_all, events=events)
    raise InputError(f"unknown format {fmt!r}; expected one of {list(FORMATS)}")


def read_partial(path: Path, fmt: str) -> tuple[list[str], int]:
    """Documents fully written to a side file, and the byte length holding exactly them.

    The last document seen may be incomplete (the run stopped while writing it), so it is
    dropped and redone; a torn last line is dropped too.
    """
    if fmt not in ("jsonl", "csv"):
        raise InputError("--resume works with --format jsonl or csv")
    docs: list[str] = []
    ends: list[int] = []  # byte offset after the last line of each doc
    offset = 0
    with path.open("rb") as handle:
        raw_lines = handle.readlines()
    header_end = 0
    for number, raw in enumerate(raw_lines):
        line_end = offset + len(raw)
        offset = line_end
        if not raw.endswith(b"\n"):
            break
        text = raw.decode("utf-8", errors="replace")
        if fmt == "csv":
            if number == 0:
                header_end = line_end
                continue
            try:
                doc_id = next(csv.reader(io.StringIO(text)))[0]
            except (StopIteration, csv.Error, IndexError):
                break
        else:
            try:
                doc_id = json.loads(text)["doc_id"]
            except (ValueError, KeyError, TypeError):
                break
        if not docs or docs[-1] != doc_id:
            docs.append(doc_id)
            ends.append(line_end)
        else:
            ends[-1] = line_end
    if len(docs) <= 1:
        return [], header_end
    return docs[:-1], ends[-2]
