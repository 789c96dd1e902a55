"""Readers and writers: round trips, every input kind, lazy reading, and bad inputs as InputFailure records."""

from __future__ import annotations

import gzip
import io
import json
import sys
import tracemalloc
import types
from pathlib import Path

import pytest

from newsclean import ConfigError, Document, InputError, Pipeline, Whitespace
from newsclean.io import (
    InputFailure,
    JsonlWriter,
    TextFolderWriter,
    Writer,
    document_record,
    read_inputs,
    read_jsonl,
    read_text,
    safe_file_name,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
PAGE = "Tiêu đề\n\n  Thân  bài.\nTin khác\n"


def docs(items: list[Document | InputFailure]) -> list[Document]:
    assert not [i for i in items if isinstance(i, InputFailure)], items
    return items  # type: ignore[return-value]


def only_failure(items: list[Document | InputFailure]) -> InputFailure:
    assert len(items) == 1 and isinstance(items[0], InputFailure), items
    return items[0]


# -- text dumps ------------------------------------------------------------------


def test_seeds_folder_reads_every_dump_sorted_and_no_labels() -> None:
    read = docs(list(read_inputs([SEEDS])))
    assert [d.id for d in read] == sorted(p.name.removesuffix(".txt") for p in SEEDS.glob("*.txt"))
    assert len(read) == 5
    for doc in read:
        raw = (SEEDS / f"{doc.id}.txt").read_text(encoding="utf-8")
        assert doc.text == raw.replace("\r\n", "\n").replace("\r", "\n")
        assert doc.metadata == {}


def test_a_folder_without_dumps_is_read_for_its_pages(tmp_path: Path) -> None:
    (tmp_path / "b.html").write_text("<body><p>Page line</p></body>", encoding="utf-8")
    (tmp_path / "c.htm.gz").write_bytes(gzip.compress(b"<body><p>Zipped page</p></body>"))
    (tmp_path / "out.jsonl").write_text('{"id": "o", "text": "Output"}', encoding="utf-8")
    (tmp_path / "notes.md").write_text("Notes", encoding="utf-8")
    # Sorted by name, read as HTML, their markup gone; JSONL and other files left alone.
    assert [(d.id, d.text) for d in docs(list(read_inputs(tmp_path)))] == [("b", "Page line"), ("c", "Zipped page")]
    assert [d.id for d in docs(list(read_inputs(tmp_path, fmt="jsonl")))] == ["o"]
    (failure,) = read_inputs(tmp_path, fmt="txt")
    assert isinstance(failure, InputFailure) and failure.error.what == "no .txt or .txt.gz files in the folder"
    # A dump beside the pages: the folder means its dumps, so no page is cleaned twice.
    (tmp_path / "a.txt").write_text("Dump line", encoding="utf-8")
    assert [d.id for d in docs(list(read_inputs(tmp_path)))] == ["a"]


def test_file_glob_and_fmt_override(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("B", encoding="utf-8")
    (tmp_path / "c.dump").write_text('{"id": "c", "text": "C"}', encoding="utf-8")
    found = docs(list(read_inputs([tmp_path / "a.txt", str(tmp_path / "**" / "*.txt")])))
    assert [(d.id, d.text) for d in found] == [("a", "A"), ("a", "A"), ("b", "B")]
    assert [d.id for d in docs(list(read_inputs(tmp_path / "c.dump")))] == ["c.dump"]
    assert [d.text for d in docs(list(read_inputs(tmp_path / "c.dump", fmt="jsonl")))] == ["C"]


def test_gz_dump_bom_and_other_encodings(tmp_path: Path) -> None:
    (tmp_path / "z.txt.gz").write_bytes(gzip.compress(PAGE.encode("utf-8")))
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + PAGE.encode("utf-8"))
    # cp1258 spells "ề" as "ê" and a combining grave accent.
    (tmp_path / "vn.txt").write_bytes("Tiêu đê\u0300".encode("cp1258"))
    assert [(d.id, d.text) for d in docs(list(read_inputs(tmp_path / "z.txt.gz")))] == [("z", PAGE)]
    assert docs(list(read_text(tmp_path / "bom.txt")))[0].text == PAGE
    assert docs(list(read_text(tmp_path / "vn.txt", encoding="cp1258")))[0].text == "Tiêu đê\u0300"


def test_stdin_is_one_document(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(PAGE.encode("utf-8"))))
    assert [(d.id, d.text) for d in docs(list(read_inputs(["-"])))] == [("stdin", PAGE)]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"text": "a"}\n{"text": "b"}\n')))
    assert [(d.id, d.text) for d in docs(list(read_inputs("-", fmt="jsonl")))] == [("stdin:1", "a"), ("stdin:2", "b")]


def test_text_folder_writer_round_trip_and_safe_unique_names(tmp_path: Path) -> None:
    pipe = Pipeline([Whitespace()])
    ids = ["a/b", "a_b", "A_B", "", "..", "CON", "tin tức"]
    cleaned = [pipe(Document.from_text(f"{PAGE}{i}", id=doc_id)) for i, doc_id in enumerate(ids)]
    with TextFolderWriter(tmp_path / "out") as writer:
        assert isinstance(writer, Writer)
        for doc in cleaned:
            writer.write(doc)
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == sorted(["a_b.txt", "a_b-2.txt", "A_B-3.txt", "doc.txt", "doc-2.txt", "_CON.txt", "tin_tức.txt"])
    back = {d.id: d.text for d in docs(list(read_inputs(tmp_path / "out")))}
    assert back["a_b-2"] == cleaned[1].text + "\n"  # files end in a newline, like the dumps
    assert safe_file_name("x" * 300) == "x" * 200


# -- JSONL -------------------------------------------------------------------------


def test_jsonl_custom_fields_metadata_and_fallback_ids(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl.gz"
    rows = [{"url": "u1", "body": "x", "key": 7}, {"body": "y"}, {"body": "z", "key": None}]
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n")
    read = docs(list(read_inputs([path], id_field="key", text_field="body")))
    assert [(d.id, d.text, d.metadata) for d in read] == [
        ("7", "x", {"url": "u1"}),
        (f"{path}:2", "y", {}),
        (f"{path}:3", "z", {}),
    ]


def test_jsonl_writer_round_trip_with_explain_gz_and_surrogates(tmp_path: Path) -> None:
    doc = Pipeline([Whitespace()])(Document.from_text(PAGE + "\ud800", id="ở/1"))
    path = tmp_path / "sub" / "out.jsonl.gz"
    with JsonlWriter(path, explain=True) as writer:
        writer.write(doc)
    raw = gzip.decompress(path.read_bytes()).decode("utf-8")
    assert raw.endswith("}\n") and "ở/1" in raw and "\\ud800" in raw  # not ASCII-escaped, yet valid UTF-8
    record = json.loads(raw)
    assert record == document_record(doc, explain=True)
    assert record["removed"] == [
        {"line": 1, "label": "blank", "stage": "whitespace", "rule": "empty", "evidence": "empty line", "text": ""}
    ]
    assert record["edits"] == [
        {
            "line": 2,
            "stage": "whitespace",
            "rule": "collapse",
            "before": "  Thân  bài.",
            "after": "Thân bài.",
            "steps": [],
        }
    ]
    (back,) = docs(list(read_inputs(path)))
    assert (back.id, back.text, back.metadata["title"]) == (doc.id, doc.text, doc.title)


def test_jsonl_writer_to_a_stream_leaves_it_open() -> None:
    out = io.StringIO()
    with JsonlWriter(out) as writer:
        writer.write(Document.from_text("a", id="1"))
    assert not out.closed
    assert out.getvalue() == '{"id": "1", "title": "", "text": "a"}\n'


def test_reading_is_lazy_and_memory_does_not_grow(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    text = "Tiêu đề\n" + "Thân bài dài. " * 20
    with path.open("w", encoding="utf-8") as f:
        for i in range(20_000):
            f.write(json.dumps({"id": str(i), "text": text, "n": i}, ensure_ascii=False) + "\n")
    size = path.stat().st_size
    assert size > 5_000_000
    items = read_inputs([path])
    assert isinstance(items, types.GeneratorType)
    tracemalloc.start()
    try:
        first = next(items)
        _, first_peak = tracemalloc.get_traced_memory()
        count = 1 + sum(1 for _ in items)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(first, Document) and first.id == "0"
    assert count == 20_000
    assert first_peak < size / 20  # the first document did not read the file
    assert peak < size / 10  # nor did reading all of them hold it


# -- bad inputs ----------------------------------------------------------------------


def test_bad_inputs_become_failures_and_the_rest_is_read(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("ok", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"ok\nTi\xeau")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "bom-only.txt").write_bytes(b"\xef\xbb\xbf")
    (tmp_path / "broken.txt.gz").write_bytes(b"not gzip")
    (tmp_path / "nothing").mkdir()
    paths = ["bad.txt", "missing.txt", "empty.txt", "bom-only.txt", "broken.txt.gz", "ok.txt", "nothing", "*.md"]
    items = list(read_inputs([tmp_path / p for p in paths]))
    assert [i.id for i in items if isinstance(i, Document)] == ["ok"]
    messages = [i.error.message().replace(str(tmp_path), "T") for i in items if isinstance(i, InputFailure)]
    assert messages == [
        (
            "cannot decode byte 0xea at offset 5 as utf-8 (invalid continuation byte), T/bad.txt; "
            "try the file's real encoding, e.g. --encoding cp1258 (encoding='cp1258' from Python)"
        ),
        "file not found, T/missing.txt; try a path to an existing file, folder or glob pattern",
        "empty file, T/empty.txt; try leaving it out, or fetching the page again",
        "empty file, T/bom-only.txt; try leaving it out, or fetching the page again",
        "not a valid gzip file (Not a gzipped file (b'no')), T/broken.txt.gz; try decompressing it with gunzip to see what is wrong",
        (
            "no .txt, .txt.gz, .html, .html.gz, .htm, .htm.gz, .warc or .warc.gz files in the folder, T/nothing; "
            "try a folder of dumps or pages, or a glob pattern such as 'dumps/**/*.txt'"
        ),
        "no file matches the pattern, T/*.md; try a pattern that matches, e.g. 'dumps/*.txt'",
    ]
    failure = next(i for i in items if isinstance(i, InputFailure))
    assert isinstance(failure.error, InputError) and failure.source == f"{tmp_path}/bad.txt"


def test_bad_jsonl_lines_fail_alone(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    lines = [
        b'{"id": "a", "text": "A"}',
        b"{nope",
        b'{"id": "b", "body": "B", "url": "u"}',
        b'["x"]',
        b'{"text": 3}',
        b'{"text": "\xff"}',
        b'{"text": "C"}',
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    items = list(read_jsonl(path))
    assert [(i.id, i.text) for i in items if isinstance(i, Document)] == [("a", "A"), (f"{path}:7", "C")]
    failures = [
        (i.source.replace(str(tmp_path), "T"), i.error.what, i.error.hint) for i in items if isinstance(i, InputFailure)
    ]
    assert failures == [
        (
            "T/in.jsonl:2",
            "not JSON (Expecting property name enclosed in double quotes at column 2)",
            'one JSON object per line, e.g. {"id": "a", "text": "..."}',
        ),
        ("T/in.jsonl:3", "no 'text' field", "--text-field NAME (text_field= from Python), one of: body, id, url"),
        ("T/in.jsonl:4", "a JSON array where an object was expected", 'one {"id": ..., "text": ...} object per line'),
        ("T/in.jsonl:5", "field 'text' is a JSON number, not a string", "a record whose text is a string"),
        (
            "T/in.jsonl:6",
            "cannot decode byte 0xff at offset 96 as utf-8 (invalid start byte)",
            "the file's real encoding, e.g. --encoding cp1258 (encoding='cp1258' from Python)",
        ),
    ]
    assert path.read_bytes().index(b"\xff") == 96  # the offset counts from the file's start, not the line's


def test_empty_jsonl_and_utf16_jsonl_are_failures(tmp_path: Path) -> None:
    (tmp_path / "e.jsonl").write_bytes(b"\n \n")
    (tmp_path / "w.jsonl").write_text('{"text": "a"}\n', encoding="utf-16")
    assert only_failure(list(read_inputs(tmp_path / "e.jsonl"))).error.what == "empty file"
    failure = only_failure(list(read_inputs(tmp_path / "w.jsonl", encoding="utf-16")))
    assert failure.error.hint == "converting it to UTF-8 first, e.g. iconv -f utf-16 -t utf-8"
    # A UTF-16 dump is fine: it is decoded whole.
    (tmp_path / "w.txt").write_text("Tiêu đề", encoding="utf-16")
    assert docs(list(read_inputs(tmp_path / "w.txt", encoding="utf-16")))[0].text == "Tiêu đề"


def test_options_are_checked_before_reading() -> None:
    with pytest.raises(ConfigError, match="not a text encoding: 'nope', encoding; try a Python codec name"):
        read_inputs(["missing.txt"], encoding="nope")
    with pytest.raises(ConfigError, match="unknown input format 'html', fmt; try one of: txt, jsonl"):
        read_inputs(["missing.txt"], fmt="html")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="text_field must be a field name"):
        read_inputs(["missing.txt"], text_field="")


def test_failures_pickle_with_their_message(tmp_path: Path) -> None:
    import pickle

    failure = only_failure(list(read_inputs(tmp_path / "missing.txt")))
    again = pickle.loads(pickle.dumps(failure))
    assert again.source == failure.source and again.error.message() == failure.error.message()
