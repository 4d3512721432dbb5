"""Progress for long training runs: a rich bar on stderr with steps, loss, elapsed and ETA, and
a dev score after each epoch (a transformer fine-tune runs 15-40 minutes on 2 CPU cores and
printed nothing before). Off when stderr is not a terminal: then one line per epoch. The embed
family's encoding bar is parley.progress.StageProgress."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable


def trainer_progress(dev_score: Callable[[], float] | None = None):
    """A transformers TrainerCallback reporting progress; `dev_score` is called after each epoch."""
    from transformers import TrainerCallback

    class Progress(TrainerCallback):
        def __init__(self):
            self.bar = None
            self.task = None
            self.loss = float("nan")
            self.started = time.monotonic()

        def on_train_begin(self, args, state, control, **kwargs):
            if sys.stderr.isatty():
                from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

                self.bar = Progress(
                    TextColumn("fine-tuning"),
                    BarColumn(),
                    TextColumn("{task.completed}/{task.total} steps"),
                    TextColumn("loss {task.fields[loss]:.4f}"),
                    TimeElapsedColumn(),
                    TimeRemainingColumn(),
                    transient=True,
                )
                self.bar.start()
                self.task = self.bar.add_task("train", total=state.max_steps, loss=float("nan"))

        def on_log(self, args, state, control, logs=None, **kwargs):
            if logs and "loss" in logs:
                self.loss = float(logs["loss"])

        def on_step_end(self, args, state, control, **kwargs):
            if self.bar is not None:
                self.bar.update(self.task, completed=state.global_step, loss=self.loss)

        def on_epoch_end(self, args, state, control, model=None, **kwargs):
            message = (
                f"epoch {state.epoch:.0f}: step {state.global_step}/{state.max_steps}, loss {self.loss:.4f}, "
                f"{time.monotonic() - self.started:.0f} s"
            )
            if dev_score is not None:
                model.eval()
                message += f", dev macro-F1 {dev_score():.3f}"
                model.train()
            (self.bar.console.log if self.bar is not None else lambda m: print(m, file=sys.stderr, flush=True))(message)

        def on_train_end(self, args, state, control, **kwargs):
            if self.bar is not None:
                self.bar.stop()

    return Progress()
