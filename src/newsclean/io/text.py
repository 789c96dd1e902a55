"""Text dumps: one page per file, one block per line; read from files or stdin, written as a folder of ``.txt``.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> with TextFolderWriter(folder) as out:
...     out.write(Document.from_text("Tiêu đề\\nThân bài.", id="tin/1"))
>>> sorted(p.name for p in folder.iterdir())
['tin_1.txt']
>>> [doc.lines[1].text for doc in read_text(folder / "tin_1.txt")]
['Thân bài.']
"""

from __future__ import annotations

import codecs
import re
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from newsclean.core import Document
from newsclean.errors import InputError
from newsclean.io.base import (
    READ_ERRORS,
    STDIN,
    STDIN_NAME,
    ClosingWriter,
    InputFailure,
    check_encoding,
    is_utf8,
    open_binary,
    read_error,
    undecodable,
)

__all__ = ["TextFolderWriter", "dump_id", "read_text", "safe_file_name"]


def dump_id(path: str | Path) -> str:
    """A dump's document id: its file name without ``.gz`` and ``.txt``.

    Args:
        path: the dump's path, or ``"-"`` for stdin.

    >>> dump_id("seeds/000_x.txt"), dump_id("a/b.txt.gz"), dump_id("page.html"), dump_id("-")
    ('000_x', 'b', 'page.html', 'stdin')
    """
    if str(path) == STDIN:
        return STDIN_NAME
    name = Path(path).name
    name = name.removesuffix(".gz")
    return name.removesuffix(".txt") or name


def read_text(path: str | Path, *, encoding: str = "utf-8") -> Iterator[Document | InputFailure]:
    """Read one dump file (``.gz`` compressed or not), or stdin for ``"-"``: yields one Document or one InputFailure.

    The bytes are decoded strictly: a byte that is not ``encoding`` is a
    failure naming the byte and its offset, never a silent replacement
    character. A UTF-8 BOM is dropped. An empty input is a failure too:
    it is almost always a scraper that stored nothing.

    Args:
        path: the dump, or ``"-"`` for standard input.
        encoding: the codec the bytes are in.
    """
    check_encoding(encoding)
    where = STDIN_NAME if str(path) == STDIN else str(path)
    try:
        if str(path) == STDIN:
            data = sys.stdin.buffer.read()
        else:
            with open_binary(Path(path)) as f:
                data = f.read()
    except READ_ERRORS as exc:
        yield InputFailure(where, read_error(exc, where))
        return
    start = 0
    if is_utf8(encoding) and data.startswith(codecs.BOM_UTF8):
        start = len(codecs.BOM_UTF8)
    if len(data) == start:
        what = "empty input" if where == STDIN_NAME else "empty file"
        yield InputFailure(where, InputError(what, where, "leaving it out, or fetching the page again"))
        return
    try:
        # Slicing before decoding keeps offsets counted from the file's start.
        text = data[start:].decode(encoding)
    except UnicodeDecodeError as exc:
        gzipped = where.endswith(".gz")
        yield InputFailure(where, undecodable(exc, encoding, where, offset=start, gzipped=gzipped))
        return
    yield Document.from_text(text, id=dump_id(path))


# Anything but letters, digits, "_", "." and "-" becomes "_". \w is Unicode-aware,
# so Vietnamese ids stay readable.
_UNSAFE = re.compile(r"[^\w.\-]+")
# Windows refuses these names with any extension ("con.txt" included).
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
)
# Most file systems allow 255 bytes per name; keep room for "-NNN.txt".
_MAX_NAME_BYTES = 200


def safe_file_name(doc_id: str) -> str:
    """``doc_id`` made into a file name (without suffix) that is safe on Linux, macOS and Windows.

    Path separators and other unsafe characters become ``_``, leading and
    trailing dots go, reserved device names get a ``_`` prefix and long
    names are cut. Different ids can give the same name: ``TextFolderWriter``
    resolves that.

    Args:
        doc_id: the document's id.

    >>> safe_file_name("tin/tức 1"), safe_file_name("../x"), safe_file_name("CON"), safe_file_name("")
    ('tin_tức_1', '_x', '_CON', 'doc')
    """
    name = _UNSAFE.sub("_", unicodedata.normalize("NFC", doc_id)).strip(".")
    name = name.encode("utf-8")[:_MAX_NAME_BYTES].decode("utf-8", "ignore")
    if name.lower() in _RESERVED:
        name = "_" + name
    return name or "doc"


class TextFolderWriter(ClosingWriter):
    """Write each document's cleaned text to ``FOLDER/ID.txt``, ending in a newline like the dumps it came from.

    Ids become safe file names (``safe_file_name``); when two documents'
    names collide (ignoring case, for case-insensitive file systems), the
    later gets ``-2``, ``-3``, ... so no output overwrites another in one run.
    Files left from an earlier run are overwritten.

    Args:
        folder: where to write; created if missing.
    """

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._taken: set[str] = set()

    def path_for(self, doc_id: str) -> Path:
        """Reserve and return the file for ``doc_id``; each call reserves a new name.

        Args:
            doc_id: the document's id.
        """
        base = safe_file_name(doc_id)
        name, n = base, 1
        while name.casefold() in self._taken:
            n += 1
            name = f"{base}-{n}"
        self._taken.add(name.casefold())
        return self.folder / f"{name}.txt"

    def write(self, doc: Document) -> None:
        """Write ``doc.text`` to its own file.

        Args:
            doc: the cleaned document.
        """
        # backslashreplace: a lone surrogate (possible from a JSONL "\\ud800")
        # is written visibly instead of failing the whole run.
        with open(self.path_for(doc.id), "w", encoding="utf-8", errors="backslashreplace", newline="\n") as f:
            f.write(doc.text + "\n")
