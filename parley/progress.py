"""What a long command is doing, on stderr: one transient line per stage with elapsed time, and
a bar (done/total, ETA) for stages that count items. Off when stderr is not a terminal or when
the caller says so (--quiet). Used by evaluate and leaderboard (model, data, scoring, bootstrap,
contrast, pools, events, writing) and by embed training (the frozen encoder embedding the
training sentences: half an hour with mpnet on 2 cores, silent before)."""

from __future__ import annotations

import sys


class StageProgress:
    def __init__(self, enabled: bool | None = None, console=None):
        """`enabled` None: on when stderr is a terminal (or a `console` is given)."""
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        if enabled is None:
            enabled = console is not None or sys.stderr.isatty()
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=console or Console(stderr=True),
            transient=True,
            disable=not enabled,
        )
        self._task = None

    def __enter__(self) -> StageProgress:
        self.progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self.progress.stop()

    def stage(self, description: str, total: int | None = None) -> None:
        """Start a stage (ending the previous one); `total` gives it a bar."""
        if self._task is not None:
            self.progress.remove_task(self._task)
        self._task = self.progress.add_task(description, total=total)
        self.progress.refresh()

    def advance(self, amount: int) -> None:
        self.progress.advance(self._task, amount)
