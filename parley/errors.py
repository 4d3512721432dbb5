"""Errors a user can act on: each names the file and, where there is one, the line."""

from __future__ import annotations

from pathlib import Path


class ParleyError(Exception):
    """A problem with the user's input, model or environment; printed as one line."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path or ""
        if self.path and self.line is not None:
            where = f"{self.path}:{self.line}"
        return f"{where}: {self.message}" if where else self.message


class InputError(ParleyError):
    """Bad or unreadable input data."""


class ModelError(ParleyError):
    """A model directory that is missing, invalid, unsafe or tampered with."""


class OutputError(ParleyError):
    """An output that cannot be written (read-only folder, disk full, no permission)."""
