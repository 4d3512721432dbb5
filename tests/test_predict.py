"""`parley predict`: inputs, formats, summary, thresholds, bad input, interruption and resume."""

import csv
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from parley.model import load_model
from parley.run_predict import RunOptions, run_description
from parley.training.config import load_config
from parley.training.run import train_model
from tests.conftest import ROOT, tiny_records, write_jsonl

ARTICLE = (
    "Kremlin rejects U.S. peace plan\n\n"
    "MOSCOW (Parley Wire) - Mr. Peskov said on Monday that Moscow rejected the plan outright. "
    "Both sides signed the ceasefire accord in Doha. Qatar offered to host the next round of talks. "
    "Rain fell on the capital."
)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("predict")
    corpus = write_jsonl(root / "tiny.jsonl", tiny_records())
    train_model("rules", [corpus], root / "rules", load_config("rules"), log=lambda m: None)
    return root / "rules"


@pytest.fixture
def article(tmp_path):
    path = tmp_path / "kremlin.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def jsonl(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_jsonl_records_have_offsets_labels_scores(cli, model_dir, article):
    result = cli("predict", "--model", model_dir, "--format", "jsonl", article)
    assert result.code == 0, result.err
    records = jsonl(result.out)
    assert [r["sentence"] for r in records] == list(range(5))
    for r in records:
        assert ARTICLE[r["start"] : r["end"]] == r["text"]
        assert (
            r["doc_id"] == "kremlin"
            and r["model"] == "rules"
            and set(r["scores"]) == {"proposal", "agreement", "rejection"}
        )
    assert [r["labels"] for r in records] == [["rejection"], ["rejection"], ["agreement"], ["proposal"], []]


def test_summary_and_threshold_override(cli, model_dir, article):
    records = jsonl(cli("predict", "--model", model_dir, "--format", "jsonl", "--summary", article).out)
    summary = [r for r in records if r["type"] == "article"]
    assert (
        len(summary) == 1
        and summary[0]["counts"]["agreement"] == 1
        and summary[0]["sentences_by_label"]["proposal"] == [3]
    )
    everything = jsonl(cli("predict", "--model", model_dir, "--format", "jsonl", "--threshold", "0.05", article).out)
    assert all(len(r["labels"]) == 3 for r in everything)
    only_p = jsonl(
        cli(
            "predict", "--model", model_dir, "--format", "jsonl", "--threshold", "agreement=1.0,rejection=1.0", article
        ).out
    )
    assert all(set(r["labels"]) <= {"proposal"} for r in only_p)
    bad = cli("predict", "--model", model_dir, "--threshold", "maybe=0.3", article)
    assert bad.code == 1 and "unknown label 'maybe'" in bad.err


def test_csv_and_table_formats(cli, model_dir, article, tmp_path):
    out = tmp_path / "out.csv"
    assert cli("predict", "--model", model_dir, "--format", "csv", "--summary", "-o", out, article).code == 0
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 5 and rows[2]["labels"] == "agreement" and float(rows[2]["score_agreement"]) > 0.5
    summary = list(csv.DictReader((tmp_path / "out.summary.csv").open()))
    assert summary[0]["n_agreement"] == "1"
    table = cli("predict", "--model", model_dir, "--format", "table", article)
    assert "Acts found" in table.out and "Qatar offered" in table.out


def test_directory_jsonl_csv_and_stdin_inputs(cli, model_dir, tmp_path):
    folder = tmp_path / "articles"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("Moscow rejected the plan.")
    (folder / "sub" / "b.txt").write_text("Both sides signed the accord.")
    ids = {r["doc_id"] for r in jsonl(cli("predict", "--model", model_dir, "--format", "jsonl", folder).out)}
    assert ids == {"a", "sub/b"}
    rows = tmp_path / "rows.csv"
    rows.write_text("url,body\nu1,Moscow rejected the plan.\nu2,Rain fell.\n")
    records = jsonl(
        cli(
            "predict", "--model", model_dir, "--format", "jsonl", "--text-column", "body", "--id-column", "url", rows
        ).out
    )
    assert [(r["doc_id"], r["labels"]) for r in records] == [("u1", ["rejection"]), ("u2", [])]
    records = jsonl(
        cli(
            "predict", "--model", model_dir, "--format", "jsonl", "-", stdin="Kyiv ruled out concessions. Talks go on."
        ).out
    )
    assert [r["labels"] for r in records] == [["rejection"], []] and records[0]["doc_id"] == "stdin"


def test_presplit_keeps_each_row_one_sentence(cli, model_dir, tmp_path):
    pool = write_jsonl(tmp_path / "pool.jsonl", [{"id": "s1", "text": "One. Two. Three."}])
    assert len(jsonl(cli("predict", "--model", model_dir, "--format", "jsonl", "--presplit", pool).out)) == 1
    assert len(jsonl(cli("predict", "--model", model_dir, "--format", "jsonl", pool).out)) == 3


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\t\n", "only whitespace"),
        ("bin.txt", b"\x7fELF\x02\x01\x00\x00\x00", "binary"),
        ("latin.txt", "Caf\xe9 talks".encode("latin-1"), "invalid UTF-8"),
        ("bad.jsonl", b'{"text": "ok"}\n{"text": \n', "bad.jsonl:2: malformed JSON"),
        ("notext.jsonl", b'{"text": "ok"}\n{"body": "x"}\n', "notext.jsonl:2: record has no 'text' field"),
        ("nocol.csv", b"id,body\n1,hello\n", "CSV has no column 'text'"),
    ],
)
def test_bad_inputs_fail_with_file_and_line(cli, model_dir, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    out = tmp_path / "out.jsonl"
    result = cli("predict", "--model", model_dir, "--format", "jsonl", "-o", out, path)
    assert result.code == 1
    assert message in result.err and str(path.name) in result.err
    assert len([lab for lab in result.err.splitlines() if lab.startswith("error:")]) == 1
    assert not out.exists()


def test_skip_bad_warns_and_counts(cli, model_dir, tmp_path):
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        '{"id": "a", "text": "Moscow rejected the plan."}\nnot json\n{"id": "c"}\n{"id": "d", "text": "Rain."}\n'
    )
    result = cli("predict", "--model", model_dir, "--format", "jsonl", "--skip-bad", path)
    assert result.code == 0
    assert [r["doc_id"] for r in jsonl(result.out)] == ["a", "d"]
    assert "skipped 2 bad record(s)" in result.err and "mixed.jsonl:2" in result.err


def test_missing_inputs_and_models(cli, model_dir, tmp_path):
    assert "no such file or directory" in cli("predict", "--model", model_dir, tmp_path / "nope.txt").err
    (tmp_path / "empty").mkdir()
    result = cli("predict", "--model", model_dir, tmp_path / "empty")
    assert result.code == 1 and "no usable files" in result.err
    result = cli("predict", "--model", tmp_path / "empty", "x.txt")
    assert result.code == 1 and "model.json is missing" in result.err


def test_long_sentence_truncated_not_dropped_and_odd_text(cli, model_dir, tmp_path):
    path = tmp_path / "odd.txt"
    long = "Moscow rejected the plan " + "and more " * 12000 + "today."
    path.write_text(long + "\n\nПереговоры продолжаются. 会谈继续。 🙂 Talks\x07 resume.", encoding="utf-8")
    records = jsonl(cli("predict", "--model", model_dir, "--format", "jsonl", path).out)
    assert records[0]["truncated"] is True and records[0]["labels"] == ["rejection"]
    assert len(records[0]["text"]) == len(long)
    assert not any(r["truncated"] for r in records[1:])


def test_utf16_bom_crlf_inputs(cli, model_dir, tmp_path):
    for name, data in (
        ("bom.txt", b"\xef\xbb\xbfMoscow rejected the plan.\r\n"),
        ("u16.txt", "Moscow rejected the plan.\r\n".encode("utf-16")),
    ):
        (tmp_path / name).write_bytes(data)
        records = jsonl(cli("predict", "--model", model_dir, "--format", "jsonl", tmp_path / name).out)
        assert records[0]["text"] == "Moscow rejected the plan." and records[0]["labels"] == ["rejection"]


def test_output_is_atomic_and_resume_equals_uninterrupted(cli, model_dir, tmp_path):
    rows = [{"id": f"d{i:03d}", "text": f"Moscow rejected plan number {i}. Rain fell on day {i}."} for i in range(50)]
    data = write_jsonl(tmp_path / "docs.jsonl", rows)
    full = tmp_path / "full.jsonl"
    assert cli("predict", "--model", model_dir, "--format", "jsonl", "--summary", "-o", full, data).code == 0
    expected = full.read_text()
    # Simulate an interruption: the side file holds 20 whole documents and a torn line.
    out = tmp_path / "out.jsonl"
    lines = expected.splitlines(keepends=True)
    side = tmp_path / "out.jsonl.partial"
    side.write_text("".join(lines[:60]) + lines[60][:15])
    description = run_description(load_model(model_dir), RunOptions(fmt="jsonl", summary=True))
    (tmp_path / "out.jsonl.partial.json").write_text(json.dumps(description))
    assert cli("predict", "--model", model_dir, "--format", "jsonl", "--summary", "-o", out, "--resume", data).code == 0
    assert out.read_text() == expected and not side.exists()
    assert not (tmp_path / "out.jsonl.partial.json").exists()
    assert "nothing to resume" in cli("predict", "--model", model_dir, "-o", out, "--resume", data).err


def test_resume_refuses_a_different_model_threshold_or_format(cli, model_dir, tmp_path):
    data = write_jsonl(
        tmp_path / "docs.jsonl", [{"id": f"d{i}", "text": f"Moscow rejected plan {i}."} for i in range(9)]
    )
    out = tmp_path / "out.jsonl"
    side = tmp_path / "out.jsonl.partial"
    described = run_description(load_model(model_dir), RunOptions(fmt="jsonl"))
    for changed, flags in (
        ("model_sha256", ["--model", tmp_path / "other"]),
        ("thresholds", ["--threshold", "0.3"]),
        ("options", ["--summary"]),
    ):
        if changed == "model_sha256":
            shutil.copytree(model_dir, tmp_path / "other")
            meta = json.loads((tmp_path / "other" / "model.json").read_text())
            meta["name"] = "other"
            (tmp_path / "other" / "model.json").write_text(json.dumps(meta))
        side.write_text('{"doc_id": "d0"}\n')
        (tmp_path / "out.jsonl.partial.json").write_text(json.dumps(described))
        args = ["--model", model_dir, *flags] if changed != "model_sha256" else flags
        result = cli("predict", *args, "--format", "jsonl", "-o", out, "--resume", data)
        assert result.code == 1 and "cannot resume" in result.err and changed.split("_")[0] in result.err, result.err
        assert side.read_text() == '{"doc_id": "d0"}\n', "a refused resume must keep the side file"


def _processes_writing(path) -> list[int]:
    """Pids whose command line names `path`'s output (forked workers share the parent's)."""
    time.sleep(0.5)
    found = []
    for cmdline in glob.glob("/proc/[0-9]*/cmdline"):
        try:
            if str(path).removesuffix(".partial").encode() in Path(cmdline).read_bytes():
                found.append(int(cmdline.split("/")[2]))
        except OSError:
            continue
    return found


@pytest.mark.parametrize("start_method", ["forkserver", "spawn"])
def test_worker_processes_give_identical_output(cli, model_dir, tmp_path, monkeypatch, start_method):
    import parley.predict

    monkeypatch.setattr(parley.predict, "WORKER_START_METHOD", start_method)
    rows = [{"id": f"d{i:04d}", "text": ARTICLE.replace("Monday", f"day {i}")} for i in range(300)]
    data = write_jsonl(tmp_path / "docs.jsonl", rows)
    outputs = {}
    for workers in ("1", "3"):
        for presplit in ([], ["--presplit"]):
            out = tmp_path / f"w{workers}{len(presplit)}.jsonl"
            result = cli(
                "predict",
                "--model",
                model_dir,
                "--format",
                "jsonl",
                "--summary",
                "--batch-size",
                "16",
                "--workers",
                workers,
                *presplit,
                "-o",
                out,
                data,
            )
            assert result.code == 0, result.err
            outputs[workers, bool(presplit)] = out.read_text()
    assert outputs["1", False] == outputs["3", False] and outputs["1", True] == outputs["3", True]
    assert outputs["1", False].count('"type": "article"') == 300
    assert cli("predict", "--model", model_dir, "--workers", "-1", data).code != 0


@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_signal_leaves_no_partial_output_then_resume(model_dir, tmp_path, sig, code):
    rows = [
        {"id": f"d{i:05d}", "text": f"Moscow rejected plan {i}. Both sides signed accord {i}. Rain fell."}
        for i in range(15000)
    ]
    data = write_jsonl(tmp_path / "big.jsonl", rows)
    out = tmp_path / "out.jsonl"
    command = [
        sys.executable,
        "-m",
        "parley",
        "predict",
        "--model",
        str(model_dir),
        "--format",
        "jsonl",
        "--batch-size",
        "256",
        "--workers",
        "2",
        "-o",
        str(out),
        str(data),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    side = tmp_path / "out.jsonl.partial"
    deadline = time.time() + 60
    while time.time() < deadline and (not side.exists() or side.stat().st_size < 20000):
        time.sleep(0.05)
    process.send_signal(sig)
    _, err = process.communicate(timeout=60)
    assert process.returncode == code, err
    assert not out.exists() and side.exists()
    assert not _processes_writing(side), "worker processes outlived the interrupted run"
    assert "--resume" in err
    resumed = subprocess.run(command + ["--resume"], env=env, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    ids = [json.loads(line)["doc_id"] for line in out.open()]
    assert len(ids) == 3 * 15000 and ids[::3] == [r["id"] for r in rows]


def test_linear_prediction_imports_neither_torch_nor_scikit_learn(article):
    """Linear prediction runs on numpy alone, even where torch and scikit-learn are installed:
    importing them (with scipy and skops) was half of the time to the first label."""
    code = (
        "import sys; from parley.model import load_model; from parley.segment import split_sentences; "
        f"m = load_model({str(ROOT / 'models' / 'default')!r}); "
        f"m.predict_proba([s.text for s in split_sentences(open({str(article)!r}).read())]); "
        "print(sorted(m for m in ('torch', 'sklearn', 'scipy', 'skops') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]", result.stderr


class _DiesInWorkers:
    """A scorer that scores in the parent but kills any worker process that uses it."""

    def __init__(self, parent: int):
        self.parent = parent

    def predict_proba(self, texts):
        import numpy as np

        if os.getpid() != self.parent:
            os._exit(3)
        return np.zeros((len(texts), 3))


def test_a_dead_worker_is_an_error_not_a_hang(model_dir):
    from parley.errors import InputError
    from parley.model import Model
    from parley.predict import Document, Predictor

    base = load_model(model_dir)
    model = Model(base.directory, base.meta, _DiesInWorkers(os.getpid()))
    docs = [Document(f"d{i}", f"Moscow rejected plan {i}.", "") for i in range(40)]
    started = time.monotonic()
    with pytest.raises(InputError, match="worker process died"):
        list(Predictor(model, batch_size=4, workers=2).records(docs))
    assert time.monotonic() - started < 60


def test_workers_start_only_when_the_input_spans_several_batches(model_dir, monkeypatch):
    import parley.predict
    from parley.predict import Document, Predictor

    started = []

    class CountingExecutor(parley.predict.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            started.append(kwargs.get("max_workers", args[0] if args else None))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(parley.predict, "ProcessPoolExecutor", CountingExecutor)
    model = load_model(model_dir)
    one = [Document("one", "Moscow rejected the plan. Both sides signed the accord.", "")]
    records = [r for _, rs in Predictor(model, workers=4).records(one) for r in rs]
    assert [r["labels"] for r in records] == [["rejection"], ["agreement"]] and started == []
    many = [Document(f"d{i}", "Moscow rejected the plan. Both sides signed the accord.", "") for i in range(5)]
    records = [r for _, rs in Predictor(model, workers=2, batch_size=2).records(many) for r in rs]
    assert len(records) == 10 and started == [2]


def test_events_in_every_output_format(cli, tmp_path):
    article = tmp_path / "talks.txt"
    article.write_text(
        "Washington proposed a 30-day ceasefire on Monday.\nKyiv accepted it on Wednesday.\n"
        "Moscow rejected the plan.\n",
        encoding="utf-8",
    )
    model = ROOT / "models" / "rules"  # deterministic labels: this test is about the event outputs
    result = cli("predict", "--model", model, "--format", "jsonl", "--events", "--summary", article)
    assert result.code == 0, result.err
    records = jsonl(result.out)
    events = [e for r in records if r["type"] == "sentence" for e in r["events"]]
    assert [(e["act"], e["actor"]["text"], e["answers"]) for e in events] == [
        ("proposal", "Washington", None),
        ("agreement", "Kyiv", "talks-e1"),
        ("rejection", "Moscow", "talks-e1"),
    ]
    timeline = records[-1]["timeline"]
    assert timeline[0]["actor"] == "Washington" and timeline[0]["status"] == "mixed"
    out = tmp_path / "out.csv"
    assert (
        cli(
            "predict",
            "--model",
            model,
            "--format",
            "csv",
            "--events",
            "-o",
            out,
            "--html",
            tmp_path / "p.html",
            article,
        ).code
        == 0
    )
    rows = list(csv.DictReader((tmp_path / "out.events.csv").open()))
    assert [r["act"] for r in rows] == ["proposal", "agreement", "rejection"] and rows[1]["answers"] == "talks-e1"
    page = (tmp_path / "p.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "Washington" in page and "answers" in page
    table = cli("predict", "--model", model, "--format", "table", "--events", "--summary", article)
    assert "who · act · what" in table.out and "Proposals and their replies" in table.out
    assert cli("predict", "--model", model, "--format", "csv", "--events", article).code == 1


def _ordinary_documents(n: int = 12) -> list:
    """News-like articles of several paragraphs (a headline, a quote that opens the next
    paragraph, a long paragraph), a short one and a blank one."""
    from parley.predict import Document

    docs = []
    for i in range(n):
        paragraphs = [
            ARTICLE.replace("Monday", f"day {i}"),
            f'Talks ended on day {i}. He said: "\n\n{"Never" if i % 2 else "Yes"}," she said. Rain fell.',
            "Unions say yes to pay deal\nThe RMT accepted the offer on Friday.",
            " ".join(f"Qatar offered to host round {j} of the talks. Moscow rejected plan {i + j}." for j in range(15)),
        ]
        docs.append(Document(f"d{i}", "\n\n".join(paragraphs[i % 4 :] + paragraphs[: i % 4]), ""))
    return docs + [Document("short", "Both sides signed the accord.", ""), Document("blank", " \n " * 200, "")]


@pytest.mark.parametrize("workers", [1, 2])
def test_long_documents_come_in_parts_with_the_records_of_whole_documents(workers):
    """The oracle is the whole-document path (a batch large enough for every document): split
    and scored in parts, every record must be the same, byte for byte once written."""
    from parley.predict import Predictor

    model = load_model(ROOT / "models" / "default")
    docs = _ordinary_documents()
    whole = list(Predictor(model, batch_size=100_000).records(docs))
    assert sum(len(records) for _, records in whole) > 12 * 30 and whole[-1][1] == []
    in_parts = Predictor(model, batch_size=3, workers=workers)
    parts = list(in_parts.parts(docs))
    assert sum(not last for _, _, last in parts) == 2 * 12  # each article came in three parts
    assert [doc.id for doc, _, last in parts if last] == [doc.id for doc in docs]
    joined = list(in_parts.records(docs))
    assert [(doc.id, json.dumps(records)) for doc, records in joined] == [
        (doc.id, json.dumps(records)) for doc, records in whole
    ]


def test_long_documents_in_parts_write_the_same_files_and_resume_mid_document(cli, model_dir, tmp_path):
    rows = [{"id": doc.id, "text": doc.text} for doc in _ordinary_documents(6)[:-1]]
    data = write_jsonl(tmp_path / "docs.jsonl", rows)
    written = {}
    for batch in ("3", "1024"):
        for fmt in ("jsonl", "csv"):
            out = tmp_path / f"b{batch}.{fmt}"
            args = ["--format", fmt, "--summary", "--batch-size", batch, "--workers", "1", "-o", out, data]
            assert cli("predict", "--model", model_dir, *args).code == 0
            written[batch, fmt] = out.read_text() + (
                (tmp_path / f"b{batch}.summary.csv").read_text() if fmt == "csv" else ""
            )
    assert written["3", "jsonl"] == written["1024", "jsonl"] and written["3", "csv"] == written["1024", "csv"]
    # Interrupted inside the third document, after some of its parts: resume redoes that one.
    lines = written["3", "jsonl"].splitlines(keepends=True)
    third = [n for n, line in enumerate(lines) if json.loads(line)["doc_id"] == rows[2]["id"]]
    out = tmp_path / "out.jsonl"
    (tmp_path / "out.jsonl.partial").write_text("".join(lines[: third[len(third) // 2]]))
    description = run_description(load_model(model_dir), RunOptions(fmt="jsonl", summary=True))
    (tmp_path / "out.jsonl.partial.json").write_text(json.dumps(description))
    args = ["--format", "jsonl", "--summary", "--batch-size", "3", "-o", out, "--resume", data]
    assert cli("predict", "--model", model_dir, *args).code == 0
    assert out.read_text() == written["3", "jsonl"]


def test_an_onnx_model_predicts_the_same_in_worker_processes_each_with_its_share_of_threads(cli, tmp_path):
    """An ONNX Runtime session cannot be pickled: workers load the model themselves (this once
    crashed with a pickling traceback), and each sizes its thread pool to its share of the cores."""
    pytest.importorskip("onnxruntime")
    import pickle

    import parley.predict
    from parley.cores import limit_scoring_threads, scoring_threads

    int8 = ROOT / "models" / "transformer-int8"
    rows = [{"id": f"s{i:03d}", "text": f"Qatar offered to host round {i} of the talks."} for i in range(48)]
    data = write_jsonl(tmp_path / "docs.jsonl", rows)
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}.jsonl"
        args = ["--model", int8, "--presplit", "--batch-size", "8", "--workers", workers, "-o", out, data]
        result = cli("predict", *args)
        assert result.code == 0, result.err
        outputs.append(out.read_text())
    assert outputs[0] == outputs[1] and outputs[0].count("\n") == 48
    # _init_worker also sets a worker's signal handlers (SIGINT ignored): put this process's back,
    # or every later subprocess would inherit an ignored Ctrl-C.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        parley.predict._init_worker(1, pickle.dumps(load_model(int8)))
        options = parley.predict._worker_model.scorer.session.get_session_options()
        assert options.intra_op_num_threads == 1 and scoring_threads() == 1
    finally:
        limit_scoring_threads(None)
        parley.predict._worker_model = None
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


@pytest.mark.parametrize(
    "signal_type, code, word", [("Terminated", 143, "terminated"), ("KeyboardInterrupt", 130, "interrupted")]
)
def test_a_signal_inside_an_extension_import_is_reported_as_the_signal(monkeypatch, capsys, signal_type, code, word):
    """onnxruntime's import turns a SIGTERM into 'ImportError: initialization failed' raised from it;
    the CLI must still say 'terminated' (exit 143), not print the traceback."""
    import parley.cli as cli_module
    from parley.entry import Terminated

    signal = Terminated() if signal_type == "Terminated" else KeyboardInterrupt()

    def importing(**kwargs):
        try:
            raise signal
        except BaseException as cause:
            raise ImportError("initialization failed") from cause

    monkeypatch.setattr(cli_module, "app", importing)
    with pytest.raises(SystemExit) as exit_info:
        cli_module.run()
    assert exit_info.value.code == code and capsys.readouterr().err.strip() == word

    def missing(**kwargs):
        raise ImportError("no such thing")

    monkeypatch.setattr(cli_module, "app", missing)
    with pytest.raises(ImportError, match="no such thing"):
        cli_module.run()
