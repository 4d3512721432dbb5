"""`parley export-onnx`: thin wrapper over training.export_onnx.export_onnx (imported lazily)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def export_onnx(
    source: Annotated[Path, typer.Argument(help="A trained transformer model directory.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="ONNX model directory to write.")],
    quantize: Annotated[
        bool, typer.Option("--quantize/--no-quantize", help="Store int8 weights (dynamic quantisation).")
    ] = True,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output directory.")] = False,
):
    """Export a transformer model to ONNX Runtime (no torch needed to predict), int8 by default;
    the export is checked against the torch model on the dev split of its training data."""
    from rich.console import Console

    from parley.training.export_onnx import export_onnx as run_export

    console = Console(stderr=True)
    with console.status(f"exporting {source} ..."):
        meta = run_export(source, out, quantize=quantize, force=force, log=lambda m: console.log(m))
    check = meta["export_check"]
    kind = "int8" if meta["quantized"] else "fp32"
    if check is None:
        typer.echo(f"wrote {out} ({kind}); agreement with the torch model not measured (training data not found)")
        return
    typer.echo(
        f"wrote {out} ({kind}): labels equal the torch model's on {check['label_agreement']:.1%} of "
        f"{check['sentences']} dev sentences; dev macro-F1 {check['dev_macro_f1_onnx']:.4f} "
        f"(torch {check['dev_macro_f1_torch']:.4f})"
    )
