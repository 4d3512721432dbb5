"""The ONNX Runtime export of the transformer family: agreement with torch, tokenisation,
loading and prediction without torch, model.json validation and the export's errors."""

import json
import subprocess
import sys

import numpy as np
import pytest

from parley.errors import InputError, ModelError
from parley.families.rules import RULES_VERSION
from parley.model import load_model, read_model_json
from parley.training.config import load_config
from parley.training.run import train_model
from tests.conftest import ROOT, TINY, tiny_records, write_jsonl

MAX_LENGTH = 24
LONG = (
    "The negotiators said on Monday that the two delegations had agreed to meet again in Geneva "
    "next month to discuss a ceasefire, prisoner exchanges and the reopening of the border crossings."
)
TEXTS = [text for texts in TINY.values() for text in texts] + [LONG, "Rain.", "Ça va? Zürich’s naïve café — 42%"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """A tiny transformer (max_length short enough to truncate LONG) and its fp32 and int8 exports."""
    for module in ("onnxruntime", "onnx", "transformers"):
        pytest.importorskip(module)
    from parley.training.export_onnx import export_onnx

    root = tmp_path_factory.mktemp("onnx")
    corpus = write_jsonl(root / "tiny.jsonl", tiny_records())
    config = load_config("transformer", None, {"epochs": 1, "batch_size": 8, "seed": 1, "max_length": MAX_LENGTH})
    train_model("transformer", [corpus], root / "torch", config, log=lambda m: None)
    export_onnx(root / "torch", root / "fp32", quantize=False, log=lambda m: None)
    export_onnx(root / "torch", root / "int8", log=lambda m: None)
    return root


@pytest.mark.slow
def test_fp32_export_matches_torch(exported):
    torch_model, onnx_model = load_model(exported / "torch"), load_model(exported / "fp32")
    assert type(onnx_model.scorer).__name__ == "OnnxTransformerScorer"
    np.testing.assert_allclose(onnx_model.predict_proba(TEXTS), torch_model.predict_proba(TEXTS), atol=1e-4)
    one = onnx_model.predict_proba([LONG])  # a batch of one, at the truncation length
    np.testing.assert_allclose(one, torch_model.predict_proba([LONG]), atol=1e-4)


@pytest.mark.slow
def test_int8_export_is_close_to_torch(exported):
    torch_model, int8 = load_model(exported / "torch"), load_model(exported / "int8")
    expected, got = torch_model.predict_proba(TEXTS), int8.predict_proba(TEXTS)
    assert np.abs(expected - got).max() < 0.05
    # A one-epoch model scores every sentence within ~0.05 of its thresholds, so some
    # decisions flip under int8 (the real model keeps 98% of dev label sets): most must not.
    assert (torch_model.predict(TEXTS) == int8.predict(TEXTS)).mean() >= 0.9
    assert (exported / "int8" / "model.onnx").stat().st_size < (exported / "fp32" / "model.onnx").stat().st_size / 3


@pytest.mark.slow
def test_int8_scores_do_not_depend_on_the_batch(exported):
    # Dynamic quantisation scales activations per tensor at run time: batched, a sentence's
    # score would depend on its neighbours (the real model's moved by up to 0.48).
    int8 = load_model(exported / "int8")
    assert int8.scorer.batch_size == 1 and load_model(exported / "fp32").scorer.batch_size > 1
    together = int8.predict_proba(TEXTS)
    alone = np.vstack([int8.predict_proba([text]) for text in TEXTS])
    np.testing.assert_array_equal(together, alone)
    np.testing.assert_array_equal(int8.predict_proba(TEXTS[::-1])[::-1], together)


@pytest.mark.slow
def test_export_directory_and_metadata(exported):
    source, meta = read_model_json(exported / "torch"), read_model_json(exported / "int8")
    assert meta["family"] == "transformer" and meta["runtime"] == "onnxruntime" and meta["quantized"] == "dynamic-int8"
    assert read_model_json(exported / "fp32")["quantized"] is None
    for key in ("thresholds", "labels", "config", "data", "metrics_dev"):
        assert meta[key] == source[key]
    assert meta["exported_from"] == {"name": "torch", "weights_sha256": source["files"]["hf/model.safetensors"]}
    assert sorted(meta["files"]) == ["hf/config.json", "hf/tokenizer.json", "hf/tokenizer_config.json", "model.onnx"]
    assert not list(exported.glob("int8/**/*.safetensors"))
    check = meta["export_check"]
    assert check["sentences"] == 8 and 0 <= check["label_agreement"] <= 1
    card = (exported / "int8" / "README.md").read_text(encoding="utf-8")
    assert card.startswith("# Parley model") and "## ONNX export" in card and "int8 weights" in card
    assert "Runs on the light install" in card and "parley[transformer]" not in card  # the torch card's line
    assert f"on {check['label_agreement']:.1%} of sentences" in card
    assert not list(exported.glob("*.partial")), "no staging directory may remain"


@pytest.mark.slow
def test_tokenisation_matches_the_hf_tokenizer(exported):
    from transformers import AutoTokenizer

    hf = AutoTokenizer.from_pretrained(exported / "torch" / "hf")
    expected = hf(TEXTS, truncation=True, max_length=MAX_LENGTH)["input_ids"]
    scorer = load_model(exported / "int8").scorer
    got = {}
    for index, feeds in scorer.batches(TEXTS):
        for row, i in enumerate(index):
            got[i] = feeds["input_ids"][row][feeds["attention_mask"][row] == 1].tolist()
            assert (feeds["input_ids"][row][feeds["attention_mask"][row] == 0] == hf.pad_token_id).all()
    assert [got[i] for i in range(len(TEXTS))] == expected
    long_ids = got[TEXTS.index(LONG)]
    assert len(long_ids) == MAX_LENGTH and long_ids[0] == hf.cls_token_id and long_ids[-1] == hf.sep_token_id


@pytest.mark.slow
def test_predict_cli_with_the_onnx_model(exported, cli, tmp_path):
    sentences = write_jsonl(tmp_path / "s.jsonl", [{"id": f"s{i}", "text": t} for i, t in enumerate(TEXTS[:6])])
    result = cli("predict", "--model", exported / "int8", "--format", "jsonl", "--presplit", sentences)
    assert result.code == 0, result.err
    records = [json.loads(line) for line in result.out.splitlines()]
    assert [r["text"] for r in records] == TEXTS[:6] and all(r["model"] == "int8" for r in records)
    expected = load_model(exported / "int8").predict_proba(TEXTS[:6])
    got = np.asarray([[r["scores"][label] for label in ("proposal", "agreement", "rejection")] for r in records])
    np.testing.assert_allclose(got, expected, atol=1e-3)


@pytest.mark.slow
def test_onnx_model_predicts_without_torch_or_transformers(exported):
    code = (
        "import sys; from parley.model import load_model; "
        f"print(load_model({str(exported / 'int8')!r}).predict_proba(['Moscow rejected the plan.']).shape); "
        "print(sorted(m for m in ('torch', 'transformers') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.split("\n")[:2] == ["(1, 3)", "[]"]


@pytest.mark.slow
def test_missing_onnxruntime_is_a_model_error(exported, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(ModelError, match="needs onnxruntime and tokenizers"):
        load_model(exported / "int8")


@pytest.mark.slow
def test_an_unlisted_model_onnx_is_refused(exported, tmp_path):
    import shutil

    copy = shutil.copytree(exported / "int8", tmp_path / "int8")
    meta = json.loads((copy / "model.json").read_text(encoding="utf-8"))
    del meta["files"]["model.onnx"]
    (copy / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="model.onnx is not listed with its SHA-256"):
        load_model(copy)


@pytest.mark.slow
def test_export_errors(exported, tmp_path, cli):
    from parley.training.export_onnx import export_onnx

    corpus = write_jsonl(tmp_path / "tiny.jsonl", tiny_records())
    train_model("linear", [corpus], tmp_path / "linear", load_config("linear", None, {"min_df": 1}), log=lambda m: None)
    with pytest.raises(ModelError, match="a linear model; only transformer models"):
        export_onnx(tmp_path / "linear", tmp_path / "out")
    with pytest.raises(ModelError, match="already an ONNX export"):
        export_onnx(exported / "int8", tmp_path / "out")
    with pytest.raises(InputError, match="exists; pass --force"):
        export_onnx(exported / "torch", exported / "fp32")
    with pytest.raises(InputError, match="is the source model"):
        export_onnx(exported / "torch", exported / "torch", force=True)
    result = cli("export-onnx", exported / "torch", "--out", exported / "fp32", "--no-quantize")
    assert result.code == 1 and result.err.strip().endswith("output directory exists; pass --force to replace it")
    assert len(result.err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_force_replaces_an_export(exported, cli):
    target = exported / "again"
    target.mkdir()
    (target / "stale.txt").write_text("old", encoding="utf-8")
    result = cli("export-onnx", exported / "torch", "--out", target, "--no-quantize", "--force")
    assert result.code == 0, result.err
    assert "wrote" in result.out and "fp32" in result.out
    assert not (target / "stale.txt").exists() and read_model_json(target)["runtime"] == "onnxruntime"
    assert not list(exported.glob(".again.*"))


def _write_meta(directory, **fields):
    directory.mkdir()
    meta = {
        "format_version": 1,
        "label_schema_version": 1,
        "labels": ["proposal", "agreement", "rejection"],
        "thresholds": {"proposal": 0.5, "agreement": 0.5, "rejection": 0.5},
        "rules_version": RULES_VERSION,
        "files": {},
        **fields,
    }
    (directory / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    return directory


def test_runtime_key_is_validated(tmp_path):
    with pytest.raises(ModelError, match="'runtime' applies to the transformer family only"):
        read_model_json(_write_meta(tmp_path / "a", family="linear", runtime="onnxruntime"))
    with pytest.raises(ModelError, match="unknown runtime 'tensorflow'"):
        read_model_json(_write_meta(tmp_path / "b", family="transformer", runtime="tensorflow"))
    for runtime in ("torch", "onnxruntime"):
        assert (
            read_model_json(_write_meta(tmp_path / runtime, family="transformer", runtime=runtime))["runtime"]
            == runtime
        )
