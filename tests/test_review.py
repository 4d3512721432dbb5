"""`parley review` and `parley data agreement`: ordering, decisions that survive a kill, undo,
retraining, safety, and the page itself driven by keyboard in a headless browser."""

import json
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import typer
from starlette.testclient import TestClient
from typer.testing import CliRunner

from parley.agreement import cohen_kappa, compare_annotations
from parley.cli.review import agreement
from parley.datacheck import check_paths
from parley.errors import InputError, OutputError
from parley.review.app import TOKEN_HEADER, create_app, serve
from parley.review.queue import open_session, rank, review_split
from parley.settings import pools_dir
from parley.training.config import load_config
from parley.training.run import train_model
from tests.conftest import ROOT, TINY, tiny_records, write_jsonl

GOLD = {text: [label] if label else [] for label, texts in TINY.items() for text in texts}
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Runs the CLI function in a child process (so that it can be killed) before it is wired into `parley`.
RUNNER = "import typer; from parley.cli.review import review; app = typer.Typer(); app.command()(review); app()"


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """A linear model (graded scores) and a rules model, both trained on the tiny corpus."""
    root = tmp_path_factory.mktemp("review")
    corpus = write_jsonl(root / "tiny.jsonl", tiny_records())
    train_model("linear", [corpus], root / "linear", load_config("linear", overrides={"min_df": 1}), log=lambda m: None)
    train_model("rules", [corpus], root / "rules", load_config("rules"), log=lambda m: None)
    return {"linear": root / "linear", "rules": root / "rules", "corpus": corpus}


@pytest.fixture
def articles(tmp_path) -> Path:
    """The 36 tiny sentences as 9 four-sentence articles."""
    texts = list(GOLD)
    rows = [{"id": f"art{k:02d}", "text": " ".join(texts[k * 4 : (k + 1) * 4])} for k in range(len(texts) // 4)]
    return write_jsonl(tmp_path / "articles.jsonl", rows)


def queue_ids(session) -> list[str]:
    return [session.sentences[i].id for i in session.queue]


# -- ordering ------------------------------------------------------------------


def test_uncertain_puts_scores_nearest_a_threshold_first():
    scores = np.array([[0.9, 0.1, 0.0], [0.52, 0.9, 0.1], [0.3, 0.3, 0.3], [0.1, 0.62, 0.0]])
    thresholds = np.array([0.5, 0.6, 0.5])
    assert rank("uncertain", [scores], [thresholds]).tolist() == [1, 3, 2, 0]


def test_disagree_puts_disagreements_first():
    a = np.array([[0.9, 0.1, 0.1], [0.1, 0.1, 0.1], [0.9, 0.9, 0.1], [0.45, 0.1, 0.1]])
    b = np.array([[0.9, 0.1, 0.1], [0.9, 0.1, 0.1], [0.1, 0.1, 0.9], [0.45, 0.1, 0.1]])
    thresholds = np.full(3, 0.5)
    # row 2 disagrees on three labels, row 1 on one; of the agreeing rows, the uncertain one first
    assert rank("disagree", [a, b], [thresholds, thresholds]).tolist() == [2, 1, 3, 0]
    with pytest.raises(InputError, match="two or more --model"):
        rank("disagree", [a], [thresholds])


def test_random_is_seeded():
    scores = [np.zeros((50, 3))]
    thresholds = [np.full(3, 0.5)]
    assert rank("random", scores, thresholds, 3).tolist() == rank("random", scores, thresholds, 3).tolist()
    assert rank("random", scores, thresholds, 3).tolist() != rank("random", scores, thresholds, 4).tolist()


def test_near_duplicates_and_labelled_data_are_shown_once(models, tmp_path):
    rows = [
        {"id": "d1", "text": "Moscow rejected the plan outright on Monday."},
        {"id": "d2", "text": "MOSCOW rejected the plan outright on Monday!!"},
        {"id": "d3", "text": "Moscow rejected the plan outright, on Monday 12."},
        {"id": "d4", "text": "Both sides signed the ceasefire accord in Doha."},
        {"id": "d5", "text": "Rain fell on the capital for a third day."},
    ]
    source = write_jsonl(tmp_path / "pool.jsonl", rows)
    session = open_session([str(source)], [models["linear"]], tmp_path / "out.jsonl", presplit=True)
    assert sorted(queue_ids(session)) == ["d1:0", "d4:0", "d5:0"] and session.total == 3
    twice = write_jsonl(tmp_path / "twice.jsonl", [{"id": "d1", "text": "One."}, {"id": "d1", "text": "Two."}])
    with pytest.raises(InputError, match="'d1' appears twice"):
        open_session([str(twice)], [models["linear"]], tmp_path / "out.jsonl")
    # a sentence already in the training data is not asked again
    session = open_session(
        [str(source)], [models["linear"]], tmp_path / "out.jsonl", presplit=True, data=[models["corpus"]]
    )
    assert sorted(queue_ids(session)) == ["d1:0", "d5:0"]


def test_disagree_strategy_shows_where_two_models_differ_first(models, articles, tmp_path):
    session = open_session(
        [str(articles)], [models["linear"], models["rules"]], tmp_path / "out.jsonl", strategy="disagree"
    )
    decisions = [np.asarray(s) >= m.thresholds() for s, m in zip(session.scores, session.models)]
    differs = [(decisions[0][i] != decisions[1][i]).any() for i in session.queue]
    assert any(differs) and not all(differs)
    assert differs == sorted(differs, reverse=True)
    with pytest.raises(InputError, match="two or more"):
        open_session([str(articles)], [models["linear"]], tmp_path / "out.jsonl", strategy="disagree")


# -- decisions, resume, undo -------------------------------------------------------


def test_decisions_are_records_that_resume_and_undo(models, articles, tmp_path):
    out = tmp_path / "decisions.jsonl"
    session = open_session([str(articles)], [models["linear"]], out, annotator="ann")
    order = queue_ids(session)
    for sentence_id in order[:4]:
        session.decide(sentence_id, GOLD[session.sentences[session.queue[0]].text])
    session.skip(order[4])
    assert queue_ids(session)[-1] == order[4]
    assert session.undo() == order[3]
    assert queue_ids(session)[0] == order[3]
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == order[:3]
    first = rows[0]
    assert set(first) == {
        "id",
        "article_id",
        "position",
        "text",
        "labels",
        "split",
        "annotator",
        "time",
        "scores",
        "model",
        "domain",
    }
    assert first["domain"] == "review" and first["annotator"] == "ann" and first["split"] in ("train", "dev", "test")
    assert first["split"] == review_split(first["article_id"]) and first["time"].endswith("+00:00")
    assert first["labels"] == GOLD[first["text"]] and set(first["scores"]) == {"proposal", "agreement", "rejection"}
    # a crash mid-write leaves half a line: it is dropped, and the next start resumes after the rest
    with out.open("a") as handle:
        handle.write('{"id": "half')
    again = open_session([str(articles)], [models["linear"]], out)
    assert queue_ids(again)[:2] == [order[3], order[4]]  # skips are not remembered across sessions
    assert again.undo_stack and again.view()["progress"]["decided"] == 3
    records, problems = check_paths([out])
    assert len(records) == 3 and not [p for p in problems if p.severity == "error"]


def test_stale_and_bad_decisions_are_refused(models, articles, tmp_path):
    session = open_session([str(articles)], [models["linear"]], tmp_path / "out.jsonl")
    client = TestClient(create_app(session), base_url="http://127.0.0.1")
    current = client.get("/api/state").json()["item"]["id"]
    stale = client.post("/api/decide", json={"id": "art00:99", "labels": []})
    assert stale.status_code == 409 and stale.json()["item"]["id"] == current
    bad = client.post("/api/decide", json={"id": current, "labels": ["maybe"]})
    assert bad.status_code == 400 and "unknown label" in bad.json()["error"]
    assert client.post("/api/decide", content=b"{}").status_code == 400  # not declared as JSON
    moved = client.post("/api/decide", json={"id": current, "labels": ["proposal"]}).json()
    assert moved["item"]["id"] != current and moved["progress"]["decided"] == 1
    assert TestClient(create_app(session), base_url="http://attacker.example").get("/api/state").status_code == 400


def test_remote_host_needs_flag_then_a_token(models, articles, tmp_path):
    session = open_session([str(articles)], [models["linear"]], tmp_path / "out.jsonl")
    with pytest.raises(InputError, match="--allow-remote"):
        serve(session, host="0.0.0.0", port=0)
    client = TestClient(create_app(session, token="s3cret", local=False), base_url="http://10.0.0.5")
    assert client.get("/").status_code == 403 and client.get("/api/state").status_code == 403
    assert client.get("/static/review.js").status_code == 403
    page = client.get("/?token=s3cret")
    assert page.status_code == 200 and "review.js?token=s3cret" in page.text
    assert client.get("/static/review.css?token=s3cret").status_code == 200
    assert client.get("/api/state", headers={TOKEN_HEADER: "s3cret"}).status_code == 200
    assert client.get("/api/state", headers={TOKEN_HEADER: "wrong"}).status_code == 403


def test_retraining_in_the_background_reorders_the_queue(models, articles, tmp_path):
    out = tmp_path / "decisions.jsonl"
    news = write_jsonl(
        tmp_path / "news.jsonl",
        [
            {"id": "n1", "text": "Seoul proposed new talks. Pyongyang rejected the offer. Rain fell on the border."},
            {
                "id": "n2",
                "text": "The airline accepted the pilots' pay deal. Fares rose. The union tabled a new claim.",
            },
        ],
    )
    session = open_session([str(news)], [models["linear"]], out, retrain_every=3, data=[models["corpus"]])
    for labels in (["proposal"], ["rejection"], []):
        session.decide(session.sentences[session.queue[0]].id, labels)
    started = time.perf_counter()
    assert session.view()["item"] is not None and time.perf_counter() - started < 1  # the page keeps serving
    session.wait_for_retraining(120)
    assert session.status.startswith("retrained on 3 decisions"), session.status
    assert session.models[0].name == "retrained-3"
    decided = {json.loads(line)["id"] for line in out.read_text().splitlines()}
    assert set(queue_ids(session)) == {session.sentences[i].id for i in session.candidates} - decided
    with pytest.raises(InputError, match="needs --data"):
        open_session([str(articles)], [models["linear"]], out, retrain_every=3)
    with pytest.raises(OutputError, match="no such folder"):
        open_session([str(articles)], [models["linear"]], tmp_path / "missing" / "out.jsonl")


def test_training_reads_the_decision_file(models, articles, tmp_path):
    out = tmp_path / "decisions.jsonl"
    session = open_session([str(articles)], [models["linear"]], out)
    while session.queue:
        head = session.sentences[session.queue[0]]
        session.decide(head.id, GOLD[head.text])
    meta = train_model("rules", [models["corpus"], out], tmp_path / "m", load_config("rules"), log=lambda m: None)
    assert meta["split_sizes"]["train"] + meta["split_sizes"]["dev"] + meta["split_sizes"]["test"] == 2 * len(GOLD)


# -- agreement -----------------------------------------------------------------------


def test_agreement_kappa_f1_and_disagreements(tmp_path):
    a = write_jsonl(
        tmp_path / "a.jsonl",
        [
            {"id": "1", "text": "Egypt proposed a truce.", "labels": ["proposal"]},
            {"id": "2", "text": "Moscow rejected the plan.", "labels": ["rejection"]},
            {"id": "3", "text": "Both sides signed the accord.", "labels": ["agreement"]},
            {"id": "4", "text": "Rain fell.", "labels": []},
            {"id": "5", "text": "Only A saw this one.", "labels": []},
        ],
    )
    b = write_jsonl(
        tmp_path / "b.jsonl",
        [
            {"id": "1", "text": "Egypt proposed a truce.", "labels": ["proposal"]},
            {"id": "2", "text": "Moscow rejected the plan.", "labels": ["rejection", "proposal"]},
            {"id": "3", "text": "Both sides signed the accord.", "labels": ["agreement"]},
            {"id": "4", "text": "Rain fell.", "labels": []},
        ],
    )
    result = compare_annotations(a, b)
    assert result["common"] == 4 and result["only_a"] == 1 and result["exact_match"] == 0.75
    assert result["per_label"]["agreement"]["kappa"] == 1.0
    assert result["per_label"]["proposal"]["kappa"] == pytest.approx(0.5)
    assert result["disagreements"] == [
        {"id": "2", "text": "Moscow rejected the plan.", "a": ["rejection"], "b": ["proposal", "rejection"]}
    ]
    assert cohen_kappa(np.zeros(4), np.zeros(4)) is None
    app = typer.Typer()
    app.command()(agreement)
    shown = CliRunner().invoke(app, [str(a), str(b), "--format", "json"])
    assert shown.exit_code == 0 and json.loads(shown.output)["macro_f1"] == result["macro_f1"]
    table = CliRunner().invoke(app, [str(a), str(b)])
    assert table.exit_code == 0 and "Cohen's kappa" in table.output and "Moscow rejected" in table.output
    with pytest.raises(InputError, match="no id is labelled in both"):
        compare_annotations(a, write_jsonl(tmp_path / "c.jsonl", [{"id": "9", "text": "Other.", "labels": []}]))


# -- the page in a headless browser ----------------------------------------------------


def start_server(args: list[str], errors: Path, timeout: float = 60) -> tuple[subprocess.Popen, str]:
    """Start the review server in a child process on a free port; return it and its URL."""
    with errors.open("a") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-c", RUNNER, *map(str, args), "--port", "0"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        if line.startswith("serving at "):
            return proc, line.split()[-1]
    proc.kill()
    raise AssertionError(f"review server did not start: {errors.read_text()}")


@pytest.fixture
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip("no Chromium at /usr/bin/chromium (apt-get install chromium)")
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def current_id(page) -> str:
    return page.get_attribute(".sentence.current", "data-id")


def label_by_keyboard(page, gold: dict) -> tuple[str, list[str]]:
    """Toggle the labels shown until they match the gold labels, then press Enter."""
    sentence_id = current_id(page)
    text = page.text_content(".sentence.current")
    want = gold[text]
    for label in ("proposal", "agreement", "rejection"):
        on = page.get_attribute(f'.label[data-label="{label}"]', "aria-pressed") == "true"
        if on != (label in want):
            page.keyboard.press(label[0])
    for label in ("proposal", "agreement", "rejection"):
        assert (page.get_attribute(f'.label[data-label="{label}"]', "aria-pressed") == "true") == (label in want)
    page.keyboard.press("Enter")
    page.wait_for_function("id => document.querySelector('.sentence.current')?.dataset.id !== id", arg=sentence_id)
    return sentence_id, want


def test_page_labels_by_keyboard_survives_a_kill_and_resumes(models, articles, tmp_path, browser):
    out = tmp_path / "decisions.jsonl"
    expected = queue_ids(open_session([str(articles)], [models["linear"]], tmp_path / "unused.jsonl"))
    args = [articles, "--model", models["linear"], "--out", out, "--annotator", "tester"]
    proc, url = start_server(args, tmp_path / "server.log")
    try:
        page = browser.new_page(viewport={"width": 1100, "height": 760})
        page.goto(url)
        page.wait_for_selector(".sentence.current[data-id]")
        assert f"0 of {len(GOLD)} decided" in page.text_content("#progress-text")
        page.keyboard.press("?")
        assert page.is_visible("#help")
        page.keyboard.press("Escape")
        assert not page.is_visible("#help")
        decided = [label_by_keyboard(page, GOLD) for _ in range(10)]
        page.keyboard.press("u")  # take the tenth back: it is shown again and decided again below
        page.wait_for_function(
            "id => document.querySelector('.sentence.current')?.dataset.id === id", arg=decided.pop()[0]
        )
        assert len(out.read_text().splitlines()) == 9
        decided += [label_by_keyboard(page, GOLD) for _ in range(11)]
        assert f"20 of {len(GOLD)} decided" in page.text_content("#progress-text")
        page.screenshot(path=str(tmp_path / "review.png"))
        assert (tmp_path / "review.png").stat().st_size > 10_000
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == expected[:20] == [sentence_id for sentence_id, _ in decided]
    assert all(r["labels"] == GOLD[r["text"]] and r["annotator"] == "tester" for r in rows)
    records, problems = check_paths([out])
    assert len(records) == 20 and not [p for p in problems if p.severity == "error"], problems

    proc, url = start_server(args, tmp_path / "server.log")
    try:
        page = browser.new_page()
        page.goto(url)
        page.wait_for_selector(".sentence.current[data-id]")
        assert current_id(page) == expected[20]
        assert f"20 of {len(GOLD)} decided" in page.text_content("#progress-text")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


# -- speed ------------------------------------------------------------------------------


@pytest.mark.slow
def test_ranking_the_real_news_pool_is_fast(tmp_path):
    files = sorted(pools_dir().glob("*.jsonl"))
    if not files:
        pytest.skip(f"no pools in {pools_dir()}")
    started = time.perf_counter()
    # The light linear model: ranking 35k sentences by the default ensemble takes a minute and a half.
    session = open_session([str(f) for f in files], [ROOT / "models" / "fast"], tmp_path / "out.jsonl", presplit=True)
    seconds = time.perf_counter() - started
    print(f"read, scored, de-duplicated and ranked {len(session.sentences)} pool sentences in {seconds:.1f} s")
    assert len(session.sentences) > 30_000 and seconds < 30
