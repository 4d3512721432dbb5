"""Readers for labelled records and prediction inputs (JSONL, CSV, plain text).

Every reader streams, decodes UTF-8 (with or without BOM) and UTF-16 (with BOM),
accepts CRLF line ends, and reports problems as file:line.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from parley.errors import InputError
from parley.labels import UnknownLabel, validate_labels

TEXT_SUFFIXES = {".txt", ".text", ".md"}
TABLE_SUFFIXES = {".jsonl", ".ndjson", ".csv", ".tsv"}
# Used to split a label cell in CSV ("proposal;rejection").
CSV_LABEL_SEPARATORS = (";", "|", ",")
# Fields a labelled record may carry besides text and labels; anything else goes to `extra`.
KNOWN_FIELDS = ("id", "article_id", "position", "domain", "split", "confidence", "source", "group", "note", "twin_of")


@dataclass(slots=True)
class Record:
    """One labelled sentence."""

    id: str
    text: str
    labels: tuple[str, ...]
    path: str
    line: int
    article_id: str | None = None
    position: int | None = None
    domain: str | None = None
    split: str | None = None
    confidence: str | None = None
    source: str | None = None
    group: str | None = None
    note: str | None = None
    twin_of: str | None = None  # a minimal twin: the id of the sentence it flips; shares its split
    extra: dict = field(default_factory=dict)

    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(slots=True)
class Problem:
    path: str
    line: int | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.severity}: {self.message}"


# ---------------------------------------------------------------------------
# Decoding


def _sniff_encoding(head: bytes, path: Path) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise InputError("looks like a binary file (NUL bytes), not UTF-8 text", path)
    return "utf-8"


def iter_lines(path: str | Path) -> Iterator[tuple[int, str]]:
    """Yield (line_number, line without its line end), decoding strictly, streaming."""
    path = Path(path)
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise InputError("no such file", path) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a file", path) from None
    except PermissionError:
        raise InputError("permission denied", path) from None
    with handle:
        encoding = _sniff_encoding(handle.read(4096), path)
        handle.seek(0)
        if encoding == "utf-16":
            text = io.TextIOWrapper(handle, encoding="utf-16", newline=None)
            try:
                for number, line in enumerate(text, 1):
                    yield number, line.rstrip("\r\n")
            except UnicodeDecodeError as exc:
                raise InputError(f"invalid UTF-16: {exc.reason}", path) from None
            return
        number = 0
        for raw in handle:  # not enumerate(), which keeps the last line it gave until the next one
            number += 1
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
            if b"\x00" in raw:
                raise InputError("looks like a binary file (NUL bytes), not UTF-8 text", path, number)
            try:
                line = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"invalid UTF-8 at byte {exc.start} of the line (re-save the file as UTF-8)", path, number
                ) from None
            # While the caller works on a line (a JSONL record of 50 MB, say), hold it once, not
            # also as bytes and unstripped.
            del raw
            yield number, line


def read_text(path: str | Path) -> str:
    """A whole text file, decoded; CRLF becomes LF so offsets match what users see."""
    return "\n".join(line for _, line in iter_lines(path))


# ---------------------------------------------------------------------------
# Rows from JSONL / CSV


def iter_rows(
    path: str | Path, delimiter: str | None = None, problems: list[Problem] | None = None
) -> Iterator[tuple[int, dict]]:
    """Yield (line, row dict) from a .jsonl or .csv/.tsv file, streaming.

    With `problems` given, malformed JSONL lines are reported there and skipped.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        for number, line in iter_lines(path):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                if not isinstance(row, dict):
                    raise InputError(f"expected a JSON object, got {type(row).__name__}", path, number)
            except json.JSONDecodeError as exc:
                error = InputError(f"malformed JSON: {exc.msg} (column {exc.colno})", path, number)
            except InputError as exc:
                error = exc
            else:
                yield number, row
                continue
            if problems is None:
                raise error
            problems.append(Problem(str(path), number, error.message))
    elif suffix in (".csv", ".tsv"):
        lines = iter_lines(path)
        line_numbers: list[int] = []

        def feed() -> Iterator[str]:
            for number, line in lines:
                line_numbers.append(number)
                yield line + "\n"

        reader = csv.DictReader(feed(), delimiter=delimiter or ("\t" if suffix == ".tsv" else ","))
        try:
            for row in reader:
                number = line_numbers[-1] if line_numbers else 1
                if None in row:
                    raise InputError("row has more fields than the header", path, number)
                yield number, row
        except csv.Error as exc:
            raise InputError(f"malformed CSV: {exc}", path, line_numbers[-1] if line_numbers else None) from None
        if reader.fieldnames is None:
            raise InputError("empty CSV file (no header row)", path)
    else:
        raise InputError(f"unsupported file type {suffix!r}; expected .jsonl or .csv", path)


def csv_header(path: str | Path) -> list[str]:
    for _, line in iter_lines(path):
        return next(csv.reader([line], delimiter="\t" if Path(path).suffix.lower() == ".tsv" else ","))
    return []


def _parse_labels(value) -> list[str]:
    if value is None:
        raise ValueError("labels field is null")
    if isinstance(value, list):
        if not all(isinstance(v, str) for v in value):
            raise ValueError(f"labels must be strings, got {value!r}")
        return value
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("["):
            return _parse_labels(json.loads(value))
        for sep in CSV_LABEL_SEPARATORS:
            if sep in value:
                return [part.strip() for part in value.split(sep) if part.strip()]
        return [value] if value else []
    raise ValueError(f"labels must be a list or a string, got {type(value).__name__}")


def iter_records(
    path: str | Path,
    problems: list[Problem] | None = None,
    *,
    require_labels: bool = True,
    text_field: str = "text",
    labels_field: str = "labels",
) -> Iterator[Record]:
    """Yield validated records from one file.

    With `problems` given, bad rows are reported there and skipped (so `data check` can list
    every problem); without it the first bad row raises InputError.
    """
    path_str = str(path)

    def fail(line: int | None, message: str) -> None:
        if problems is None:
            raise InputError(message, path_str, line)
        problems.append(Problem(path_str, line, message))

    rows = 0
    try:
        for number, row in iter_rows(path, problems=problems):
            rows += 1
            if _is_event_article(row):
                try:
                    yield from _event_article_records(row, path_str, number)
                except (InputError, UnknownLabel, ValueError) as exc:
                    fail(number, getattr(exc, "message", str(exc)))
                continue
            text = row.get(text_field)
            if text_field not in row:
                fail(number, f"record has no {text_field!r} field")
                continue
            if not isinstance(text, str) or not text.strip():
                fail(number, "empty text")
                continue
            if require_labels or row.get(labels_field) is not None:
                if labels_field not in row:
                    fail(number, f"record has no {labels_field!r} field")
                    continue
                try:
                    labels = tuple(validate_labels(_parse_labels(row[labels_field])))
                except (UnknownLabel, ValueError) as exc:
                    fail(number, str(exc))
                    continue
            else:
                labels = ()
            position = row.get("position")
            try:
                position = int(position) if position not in (None, "") else None
            except (TypeError, ValueError):
                fail(number, f"position must be an integer, got {position!r}")
                continue
            known = {name: row.get(name) for name in KNOWN_FIELDS}
            yield Record(
                id=str(known["id"]) if known["id"] not in (None, "") else f"{Path(path_str).name}:{number}",
                text=text,
                labels=labels,
                path=path_str,
                line=number,
                article_id=_opt_str(known["article_id"]),
                position=position,
                domain=_opt_str(known["domain"]),
                split=_opt_str(known["split"]),
                confidence=_opt_str(known["confidence"]),
                source=_opt_str(known["source"]),
                group=_opt_str(known["group"]),
                note=_opt_str(known["note"]),
                twin_of=_opt_str(known["twin_of"]),
                extra={k: v for k, v in row.items() if k not in KNOWN_FIELDS and k not in (text_field, labels_field)},
            )
    except InputError as exc:
        if problems is None:
            raise
        problems.append(Problem(exc.path or path_str, exc.line, exc.message))
        return
    if rows == 0:
        fail(None, "no records (empty file)")


def _is_event_article(row: dict) -> bool:
    return isinstance(row.get("events"), list) and isinstance(row.get("sentences"), list) and "labels" not in row


def _event_article_records(row: dict, path: str, line: int) -> Iterator[Record]:
    """An event-annotated article (data/events) read as its labelled sentences, so that data
    checks, training and evaluation see it like any corpus article."""
    from parley.segment import split_sentences

    text, article = row.get("text"), _opt_str(row.get("article_id"))
    if not isinstance(text, str) or article is None:
        raise InputError("an event-annotated article needs 'article_id' and 'text'")
    sentences = split_sentences(text)
    if len(sentences) != len(row["sentences"]):
        raise InputError(
            f"article {article!r}: 'sentences' lists {len(row['sentences'])} entries, "
            f"the text splits into {len(sentences)} sentences"
        )
    for position, (sentence, entry) in enumerate(zip(sentences, row["sentences"])):
        yield Record(
            id=f"{article}-s{position:02d}",
            text=sentence.text,
            labels=tuple(validate_labels(entry.get("labels", []))),
            path=path,
            line=line,
            article_id=article,
            position=position,
            domain=_opt_str(row.get("domain")),
            split=_opt_str(row.get("split")),
        )


def _opt_str(value) -> str | None:
    return None if value in (None, "") else str(value)


def data_files(paths: list[str | Path]) -> list[Path]:
    """Expand files and directories (recursively) into .jsonl/.csv data files, sorted."""
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in TABLE_SUFFIXES)
            if not found:
                raise InputError("directory has no .jsonl or .csv files", path)
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputError("no such file or directory", path)
    return files


def load_records(
    paths: list[str | Path], *, require_labels: bool = True, problems: list[Problem] | None = None
) -> list[Record]:
    """Read records from files/directories and reject duplicate ids (within one file)."""
    records: list[Record] = []
    for path in data_files(paths):
        seen: dict[str, int] = {}
        for record in iter_records(path, problems, require_labels=require_labels):
            if record.id in seen:
                message = f"duplicate id {record.id!r} (first at line {seen[record.id]})"
                if problems is None:
                    raise InputError(message, path, record.line)
                problems.append(Problem(str(path), record.line, message))
                continue
            seen[record.id] = record.line
            records.append(record)
    return records


def stdin_text() -> str:
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"invalid UTF-8 at byte {exc.start}", "<stdin>") from None
