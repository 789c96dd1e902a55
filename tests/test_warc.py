"""WARC input: real WARC files written with warcio's own writer, read back through read_warc, read_inputs and the CLI."""

from __future__ import annotations

import gzip
import html
import io
import json
import subprocess
import sys
from pathlib import Path

import hypothesis.strategies as st
from hypothesis import given, settings
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsclean import Document
from newsclean.errors import InputError
from newsclean.io import InputFailure, read_html, read_inputs, read_warc

PAGE = "<html lang='en'><head><title>Budget</title></head><body><nav><a href='/'>Home</a></nav><h1>Budget passes</h1><p>The council passed it.</p></body></html>"


def response(
    writer: WARCWriter,
    uri: str,
    body: bytes,
    content_type: str = "text/html; charset=utf-8",
    status: str = "200 OK",
    extra: list[tuple[str, str]] | None = None,
) -> None:
    headers = StatusAndHeaders(status, [("Content-Type", content_type), *(extra or [])], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=headers))


def write_warc(path: Path, build, gz: bool = True) -> Path:
    with path.open("wb") as out:
        build(WARCWriter(out, gzip=gz))
    return path


def crawl(writer: WARCWriter) -> None:
    """A small crawl: one page of each kind a crawler stores."""
    request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.com")], is_http_request=True)
    writer.write_record(writer.create_warc_record("https://example.com/a", "request", payload=io.BytesIO(b""), http_headers=request))
    response(writer, "https://example.com/a", PAGE.encode("utf-8"))
    response(writer, "https://example.com/logo.png", b"\x89PNG\r\n\x1a\n....", content_type="image/png")
    response(writer, "https://example.com/gone", b"<html><body><p>Not found</p></body></html>", status="404 Not Found")
    # The HTTP header says windows-1252; the page's <meta> says UTF-8: the header wins, as in a browser.
    latin = "<html><head><meta charset='utf-8'></head><body><p>Caf\u00e9 \u201cnews\u201d</p></body></html>"
    response(writer, "https://example.com/b", latin.encode("cp1252"), content_type="text/html; charset=windows-1252")
    # A body sent gzipped and chunked: the reader undoes both.
    body = gzip.compress(b"<html><body><p>Zipped page</p></body></html>")
    chunked = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    response(writer, "https://example.com/c", chunked, extra=[("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")])
    response(writer, "https://example.com/x", b"<p>XHTML page</p>", content_type="application/xhtml+xml")
    writer.write_record(writer.create_warc_record("https://example.com/meta", "metadata", payload=io.BytesIO(b"k: v")))


def docs_and_failures(items) -> tuple[list[Document], list[InputFailure]]:
    items = list(items)
    return [i for i in items if isinstance(i, Document)], [i for i in items if isinstance(i, InputFailure)]


def test_reads_only_html_responses_gz_and_plain(tmp_path: Path) -> None:
    for gz in (True, False):
        path = write_warc(tmp_path / ("crawl.warc.gz" if gz else "crawl.warc"), crawl, gz=gz)
        docs, failures = docs_and_failures(read_warc(path))
        assert failures == []
        assert [d.id for d in docs] == [
            "https://example.com/a", "https://example.com/b", "https://example.com/c", "https://example.com/x",
        ]  # fmt: skip
        first = docs[0]
        assert [line.text for line in first.lines] == ["Home", "Budget passes", "The council passed it."]
        assert first.metadata["url"] == "https://example.com/a" and first.metadata["title"] == "Budget"
        assert first.metadata["warc_record_id"].startswith("<urn:uuid:") and first.metadata["warc_date"]
        assert first.metadata["lines"][0]["hints"] == ["nav"]
        assert docs[1].text == "Café “news”" and docs[1].metadata["encoding"] == "cp1252"
        assert docs[2].text == "Zipped page"


def test_the_same_as_read_html_on_the_body(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "one.warc.gz", lambda w: response(w, "https://example.com/a", PAGE.encode()))
    (doc,) = read_warc(path)
    alone = read_html(PAGE.encode(), "https://example.com/a", encoding="utf-8", url="https://example.com/a")
    assert doc.lines == alone.lines and doc.metadata["lines"] == alone.metadata["lines"]


def test_a_wrong_http_charset_falls_back_to_what_the_page_says(tmp_path: Path) -> None:
    body = "<html><body><p>Tiếng Việt</p></body></html>".encode()
    path = write_warc(tmp_path / "w.warc.gz", lambda w: response(w, "https://e.com/v", body, "text/html; charset=ascii"))
    path2 = write_warc(tmp_path / "w2.warc.gz", lambda w: response(w, "https://e.com/v", body, "text/html; charset=utf-16"))
    (doc,) = read_warc(path2)
    assert doc.text == "Tiếng Việt" and doc.metadata["http_charset"] == "utf-16"
    (doc,) = read_warc(path)  # "ascii" is read as windows-1252, as browsers do: mojibake the pipeline repairs
    assert doc.text == "Tiáº¿ng Viá»‡t"


def test_a_bad_record_is_a_failure_and_the_next_is_read(tmp_path: Path) -> None:
    def build(w: WARCWriter) -> None:
        response(w, "https://e.com/binary", bytes(range(256)) * 8)
        response(w, "https://e.com/empty", b"")
        response(w, "https://e.com/script", b"<html><body><script>app()</script></body></html>")
        response(w, "https://e.com/ok", PAGE.encode())

    docs, failures = docs_and_failures(read_warc(write_warc(tmp_path / "bad.warc.gz", build)))
    assert [d.id for d in docs] == ["https://e.com/ok"]
    whats = {f.source.rsplit(": ", 1)[1]: f.error.what for f in failures}
    assert whats["https://e.com/binary"] == "not an HTML page (binary data)"
    assert whats["https://e.com/empty"] == "empty page"
    assert whats["https://e.com/script"] == "no visible text in the page's <body>"
    assert len(failures) == 3
    assert all(f.source.startswith(str(tmp_path / "bad.warc.gz")) for f in failures)


def test_not_a_warc_truncated_and_missing(tmp_path: Path) -> None:
    junk = tmp_path / "junk.warc"
    junk.write_bytes(b"this is not a WARC file\n" * 10)
    (failure,) = read_warc(junk)
    assert isinstance(failure, InputFailure) and failure.error.what.startswith("not a WARC file")
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    assert [f.error.what for f in read_warc(empty)] == ["no WARC record in the file"]  # type: ignore[union-attr]

    for name in ("whole.warc", "whole.warc.gz"):
        whole = write_warc(
            tmp_path / name, lambda w: [response(w, f"https://e.com/{i}", PAGE.encode()) for i in range(3)], gz=name.endswith("gz")
        )
        cut = tmp_path / f"cut-{name}"
        data = whole.read_bytes()
        cut.write_bytes(data[: len(data) * 2 // 3])
        items = list(read_warc(cut))
        assert [i.id for i in items if isinstance(i, Document)][:1] == ["https://e.com/0"]
        assert all(isinstance(i, (Document, InputFailure)) for i in items) and len(items) <= 3

    (missing,) = read_warc(tmp_path / "missing.warc.gz")
    assert missing.error.what == "file not found"


def test_streams_from_a_file_object_lazily(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "many.warc.gz", lambda w: [response(w, f"https://e.com/{i}", PAGE.encode()) for i in range(50)])
    with path.open("rb") as f:
        pages = read_warc(f)
        first = next(pages)
        assert isinstance(first, Document) and first.id == "https://e.com/0"
        assert f.tell() < path.stat().st_size  # the rest is not read yet
        assert sum(1 for _ in pages) == 49


def test_read_inputs_and_the_cli_take_warc(tmp_path: Path) -> None:
    path = write_warc(tmp_path / "crawl.warc.gz", crawl)
    docs, failures = docs_and_failures(read_inputs([path]))
    assert len(docs) == 4 and not failures
    out = tmp_path / "out.jsonl"
    result = subprocess.run(
        [sys.executable, "-m", "newsclean", "clean", str(path), "-o", str(out)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["id"] for r in records][:2] == ["https://example.com/a", "https://example.com/b"]
    assert "Home" not in records[0]["text"].split("\n")  # the <nav> line goes
    assert "The council passed it." in records[0]["text"]


paragraph = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=30)


@settings(max_examples=25, deadline=None)
@given(pages=st.lists(st.lists(paragraph, min_size=1, max_size=4), min_size=1, max_size=4), gz=st.booleans())
def test_any_pages_round_trip_through_a_warc(tmp_path_factory, pages: list[list[str]], gz: bool) -> None:
    bodies = ["<html><body>" + "".join(f"<p>{html.escape(p)}</p>" for p in page) + "</body></html>" for page in pages]
    path = tmp_path_factory.mktemp("w") / "p.warc"

    def build(w: WARCWriter) -> None:
        for i, body in enumerate(bodies):
            response(w, f"https://e.com/{i}", body.encode("utf-8"))

    write_warc(path, build, gz=gz)
    got = list(read_warc(path))
    for i, (item, body) in enumerate(zip(got, bodies, strict=True)):
        try:
            expected = read_html(body.encode("utf-8"), f"https://e.com/{i}", encoding="utf-8")
        except InputError as exc:  # a page of only spaces: the failure must be the same one
            assert isinstance(item, InputFailure) and item.error.what == exc.what
            continue
        assert isinstance(item, Document) and item.lines == expected.lines
