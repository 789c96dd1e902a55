"""JSONL: one ``{"id", "text", ...}`` object per line in, one cleaned record per line out.

The reader goes line by line, so memory does not grow with the file; a line
that cannot be used becomes an ``InputFailure`` and the next line is read.

>>> import io
>>> out = io.StringIO()
>>> with JsonlWriter(out) as writer:
...     writer.write(Document.from_text("Tiêu đề\\nThân bài.", id="a"))
>>> print(out.getvalue(), end="")
{"id": "a", "title": "", "text": "Tiêu đề\\nThân bài."}
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from attrs import evolve

from newsclean.core import Document
from newsclean.errors import InputError
from newsclean.io.base import (
    READ_ERRORS,
    STDIN,
    STDIN_NAME,
    ClosingWriter,
    InputFailure,
    check_encoding,
    is_ascii_compatible,
    is_utf8,
    open_binary,
    read_error,
    undecodable,
)
from newsclean.io.html import read_html
from newsclean.io.records import edit_records, json_default, kept_values, provenance, removal_records
from newsclean.io.records import keep_fields as check_keep_fields

if TYPE_CHECKING:
    from newsclean.pipeline import Pipeline

__all__ = ["JsonlWriter", "document_record", "jsonl_document", "read_jsonl"]


def read_jsonl(
    path: str | Path, *, encoding: str = "utf-8", id_field: str = "id", text_field: str = "text"
) -> Iterator[Document | InputFailure]:
    """Read a JSONL file (``.gz`` compressed or not), or stdin for ``"-"``: one Document or InputFailure per record.

    Each line is one JSON object. ``text_field`` is the dump; ``id_field``
    the id (``FILE:LINE`` when absent or null; numbers become strings); the
    other fields go to ``Document.metadata``. Blank lines are not records
    and are skipped. A line that is not JSON, not an object, or has no
    string ``text_field`` is a failure and the next line is read.

    Args:
        path: the JSONL file, or ``"-"`` for standard input.
        encoding: the codec of the bytes; it must keep ``\\n`` a single byte
            (UTF-8 and the 8-bit codecs do; UTF-16 does not).
        id_field: the field holding the document id.
        text_field: the field holding the raw dump text.
    """
    check_encoding(encoding)
    where = STDIN_NAME if str(path) == STDIN else str(path)
    if not is_ascii_compatible(encoding):
        # Lines are split as bytes before decoding, so that one bad line does
        # not end the file; that needs "\n" to be the byte 0x0a.
        yield InputFailure(
            where,
            InputError(
                f"JSONL cannot be read as {encoding}, which does not keep line feeds single bytes",
                where,
                f"converting it to UTF-8 first, e.g. iconv -f {encoding} -t utf-8",
            ),
        )
        return
    gzipped = where.endswith(".gz")
    utf8 = is_utf8(encoding)
    offset, records = 0, 0
    try:
        # stdin is not ours to close; a file is.
        source = contextlib.nullcontext(sys.stdin.buffer) if str(path) == STDIN else open_binary(Path(path))
        with source as lines:
            for number, raw in enumerate(lines, 1):
                start, offset = offset, offset + len(raw)
                if number == 1 and utf8 and raw.startswith(codecs.BOM_UTF8):
                    raw, start = raw[len(codecs.BOM_UTF8) :], start + len(codecs.BOM_UTF8)
                if not raw.strip():
                    continue
                records += 1
                line_where = f"{where}:{number}"
                try:
                    line = raw.decode(encoding)
                except UnicodeDecodeError as exc:
                    yield InputFailure(line_where, undecodable(exc, encoding, line_where, start, gzipped))
                    continue
                yield jsonl_document(line, line_where, id_field, text_field)
    except READ_ERRORS as exc:
        yield InputFailure(where, read_error(exc, where))
        return
    if not records:
        what = "empty input" if where == STDIN_NAME else "empty file"
        yield InputFailure(where, InputError(what, where, "leaving it out, or writing one JSON object per line"))


def _json_kind(value: Any) -> str:
    kinds = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return kinds.get(type(value), "number")


HTML_FIELD = "html"
"""The field holding a page's HTML, read (``read_html``) when a record has no text field."""


def jsonl_document(line: str, where: str, id_field: str, text_field: str) -> Document | InputFailure:
    """One JSONL record as ``read_jsonl`` reads it: its Document, or the failure naming ``where`` (``file:line``)."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        error = InputError(
            f"not JSON ({exc.msg} at column {exc.colno})",
            where,
            'one JSON object per line, e.g. {"id": "a", "text": "..."}',
        )
        return InputFailure(where, error)
    if not isinstance(record, dict):
        error = InputError(
            f"a JSON {_json_kind(record)} where an object was expected",
            where,
            'one {"id": ..., "text": ...} object per line',
        )
        return InputFailure(where, error)
    if text_field not in record and isinstance(record.get(HTML_FIELD), str):
        return _html_record(record, where, id_field)
    if text_field not in record:
        fields = ", ".join(sorted(record)) or "(none)"
        error = InputError(
            f"no {text_field!r} field", where, f"--text-field NAME (text_field= from Python), one of: {fields}"
        )
        return InputFailure(where, error)
    text = record[text_field]
    if not isinstance(text, str):
        error = InputError(
            f"field {text_field!r} is a JSON {_json_kind(text)}, not a string", where, "a record whose text is a string"
        )
        return InputFailure(where, error)
    doc_id = record.get(id_field)
    if doc_id is None:
        doc_id = where
    elif not isinstance(doc_id, str):
        doc_id = json.dumps(doc_id, ensure_ascii=False)
    metadata = {key: value for key, value in record.items() if key not in (id_field, text_field)}
    return Document.from_text(text, id=doc_id, metadata=metadata)


def document_record(
    doc: Document,
    *,
    explain: bool = False,
    keep_fields: str | Iterable[str] | None = None,
    pipeline: Pipeline | None = None,
) -> dict[str, Any]:
    """A cleaned document as the plain dict written to JSONL.

    Always ``id``, ``title`` and ``text``; then the kept input fields; with
    ``explain`` also ``removed`` (``line``, ``label``, ``stage``, ``rule``,
    ``evidence``, ``text``) and ``edits`` (``line``, ``stage``, ``rule``,
    ``before``, ``after``, ``steps``), lines by raw index; with ``pipeline``
    last ``newsclean_version`` and ``newsclean_config_hash`` (see
    ``newsclean.io.records``).

    Args:
        doc: the cleaned document.
        explain: include every removal and edit.
        keep_fields: input fields (from ``doc.metadata``) to copy, e.g.
            ``("url",)``; ``"*"`` copies them all (see ``records.keep_fields``).
        pipeline: the pipeline that cleaned ``doc``, recorded by version and config hash.

    >>> from newsclean import Whitespace
    >>> doc = Whitespace()(Document.from_text("Tin\\n", id="a"))
    >>> document_record(doc, explain=True)["removed"]
    [{'line': 1, 'label': 'blank', 'stage': 'whitespace', 'rule': 'empty', 'evidence': 'empty line', 'text': ''}]
    """
    record: dict[str, Any] = {"id": doc.id, "title": doc.title, "text": doc.text}
    record.update(kept_values(doc, check_keep_fields(keep_fields)))
    if explain:
        record["removed"] = removal_records(doc)
        record["edits"] = edit_records(doc)
    record.update(provenance(pipeline))
    return record


class JsonlWriter(ClosingWriter):
    """Write one JSON object per document (see ``document_record``), UTF-8, not ASCII-escaped.

    Args:
        target: a file path (gzip-compressed when it ends in ``.gz``; parent
            folders are created) or an open text stream, which is flushed but
            left open on ``close``.
        explain: also write each document's removals and edits.
        keep_fields: input fields to carry over (``("url",)``, ``"url,date"``
            or ``"*"`` for all); by default only newsclean's own are written.
        pipeline: the pipeline that cleaned the documents: each record then
            says which newsclean version and config (hash) made it.
    """

    def __init__(
        self,
        target: str | Path | TextIO,
        *,
        explain: bool = False,
        keep_fields: str | Iterable[str] | None = None,
        pipeline: Pipeline | None = None,
    ) -> None:
        self.explain = explain
        self.keep_fields = check_keep_fields(keep_fields)  # checked before a file is created
        self._provenance = provenance(pipeline)
        self._owned = isinstance(target, (str, Path))
        if isinstance(target, (str, Path)):
            path = Path(target)
            path.parent.mkdir(parents=True, exist_ok=True)
            # backslashreplace turns a lone surrogate (from a JSONL "\\ud800")
            # into the JSON escape "\\ud800" again: it only occurs inside
            # strings, so the output stays valid and round-trips exactly.
            options: dict[str, Any] = {"encoding": "utf-8", "errors": "backslashreplace", "newline": "\n"}
            # The writer owns the file until close(), so no with-block here.
            if path.name.endswith(".gz"):
                self._stream: TextIO = gzip.open(path, "wt", **options)  # noqa: SIM115
            else:
                self._stream = open(path, "w", **options)  # noqa: SIM115
        else:
            self._stream = target

    def write(self, doc: Document) -> None:
        """Write one document as one line.

        Args:
            doc: the cleaned document.
        """
        record = document_record(doc, explain=self.explain, keep_fields=self.keep_fields)
        record.update(self._provenance)
        self._stream.write(json.dumps(record, ensure_ascii=False, default=json_default) + "\n")

    def close(self) -> None:
        """Close the file this writer opened, or flush the stream it was given."""
        if self._stream.closed:
            return
        if self._owned:
            self._stream.close()
        else:
            self._stream.flush()


def _html_record(record: dict[str, Any], where: str, id_field: str) -> Document | InputFailure:
    """The page of a record with HTML and no text: read with ``read_html``, the record's other fields in its metadata."""
    page = record[HTML_FIELD]
    doc_id = record.get(id_field)
    if doc_id is None:
        doc_id = where
    elif not isinstance(doc_id, str):
        doc_id = json.dumps(doc_id, ensure_ascii=False)
    url = record.get("url")
    try:
        doc = read_html(page, doc_id, url=url if isinstance(url, str) else None)
    except InputError as exc:
        return InputFailure(where, InputError(f"field {HTML_FIELD!r}: {exc.what}", where, exc.hint))
    fields = {key: value for key, value in record.items() if key not in (id_field, HTML_FIELD, "lines")}
    return evolve(doc, metadata={**doc.metadata, **fields})
