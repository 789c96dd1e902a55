"""WARC files: every HTML response in a crawl archive as a Document, streamed (``pip install 'newsclean[warc]'``).

A WARC file (``.warc`` or ``.warc.gz``, gzipped per record as crawlers
write them, or whole) holds a crawl's requests, responses and metadata.
Only ``response`` records whose HTTP status is 2xx and whose
``Content-Type`` is HTML (``text/html``, ``application/xhtml+xml``) are
pages; everything else is passed over. Each page is read with
``read_html``: its id and ``url`` are the record's ``WARC-Target-URI``, its
bytes are decoded with the HTTP header's charset when it names one Python
knows (as a browser does, before the page's own ``<meta>``), and the body
is de-chunked and decompressed as the server sent it.

Reading is lazy, one record at a time, in memory (no temporary files). A
record that cannot be read becomes an ``InputFailure`` in its place and the
next record is read; a file that is not WARC, or whose stream breaks, ends
with one failure that says where.

>>> import io
>>> from warcio.warcwriter import WARCWriter
>>> from warcio.statusandheaders import StatusAndHeaders
>>> out = io.BytesIO()
>>> writer = WARCWriter(out, gzip=True)
>>> headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
>>> page = "<html><body><h1>Tiêu đề</h1><p>Thân bài.</p></body></html>".encode()
>>> writer.write_record(writer.create_warc_record("https://example.com/a", "response",
...     payload=io.BytesIO(page), http_headers=headers))
>>> [(doc.id, doc.text) for doc in read_warc(io.BytesIO(out.getvalue()))]
[('https://example.com/a', 'Tiêu đề\\nThân bài.')]
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from attrs import evolve

from newsclean.core import Document
from newsclean.errors import InputError
from newsclean.io.base import READ_ERRORS, InputFailure, read_error
from newsclean.io.html import read_html

__all__ = ["HTML_TYPES", "WARC_SUFFIXES", "read_warc"]

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
"""The media types (from the HTTP ``Content-Type``) of the records read as pages."""

WARC_SUFFIXES = (".warc", ".warc.gz")
"""How a WARC file's name ends."""

# HTTP charset labels browsers read as windows-1252 (WHATWG Encoding), as read_html does for <meta>.
_WINDOWS_1252 = frozenset({"latin-1", "iso8859-1", "ascii", "cp1252"})
_MISSING_EXTRA = "pip install 'newsclean[warc]'"


def _archive_iterator() -> Any:
    try:
        from warcio.archiveiterator import ArchiveIterator  # type: ignore[import-untyped]
    except ImportError:
        raise InputError("reading WARC files needs the warcio package", "warc", _MISSING_EXTRA) from None
    return ArchiveIterator


def read_warc(source: str | Path | BinaryIO, *, encoding: str | None = None) -> Iterator[Document | InputFailure]:
    """Stream the HTML pages of a WARC file as Documents, an ``InputFailure`` in place of each bad record.

    Args:
        source: a ``.warc`` or ``.warc.gz`` path, or a binary file object
            positioned at the start of a WARC stream (gzipped or not).
        encoding: the codec of every page, over the HTTP charset and the
            page's own (strict, as ``read_html`` takes it).

    A missing file, a file that is not WARC and a stream that breaks are
    failures too (reading stops at a break: nothing after it can be found).
    """
    try:
        iterator_class = _archive_iterator()
    except InputError as exc:
        yield InputFailure(str(source) if isinstance(source, (str, Path)) else "warc", exc)
        return
    if isinstance(source, (str, Path)):
        where = str(source)
        try:
            stream: BinaryIO = open(source, "rb")  # noqa: SIM115 - closed by the with below, once open succeeded
        except READ_ERRORS as exc:
            yield InputFailure(where, read_error(exc, where))
            return
        with stream:
            yield from _records(iterator_class, stream, where, encoding)
    else:
        yield from _records(iterator_class, source, getattr(source, "name", None) or "warc", encoding)


def _records(iterator_class: Any, stream: BinaryIO, where: str, encoding: str | None) -> Iterator[Document | InputFailure]:
    from warcio.exceptions import ArchiveLoadFailed  # type: ignore[import-untyped]

    records = iter(iterator_class(stream))
    first = True
    while True:
        try:
            record = next(records)
        except StopIteration:
            if first:
                yield InputFailure(where, InputError("no WARC record in the file", where, "a .warc or .warc.gz file"))
            return
        except (ArchiveLoadFailed, ValueError, *READ_ERRORS) as exc:
            # The stream itself is broken: no record boundary can be trusted after this.
            yield InputFailure(
                where, InputError(f"not a readable WARC stream ({_reason(exc)})", where, "checking the file with warcio check")
            )
            return
        if first and not str(getattr(record, "format", "warc")).startswith("warc"):
            # warcio reads anything as the older ARC format, one line a record: this is not a crawl.
            yield InputFailure(
                where, InputError("not a WARC file (it does not start with a WARC/1.x header)", where, "a .warc or .warc.gz file")
            )
            return
        first = False
        if record.rec_type != "response" or record.http_headers is None:
            continue
        media_type, charset = _content_type(record.http_headers.get_header("Content-Type") or "")
        status = record.http_headers.get_statuscode() or ""
        if media_type not in HTML_TYPES or not status.startswith("2"):
            continue
        uri = record.rec_headers.get_header("WARC-Target-URI") or ""
        place = f"{where}: {uri or 'record'}"
        try:
            data = record.content_stream().read()
        except (ArchiveLoadFailed, ValueError, *READ_ERRORS) as exc:
            yield InputFailure(place, InputError(f"cannot read the record's body ({_reason(exc)})", place, "skipping it"))
            continue
        yield _page(data, uri, place, encoding or charset, strict=encoding is not None, record=record)


def _page(data: bytes, uri: str, place: str, encoding: str | None, *, strict: bool, record: Any) -> Document | InputFailure:
    extra: dict[str, str] = {}
    try:
        doc = read_html(data, uri, encoding=encoding, url=uri or None)
    except InputError as exc:
        if encoding is None or strict:
            return InputFailure(place, InputError(exc.what, place, exc.hint))
        # The HTTP header is often wrong about the charset: read the page as if it had said nothing.
        try:
            doc = read_html(data, uri, url=uri or None)
        except InputError as again:
            return InputFailure(place, InputError(again.what, place, again.hint))
        extra["http_charset"] = encoding
    for key, header in (("warc_date", "WARC-Date"), ("warc_record_id", "WARC-Record-ID")):
        value = record.rec_headers.get_header(header)
        if value:
            extra[key] = value
    return evolve(doc, metadata={**doc.metadata, **extra})


def _content_type(value: str) -> tuple[str, str | None]:
    """The media type and the charset (a Python codec, or None) of a ``Content-Type`` header.

    >>> _content_type('text/HTML; Charset="ISO-8859-1"'), _content_type("text/html; charset=bogus")
    (('text/html', 'cp1252'), ('text/html', None))
    """
    media_type, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, label = param.partition("=")
        if key.strip().lower() == "charset":
            label = label.strip().strip("\"'").lower()
            try:
                name = codecs.lookup(label).name
                "".encode(label)
            except LookupError:
                continue
            charset = "cp1252" if name in _WINDOWS_1252 else label
    return media_type.strip().lower(), charset


def _reason(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
