"""Evaluation metrics against scikit-learn, thresholds, calibration, reports and compare."""

import json

import numpy as np
import pytest
from sklearn.metrics import f1_score, hamming_loss, precision_recall_fscore_support

from parley.evaluation.compare import comparison_table
from parley.metrics import best_f1_threshold, bootstrap_ci, expected_calibration_error, summary, tune_thresholds
from parley.training.config import load_config
from parley.training.run import train_model
from tests.conftest import tiny_records, write_jsonl

Y = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 0], [1, 0, 0], [0, 1, 0]])  # rejection has no positives
P = np.array([[1, 0, 0], [0, 0, 0], [1, 1, 1], [0, 1, 0], [0, 0, 0], [0, 1, 0]])


def test_summary_matches_sklearn_with_a_label_without_positives():
    s = summary(Y, P)
    precision, recall, f1, support = precision_recall_fscore_support(Y, P, average=None, zero_division=0)
    for i, label in enumerate(("proposal", "agreement", "rejection")):
        assert s["per_label"][label]["precision"] == pytest.approx(precision[i])
        assert s["per_label"][label]["recall"] == pytest.approx(recall[i])
        assert s["per_label"][label]["f1"] == pytest.approx(f1[i])
        assert s["per_label"][label]["support"] == support[i]
    assert s["per_label"]["rejection"]["support"] == 0 and s["per_label"]["rejection"]["f1"] == 0.0
    assert s["macro_f1"] == pytest.approx(f1_score(Y, P, average="macro", zero_division=0))
    assert s["micro_f1"] == pytest.approx(f1_score(Y, P, average="micro", zero_division=0))
    assert s["hamming_loss"] == pytest.approx(hamming_loss(Y, P))
    assert s["subset_accuracy"] == pytest.approx(2 / 6)


def test_perfect_and_all_wrong_predictions():
    perfect = summary(Y, Y, Y.astype(float))
    assert perfect["macro_f1"] == pytest.approx(2 / 3)  # the label without positives scores 0 by convention
    assert perfect["micro_f1"] == 1.0 and perfect["subset_accuracy"] == 1.0 and perfect["hamming_loss"] == 0.0
    assert perfect["per_label"]["proposal"]["roc_auc"] == 1.0 and perfect["per_label"]["rejection"]["roc_auc"] is None
    wrong = summary(Y, 1 - Y, (1 - Y).astype(float))
    assert wrong["micro_f1"] < 0.5 and wrong["per_label"]["proposal"]["f1"] == 0.0 and wrong["subset_accuracy"] == 0.0
    assert wrong["per_label"]["proposal"]["roc_auc"] == 0.0 and wrong["hamming_loss"] == pytest.approx(1.0)


def test_bootstrap_by_article_brackets_the_point_estimate():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, (200, 3))
    p = np.where(rng.random((200, 3)) < 0.8, y, 1 - y)
    groups = [i // 5 for i in range(200)]
    ci = bootstrap_ci(y, p, groups, n_boot=300)
    point = f1_score(y, p, average="macro")
    assert ci["macro_f1"][0] < point < ci["macro_f1"][1]
    assert ci == bootstrap_ci(y, p, groups, n_boot=300)  # seeded


def _bootstrap_with_scikit_learn(y, p, groups, n_boot, seed=0):
    """The reference: the same resamples, each scored by scikit-learn's metric functions."""
    rng = np.random.default_rng(seed)
    index: dict = {}
    for i, g in enumerate(groups if groups is not None else range(len(y))):
        index.setdefault(g, []).append(i)
    members = [np.asarray(v) for v in index.values()]
    draws: dict[str, list[float]] = {}
    for _ in range(n_boot):
        rows = np.concatenate([members[j] for j in rng.integers(0, len(members), len(members))])
        t, q = y[rows], p[rows]
        pr, rc, f1, _ = precision_recall_fscore_support(t, q, labels=range(3), average=None, zero_division=0)
        for i, label in enumerate(("proposal", "agreement", "rejection")):
            draws.setdefault(f"{label}.precision", []).append(pr[i])
            draws.setdefault(f"{label}.recall", []).append(rc[i])
            draws.setdefault(f"{label}.f1", []).append(f1[i])
        draws.setdefault("macro_f1", []).append(f1_score(t, q, average="macro", zero_division=0))
        draws.setdefault("micro_f1", []).append(f1_score(t, q, average="micro", zero_division=0))
    return {k: [float(np.percentile(v, 2.5)), float(np.percentile(v, 97.5))] for k, v in draws.items()}


@pytest.mark.parametrize("by_article", [True, False])
def test_bootstrap_equals_scikit_learn_on_every_resample(by_article):
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, (60, 3))
    y[:, 2] = (rng.random(60) < 0.05).astype(int)  # a rare label: resamples without positives
    p = np.where(rng.random((60, 3)) < 0.7, y, 1 - y)
    p[:, 2] = 0  # and without predictions: zero_division everywhere
    groups = [i // 4 for i in range(60)] if by_article else None
    ours = bootstrap_ci(y, p, groups, n_boot=200)
    reference = _bootstrap_with_scikit_learn(y, p, groups, 200)
    assert ours.keys() == reference.keys()
    for key in ours:
        np.testing.assert_allclose(ours[key], reference[key], rtol=0, atol=1e-12, err_msg=key)


def test_threshold_tuning_maximises_f1():
    y = np.array([0, 0, 1, 1, 0, 1])
    s = np.array([0.1, 0.3, 0.35, 0.8, 0.4, 0.9])
    threshold, best = best_f1_threshold(y, s)
    assert best == pytest.approx(f1_score(y, s >= threshold))
    assert all(f1_score(y, s >= t) <= best + 1e-12 for t in np.linspace(0, 1, 101))
    assert best_f1_threshold(np.zeros(4), np.ones(4)) == (0.5, 0.0)
    assert set(tune_thresholds(np.c_[y, y, y], np.c_[s, s, s])) == {"proposal", "agreement", "rejection"}


def test_expected_calibration_error():
    ece, bins = expected_calibration_error(np.array([1, 1, 0, 0]), np.array([1.0, 1.0, 0.0, 0.0]))
    assert ece == 0.0 and sum(b["n"] for b in bins) == 4
    ece, _ = expected_calibration_error(np.array([0, 0, 0, 0]), np.array([0.95, 0.95, 0.95, 0.95]))
    assert ece == pytest.approx(0.95)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("eval")
    corpus = write_jsonl(root / "tiny.jsonl", tiny_records())
    train_model("rules", [corpus], root / "rules", load_config("rules"), log=lambda m: None)
    contrast = write_jsonl(
        root / "contrast.jsonl",
        [
            {
                "id": "c1a",
                "group": "c1",
                "text": "Moscow rejected the plan.",
                "labels": ["rejection"],
                "note": "negation: x",
            },
            {
                "id": "c1b",
                "group": "c1",
                "text": "Moscow did not reject the plan.",
                "labels": [],
                "note": "negation: x",
            },
            {"id": "c2a", "group": "c2", "text": "The club signed a new striker.", "labels": [], "note": "senses: y"},
            {
                "id": "c2b",
                "group": "c2",
                "text": "The club accepted the offer.",
                "labels": ["agreement"],
                "note": "senses: y",
            },
        ],
    )
    pool = write_jsonl(
        root / "pool.jsonl", [{"text": t} for t in ["Moscow rejected the plan.", "Rain.", "Sun.", "Kyiv agreed."]]
    )
    return root, corpus, contrast, pool


def test_evaluate_writes_a_complete_report(cli, trained):
    root, corpus, contrast, pool = trained
    out = root / "report"
    result = cli(
        "evaluate",
        root / "rules",
        corpus,
        "--split",
        "test",
        "--out",
        out,
        "--contrast",
        contrast,
        "--pool",
        pool,
        "--bootstrap",
        "100",
    )
    assert result.code == 0, result.err
    for name in ("report.md", "report.html", "metrics.json", "pr_curves.png", "reliability.png"):
        assert (out / name).is_file(), name
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["data"]["records"] == 4 and metrics["ci_resampling"] == "article"
    assert metrics["contrast"]["groups"] == 2 and metrics["contrast"]["group_accuracy"] == 1.0
    assert metrics["prevalence"][0]["share"]["rejection"] == 0.25
    html = (out / "report.html").read_text()
    assert "data:image/png;base64," in html and "<table>" in html
    assert "Contrast suite" in (out / "report.md").read_text()
    again = cli("evaluate", root / "rules", corpus, "--out", out)
    assert again.code == 1 and "pass --force" in again.err


def test_evaluate_shows_each_stage_on_a_terminal_and_nothing_when_quiet(trained, tmp_path):
    import io

    from rich.console import Console

    from parley.evaluation.report import build_report

    root, corpus, contrast, pool = trained
    screen = io.StringIO()
    terminal = Console(file=screen, force_terminal=True, width=120)
    build_report(root / "rules", [corpus], tmp_path / "r", contrast=contrast, pools=[pool], n_boot=20, console=terminal)
    shown = screen.getvalue()
    for stage in (
        "loading model",
        f"scoring: {len(tiny_records())} sentences",
        "bootstrap: 20 resamples by article",
        "contrast suite: 4",
        "pool pool.jsonl: 4 sentences",
        "writing",
    ):
        assert stage in shown, stage
    screen = io.StringIO()
    quiet = Console(file=screen, force_terminal=True, width=120)
    build_report(root / "rules", [corpus], tmp_path / "q", n_boot=20, console=quiet, quiet=True)
    assert screen.getvalue() == ""


def test_evaluate_bad_inputs(cli, trained, tmp_path):
    root, corpus, *_ = trained
    not_model = cli("evaluate", tmp_path, corpus, "--out", tmp_path / "r")
    assert not_model.code == 1 and "not a Parley model directory" in not_model.err
    unlabelled = write_jsonl(tmp_path / "u.jsonl", [{"text": "Moscow rejected the plan."}])
    result = cli("evaluate", root / "rules", unlabelled, "--out", tmp_path / "r2")
    assert result.code == 1 and "u.jsonl:1: record has no 'labels' field" in result.err
    empty_split = cli("evaluate", root / "rules", corpus, "--split", "holdout", "--out", tmp_path / "r3")
    assert empty_split.code == 1 and "no labelled records selected" in empty_split.err
    assert not (tmp_path / "r2").exists() and not (tmp_path / "r3").exists()


def test_compare_marks_the_best_per_column(cli, trained, tmp_path):
    root, corpus, *_ = trained
    result = cli("compare", root / "rules", corpus, "--out", tmp_path / "cmp")
    assert result.code == 0, result.err
    assert (tmp_path / "cmp" / "compare.html").is_file() and "★" in result.out
    rows = [
        {
            "model": {"name": m},
            "data": {"name": "d"},
            "summary": {"macro_f1": v},
            "ci": {"macro_f1": [v - 0.1, v + 0.1]},
        }
        for m, v in (("a", 0.5), ("b", 0.7))
    ]
    table = comparison_table(rows)
    assert "| b | **0.700 [0.60, 0.80]** ★ |" in table and "| a | 0.500 [0.40, 0.60] |" in table


def test_leaderboard_rows_name_the_family_where_the_model_name_does_not(tmp_path, monkeypatch):
    import shutil

    from parley.cli import leaderboard
    from tests.conftest import ROOT

    monkeypatch.setattr(leaderboard, "external_dir", lambda: tmp_path / "no-external")
    renamed = tmp_path / "mine"
    shutil.copytree(ROOT / "models" / "rules", renamed)
    meta = json.loads((renamed / "model.json").read_text())
    (renamed / "model.json").write_text(json.dumps({**meta, "name": "mine"}))
    data = ROOT / "data"
    markdown = leaderboard.build(
        [ROOT / "models" / "rules", renamed],
        data / "corpus",
        data / "natural",
        data / "contrast" / "contrast.jsonl",
        tmp_path / "board",
        n_boot=10,
    )
    rows = {line.split(" | ")[0].lstrip("| ") for line in markdown.splitlines() if line.startswith("| ")}
    assert {"rules", "mine (rules)"} <= rows
    board = json.loads((tmp_path / "board" / "leaderboard.json").read_text())
    assert set(board["contrast"]) == {"rules", "mine (rules)"}
    scores = {
        r["model"]["name"]: r["summary"]["macro_f1"]
        for r in board["rows"]
        if r["data"]["name"] == leaderboard.NEWS_TEST
    }
    assert scores["rules"] == scores["mine (rules)"] > 0
