"""Faults and hostile input: readers never crash, big inputs stream, interrupted training
leaves nothing half-written."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parley.errors import InputError
from parley.io import iter_records, read_text
from tests.conftest import ROOT, write_jsonl


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400), st.sampled_from(["x.jsonl", "x.csv", "x.txt"]))
def test_property_readers_raise_only_input_errors(tmp_path, data, name):
    path = tmp_path / name
    path.write_bytes(data)
    try:
        if name.endswith(".txt"):
            read_text(path)
        else:
            for record in iter_records(path):
                assert record.text.strip() and record.line >= 1
    except InputError as exc:
        assert str(exc).startswith(str(path))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "text": st.text(min_size=1, max_size=80),
                "labels": st.lists(st.sampled_from(["proposal", "agreement", "rejection"]), unique=True),
            }
        ),
        min_size=1,
        max_size=8,
    )
)
def test_property_jsonl_round_trip(tmp_path, rows):
    import json

    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    try:
        records = list(iter_records(path))
    except InputError as exc:
        assert "empty text" in str(exc)
        return
    assert [r.text for r in records] == [r["text"] for r in rows]


def test_fifty_megabyte_single_line_is_read(tmp_path):
    path = tmp_path / "big.txt"
    line = ("Talks went on. " * 3_500_000)[:50_000_000]
    path.write_text(line, encoding="utf-8")
    assert len(read_text(path)) == 50_000_000


def test_multi_megabyte_single_line_article_is_predicted(cli, tmp_path):
    path = tmp_path / "long.txt"
    path.write_text("Moscow rejected the plan. Talks went on. " * 60_000, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    rules = tmp_path / "rules"
    from parley.training.config import load_config
    from parley.training.run import train_model
    from tests.conftest import tiny_records, write_jsonl

    train_model(
        "rules", [write_jsonl(tmp_path / "t.jsonl", tiny_records())], rules, load_config("rules"), log=lambda m: None
    )
    assert cli("predict", "--model", rules, "--format", "jsonl", "-o", out, path).code == 0
    assert sum(1 for _ in out.open()) == 120_000


def test_interrupted_training_leaves_no_model_directory(tmp_path):
    out = tmp_path / "model"
    command = [
        sys.executable,
        "-m",
        "parley",
        "train",
        "linear",
        "--data",
        str(ROOT / "data" / "corpus"),
        "--out",
        str(out),
    ]
    process = subprocess.Popen(command, env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=subprocess.PIPE, text=True)
    assert "training linear on" in process.stderr.readline()  # fitting has started
    time.sleep(1)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 143, err
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("model.")]


def _tree_cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a running process and its live descendants (its scoring
    workers), from /proc; 0 for a process that has gone."""
    from benchmarks.common import process_tree

    total = 0.0
    for member in process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def test_interrupted_evaluation_keeps_the_previous_report(tmp_path, cli):
    out = tmp_path / "report"
    model = ROOT / "models" / "rules"
    assert (
        cli("evaluate", model, ROOT / "data" / "corpus", "--split", "dev", "--out", out, "--bootstrap", "10").code == 0
    )
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    pool = write_jsonl(tmp_path / "pool.jsonl", [{"text": f"Talks on item {i} resumed."} for i in range(1_000_000)])
    command = [
        sys.executable,
        "-m",
        "parley",
        "evaluate",
        str(ROOT / "models" / "fast"),  # linear: the corpus is scored in a second, then the pool
        str(ROOT / "data" / "corpus"),
        "--pool",
        str(pool),
        "--pool-limit",
        "1000000",
        "--out",
        str(out),
        "--force",
    ]
    process = subprocess.Popen(command, env={**os.environ, "PYTHONPATH": str(ROOT)}, stderr=subprocess.PIPE, text=True)
    # Interrupt once it is past start-up (about 1.5 s of CPU) and reading or scoring the pool (about
    # a minute of CPU, in worker processes too): a fixed wall time could land in the imports on a
    # loaded machine, and the parent's own CPU alone stays low while workers score.
    deadline = time.monotonic() + 120
    while _tree_cpu_seconds(process.pid) < 4 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before, "the previous report must survive"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("report.")]
