"""`parley predict --engine ray`: the same prediction as a Ray Data pipeline.

Documents are read as for the local engine (same ids, same validation), sentences are
scored in `map_batches` by actors that each load the model once, and records are written
as JSONL shards into the output directory. Point `address` at a cluster
(`ray://head:10001` or `auto`) to run beyond one machine.
"""

from __future__ import annotations

import json
from pathlib import Path

from parley.errors import InputError
from parley.predict import Document, Predictor, iter_documents, parse_threshold
from parley.staging import staged_dir

RECORD_FIELDS = ("doc_id", "sentence", "start", "end", "text", "labels", "scores", "model", "truncated")


class _ScoreDocuments:
    """A Ray actor: loads the model once, turns a batch of documents into sentence records."""

    def __init__(self, model_dir: str, threshold: str | None, presplit: bool, batch_size: int, events: bool = False):
        from parley.model import load_model

        self.predictor = Predictor(
            load_model(model_dir), parse_threshold(threshold), batch_size=batch_size, presplit=presplit
        )
        self.events = events

    def __call__(self, batch: dict) -> dict:
        documents = [Document(str(doc_id), str(text), "") for doc_id, text in zip(batch["doc_id"], batch["text"])]
        pairs = self.predictor.records(documents)
        if self.events:
            from parley.events import attach_events

            pairs = ((doc, records) for doc, records, _ in attach_events(pairs))
        rows = [record for _, records in pairs for record in records]
        fields = RECORD_FIELDS + (("events",) if self.events else ())
        # Events are nested, optional spans: JSON text keeps Arrow from inferring a schema per batch.
        return {
            field: [json.dumps(row[field]) if field == "events" else row[field] for row in rows] for field in fields
        }


def run_ray_prediction(
    inputs: list[str],
    model_dir: Path,
    output: Path | None,
    *,
    text_column: str = "text",
    id_column: str = "id",
    presplit: bool = False,
    threshold: str | None = None,
    batch_size: int = 1024,
    address: str | None = None,
    concurrency: int = 1,
    events: bool = False,
) -> Path:
    if output is None:
        raise InputError("--engine ray writes JSONL shards: give --output DIRECTORY")
    try:
        import ray
    except ImportError:
        raise InputError("--engine ray needs Ray: pip install 'parley[ray]'") from None
    from parley.model import read_model_json

    read_model_json(model_dir)  # fail here, clearly, rather than inside an actor
    parse_threshold(threshold)
    if output.exists() and any(output.iterdir()):
        raise InputError("output directory is not empty", output)
    ray.init(address=address, ignore_reinit_error=True, include_dashboard=False, log_to_driver=False)
    documents = [
        {"doc_id": d.id, "text": d.text} for d in iter_documents(inputs, text_column=text_column, id_column=id_column)
    ]
    if not documents:
        raise InputError("no documents to predict on")
    dataset = ray.data.from_items(documents).map_batches(
        _ScoreDocuments,
        fn_constructor_args=(str(model_dir), threshold, presplit, batch_size, events),
        batch_size=256,
        concurrency=concurrency,
        batch_format="numpy",
    )
    with staged_dir(output) as staging:
        dataset.write_json(str(staging))
        if events:
            for shard in staging.iterdir():
                _decode_events(shard)
    return output


def _decode_events(shard: Path) -> None:
    """Events travel through Arrow as JSON text; in the written records they are lists again,
    as the local engine writes them."""
    lines = []
    with shard.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            record["events"] = json.loads(record["events"])
            lines.append(json.dumps(record, ensure_ascii=False) + "\n")
    shard.write_text("".join(lines), encoding="utf-8")
