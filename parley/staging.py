"""Atomic outputs: every file or directory Parley writes is built beside its destination under
`NAME.partial` and renamed over it only when complete, so an interrupted or failed run never
leaves a half-written output and never loses the previous one.

Used by predictions and their summaries, models, ONNX exports, reports, `parley data split`
and Ray shards. OS errors (read-only folder, disk full, no permission) become one-line
`OutputError`s naming the path.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from parley.errors import OutputError


def partial_path(path: Path) -> Path:
    return path.with_name(path.name + ".partial")


def output_error(exc: OSError, path: Path) -> OutputError:
    reason = exc.strerror or exc.__class__.__name__
    return OutputError(f"cannot write: {reason}", exc.filename or path)


@contextmanager
def staged_file(
    path: str | Path, *, append: bool = False, keep_partial: bool = False, encoding: str = "utf-8", newline: str = ""
) -> Iterator[TextIO]:
    """A text stream on PATH.partial, renamed to PATH when the block completes.

    If the block fails the partial file is removed, or kept with `keep_partial` (prediction
    keeps whole documents there for --resume). `append` continues an existing partial file.
    """
    path = Path(path)
    side = partial_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = side.open("a" if append else "w", encoding=encoding, newline=newline)
    except OSError as exc:
        raise output_error(exc, side) from None
    completed = False
    try:
        try:
            yield handle
            handle.close()
            os.replace(side, path)
        except OSError as exc:
            raise output_error(exc, side) from None
        completed = True
    finally:
        if not handle.closed:
            try:
                handle.close()
            except OSError:
                pass
        if not completed and not keep_partial:
            side.unlink(missing_ok=True)


@contextmanager
def staged_dir(path: str | Path) -> Iterator[Path]:
    """A fresh PATH.partial directory; when the block completes it replaces PATH (the old one
    is moved aside first and removed last). It never outlives the block."""
    path = Path(path)
    staging = partial_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir()
    except OSError as exc:
        raise output_error(exc, staging) from None
    try:
        try:
            yield staging
            _replace_dir(staging, path)
        except OSError as exc:
            raise output_error(exc, path) from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _replace_dir(staging: Path, path: Path) -> None:
    if not path.exists():
        staging.rename(path)
        return
    backup = path.with_name(path.name + ".old")
    if backup.exists():
        shutil.rmtree(backup)
    path.rename(backup)
    staging.rename(path)
    shutil.rmtree(backup, ignore_errors=True)
