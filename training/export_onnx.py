"""Export a trained `transformer` model directory for ONNX Runtime, optionally int8-quantised.

    parley export-onnx models/transformer --out models/transformer-int8

The torch model is traced to ONNX, its BERT blocks are fused into ONNX Runtime's Attention,
SkipLayerNormalization and BiasGelu kernels, and with `quantize` its weights are stored as
int8 with per-channel scales (activations are quantised on the fly). Before the directory
is put in place, its predictions are compared with the torch model's on the dev split of
the training data recorded in model.json; model.json and the card record the result.
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np

from parley.errors import InputError, ModelError
from parley.families.onnx_scorer import ONNX_FILE
from parley.families.transformer import HF_DIR, encoder_model_type, mean_pool_classifier
from parley.io import load_records
from parley.labels import to_matrix
from parley.metrics import summary
from parley.model import Model, load_model, read_model_json, write_model_json
from parley.staging import staged_dir
from parley.training.card import write_card as model_card
from parley.training.run import split_records

ONNX_OPSET = 17
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")
# The runtime needs the tokenizer (and config.json for the record); the safetensors stay behind.
HF_FILES = ("config.json", "tokenizer.json", "tokenizer_config.json")
SAFETENSORS = f"{HF_DIR}/model.safetensors"
# The bar for a faster runtime: macro-F1 within half a point of the torch model.
MAX_MACRO_F1_DROP = 0.005


def export_onnx(
    source_dir: str | Path, out_dir: str | Path, quantize: bool = True, force: bool = False, log=print
) -> dict:
    """Write an ONNX Runtime model directory at `out_dir` from the torch model at `source_dir`.

    Built under a temporary name beside `out_dir` and renamed at the end, like training.
    """
    source, out = Path(source_dir), Path(out_dir)
    source_meta = check_source(source)
    if out.exists() and not force:
        raise InputError("output directory exists; pass --force to replace it", out)
    if out.resolve() == source.resolve():
        raise InputError("the output directory is the source model; choose another --out", out)
    reference = load_model(source)

    with staged_dir(out) as staging:
        (staging / HF_DIR).mkdir()
        for name in HF_FILES:
            shutil.copy2(source / HF_DIR / name, staging / HF_DIR / name)
        log(f"exporting {source} to ONNX{' (int8)' if quantize else ''} ...")
        write_graph(source / HF_DIR, staging / ONNX_FILE, quantize, log)
        meta = {key: value for key, value in source_meta.items() if key not in ("files", "name")}
        meta.update(
            {
                "name": out.name,
                "runtime": "onnxruntime",
                "quantized": "dynamic-int8" if quantize else None,
                "exported_from": {
                    "name": source_meta.get("name") or source.name,
                    "weights_sha256": source_meta["files"][SAFETENSORS],
                },
            }
        )
        write_model_json(staging, meta)
        # Checked through the same loader prediction will use; model.json is written again with the result.
        meta["export_check"] = agreement(reference, load_model(staging), dev_records(source_meta), log)
        meta = write_model_json(staging, meta)
        write_card(staging, meta)
    return meta


def check_source(source: Path) -> dict:
    meta = read_model_json(source)
    if meta["family"] != "transformer":
        raise ModelError(f"a {meta['family']} model; only transformer models can be exported to ONNX", source)
    if meta.get("runtime") == "onnxruntime":
        raise ModelError("already an ONNX export; export from the torch model it was made from", source)
    if SAFETENSORS not in meta["files"]:
        raise ModelError(f"{SAFETENSORS} is not listed in model.json", source)
    # The trace feeds token types and the graph fusions are ONNX Runtime's BERT ones; an MPNet
    # (all-mpnet-base-v2) has neither, and no fine-tuned one exists yet to check an export against.
    encoder = encoder_model_type(source / HF_DIR)
    if encoder != "bert":
        raise ModelError(f"export-onnx exports BERT-type encoders (MiniLM); this encoder is {encoder!r}", source)
    return meta


def write_graph(hf_dir: Path, target: Path, quantize: bool, log) -> None:
    from onnxruntime.transformers.optimizer import optimize_model

    # Eager attention, because the TorchScript exporter turns SDPA's mask handling into a
    # graph that is wrong on other batches (measured: probabilities off by 0.02), and ONNX
    # Runtime's BERT fusion recognises eager attention.
    model = mean_pool_classifier().from_pretrained(hf_dir, use_safetensors=True, attn_implementation="eager")
    model.eval()
    with tempfile.TemporaryDirectory(prefix="parley-onnx-") as scratch:
        traced = Path(scratch) / "traced.onnx"
        trace(model, traced)
        # opt_level 0: only the BERT fusions are saved; hardware-specific graph
        # optimisation is left to the session on the machine that runs the model.
        fused = optimize_model(
            str(traced),
            model_type="bert",
            num_heads=model.config.num_attention_heads,
            hidden_size=model.config.hidden_size,
            opt_level=0,
        )
        attention = fused.get_fused_operator_statistics().get("Attention", 0)
        if attention != model.config.num_hidden_layers:
            log(
                f"warning: {attention} of {model.config.num_hidden_layers} attention blocks were fused; "
                "the model is correct but slower"
            )
        if not quantize:
            fused.save_model_to_file(str(target))
            return
        fused_path = Path(scratch) / "fused.onnx"
        fused.save_model_to_file(str(fused_path))
        quantize_int8(fused_path, target)


def trace(model, target: Path) -> None:
    """Trace model -> sigmoid probabilities, with dynamic batch and sequence axes.

    The TorchScript exporter rather than torch.export, because ONNX Runtime's quantiser
    leaves the attention fused from the latter in fp32 (measured: 258 vs 307 sentences/s int8).
    """
    import torch

    class Probabilities(torch.nn.Module):
        def __init__(self, classifier):
            super().__init__()
            self.classifier = classifier

        def forward(self, input_ids, attention_mask, token_type_ids):
            logits = self.classifier(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).logits
            return torch.sigmoid(logits)

    # The example batch holds a padded row, so the traced graph keeps the mask arithmetic.
    input_ids = torch.tensor([[101, 2000, 2001, 2002, 102], [101, 2000, 102, 0, 0]])
    example = (input_ids, (input_ids != 0).long(), torch.zeros_like(input_ids))
    axes = {name: {0: "batch", 1: "sequence"} for name in INPUT_NAMES}
    with warnings.catch_warnings():
        # Tracer warnings about shape checks in transformers' masking code: the export
        # is compared with the torch model on real sentences afterwards.
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Probabilities(model),
            example,
            str(target),
            dynamo=False,
            opset_version=ONNX_OPSET,
            input_names=list(INPUT_NAMES),
            output_names=["probabilities"],
            dynamic_axes={**axes, "probabilities": {0: "batch"}},
        )


def quantize_int8(fused: Path, target: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Per-channel scales: with one scale per tensor, dev probabilities moved by up to 0.76
    # and dev macro-F1 dropped 0.9 points (measured). DefaultTensorType, because ONNX shape
    # inference cannot type the outputs of ONNX Runtime's fused (com.microsoft) operators.
    quantize_dynamic(
        fused,
        target,
        weight_type=QuantType.QInt8,
        per_channel=True,
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )


def dev_records(meta: dict) -> list | None:
    """The dev split of the training data recorded in model.json (paths as given to training,
    so relative ones resolve from the working directory), or None when it is not here."""
    files = [Path(entry["path"]) for entry in meta.get("data", [])]
    if not files or not all(f.is_file() for f in files):
        return None
    return split_records(load_records(files)).dev


def agreement(reference: Model, exported: Model, records: list | None, log) -> dict | None:
    if not records:
        log("warning: the training data recorded in model.json is not here; agreement was not measured")
        return None
    texts = [r.text for r in records]
    y = to_matrix(r.labels for r in records)
    expected, got = reference.predict_proba(texts), exported.predict_proba(texts)
    thresholds = reference.thresholds()
    expected_labels, got_labels = (expected >= thresholds).astype(int), (got >= thresholds).astype(int)
    check = {
        "sentences": len(texts),
        "label_agreement": float((expected_labels == got_labels).all(axis=1).mean()),
        "max_probability_difference": float(np.abs(expected - got).max()),
        "dev_macro_f1_torch": summary(y, expected_labels, expected)["macro_f1"],
        "dev_macro_f1_onnx": summary(y, got_labels, got)["macro_f1"],
    }
    if check["dev_macro_f1_torch"] - check["dev_macro_f1_onnx"] > MAX_MACRO_F1_DROP:
        log(
            f"warning: dev macro-F1 {check['dev_macro_f1_onnx']:.4f}, more than half a point below "
            f"the torch model's {check['dev_macro_f1_torch']:.4f}"
        )
    return check


def write_card(staging: Path, meta: dict) -> None:
    """The model card written from model.json as for any model, plus a section on the export."""
    model_card(staging, meta)
    text = (staging / "README.md").read_text(encoding="utf-8")
    origin = meta["exported_from"]
    kind = (
        "int8 weights (dynamic quantisation, per-channel scales; activations quantised at run time, so "
        "each sentence is scored alone)"
        if meta["quantized"]
        else "fp32 weights"
    )
    check = meta["export_check"]
    if check is None:
        measured = "Agreement with the torch model was not measured: its training data was not found at export."
    else:
        measured = (
            f"On the {check['sentences']} dev sentences, its labels equal the torch model's on "
            f"{check['label_agreement']:.1%} of sentences (largest probability difference "
            f"{check['max_probability_difference']:.4f}); dev macro-F1 {check['dev_macro_f1_onnx']:.4f} "
            f"vs {check['dev_macro_f1_torch']:.4f} for torch. The metrics above are the torch model's."
        )
    text += f"""
## ONNX export
An ONNX Runtime export of `{origin["name"]}` (safetensors sha256 `{origin["weights_sha256"][:12]}…`)
with {kind}. It runs with onnxruntime and tokenizers only, both in the base install.
{measured}
"""
    (staging / "README.md").write_text(text, encoding="utf-8")
