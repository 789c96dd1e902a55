"""One entry point for every kind of input: files, folders, glob patterns and stdin; dumps, JSONL or HTML pages.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> _ = (folder / "a.txt").write_text("Tiêu đề\\nThân bài.", encoding="utf-8")
>>> [(item.id, len(item.lines)) for item in read_inputs([folder, folder / "missing.txt"]) if isinstance(item, Document)]
[('a', 2)]
>>> [item.error.what for item in read_inputs([folder / "missing.txt"])]
['file not found']
"""

from __future__ import annotations

import glob
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Literal

from newsclean.core import Document
from newsclean.errors import ConfigError, InputError
from newsclean.io.base import (
    READ_ERRORS,
    STDIN,
    InputFailure,
    check_encoding,
    open_binary,
    read_error,
)
from newsclean.io.html import read_html
from newsclean.io.jsonl import HTML_FIELD, read_jsonl
from newsclean.io.text import read_text

__all__ = ["FORMATS", "HTML_FIELD", "expand_paths", "format_of", "html_id", "read_inputs"]

Format = Literal["txt", "jsonl", "parquet"]
FORMATS: tuple[str, ...] = ("txt", "jsonl", "parquet")
"""The input formats ``read_inputs`` knows, for ``fmt=``. HTML (``.html``, ``.htm``) and WARC (``.warc``, ``.warc.gz``) are known by name only."""


_HTML_SUFFIXES = (".html", ".htm")

# What a folder's files are read as, by the format asked for. With none, its dumps; a folder with
# no dumps, its HTML pages and WARC files (a page and its dump often sit side by side, and reading
# both would clean each page twice). JSONL and Parquet only when asked for, as a run's own output
# is often written beside its inputs.
_FOLDER_PATTERNS = {
    "txt": ("*.txt", "*.txt.gz"),
    "pages": ("*.html", "*.html.gz", "*.htm", "*.htm.gz", "*.warc", "*.warc.gz"),
    "jsonl": ("*.jsonl", "*.jsonl.gz"),
    "parquet": ("*.parquet",),
}


def format_of(path: str | Path) -> Literal["txt", "jsonl", "html", "parquet", "warc"]:
    """The format a file's name says it is in: ``jsonl`` for ``.jsonl``, ``html`` for ``.html`` and ``.htm``,
    ``warc`` for ``.warc`` (each also ``.gz`` compressed), ``parquet`` for ``.parquet``, else ``txt``.

    Args:
        path: the file.

    >>> format_of("a.jsonl.gz"), format_of("a.txt"), format_of("a.HTML"), format_of("a.htm.gz"), format_of("a.parquet")
    ('jsonl', 'txt', 'html', 'html', 'parquet')
    >>> format_of("crawl.warc.gz"), format_of("crawl.WARC")
    ('warc', 'warc')
    """
    if Path(path).name.endswith(".parquet"):
        return "parquet"
    name = Path(path).name.removesuffix(".gz")
    if name.endswith(".jsonl"):
        return "jsonl"
    if name.lower().endswith(".warc"):
        return "warc"
    return "html" if name.lower().endswith(_HTML_SUFFIXES) else "txt"


def read_inputs(
    paths: str | Path | Iterable[str | Path],
    *,
    fmt: Format | None = None,
    encoding: str | None = None,
    id_field: str = "id",
    text_field: str = "text",
) -> Iterator[Document | InputFailure]:
    """Stream the Documents of every input, an ``InputFailure`` in place of each one that cannot be read.

    Each path is one of:

    - ``"-"``: standard input, one dump (or JSONL with ``fmt="jsonl"``);
    - a folder: its dumps (``*.txt``), or when it holds none, its HTML pages
      (``*.html``, ``*.htm``) and WARC files (``*.warc``), each also ``.gz``
      compressed, sorted by name, not recursing; with ``fmt``, the files of
      that format (``*.jsonl`` and ``*.jsonl.gz`` for ``fmt="jsonl"``);
    - a glob pattern (``"dumps/**/*.txt"``), when no file has that name:
      the matches, sorted, each read as if named on its own;
    - a file: JSONL when its name ends in ``.jsonl`` or ``.jsonl.gz``,
      Parquet (``read_parquet``, needs pyarrow) when it ends in ``.parquet``,
      one HTML page (``read_html``) when it ends in ``.html``, ``.htm`` or
      those and ``.gz``, the HTML responses of a crawl (``read_warc``, needs
      warcio) when it ends in ``.warc`` or ``.warc.gz``, else a text dump
      (``fmt`` overrides).

    A JSONL record with no ``text_field`` but an ``"html"`` string is a page
    too: read with ``read_html``, its ``url`` field passed on, its other
    fields (all but the HTML) in the metadata over what the page says.

    A folder with no dumps and a pattern with no match are failures too, so
    nothing named is ever skipped without a word. Options are checked here,
    before anything is read; reading is lazy, one input at a time.

    Args:
        paths: the inputs (a single path is one input, not a string to iterate).
        fmt: ``"txt"``, ``"jsonl"`` or ``"parquet"`` to override what names say.
        encoding: the codec of every input (strict; a UTF-8 BOM is dropped).
            ``None`` means UTF-8 for dumps and JSONL and, for HTML pages,
            what the page declares or what its bytes look like.
        id_field: the JSONL field (Parquet column) holding the id.
        text_field: the JSONL field (Parquet column) holding the dump text.
    """
    if fmt is not None and fmt not in FORMATS:
        raise ConfigError(f"unknown input format {fmt!r}", "fmt", f"one of: {', '.join(FORMATS)}")
    if encoding is not None:
        check_encoding(encoding)
    for name, value in (("id_field", id_field), ("text_field", text_field)):
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{name} must be a field name, got {value!r}", name, 'a JSON key such as "text"')
    if isinstance(paths, (str, Path)):
        paths = [paths]
    return _read_all(paths, fmt, encoding, id_field, text_field)


def _read_all(
    paths: Iterable[str | Path], fmt: Format | None, encoding: str | None, id_field: str, text_field: str
) -> Iterator[Document | InputFailure]:
    for path in paths:
        for item in expand_paths(path, fmt):
            if isinstance(item, InputFailure):
                yield item
                continue
            kind = fmt or ("txt" if str(item) == STDIN else format_of(item))
            if kind == "parquet":
                from newsclean.io.parquet import read_parquet  # needs pyarrow, an extra: imported on use

                yield from read_parquet(item, id_field=id_field, text_field=text_field)
            elif kind == "jsonl":
                yield from read_jsonl(item, encoding=encoding or "utf-8", id_field=id_field, text_field=text_field)
            elif kind == "html":
                yield _read_html_file(Path(item), encoding)
            elif kind == "warc":
                from newsclean.io.warc import read_warc  # needs warcio, an extra: imported on use

                yield from read_warc(item, encoding=encoding)
            else:
                yield from read_text(item, encoding=encoding or "utf-8")


def html_id(path: str | Path) -> str:
    """A page's document id: its file name without ``.gz`` and ``.html`` or ``.htm``.

    >>> html_id("pages/a.html.gz"), html_id("b.HTM")
    ('a', 'b')
    """
    name = Path(path).name.removesuffix(".gz")
    for suffix in _HTML_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)] or name
    return name


def _read_html_file(path: Path, encoding: str | None) -> Document | InputFailure:
    where = str(path)
    try:
        with open_binary(path) as f:
            data = f.read()
    except READ_ERRORS as exc:
        return InputFailure(where, read_error(exc, where))
    try:
        doc = read_html(data, html_id(path), encoding=encoding)
    except InputError as exc:
        # read_html names the page by its id; a person wants the file.
        return InputFailure(where, InputError(exc.what, where, exc.hint))
    return doc


def _folder_files(folder: Path, patterns: tuple[str, ...]) -> list[Path]:
    return sorted({f for pattern in patterns for f in folder.glob(pattern) if f.is_file()})


def expand_paths(path: str | Path, fmt: Format | None) -> Iterator[str | Path | InputFailure]:
    """The files one path (a file, a folder, a glob pattern or ``-``) names, in reading order, or the failure to find any.

    ``read_inputs`` reads exactly these, in this order; a runner that cuts the
    inputs into shards lists them the same way.
    """
    if str(path) == STDIN:
        yield STDIN
        return
    path = Path(path)
    if path.is_dir():
        patterns = _FOLDER_PATTERNS[fmt or "txt"]
        files = _folder_files(path, patterns)
        if not files and fmt is None:
            patterns += _FOLDER_PATTERNS["pages"]
            files = _folder_files(path, patterns)
        if not files:
            names = [p.removeprefix("*") for p in patterns]
            what = f"no {', '.join(names[:-1])} or {names[-1]} files in the folder"
            yield InputFailure(
                str(path),
                InputError(what, str(path), "a folder of dumps or pages, or a glob pattern such as 'dumps/**/*.txt'"),
            )
        yield from files
        return
    if not path.exists() and any(c in str(path) for c in "*?["):
        matches = sorted(glob.glob(str(path), recursive=True))
        if not matches:
            yield InputFailure(
                str(path),
                InputError("no file matches the pattern", str(path), "a pattern that matches, e.g. 'dumps/*.txt'"),
            )
        for match in matches:
            yield from expand_paths(match, fmt)
        return
    # Missing files are left to the reader, which reports them in turn.
    yield path
