"""Parquet in and out, against real pyarrow: row groups kept one for one, removals as list<struct>, bad files as failures."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from clirun import run_newsclean
from hypothesis import given
from hypothesis import strategies as st

import newsclean
from newsclean import Document, Pipeline, Whitespace
from newsclean.errors import ConfigError
from newsclean.io import InputFailure, read_inputs
from newsclean.io.parquet import ParquetWriter, read_parquet
from newsclean.io.records import removal_records

PIPE = Pipeline([Whitespace()])
# Arrow strings are UTF-8, so a column cannot hold a lone surrogate; every other character can.
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)


def write_table(path: Path, columns: dict[str, list[object]], row_group_sizes: list[int]) -> None:
    """A Parquet file whose row groups have exactly the given sizes."""
    table = pa.table(columns)
    assert sum(row_group_sizes) == table.num_rows
    with pq.ParquetWriter(path, table.schema) as writer:
        start = 0
        for size in row_group_sizes:
            writer.write_table(table.slice(start, size), row_group_size=max(size, 1))
            start += size


def clean_file(source: Path, target: Path, **options: object) -> list[InputFailure]:
    failures = []
    with ParquetWriter(target, pipeline=PIPE, **options) as writer:  # type: ignore[arg-type]
        for item in read_parquet(source):
            if isinstance(item, InputFailure):
                failures.append(item)
            else:
                writer.write(PIPE(item))
    return failures


def row_group_sizes(path: Path) -> list[int]:
    meta = pq.ParquetFile(path).metadata
    return [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]


@given(
    texts=st.lists(TEXT, min_size=1, max_size=12),
    cuts=st.lists(st.integers(0, 12), max_size=4),
)
def test_clean_parquet_keeps_row_groups_and_equals_cleaning_each_text(
    tmp_path_factory: pytest.TempPathFactory, texts: list[str], cuts: list[int]
) -> None:
    folder = tmp_path_factory.mktemp("pq")
    bounds = sorted({0, len(texts), *(min(c, len(texts)) for c in cuts)})
    sizes = [b - a for a, b in itertools.pairwise(bounds) if b > a]
    ids = [f"d{i}" for i in range(len(texts))]
    write_table(folder / "in.parquet", {"id": ids, "text": texts}, sizes)

    assert clean_file(folder / "in.parquet", folder / "out.parquet") == []

    assert row_group_sizes(folder / "out.parquet") == sizes
    out = pq.read_table(folder / "out.parquet").to_pylist()
    expected = [PIPE(Document.from_text(t, id=i)) for i, t in zip(ids, texts)]
    assert [r["id"] for r in out] == ids
    assert [r["text"] for r in out] == [d.text for d in expected]
    assert [r["removed"] for r in out] == [removal_records(d) for d in expected]
    # Nothing is lost: the removals and the kept text rebuild every raw line.
    for row, raw in zip(out, texts):
        kept = row["text"].split("\n") if row["text"] else []
        assert len(kept) + len(row["removed"]) == len(raw.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def test_output_columns_types_and_provenance(tmp_path: Path) -> None:
    write_table(tmp_path / "in.parquet", {"id": ["a", "b"], "text": ["Tin\n\n  Bài ", "x"], "url": ["u1", None]}, [2])
    clean_file(tmp_path / "in.parquet", tmp_path / "out.parquet", explain=True, keep_fields="url")
    file = pq.ParquetFile(tmp_path / "out.parquet")
    schema = file.schema_arrow
    assert schema.names == [
        "id",
        "title",
        "text",
        "url",
        "removed",
        "edits",
        "newsclean_version",
        "newsclean_config_hash",
    ]
    assert str(schema.field("removed").type) == (
        "list<element: struct<line: int32, label: string, stage: string, rule: string, evidence: string, text: string>>"
    )
    rows = file.read().to_pylist()
    assert [r["url"] for r in rows] == ["u1", None]
    assert rows[0]["edits"] == [
        {"line": 2, "stage": "whitespace", "rule": "trim", "before": "  Bài ", "after": "Bài", "steps": []}
    ]
    assert rows[1]["edits"] == [] and rows[1]["removed"] == []
    assert {r["newsclean_version"] for r in rows} == {newsclean.__version__}
    assert {r["newsclean_config_hash"] for r in rows} == {PIPE.config_hash}
    meta = schema.metadata
    assert json.loads(meta[b"newsclean_config"]) == PIPE.to_config()
    assert meta[b"newsclean_config_hash"].decode() == PIPE.config_hash


def test_reader_fields_ids_and_metadata(tmp_path: Path) -> None:
    write_table(
        tmp_path / "in.parquet",
        {"doc": [7, None], "body": ["A", "B"], "link": ["https://a.vn/1", "https://a.vn/2"], "lang": ["vi", "en"]},
        [2],
    )
    docs = list(read_parquet(tmp_path / "in.parquet", id_field="doc", text_field="body", url_field="link"))
    assert all(isinstance(d, Document) for d in docs)
    first, second = docs
    assert isinstance(first, Document) and isinstance(second, Document)
    assert (first.id, first.text, first.metadata["url"], first.metadata["lang"]) == ("7", "A", "https://a.vn/1", "vi")
    assert second.id == f"{tmp_path / 'in.parquet'}:1"  # null id: FILE:ROW
    assert "link" not in first.metadata and "body" not in first.metadata
    only = list(read_parquet(tmp_path / "in.parquet", text_field="body", columns=["doc"]))
    assert isinstance(only[0], Document) and "lang" not in only[0].metadata


def test_html_column_is_read_as_pages(tmp_path: Path) -> None:
    page = "<html><head><title>Tin</title></head><body><h1>Tin</h1><p>Thân bài dài.</p></body></html>"
    write_table(tmp_path / "in.parquet", {"id": ["p"], "html": [page], "url": ["https://a.vn/p"]}, [1])
    (doc,) = read_parquet(tmp_path / "in.parquet")
    assert isinstance(doc, Document)
    assert "Thân bài dài." in doc.text and doc.metadata["url"] == "https://a.vn/p"
    assert doc.metadata["title"] == "Tin"


def failures_of(path: Path, **options: object) -> list[tuple[str, str]]:
    return [
        (item.source, item.error.what)
        for item in read_parquet(path, **options)  # type: ignore[arg-type]
        if isinstance(item, InputFailure)
    ]


def test_bad_files_are_failures_not_crashes(tmp_path: Path) -> None:
    (tmp_path / "junk.parquet").write_bytes(b"this is not parquet at all")
    where = str(tmp_path / "junk.parquet")
    ((source, what),) = failures_of(tmp_path / "junk.parquet")
    assert source == where and what.startswith("cannot read as Parquet (")

    assert failures_of(tmp_path / "gone.parquet") == [(str(tmp_path / "gone.parquet"), "file not found")]

    write_table(tmp_path / "cols.parquet", {"id": ["a"], "body": ["x"]}, [1])
    assert failures_of(tmp_path / "cols.parquet") == [(str(tmp_path / "cols.parquet"), "no 'text' column")]

    write_table(tmp_path / "ints.parquet", {"text": [1, 2]}, [2])
    assert failures_of(tmp_path / "ints.parquet") == [
        (str(tmp_path / "ints.parquet"), "column 'text' is int64, not a string")
    ]

    pq.write_table(pa.table({"text": pa.array([], pa.string())}), tmp_path / "empty.parquet")
    assert failures_of(tmp_path / "empty.parquet") == [(str(tmp_path / "empty.parquet"), "empty file")]

    # A truncated file: its footer is gone.
    write_table(tmp_path / "whole.parquet", {"text": ["a" * 100] * 50}, [50])
    data = (tmp_path / "whole.parquet").read_bytes()
    (tmp_path / "cut.parquet").write_bytes(data[: len(data) // 2])
    ((_, what),) = failures_of(tmp_path / "cut.parquet")
    assert what.startswith("cannot read as Parquet (")


def test_a_null_text_fails_its_row_only(tmp_path: Path) -> None:
    write_table(tmp_path / "in.parquet", {"id": ["a", "b", "c"], "text": ["A", None, "C"]}, [3])
    items = list(read_parquet(tmp_path / "in.parquet"))
    assert [i.id if isinstance(i, Document) else i.source for i in items] == ["a", f"{tmp_path / 'in.parquet'}:1", "c"]
    failure = items[1]
    assert isinstance(failure, InputFailure) and failure.error.what == "column 'text' is null"


def test_read_inputs_picks_parquet_by_name_and_in_folders(tmp_path: Path) -> None:
    write_table(tmp_path / "a.parquet", {"id": ["1", "2"], "text": ["x", "y"]}, [1, 1])
    write_table(tmp_path / "b.parquet", {"id": ["3"], "text": ["z"]}, [1])
    by_name = [d.id for d in read_inputs(tmp_path / "a.parquet") if isinstance(d, Document)]
    in_folder = [d.id for d in read_inputs(tmp_path, fmt="parquet") if isinstance(d, Document)]
    assert (by_name, in_folder) == (["1", "2"], ["1", "2", "3"])


def test_writer_options(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be written to Parquet"):
        ParquetWriter(tmp_path / "x.parquet", keep_fields="*")
    with pytest.raises(ConfigError, match="cannot keep field 'text'"):
        ParquetWriter(tmp_path / "x.parquet", keep_fields=["text"])
    assert not (tmp_path / "x.parquet").exists()

    # Documents not read from Parquet: a row group every row_group_size rows; values that are not strings as JSON.
    with ParquetWriter(tmp_path / "o.parquet", row_group_size=2, keep_fields=["n", "when"]) as writer:
        for i in range(5):
            writer.write(Document.from_text(f"t{i}\ud800", id=str(i), metadata={"n": i, "when": [i]}))
    assert row_group_sizes(tmp_path / "o.parquet") == [2, 2, 1]
    rows = pq.read_table(tmp_path / "o.parquet").to_pylist()
    assert [r["n"] for r in rows] == ["0", "1", "2", "3", "4"] and rows[0]["when"] == "[0]"
    assert rows[0]["text"] == "t0\\ud800"  # a lone surrogate is written as its escape, as in JSONL

    with ParquetWriter(tmp_path / "none.parquet"):
        pass
    assert pq.read_table(tmp_path / "none.parquet").schema.names == ["id", "title", "text", "removed"]


def run_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return run_newsclean(*args)


def test_cli_parquet_in_and_out(tmp_path: Path) -> None:
    texts = ["Tiêu đề\n\nThân bài một.", "  Hai  \n", "Ba\n\n\nBốn"]
    write_table(tmp_path / "in.parquet", {"id": ["a", "b", "c"], "text": texts, "url": ["u1", "u2", "u3"]}, [2, 1])
    (tmp_path / "bad.parquet").write_bytes(b"PAR1 but not really")
    config = tmp_path / "pipe.toml"
    config.write_text(PIPE.to_toml(), encoding="utf-8")

    result = run_cli(
        "clean",
        tmp_path / "in.parquet",
        tmp_path / "bad.parquet",
        "--config",
        config,
        "-o",
        tmp_path / "out.parquet",
        "--keep-fields",
        "url",
    )
    assert result.returncode == 1, result.stderr
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("newsclean: error:")]
    assert len(error_lines) == 1 and str(tmp_path / "bad.parquet") in error_lines[0]
    assert row_group_sizes(tmp_path / "out.parquet") == [2, 1]
    rows = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert [r["text"] for r in rows] == [PIPE(t).text for t in texts]
    assert [r["url"] for r in rows] == ["u1", "u2", "u3"]
    assert {r["newsclean_config_hash"] for r in rows} == {PIPE.config_hash}

    jsonl = run_cli("clean", tmp_path / "in.parquet", "--config", config, "--format", "jsonl", "--keep-fields", "url")
    assert jsonl.returncode == 0, jsonl.stderr
    assert [json.loads(line)["url"] for line in jsonl.stdout.splitlines()] == ["u1", "u2", "u3"]


def test_cli_parquet_needs_a_file(tmp_path: Path) -> None:
    result = run_cli("clean", Path(__file__).resolve().parent.parent / "seeds", "--format", "parquet")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "newsclean: error: --format parquet writes a file: give its name with -o FILE.parquet; try 'newsclean clean --help'"
    ]


def test_cli_reads_parquet_from_stdin(tmp_path: Path) -> None:
    write_table(tmp_path / "in.parquet", {"id": ["a"], "text": ["  Tin  \n\nBài."]}, [1])
    with open(tmp_path / "in.parquet", "rb") as stdin:
        result = subprocess.run(
            [sys.executable, "-m", "newsclean", "clean", "-", "--input-format", "parquet", "--lang", "vi"],
            stdin=stdin, capture_output=True, env={**os.environ, "PYTHONUTF8": "1"}, timeout=120, check=False,
        )
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert (record["id"], record["text"]) == ("a", default_text("  Tin  \n\nBài."))


def default_text(raw: str) -> str:
    return newsclean.default_pipeline("vi")(raw).text


def test_without_pyarrow_the_error_says_what_to_install(tmp_path: Path) -> None:
    write_table(tmp_path / "in.parquet", {"text": ["a"]}, [1])
    # A Python where pyarrow cannot be imported, as after `pip install newsclean` without the extra.
    code = (
        "import sys; sys.modules['pyarrow'] = None; from newsclean.cli import main; "
        f"raise SystemExit(main(['clean', {str(tmp_path / 'in.parquet')!r}]))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "newsclean: error: Parquet needs pyarrow, which is not installed, parquet; try pip install 'newsclean[parquet]'"
    ]
