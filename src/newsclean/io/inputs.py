"""One entry point for every kind of input: files, folders, glob patterns and stdin, dumps or JSONL.

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
from newsclean.io.base import STDIN, InputFailure, check_encoding
from newsclean.io.jsonl import read_jsonl
from newsclean.io.text import read_text

__all__ = ["FORMATS", "read_inputs"]

Format = Literal["txt", "jsonl"]
FORMATS: tuple[str, ...] = ("txt", "jsonl")
"""The input formats ``read_inputs`` knows, for ``fmt=``."""

_FOLDER_PATTERNS = {"txt": ("*.txt", "*.txt.gz"), "jsonl": ("*.jsonl", "*.jsonl.gz")}


def format_of(path: str | Path) -> Format:
    """The format a file's name says it is in: ``jsonl`` for ``.jsonl`` and ``.jsonl.gz``, else ``txt``.

    Args:
        path: the file.

    >>> format_of("a.jsonl.gz"), format_of("a.txt"), format_of("a.html")
    ('jsonl', 'txt', 'txt')
    """
    name = Path(path).name.removesuffix(".gz")
    return "jsonl" if name.endswith(".jsonl") else "txt"


def read_inputs(
    paths: str | Path | Iterable[str | Path],
    *,
    fmt: Format | None = None,
    encoding: str = "utf-8",
    id_field: str = "id",
    text_field: str = "text",
) -> Iterator[Document | InputFailure]:
    """Stream the Documents of every input, an ``InputFailure`` in place of each one that cannot be read.

    Each path is one of:

    - ``"-"``: standard input, one dump (or JSONL with ``fmt="jsonl"``);
    - a folder: its ``*.txt`` and ``*.txt.gz`` files (``*.jsonl``,
      ``*.jsonl.gz`` with ``fmt="jsonl"``), sorted by name, not recursing;
    - a glob pattern (``"dumps/**/*.txt"``), when no file has that name:
      the matches, sorted, each read as if named on its own;
    - a file: JSONL when its name ends in ``.jsonl`` or ``.jsonl.gz``,
      else a text dump (``fmt`` overrides).

    A folder with no dumps and a pattern with no match are failures too, so
    nothing named is ever skipped without a word. Options are checked here,
    before anything is read; reading is lazy, one input at a time.

    Args:
        paths: the inputs (a single path is one input, not a string to iterate).
        fmt: ``"txt"`` or ``"jsonl"`` to override what names say.
        encoding: the codec of every input (strict; a UTF-8 BOM is dropped).
        id_field: the JSONL field holding the id.
        text_field: the JSONL field holding the dump text.
    """
    if fmt is not None and fmt not in FORMATS:
        raise ConfigError(f"unknown input format {fmt!r}", "fmt", f"one of: {', '.join(FORMATS)}")
    check_encoding(encoding)
    for name, value in (("id_field", id_field), ("text_field", text_field)):
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{name} must be a field name, got {value!r}", name, 'a JSON key such as "text"')
    if isinstance(paths, (str, Path)):
        paths = [paths]
    return _read_all(paths, fmt, encoding, id_field, text_field)


def _read_all(
    paths: Iterable[str | Path], fmt: Format | None, encoding: str, id_field: str, text_field: str
) -> Iterator[Document | InputFailure]:
    for path in paths:
        for item in _expand(path, fmt):
            if isinstance(item, InputFailure):
                yield item
            elif (fmt or format_of(item)) == "jsonl":
                yield from read_jsonl(item, encoding=encoding, id_field=id_field, text_field=text_field)
            else:
                yield from read_text(item, encoding=encoding)


def _expand(path: str | Path, fmt: Format | None) -> Iterator[str | Path | InputFailure]:
    """The files one path names, in order, or the failure to find any."""
    if str(path) == STDIN:
        yield STDIN
        return
    path = Path(path)
    if path.is_dir():
        patterns = _FOLDER_PATTERNS[fmt or "txt"]
        files = sorted({f for pattern in patterns for f in path.glob(pattern) if f.is_file()})
        if not files:
            what = f"no {' or '.join(p.removeprefix('*') for p in patterns)} files in the folder"
            yield InputFailure(
                str(path), InputError(what, str(path), "a folder of dumps, or a glob pattern such as 'dumps/**/*.txt'")
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
            yield from _expand(match, fmt)
        return
    # Missing files are left to the reader, which reports them in turn.
    yield path
