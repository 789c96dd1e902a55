"""Readers that stream Documents out of files (dumps, JSONL, HTML pages), and writers that put cleaned Documents back.

Reading is lazy and never stops on a bad input: ``read_inputs`` yields an
``InputFailure`` in its place, and goes on.

>>> import io, tempfile
>>> from pathlib import Path
>>> from newsclean import Pipeline, Whitespace
>>> pipeline = Pipeline([Whitespace()])
>>> path = Path(tempfile.mkdtemp()) / "page.txt"
>>> _ = path.write_text("  Tiêu đề\\n\\nThân bài.\\n", encoding="utf-8")
>>> out = io.StringIO()
>>> with JsonlWriter(out) as writer:
...     for item in read_inputs([path, path.with_name("gone.txt")]):
...         if isinstance(item, InputFailure):
...             print(item.error.message())  # doctest: +ELLIPSIS
...         else:
...             writer.write(pipeline(item))
file not found, .../gone.txt; try a path to an existing file, folder or glob pattern
>>> print(out.getvalue(), end="")
{"id": "page", "title": "", "text": "Tiêu đề\\nThân bài."}
"""

from __future__ import annotations

from newsclean.io.base import InputFailure, Writer, check_encoding
from newsclean.io.html import read_html
from newsclean.io.inputs import FORMATS, HTML_FIELD, format_of, html_id, read_inputs
from newsclean.io.jsonl import JsonlWriter, document_record, read_jsonl
from newsclean.io.text import TextFolderWriter, dump_id, read_text, safe_file_name
from newsclean.io.warc import read_warc

__all__ = [
    "FORMATS",
    "HTML_FIELD",
    "InputFailure",
    "JsonlWriter",
    "TextFolderWriter",
    "Writer",
    "check_encoding",
    "document_record",
    "dump_id",
    "format_of",
    "html_id",
    "read_html",
    "read_inputs",
    "read_jsonl",
    "read_text",
    "read_warc",
    "safe_file_name",
]
