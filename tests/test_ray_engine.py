"""--engine ray gives the same records as the local engine, on a local Ray instance."""

import json

import pytest

from parley.training.config import load_config
from parley.training.run import train_model
from tests.conftest import ROOT, tiny_records, write_jsonl


@pytest.mark.slow
@pytest.mark.parametrize("family", ["linear", "ensemble"])
def test_ray_output_equals_local(cli, tmp_path, family):
    pytest.importorskip("ray")
    corpus = write_jsonl(tmp_path / "tiny.jsonl", tiny_records())
    linear = tmp_path / ("model" if family == "linear" else "linear")
    train_model("linear", [corpus], linear, load_config("linear", None, {"min_df": 1}), log=lambda m: None)
    if family == "ensemble":
        train_model("rules", [corpus], tmp_path / "rules", load_config("rules"), log=lambda m: None)
        members = {"members": [str(linear), str(tmp_path / "rules")]}
        train_model(
            "ensemble", [corpus], tmp_path / "model", load_config("ensemble", None, members), log=lambda m: None
        )
    docs = write_jsonl(
        tmp_path / "docs.jsonl",
        [
            {
                "id": f"d{i}",
                "text": f"Moscow rejected plan {i}. Both sides signed the accord. Qatar offered to mediate.",
            }
            for i in range(40)
        ],
    )
    local = cli("predict", "--model", tmp_path / "model", "--format", "jsonl", docs)
    assert local.code == 0, local.err
    expected = sorted((json.loads(line) for line in local.out.splitlines()), key=lambda r: (r["doc_id"], r["sentence"]))
    result = cli("predict", "--engine", "ray", "--model", tmp_path / "model", "-o", tmp_path / "shards", docs)
    assert result.code == 0, result.err
    got = [json.loads(line) for shard in sorted((tmp_path / "shards").iterdir()) for line in shard.open()]
    got.sort(key=lambda r: (r["doc_id"], r["sentence"]))
    assert [{k: v for k, v in r.items() if k != "type"} for r in expected] == got
    again = cli("predict", "--engine", "ray", "--model", tmp_path / "model", "-o", tmp_path / "shards", docs)
    assert again.code == 1 and "output exists" in again.err


@pytest.mark.slow
def test_ray_events_equal_local(cli, tmp_path):
    pytest.importorskip("ray")
    docs = write_jsonl(
        tmp_path / "docs.jsonl",
        [
            {
                "id": f"d{i}",
                "text": f"Washington proposed a {i}-day ceasefire. Kyiv accepted it. Moscow rejected the plan.",
            }
            for i in range(6)
        ],
    )
    model = ROOT / "models" / "default"
    local = cli("predict", "--model", model, "--format", "jsonl", "--events", docs)
    assert local.code == 0, local.err
    expected = sorted((json.loads(line) for line in local.out.splitlines()), key=lambda r: (r["doc_id"], r["sentence"]))
    result = cli("predict", "--engine", "ray", "--model", model, "--events", "-o", tmp_path / "shards", docs)
    assert result.code == 0, result.err
    got = sorted(
        (json.loads(line) for shard in (tmp_path / "shards").iterdir() for line in shard.open()),
        key=lambda r: (r["doc_id"], r["sentence"]),
    )
    assert [{k: v for k, v in r.items() if k != "type"} for r in expected] == got
    assert any(event["answers"] for r in got for event in r["events"])
