"""Training every family on a tiny corpus, the model directory format and its safety checks."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from parley.errors import InputError, ModelError
from parley.model import load_model, read_model_json
from parley.registry import FAMILIES, _resolve
from parley.training.base import Trainable, get_family
from parley.training.config import load_config
from parley.training.run import train_model
from tests.conftest import tiny_records, write_jsonl

ROOT = Path(__file__).resolve().parent.parent

TEXTS = ["Moscow rejected the plan.", "Both sides signed the accord.", "Qatar offered to mediate.", "Rain fell."]


def train(family, corpus, out, **overrides):
    return train_model(family, [corpus], out, load_config(family, None, overrides), log=lambda m: None)


@pytest.fixture(scope="module")
def linear_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("linear")
    corpus = write_jsonl(root / "tiny.jsonl", tiny_records())
    train("linear", corpus, root / "model", min_df=1)
    return root / "model"


def test_linear_trains_saves_and_loads(linear_dir):
    meta = read_model_json(linear_dir)
    assert meta["family"] == "linear" and set(meta["thresholds"]) == {"proposal", "agreement", "rejection"}
    assert all(0 <= t <= 1 for t in meta["thresholds"].values())
    assert meta["data"][0]["sha256"] and meta["files"]["pipeline.skops"]
    assert (linear_dir / "README.md").read_text().startswith("# Parley model")
    model = load_model(linear_dir)
    scores = model.predict_proba(TEXTS)
    assert scores.shape == (4, 3) and ((0 <= scores) & (scores <= 1)).all()
    spec = FAMILIES["linear"]
    again = spec.load_scorer(linear_dir, read_model_json(linear_dir)).predict_proba(model.prepare(TEXTS))
    np.testing.assert_allclose(scores, again)


def test_training_is_deterministic(tmp_path):
    corpus = write_jsonl(tmp_path / "tiny.jsonl", tiny_records())
    a = train("linear", corpus, tmp_path / "a", min_df=1, seed=3)
    b = train("linear", corpus, tmp_path / "b", min_df=1, seed=3)
    assert a["thresholds"] == b["thresholds"]
    np.testing.assert_array_equal(
        load_model(tmp_path / "a").predict_proba(TEXTS), load_model(tmp_path / "b").predict_proba(TEXTS)
    )


def test_refuses_to_overwrite_without_force(tmp_path, linear_dir):
    corpus = write_jsonl(tmp_path / "tiny.jsonl", tiny_records())
    out = tmp_path / "m"
    out.mkdir()
    with pytest.raises(InputError, match="exists; pass --force"):
        train("linear", corpus, out)
    train_model("rules", [corpus], out, load_config("rules"), force=True, log=lambda m: None)
    assert read_model_json(out)["family"] == "rules"
    assert not list(tmp_path.glob("m.*")), "no staging directory may remain"


def test_rules_family(tmp_path):
    corpus = write_jsonl(tmp_path / "tiny.jsonl", tiny_records())
    meta = train("rules", corpus, tmp_path / "rules")
    assert meta["thresholds"] == {"proposal": 0.5, "agreement": 0.5, "rejection": 0.5}
    predicted = load_model(tmp_path / "rules").predict(TEXTS)
    assert predicted.tolist() == [[0, 0, 1], [0, 1, 0], [1, 0, 0], [0, 0, 0]]


@pytest.mark.slow
def test_embed_family_tiny(tmp_path):
    pytest.importorskip("transformers")
    corpus = write_jsonl(tmp_path / "tiny.jsonl", tiny_records())
    train("embed", corpus, tmp_path / "embed")
    model = load_model(tmp_path / "embed")
    assert model.predict_proba(TEXTS).shape == (4, 3)
    assert (tmp_path / "embed" / "head.skops").is_file()


@pytest.mark.slow
def test_transformer_family_tiny(tmp_path):
    pytest.importorskip("transformers")
    corpus = write_jsonl(tmp_path / "tiny.jsonl", tiny_records())
    meta = train("transformer", corpus, tmp_path / "ft", epochs=1, batch_size=8, seed=1)
    assert (tmp_path / "ft" / "hf" / "model.safetensors").is_file()
    assert "hf/model.safetensors" in meta["files"]
    first = load_model(tmp_path / "ft").predict_proba(TEXTS)
    second = load_model(tmp_path / "ft").predict_proba(list(reversed(TEXTS)))[::-1]
    np.testing.assert_allclose(first, second, atol=1e-5)


def test_every_registered_family_follows_the_protocol():
    pytest.importorskip("transformers")
    for name, spec in FAMILIES.items():
        cls = get_family(name)
        assert cls.family == name == spec.name
        assert all(hasattr(cls, attr) for attr in ("fit", "predict_proba", "save"))
        assert callable(_resolve(spec.loader))
    assert isinstance(get_family("rules")(), Trainable)


def test_unknown_family_is_one_input_error():
    with pytest.raises(InputError, match="unknown model family 'svm'"):
        get_family("svm")


def test_training_data_errors(tmp_path):
    rows = [r for r in tiny_records() if "rejection" not in r["labels"]]
    corpus = write_jsonl(tmp_path / "norej.jsonl", rows)
    with pytest.raises(InputError, match="'rejection' has no positive example"):
        train("linear", corpus, tmp_path / "x")
    small = write_jsonl(tmp_path / "small.jsonl", tiny_records()[:3])
    with pytest.raises(InputError, match="fewer than the 8 training needs|no dev records"):
        train("linear", small, tmp_path / "y")
    with pytest.raises(InputError, match="unknown linear parameter"):
        load_config("linear", None, {"colour": "blue"})


def test_config_file_and_overrides(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("[linear]\nC = 0.5\nmin_df = 3\n[transformer]\nepochs = 9\n")
    merged = load_config("linear", config, {"min_df": 1})
    assert merged["C"] == 0.5 and merged["min_df"] == 1
    assert load_config("transformer", config)["epochs"] == 9
    bad = tmp_path / "bad.toml"
    bad.write_text("C = = 1")
    with pytest.raises(InputError, match="invalid TOML"):
        load_config("linear", bad)


# --- model directory safety ----------------------------------------------------------


@pytest.fixture
def copy_of(linear_dir, tmp_path):
    target = tmp_path / "copy"
    shutil.copytree(linear_dir, target)
    return target


def edit_meta(directory, **changes):
    meta = json.loads((directory / "model.json").read_text())
    meta.update(changes)
    (directory / "model.json").write_text(json.dumps(meta))


@pytest.mark.parametrize(
    "change,message",
    [
        ({"family": "forest"}, "unknown model family 'forest'"),
        ({"label_schema_version": 99}, "label schema version 99"),
        ({"thresholds": {"proposal": 0.5, "agreement": 1.5, "rejection": 0.5}}, "threshold for agreement"),
        ({"thresholds": {"proposal": 0.5}}, "one value per label"),
        ({"labels": ["a", "b", "c"]}, "do not match the schema"),
        ({"format_version": 7}, "model format version 7"),
        ({"rules_version": 0}, "rules lexicon version 0"),
    ],
)
def test_invalid_model_json_is_refused(copy_of, change, message):
    edit_meta(copy_of, **change)
    with pytest.raises(ModelError, match=message):
        load_model(copy_of)


def test_tampered_missing_and_pickle_files_are_refused(copy_of, tmp_path):
    weights = copy_of / "pipeline.skops"
    data = bytearray(weights.read_bytes())
    data[-10] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="does not match its SHA-256"):
        load_model(copy_of)
    weights.unlink()
    with pytest.raises(ModelError, match="missing model file pipeline.skops"):
        load_model(copy_of)
    (copy_of / "evil.pkl").write_bytes(b"\x80\x04.")
    with pytest.raises(ModelError, match="evil.pkl may execute code"):
        load_model(copy_of)


def test_not_a_model_directory(tmp_path):
    with pytest.raises(ModelError, match="model.json is missing"):
        load_model(tmp_path)
    with pytest.raises(ModelError, match="no such model directory"):
        load_model(tmp_path / "nope")
    (tmp_path / "model.json").write_text("{broken")
    with pytest.raises(ModelError, match="not valid JSON"):
        load_model(tmp_path)


def test_untrusted_skops_types_are_refused(tmp_path):
    from sklearn.ensemble import RandomForestClassifier

    from parley.families.skops_io import dump_skops, load_skops

    path = tmp_path / "forest.skops"
    forest = RandomForestClassifier(n_estimators=2).fit([[0], [1]], [0, 1])
    dump_skops({"x": forest}, path)
    with pytest.raises(ModelError, match="untrusted types"):
        load_skops(path)


ODD_TEXTS = [
    "",
    "   ",
    "Ünïcödé façade — “quoted” naïve café",
    "x" * 3000,
    "a b c",
    "U.S.-Iran talks, 3.5% cut!",
    "tab\tand\nnewline  spaces",
    "Moscow rejected the plan. Moscow rejected the plan.",
]


@pytest.mark.parametrize("cache_limit", [200_000, 3])
def test_runtime_tfidf_equals_scikit_learn(linear_dir, cache_limit):
    """The runtime's own TF-IDF must be the fitted vectorizer's transform, value for value,
    including when its per-word cache overflows and starts afresh."""
    from scipy import sparse

    from parley.families.linear import NgramBlock, load_pipeline

    pipeline = load_pipeline(linear_dir)
    runtime = dict(load_model(linear_dir).scorer.named_blocks)
    texts = [r["text"] for r in tiny_records()] + ODD_TEXTS
    vectorizers = [
        (name, step) for name, step in pipeline.named_steps["features"].transformer_list if hasattr(step, "vocabulary_")
    ]
    assert {v.analyzer for _, v in vectorizers} == {"word", "char_wb"}
    for name, vectorizer in vectorizers:
        block = runtime[name]
        assert isinstance(block, NgramBlock)
        block.cache_limit = cache_limit
        block.cache.clear()
        for _ in range(2):  # cold cache, then warm
            rows, columns, values = block.transform(texts)
            ours = sparse.csr_matrix((values, (rows, columns)), shape=(len(texts), block.size))
            reference = vectorizer.transform(texts)
            assert (ours != 0).toarray().tolist() == (reference != 0).toarray().tolist()
            np.testing.assert_allclose(ours.toarray(), reference.toarray(), rtol=0, atol=1e-12)


def test_linear_runtime_scores_equal_the_pipeline(linear_dir):
    from parley.families.linear import load_pipeline

    texts = [r["text"] for r in tiny_records()] + ODD_TEXTS
    model = load_model(linear_dir)
    reference = load_pipeline(linear_dir).predict_proba(model.prepare(texts))
    np.testing.assert_allclose(model.predict_proba(texts), reference, rtol=0, atol=1e-12)


def test_shipped_linear_models_equal_their_pipelines():
    """The committed models' numpy weights are their skops pipelines', on real-looking text."""
    from parley.families.linear import load_pipeline

    texts = [r["text"] for r in tiny_records()] + ODD_TEXTS
    for name in ("fast", "linear", "default/members/linear"):
        model = load_model(ROOT / "models" / name)
        reference = load_pipeline(model.directory).predict_proba(model.prepare(texts))
        np.testing.assert_allclose(model.predict_proba(texts), reference, rtol=0, atol=1e-12)


def test_linear_weights_that_disagree_with_the_vocabulary_are_refused(linear_dir, tmp_path):
    from safetensors import safe_open
    from safetensors.numpy import load_file, save_file

    from parley.families.linear import WEIGHTS_FILE
    from parley.model import write_model_json

    copy = tmp_path / "model"
    shutil.copytree(linear_dir, copy)
    arrays = load_file(str(copy / WEIGHTS_FILE))
    arrays["words.idf"] = arrays["words.idf"][:-1]
    with safe_open(str(linear_dir / WEIGHTS_FILE), framework="numpy") as handle:
        metadata = handle.metadata()
    save_file(arrays, str(copy / WEIGHTS_FILE), metadata=metadata)
    meta = json.loads((copy / "model.json").read_text())
    write_model_json(copy, {k: v for k, v in meta.items() if k != "files"})  # re-hashed: only the content is wrong
    with pytest.raises(ModelError, match="disagree on the 'words' vocabulary"):
        load_model(copy)


@pytest.fixture(scope="module")
def ensemble_dir(tmp_path_factory, linear_dir):
    root = tmp_path_factory.mktemp("ensemble")
    corpus = write_jsonl(root / "tiny.jsonl", tiny_records())
    shutil.copytree(linear_dir, root / "linear")
    train("rules", corpus, root / "rules")
    members = [str(root / "linear"), str(root / "rules")]
    train_model(
        "ensemble", [corpus], root / "ens", load_config("ensemble", None, {"members": members}), log=lambda m: None
    )
    return root / "ens"


def test_ensemble_combines_members_and_records_them_by_hash(ensemble_dir, linear_dir):
    meta = read_model_json(ensemble_dir)
    assert meta["family"] == "ensemble" and len(meta["members"]) == 2
    assert all(not Path(m["path"]).is_absolute() and len(m["sha256"]) == 64 for m in meta["members"])
    model = load_model(ensemble_dir)
    scores = model.predict_proba(TEXTS)
    assert scores.shape == (4, 3) and ((0 < scores) & (scores < 1)).all()
    assert model.predict(TEXTS).tolist()[:3] == [[0, 0, 1], [0, 1, 0], [1, 0, 0]]
    weights = json.loads((ensemble_dir / "weights.json").read_text())
    assert np.asarray(weights["weights"]).shape == (3, 2)


def test_ensemble_refuses_a_changed_or_missing_member(ensemble_dir, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(ensemble_dir.parent, copy)
    rules_meta = json.loads((copy / "rules" / "model.json").read_text())
    rules_meta["name"] = "edited"
    (copy / "rules" / "model.json").write_text(json.dumps(rules_meta))
    with pytest.raises(ModelError, match="changed since the ensemble was fitted"):
        load_model(copy / "ens")
    shutil.rmtree(copy / "rules")
    with pytest.raises(ModelError, match="is missing"):
        load_model(copy / "ens")


def test_a_bundled_ensemble_is_whole_on_its_own(ensemble_dir, tmp_path):
    corpus = write_jsonl(tmp_path / "tiny.jsonl", tiny_records())
    members = [str(ensemble_dir.parent / "linear"), str(ensemble_dir.parent / "rules")]
    config = load_config("ensemble", None, {"members": members, "bundle": True})
    train_model("ensemble", [corpus], tmp_path / "bundled", config, log=lambda m: None)
    moved = tmp_path / "elsewhere" / "model"  # nothing beside it: the members travel inside
    shutil.copytree(tmp_path / "bundled", moved)
    shutil.rmtree(tmp_path / "bundled")
    meta = read_model_json(moved)
    assert [m["path"] for m in meta["members"]] == [f"members/{m['name']}" for m in meta["members"]]
    assert all((moved / m["path"] / "model.json").is_file() for m in meta["members"])
    card = (moved / "README.md").read_text()
    assert all(f"`{m['name']}` ({m['family']}, `{m['path']}`)" in card for m in meta["members"])
    assert "Its members were trained on the train split" in card and "\nTrained on" not in card
    np.testing.assert_array_equal(load_model(moved).predict_proba(TEXTS), load_model(ensemble_dir).predict_proba(TEXTS))
    # A bundled member is checked like any other: an edited copy is refused.
    card = moved / meta["members"][1]["path"] / "model.json"
    edited = json.loads(card.read_text())
    card.write_text(json.dumps({**edited, "name": "edited"}))
    with pytest.raises(ModelError, match="changed since the ensemble was fitted"):
        load_model(moved)
    with pytest.raises(InputError, match="bundle must be true or false"):
        config = load_config("ensemble", None, {"members": members, "bundle": "yes"})
        train_model("ensemble", [corpus], tmp_path / "b2", config, log=lambda m: None)


def test_ensemble_needs_two_members(tmp_path, linear_dir):
    corpus = write_jsonl(tmp_path / "tiny.jsonl", tiny_records())
    with pytest.raises(InputError, match="at least two --members"):
        train_model(
            "ensemble",
            [corpus],
            tmp_path / "e",
            load_config("ensemble", None, {"members": [str(linear_dir)]}),
            log=lambda m: None,
        )


def test_ensemble_predicts_the_same_with_workers(ensemble_dir, tmp_path, cli):
    rows = [
        {"id": f"d{i:03d}", "text": f"Moscow rejected plan {i}. Qatar offered to mediate round {i}."} for i in range(60)
    ]
    data = write_jsonl(tmp_path / "docs.jsonl", rows)
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}.jsonl"
        result = cli(
            "predict",
            "--model",
            ensemble_dir,
            "--format",
            "jsonl",
            "--batch-size",
            "8",
            "--workers",
            workers,
            "-o",
            out,
            data,
        )
        assert result.code == 0, result.err
        outputs.append(out.read_text())
    assert outputs[0] == outputs[1] and outputs[0].count("\n") == 120


@pytest.mark.parametrize("family", ["rules", "linear", "ensemble", "embed", "transformer"])
def test_every_family_reads_model_json_through_the_validating_reader(family, tmp_path, linear_dir, ensemble_dir):
    """Tamper with a file each family's model.json lists (or the file itself): loading refuses."""
    if family in ("embed", "transformer"):
        pytest.importorskip("transformers")
    corpus = write_jsonl(tmp_path / "tiny.jsonl", tiny_records())
    if family == "linear":
        source = linear_dir
    elif family == "ensemble":
        source = ensemble_dir
    else:
        source = tmp_path / "trained"
        overrides = {"epochs": 1, "batch_size": 8} if family == "transformer" else {}
        train(family, corpus, source, **overrides)
    directory = tmp_path / "copy" / source.name
    shutil.copytree(
        source.parent if family == "ensemble" else source, directory.parent if family == "ensemble" else directory
    )
    listed = sorted(read_model_json(directory)["files"])
    assert listed, "every family's model.json lists its files with their hashes"
    target = directory / listed[0]
    target.write_bytes(target.read_bytes() + b" ")
    with pytest.raises(ModelError, match="does not match its SHA-256"):
        load_model(directory)


def test_explain_gives_scores_thresholds_and_reasons(cli):
    from tests.conftest import ROOT

    result = cli(
        "explain",
        "--format",
        "json",
        "The union did not accept the owners' offer.",
        "--model",
        ROOT / "models" / "default",
    )
    assert result.code == 0, result.err
    explained = json.loads(result.out)
    rejection = explained["labels"]["rejection"]
    assert rejection["on"] and rejection["score"] >= rejection["threshold"]
    assert any(e["status"] == "refused" for e in explained["labels"]["agreement"]["evidence"])
    names = [name for name, _ in explained["labels"]["rejection"]["features"]["up"]]
    assert any(
        name.startswith("cue rejection") or name.startswith("rules decide rejection") or "not" in name for name in names
    )
    # The default is an ensemble: each member's say, and its linear member's features above.
    members = rejection["members"]
    assert [m["family"] for m in members] == ["linear", "transformer"]
    assert sum(m["weighted_margin"] for m in members) > 0 and all(m["score"] >= m["threshold"] for m in members)
    table = cli("explain", "Rain fell on Kyiv.", "--model", ROOT / "models" / "default")
    assert table.code == 0 and "threshold" in table.out and "member transformer-int8" in table.out
