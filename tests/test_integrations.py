"""newsclean inside real datatrove and datasets pipelines (no mocks: the libraries themselves run it)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import datasets
import pyarrow.parquet as pq
from datatrove.data import Document as DatatroveDocument
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter, ParquetWriter

import newsclean
from newsclean import Document, Pipeline, Whitespace, default_pipeline
from newsclean.integrations.datatrove import NewscleanStep
from newsclean.integrations.hf import FIELDS, BatchCleaner, clean_batch
from newsclean.io.records import removal_records

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
PIPE = Pipeline([Whitespace()])
TEXTS = {
    "clean": "Tiêu đề",  # nothing to remove: the first document's removals are an empty list
    "spaced": "  Tiêu đề  \n\n\tThân   bài.\n",
    "empty": " \n\t\n",
    "blank-free": "Một\nHai",
}


def records(folder: Path) -> list[dict[str, object]]:
    out = []
    for path in sorted(folder.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            out += [json.loads(line) for line in f]
    return out


def stats(logs: Path) -> dict[str, int]:
    (step,) = [s for s in json.loads((logs / "stats" / "00000.json").read_text()) if "newsclean" in s["name"]]
    return {name: value["total"] if isinstance(value, dict) else value for name, value in step["stats"].items()}


def test_datatrove_step_in_a_local_executor(tmp_path: Path) -> None:
    documents = [
        DatatroveDocument(text=text, id=doc_id, metadata={"url": f"u/{doc_id}"}) for doc_id, text in TEXTS.items()
    ]
    executor = LocalPipelineExecutor(
        pipeline=[documents, NewscleanStep(PIPE), JsonlWriter(str(tmp_path / "out"))],
        tasks=1,
        logging_dir=str(tmp_path / "logs"),
    )
    executor.run()

    out = records(tmp_path / "out")
    expected = {doc_id: PIPE(Document.from_text(text, id=doc_id)) for doc_id, text in TEXTS.items()}
    assert [r["id"] for r in out] == ["clean", "spaced", "blank-free"]  # "empty" is dropped
    for record in out:
        doc = expected[str(record["id"])]
        metadata = record["metadata"]
        assert isinstance(metadata, dict)
        assert record["text"] == doc.text
        assert json.loads(metadata["newsclean_removed"]) == removal_records(doc)
        assert metadata["newsclean_removed_lines"] == len(doc.removed)
        assert metadata["url"] == f"u/{record['id']}"  # the document's own metadata stays
        assert metadata["newsclean_version"] == newsclean.__version__
        assert metadata["newsclean_config_hash"] == PIPE.config_hash

    counted = stats(tmp_path / "logs")
    removed = sum(len(d.removed) for d in expected.values())
    assert (counted["total"], counted["forwarded"], counted["dropped"], counted["dropped_empty"]) == (4, 3, 1, 1)
    assert counted["lines_removed"] == removed
    assert counted["removed_whitespace/empty"] == sum(r.rule == "empty" for d in expected.values() for r in d.removed)
    assert counted["doc_len"] == sum(len(expected[str(r["id"])].text) for r in out)


def test_datatrove_reader_step_and_parquet_writer(tmp_path: Path) -> None:
    # A real reader first, the default pipeline, and datatrove's Parquet writer, which fixes its schema from the
    # first document: the removals, a JSON string, keep one type whether a document has removals or none.
    source = tmp_path / "in"
    source.mkdir()
    pages = sorted(SEEDS.glob("*.txt"))[:3]
    with open(source / "pages.jsonl", "w", encoding="utf-8") as f:
        f.write(json.dumps({"id": "short", "text": "Tiêu đề"}, ensure_ascii=False) + "\n")
        f.writelines(
            json.dumps({"id": page.stem, "text": page.read_text(encoding="utf-8")}, ensure_ascii=False) + "\n"
            for page in pages
        )
    pipe = default_pipeline("vi")
    LocalPipelineExecutor(
        pipeline=[
            JsonlReader(str(source)),
            NewscleanStep(language="vi", drop_empty=False),
            ParquetWriter(str(tmp_path / "out")),
        ],
        tasks=1,
        logging_dir=str(tmp_path / "logs"),
    ).run()
    (written,) = (tmp_path / "out").glob("*.parquet")
    rows = pq.read_table(written).to_pylist()
    assert [r["id"] for r in rows] == ["short", *(p.stem for p in pages)]
    for row, page in zip(rows[1:], pages):
        doc = pipe(Document.from_text(page.read_text(encoding="utf-8"), id=page.stem))
        assert row["text"] == doc.text and doc.removed
        assert json.loads(row["metadata"]["newsclean_removed"]) == removal_records(doc)


def test_hf_map_on_a_real_dataset() -> None:
    ds = datasets.Dataset.from_dict({"id": list(TEXTS), "text": list(TEXTS.values()), "url": [f"u/{k}" for k in TEXTS]})
    # batch_size=1: the first batch has no removals, and whole batches are dropped.
    cleaned = ds.map(BatchCleaner(PIPE, drop_empty=True), batched=True, batch_size=1)
    expected = {doc_id: PIPE(Document.from_text(text, id=doc_id)) for doc_id, text in TEXTS.items()}
    assert cleaned.column_names == ["id", "text", "url", *FIELDS]
    assert cleaned["id"] == ["clean", "spaced", "blank-free"]
    for row in cleaned:
        doc = expected[row["id"]]
        assert (row["text"], row["newsclean_title"], row["url"]) == (doc.text, doc.title, f"u/{row['id']}")
        assert json.loads(row["newsclean_removed"]) == removal_records(doc)
        assert row["newsclean_config_hash"] == PIPE.config_hash

    everything = ds.map(clean_batch, batched=True)
    assert everything.num_rows == ds.num_rows  # no rows dropped by default
    default = default_pipeline()
    assert everything["text"] == [default(t).text for t in TEXTS.values()]
    assert set(everything["newsclean_config_hash"]) == {default.config_hash}


def test_hf_text_column_and_pickling() -> None:
    import pickle

    cleaner = BatchCleaner(PIPE, text_column="body")
    ds = datasets.Dataset.from_dict({"body": [" a ", "b\n\n"]})
    assert ds.map(cleaner, batched=True)["body"] == ["a", "b"]
    assert pickle.loads(pickle.dumps(cleaner)).pipeline == PIPE
