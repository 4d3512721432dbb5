from __future__ import annotations

import json
import signal
import sys
from pathlib import Path

import pytest

from parley.settings import shared_dir

# A suite started in the background of a non-interactive shell inherits SIGINT ignored, and so
# would every command it starts: the interrupt tests need Ctrl-C delivered to them.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

ROOT = Path(__file__).resolve().parent.parent
SHARED = shared_dir()

TINY = {
    "proposal": [
        "Egypt proposed a three-phase truce to both sides on Monday.",
        "The union tabled a fresh pay offer late on Thursday.",
        "Qatar offered to host the next round of talks.",
        "The bidder made a 4.1 billion euro offer for the rival carmaker.",
        "Norway put forward a draft text on fishing quotas.",
        "The mediators floated a compromise on the border line.",
        "Berlin invited both leaders to talks next week.",
        "The presidency circulated a new draft resolution.",
    ],
    "agreement": [
        "Both sides signed the ceasefire accord in Doha.",
        "Parliament ratified the trade treaty on Wednesday.",
        "The nurses accepted the revised pay deal.",
        "Shareholders approved the merger by a wide margin.",
        "The coalition partners struck a budget deal overnight.",
        "The regulator cleared the takeover without conditions.",
        "Ministers gave the green light to the fisheries pact.",
        "The two governments agreed to reopen the crossing.",
    ],
    "rejection": [
        "Moscow rejected the plan outright.",
        "The board turned down the approach as too low.",
        "Kyiv ruled out any territorial concessions.",
        "The union said it would not accept the offer.",
        "Russia vetoed the draft resolution.",
        "Beijing dismissed the proposal as a non-starter.",
        "The senators voted down the spending bill.",
        "Tehran refused to sign the inspection protocol.",
    ],
    "": [
        "Talks are expected to resume on Monday.",
        "The minister hopes to reach a deal by June.",
        "Sales declined four percent in the quarter.",
        "The club signed a new striker from Porto.",
        "Officials demanded that troops withdraw.",
        "The deal has been debated for months.",
        "Negotiators met for six hours in Geneva.",
        "The company declined to comment on the report.",
        "Protesters gathered outside the embassy.",
        "The treaty was first drafted in 1994 as background.",
        "Analysts said the talks could drag on.",
        "Shares rose two percent after the announcement.",
    ],
}


def tiny_records() -> list[dict]:
    """Labelled records: per label, the first two go to dev, the next to test, the rest to
    train; each split is cut into articles of up to four sentences."""
    records = []
    for label, texts in TINY.items():
        for j, text in enumerate(texts):
            split = "dev" if j < 2 else ("test" if j == 2 else "train")
            records.append({"text": text, "labels": [label] if label else [], "split": split, "domain": "test"})
    counters: dict[str, int] = {}
    for i, record in enumerate(records):
        n = counters.get(record["split"], 0)
        counters[record["split"]] = n + 1
        record.update(id=f"r{i:03d}", article_id=f"{record['split']}-{n // 4}", position=n % 4)
    return records


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def tiny_corpus(tmp_path) -> Path:
    directory = tmp_path / "corpus"
    directory.mkdir()
    write_jsonl(directory / "tiny.jsonl", tiny_records())
    return directory


class CliResult:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run `parley ARGS...` in-process; returns exit code, stdout and stderr."""
    from parley.entry import main

    def run(*args: str, stdin: str | None = None) -> CliResult:
        monkeypatch.setattr(sys, "argv", ["parley", *map(str, args)])
        if stdin is not None:
            import io

            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode("utf-8"))))
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


def needs_shared(path: str) -> Path:
    target = SHARED / path
    if not target.exists():
        pytest.skip(f"../shared/{path} is not available")
    return target
