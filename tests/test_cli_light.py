"""The CLI as a new user meets it, on the light install (`pip install .`) as on the full one.

Every test runs the installed `parley` command in a subprocess from a temporary directory, so
CI can run this file against a venv holding only `pip install .` (PARLEY_BIN names its
`parley`): usage errors, interrupts at start-up and mid-run, unwritable output, --resume with
another model, memory on one huge line. Each run is bounded by a timeout: a hang fails the test
instead of CI.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PARLEY = os.environ.get("PARLEY_BIN") or str(Path(sys.executable).with_name("parley"))
MODEL = ROOT / "models" / "default"
# The light linear model, for runs whose subject is the pipeline around the model: the default
# ensemble would spend 150 s of the huge-line test scoring 160,000 sentences.
FAST_MODEL = ROOT / "models" / "fast"


def parley(*args, cwd, timeout=120, **kwargs):
    return subprocess.run([PARLEY, *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=timeout, **kwargs)


def one_line_error(err: str) -> bool:
    return (
        "Traceback" not in err
        and len([line for line in err.splitlines() if line.startswith(("error:", "Error:"))]) == 1
    )


@pytest.mark.parametrize(
    "args",
    [
        ["predict", "--outt", "x"],
        ["predict"],
        ["nosuch"],
        ["train"],
        ["predict", "--workers", "many", "x.txt"],
        ["data", "check"],
        ["explain"],
    ],
)
def test_usage_errors_are_one_line_and_exit_2(args, tmp_path):
    result = parley(*args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert one_line_error(result.stderr) and "Usage:" in result.stderr, result.stderr


def test_version_and_help(tmp_path):
    assert parley("--version", cwd=tmp_path).stdout.startswith("parley ")
    help_text = parley("predict", "--help", cwd=tmp_path).stdout
    assert "<bool>" not in help_text and "parley[ray]" in help_text and "--out" in help_text


def test_predicts_outside_the_checkout_with_the_packaged_default_model(tmp_path):
    (tmp_path / "a.txt").write_text("The union rejected the owners' offer. Rain fell on Kyiv.", encoding="utf-8")
    result = parley("predict", "a.txt", "--format", "jsonl", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records[0]["labels"] == ["proposal", "rejection"] and records[1]["labels"] == []
    assert records[0]["model"] == "default"


@pytest.mark.slow
def test_train_takes_data_as_arguments_like_evaluate_and_still_accepts_data_option(tmp_path):
    from tests.conftest import tiny_records, write_jsonl

    records = tiny_records()
    first = write_jsonl(tmp_path / "first.jsonl", records[::2])
    second = write_jsonl(tmp_path / "second.jsonl", records[1::2])
    runs = {
        "positional": ["first.jsonl", "second.jsonl"],
        "option": ["--data", "first.jsonl", "--data", "second.jsonl"],
        "mixed": ["first.jsonl", "--data", "second.jsonl"],
    }
    for name, data in runs.items():
        result = parley("train", "linear", *data, "--out", name, "--set", "min_df=1", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        trained_on = [Path(d["path"]).name for d in json.loads((tmp_path / name / "model.json").read_text())["data"]]
        assert trained_on == [first.name, second.name], name
    assert parley("evaluate", "positional", "first.jsonl", "-o", "report", "-q", cwd=tmp_path).returncode == 0


def _articles(directory: Path, n: int) -> Path:
    path = directory / "docs.jsonl"
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            text = (
                f"Moscow rejected plan {i}. Both sides signed accord {i}. "
                f"Qatar offered to mediate round {i}. Rain fell."
            )
            handle.write(json.dumps({"id": f"d{i:05d}", "text": text}) + "\n")
    return path


# (signal, to the whole process group?, seconds after start) for 20 interruptions in all.
INTERRUPTS = [
    (sig, group, delay)
    for sig, group in ((signal.SIGINT, False), (signal.SIGINT, True), (signal.SIGTERM, False), (signal.SIGTERM, True))
    for delay in (0.3, 1.0, 2.0, 3.5, 5.0)
]


@pytest.mark.slow
@pytest.mark.parametrize("sig,group,delay", INTERRUPTS)
def test_interrupts_never_hang_and_print_no_traceback(tmp_path, sig, group, delay):
    docs = _articles(tmp_path, 6000)
    process = subprocess.Popen(
        [
            PARLEY,
            "predict",
            str(docs),
            "--model",
            str(MODEL),
            "--format",
            "jsonl",
            "--workers",
            "2",
            "--batch-size",
            "256",
            "-o",
            "out.jsonl",
        ],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    time.sleep(delay)
    if process.poll() is None:
        (os.killpg if group else os.kill)(process.pid, sig)
    try:
        _, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail(f"parley hung after {sig.name} at {delay} s")
    assert "Traceback" not in err, err
    if process.returncode == -sig:
        # The signal landed after the run, while the interpreter was exiting: Python has put the
        # default handlers back by then, so the signal ends the process (the shell still shows
        # 128 + signal). Only a finished run may end this way: complete output, no partial file.
        lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
        assert len(lines) == 6000 * 4 and not (tmp_path / "out.jsonl.partial").exists(), err
    elif process.returncode != 0:
        assert process.returncode == (130 if sig == signal.SIGINT else 143), err
        assert not (tmp_path / "out.jsonl").exists()
        assert err.splitlines()[-1] in ("interrupted", "terminated"), err
        if (tmp_path / "out.jsonl.partial").exists():  # stopped mid-run: the user is told how to continue
            assert "--resume" in err, err
    # The forkserver and resource tracker leave when they see the parent gone; give them 10 s.
    deadline = time.time() + 10
    while True:
        leftover = subprocess.run(["pgrep", "-s", str(process.pid)], capture_output=True, text=True).stdout.split()
        if not leftover or time.time() > deadline:
            break
        time.sleep(0.2)
    assert not leftover, f"processes outlived the run: {leftover}"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_output_is_one_line(tmp_path):
    (tmp_path / "a.txt").write_text("Moscow rejected the plan.", encoding="utf-8")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = parley("predict", "a.txt", "-o", locked / "out.jsonl", cwd=tmp_path)
    finally:
        locked.chmod(0o700)
    assert result.returncode == 1 and one_line_error(result.stderr) and "locked" in result.stderr, result.stderr


def test_full_disk_is_one_line(tmp_path):
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here")
    (tmp_path / "a.txt").write_text("Moscow rejected the plan.", encoding="utf-8")
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [PARLEY, "predict", "a.txt", "--format", "jsonl"],
            cwd=tmp_path,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert result.returncode == 1 and one_line_error(result.stderr) and "No space left" in result.stderr, result.stderr


def _start_one_worker_run(tmp_path, docs, batch_size: int) -> subprocess.Popen:
    command = [PARLEY, "predict", str(docs), "--model", str(MODEL), "--format", "jsonl"]
    command += ["--batch-size", str(batch_size), "--workers", "1", "-o", "out.jsonl"]
    return subprocess.Popen(command, cwd=tmp_path, stderr=subprocess.PIPE, text=True)


def test_resume_with_another_model_is_refused_and_keeps_the_side_file(tmp_path):
    docs = _articles(tmp_path, 3000)
    process = _start_one_worker_run(tmp_path, docs, batch_size=64)
    side = tmp_path / "out.jsonl.partial"
    deadline = time.time() + 60
    while time.time() < deadline and (not side.exists() or side.stat().st_size < 5000):
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=60)
    kept = side.read_bytes()
    other = tmp_path / "other"
    shutil.copytree(MODEL, other)
    meta = json.loads((other / "model.json").read_text())
    meta["thresholds"]["proposal"] = 0.5
    (other / "model.json").write_text(json.dumps(meta))
    result = parley("predict", docs, "--model", other, "--format", "jsonl", "-o", "out.jsonl", "--resume", cwd=tmp_path)
    assert result.returncode == 1 and "cannot resume" in result.stderr and one_line_error(result.stderr), result.stderr
    assert side.read_bytes() == kept
    resumed = parley(
        "predict", docs, "--model", MODEL, "--format", "jsonl", "-o", "out.jsonl", "--resume", cwd=tmp_path, timeout=300
    )
    assert resumed.returncode == 0, resumed.stderr
    assert sum(1 for _ in (tmp_path / "out.jsonl").open()) == 4 * 3000


def test_stopped_before_the_first_document_says_nothing_to_resume(tmp_path):
    docs = _articles(tmp_path, 20000)
    process = _start_one_worker_run(tmp_path, docs, batch_size=20000)
    side = tmp_path / "out.jsonl.partial"
    deadline = time.time() + 60
    while time.time() < deadline and not side.exists():
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130 and "nothing to resume" in err and "Traceback" not in err, err
    assert not side.exists()


def test_missing_extras_name_what_to_install(tmp_path):
    embed = ROOT / "models" / "embed"
    probe = subprocess.run([str(Path(PARLEY).with_name("python")), "-c", "import torch"], capture_output=True)
    if probe.returncode == 0:
        pytest.skip("torch is installed here: the embed model loads")
    (tmp_path / "a.txt").write_text("Moscow rejected the plan.", encoding="utf-8")
    result = parley("predict", "a.txt", "--model", embed, cwd=tmp_path)
    assert result.returncode == 1 and "pip install 'parley[transformer]'" in result.stderr, result.stderr
    assert one_line_error(result.stderr)


def _run_for_peak_memory(command: list, cwd: Path, timeout: float) -> tuple[int, float, str]:
    """(exit code, peak resident memory in MB, stderr) of one run, from wait4's usage of that
    child alone (RUSAGE_CHILDREN would keep the largest child of the whole test session)."""
    with (cwd / "stderr.txt").open("w") as err:
        process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.time() + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.time() > deadline:
            process.kill()
            os.wait4(process.pid, 0)
            pytest.fail(f"{command} ran past {timeout} s")
        time.sleep(0.1)
    process.returncode = os.waitstatus_to_exitcode(status)
    peak_mb = usage.ru_maxrss / (2**20 if sys.platform == "darwin" else 2**10)
    return process.returncode, peak_mb, (cwd / "stderr.txt").read_text()


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "wait4"), reason="needs os.wait4 to read the run's peak memory")
def test_one_huge_line_is_predicted_in_bounded_memory(tmp_path):
    """A 5 MB article on one line: scored whole it peaked near 1 GB (8.4 GB at 50 MB); in parts
    the run stays near its fixed 0.2 GB, far under ten times the input plus 400 MB."""
    templates = ("Moscow rejected plan {}.", "Both sides signed accord {}.", "Qatar offered to mediate round {}.")
    sentences = [templates[i % 3].format(i) for i in range(160_000)] + ["Rain fell."]
    text = " ".join(sentences)
    (tmp_path / "huge.txt").write_text(text, encoding="utf-8")
    command = [PARLEY, "predict", "huge.txt", "--model", FAST_MODEL, "--format", "jsonl", "--summary"]
    code, peak_mb, err = _run_for_peak_memory([*command, "--workers", "1", "-o", "out.jsonl"], tmp_path, 300)
    assert code == 0, err
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    first, last, summary = json.loads(lines[0]), json.loads(lines[-2]), json.loads(lines[-1])
    assert len(lines) == len(sentences) + 1 and summary["sentences"] == len(sentences)
    assert first["text"] == sentences[0] and (last["sentence"], last["text"]) == (len(sentences) - 1, "Rain fell.")
    assert last["end"] == len(text)
    input_mb = len(text) / 2**20
    assert peak_mb < 10 * input_mb + 400, f"peak {peak_mb:.0f} MB for a {input_mb:.1f} MB line"
