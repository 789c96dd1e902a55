"""What every reader and writer shares: the failure record, the Writer protocol, strict decoding.

A reader never raises on a bad input. It yields an ``InputFailure`` where the
document would have been, so one missing or mis-encoded file in a run of
thousands is reported and counted, and the rest is still cleaned:

>>> failure = InputFailure("a.txt", InputError("empty file", "a.txt", "leaving it out"))
>>> failure.error.message()
'empty file, a.txt; try leaving it out'
"""

from __future__ import annotations

import codecs
import gzip
import zlib
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Protocol, Self, runtime_checkable

from attrs import field, frozen
from attrs.validators import instance_of

from newsclean.core import Document
from newsclean.errors import ConfigError, InputError

__all__ = ["InputFailure", "Writer", "check_encoding"]

STDIN = "-"
"""The path that means standard input."""

STDIN_NAME = "stdin"
"""How standard input is named in ids and messages."""

# Errors that mean "this input cannot be read": the OS refused, or the gzip
# stream is not one (BadGzipFile is an OSError; a truncated stream is an
# EOFError; a corrupt one a zlib.error).
READ_ERRORS = (OSError, EOFError, zlib.error)


@frozen
class InputFailure:
    """An input that could not be read, in the stream where its document would have been.

    Args:
        source: the input that failed, as specific as known: ``"a.txt"``, ``"b.jsonl:7"``.
        error: what went wrong, where, and what to try next.
    """

    source: str = field(validator=instance_of(str))
    error: InputError = field(validator=instance_of(InputError))


@runtime_checkable
class Writer(Protocol):
    """Where cleaned documents go: ``write`` each one, then ``close`` (or use ``with``)."""

    def write(self, doc: Document) -> None:
        """Write one document.

        Args:
            doc: the cleaned document.
        """

    def close(self) -> None:
        """Flush and release what the writer opened; calling it twice is harmless."""

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


class ClosingWriter:
    """Context-manager support for writers: ``with`` closes them, on error too."""

    def close(self) -> None:
        """Release resources; subclasses override."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def check_encoding(encoding: str, where: str = "encoding") -> str:
    """Return ``encoding`` if Python can decode text with it, else raise a ``ConfigError``.

    Args:
        encoding: a codec name (``"utf-8"``, ``"cp1258"``, ``"utf-16"``).
        where: how the caller names the option, for the message (``"--encoding"``).

    >>> check_encoding("cp1258")
    'cp1258'
    >>> check_encoding("base64")
    Traceback (most recent call last):
    ...
    newsclean.errors.ConfigError: not a text encoding: 'base64', encoding; try a Python codec name such as utf-8, cp1258 or utf-16
    """
    try:
        # Not codecs.lookup(): it also accepts bytes-to-bytes codecs (base64,
        # zlib) that cannot give text; encoding "" refuses those.
        "".encode(encoding)
    except LookupError:
        raise ConfigError(
            f"not a text encoding: {encoding!r}", where, "a Python codec name such as utf-8, cp1258 or utf-16"
        ) from None
    return encoding


def is_utf8(encoding: str) -> bool:
    """Whether ``encoding`` names UTF-8 (under any spelling), whose BOM a reader drops.

    Args:
        encoding: a codec name that ``check_encoding`` accepted.
    """
    return codecs.lookup(encoding).name == "utf-8"


def is_ascii_compatible(encoding: str) -> bool:
    """Whether every ``\\n`` byte in ``encoding``'s output is a line feed, so bytes can be split into lines first.

    Args:
        encoding: a codec name that ``check_encoding`` accepted.
    """
    return "\n{}".encode(encoding) == b"\n{}"


def undecodable(
    exc: UnicodeDecodeError, encoding: str, where: str, offset: int = 0, gzipped: bool = False
) -> InputError:
    """The ``InputError`` for bytes that are not text in ``encoding``: which bytes, where, and how to choose another.

    Args:
        exc: the error from ``bytes.decode``.
        encoding: the encoding that was tried, as the caller spelled it.
        where: the file (and line) decoded.
        offset: the byte offset in the file of ``exc.object[0]``.
        gzipped: whether offsets count in the decompressed data.
    """
    bad = " ".join(f"0x{b:02x}" for b in exc.object[exc.start : min(exc.end, exc.start + 4)])
    noun = "byte" if exc.end - exc.start == 1 else "bytes"
    place = f"offset {offset + exc.start}" + (" of the decompressed data" if gzipped else "")
    other = "utf-8" if codecs.lookup(encoding).name == "cp1258" else "cp1258"
    return InputError(
        f"cannot decode {noun} {bad} at {place} as {encoding} ({exc.reason})",
        where,
        f"the file's real encoding, e.g. --encoding {other} (encoding={other!r} from Python)",
    )


def read_error(exc: BaseException, where: str) -> InputError:
    """The ``InputError`` for an input the OS or gzip could not read.

    Args:
        exc: one of ``READ_ERRORS``.
        where: the input concerned.
    """
    if isinstance(exc, InputError):
        return exc
    if isinstance(exc, FileNotFoundError):
        return InputError("file not found", where, "a path to an existing file, folder or glob pattern")
    if isinstance(exc, (gzip.BadGzipFile, EOFError, zlib.error)):
        return InputError(f"not a valid gzip file ({exc})", where, "decompressing it with gunzip to see what is wrong")
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return InputError(f"cannot read the input ({reason})", where, "checking that the path is a file you may read")


def open_binary(path: Path) -> BinaryIO:
    """Open ``path`` for reading bytes, decompressing when its name ends in ``.gz``.

    Args:
        path: the file to open.
    """
    if path.name.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]  # a GzipFile is a BinaryIO
    return open(path, "rb")
