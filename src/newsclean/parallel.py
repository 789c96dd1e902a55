"""Clean a corpus on every core, or on any engine that can map a function over a list: shards in, parts out.

A run is three steps, each a plain function that any engine can call:

1. ``plan_shards(inputs)`` cuts the inputs into ``Shard`` values: runs of
   whole files (dumps, HTML pages, gzipped JSONL) of about ``shard_size``
   bytes together, and uncompressed JSONL files bigger than that into byte
   ranges that start and end on a line feed. A shard names files and
   offsets, never documents, so it is small to send anywhere.
2. ``clean_shard(shard, job)`` reads its shard, runs the pipeline on each
   document and writes the results to its own part file,
   ``PARTS/part-000007.jsonl``, written under a temporary name and renamed
   when complete, then a ``part-000007.done`` marker holding the shard's
   key (a hash of the pipeline config, the output options and the files'
   sizes and times) and its ``ShardStats``. Called again with the same job
   and shard, it finds the marker and returns at once: a rerun resumes. A
   different config gives a different key, so stale parts are rewritten.
3. ``merge_parts(job, shards, output)`` concatenates the parts in shard
   order. Shards are cut in input order and each part keeps its documents'
   order, so the output holds the same bytes as a run in one process.

``ShardStats`` values add up (``a + b``), so an engine folds them in any
grouping. ``run_local`` maps ``clean_shard`` over a pool of processes on
one machine, ``newsclean.integrations.dask`` over a Dask cluster; the same
three calls serve Ray (``ray.remote(clean_shard)``) or Spark
(``sc.parallelize(shards).map(...)``).

>>> import tempfile
>>> from newsclean import Pipeline, Whitespace
>>> folder = Path(tempfile.mkdtemp())
>>> corpus = folder / "corpus.jsonl"
>>> _ = corpus.write_text("".join(f'{{"id": "{n}", "text": "  Tin {n}  "}}\\n' for n in range(4)), encoding="utf-8")
>>> job = Job(Pipeline([Whitespace()]), parts_dir=str(folder / "parts"))
>>> shards = list(plan_shards([corpus], shard_size=40))
>>> [(s.pieces[0].start, s.pieces[0].first_line) for s in shards]
[(0, 1), (66, 3)]
>>> stats = sum((clean_shard(s, job).stats for s in shards), ShardStats())
>>> stats.documents, stats.edited
(4, 4)
>>> merge_parts(job, shards, folder / "out.jsonl")
>>> (folder / "out.jsonl").read_text(encoding="utf-8").splitlines()[3]
'{"id": "3", "title": "", "text": "Tin 3"}'
"""

from __future__ import annotations

import codecs
import contextlib
import gc
import gzip
import hashlib
import json
import multiprocessing
import os
import pickle
import re
import resource
import shutil
import traceback
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, BinaryIO, Generic, TypeVar

from attrs import evolve, field, frozen

from newsclean import __version__
from newsclean.core import Document
from newsclean.errors import ConfigError, NewscleanError
from newsclean.io.base import READ_ERRORS, STDIN, InputFailure, is_ascii_compatible, is_utf8, read_error, undecodable
from newsclean.io.inputs import FORMATS, Format, expand_paths, format_of, read_inputs
from newsclean.io.jsonl import JsonlWriter, jsonl_document
from newsclean.pipeline import Pipeline

__all__ = [
    "Job",
    "Piece",
    "PoolResult",
    "ReadOptions",
    "RunResult",
    "Shard",
    "ShardFailure",
    "ShardResult",
    "ShardStats",
    "ShardsFailed",
    "auto_shard_size",
    "clean_shard",
    "default_workers",
    "map_shards",
    "merge_parts",
    "parse_size",
    "plan_shards",
    "pool_map",
    "read_shard",
    "run_local",
]

MIN_SHARD = 1 << 20
"""The smallest shard ``auto_shard_size`` picks: below it, starting a shard costs more than it saves."""

MAX_SHARD = 64 << 20
"""The largest shard ``auto_shard_size`` picks: a lost shard costs at most this much work again."""

SHARDS_PER_WORKER = 8
"""Shards per worker when the corpus is small enough: enough for a slow shard not to hold the rest up."""

_CHUNK = 1 << 20

R = TypeVar("R")


_UNITS = {
    "": 1,
    "b": 1,
    "k": 10**3,
    "kb": 10**3,
    "kib": 2**10,
    "m": 10**6,
    "mb": 10**6,
    "mib": 2**20,
    "g": 10**9,
    "gb": 10**9,
    "gib": 2**30,
}
_SIZE = re.compile(r"\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-z]*)\s*", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes in a size such as ``100MB``, ``5 MiB``, ``1.5G`` or ``4096``.

    KB, MB and GB are powers of 1000 (as MB/s is reported); KiB, MiB and GiB
    powers of 1024. Raises ``ValueError`` saying what is accepted.

    >>> parse_size("100MB"), parse_size("1KiB"), parse_size("2.5k")
    (100000000, 1024, 2500)
    """
    match = _SIZE.fullmatch(text)
    if not match or match.group(2).lower() not in _UNITS:
        raise ValueError(f"cannot read {text!r} as a size; try 100MB, 5MiB or 1GB")
    size = int(float(match.group(1)) * _UNITS[match.group(2).lower()])
    if size <= 0:
        raise ValueError(f"size must be positive, got {text!r}")
    return size


def default_workers() -> int:
    """The cores this process may run on (``os.sched_getaffinity`` where there is one).

    >>> default_workers() >= 1
    True
    """
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


# -- what a shard is ------------------------------------------------------------


@frozen
class Piece:
    """One file of a shard, or one byte range of a big uncompressed JSONL file.

    Args:
        path: the file, as the serial reader names it in ids and messages.
        kind: the format it is read as (``"txt"``, ``"jsonl"``, ``"html"``, ...), or
            ``"failure"`` for an input named on the command line that matched
            nothing (an empty folder, a pattern with no match).
        start: the first byte of the range.
        end: the byte after the range; ``None`` for the whole file.
        first_line: the line number of ``start`` (1-based), for ids and messages.
        size: the file's size in bytes when planned (-1: could not be read).
        mtime_ns: the file's modification time when planned, for the shard's key.
        failure: for ``kind="failure"``, what to report in this place.
    """

    path: str
    kind: str
    start: int = 0
    end: int | None = None
    first_line: int = 1
    size: int = -1
    mtime_ns: int = 0
    failure: InputFailure | None = None

    def describe(self) -> str:
        """The piece for a person: ``a.jsonl`` or ``a.jsonl bytes 0-1048576``."""
        return self.path if self.end is None else f"{self.path} bytes {self.start}-{self.end}"


@frozen
class Shard:
    """A unit of work: pieces read in order into one part file.

    Args:
        index: the shard's place in the run; parts are merged in this order.
        pieces: the files and ranges it reads, in input order.
    """

    index: int
    pieces: tuple[Piece, ...]

    @property
    def size(self) -> int:
        """Bytes of input (compressed files count as stored)."""
        return sum(
            (p.end - p.start) if p.end is not None else max(p.size, 0) for p in self.pieces if p.kind != "failure"
        )

    def describe(self) -> str:
        """The shard for a person: its index and what it reads."""
        first = self.pieces[0].describe() if self.pieces else "nothing"
        more = f" and {len(self.pieces) - 1} more files" if len(self.pieces) > 1 else ""
        return f"shard {self.index} ({first}{more})"


@frozen
class ReadOptions:
    """How inputs are read; the same options as ``newsclean.io.read_inputs``.

    Args:
        fmt: ``"txt"`` or ``"jsonl"`` to override what file names say.
        encoding: the codec of every input (``None``: UTF-8, or what an HTML page says).
        id_field: the JSONL field holding the id.
        text_field: the JSONL field holding the dump.
    """

    fmt: Format | None = None
    encoding: str | None = None
    id_field: str = "id"
    text_field: str = "text"


def auto_shard_size(total: int, workers: int) -> int:
    """A shard size for ``total`` bytes on ``workers`` processes: about 8 shards each, 1 to 64 MiB.

    >>> auto_shard_size(10**7, 2) == MIN_SHARD, auto_shard_size(10**12, 2) == MAX_SHARD
    (True, True)
    """
    return max(MIN_SHARD, min(MAX_SHARD, total // max(1, workers * SHARDS_PER_WORKER)))


def _stat(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError:
        return -1, 0
    return st.st_size, st.st_mtime_ns


def _files(inputs: Iterable[str | Path], options: ReadOptions) -> Iterator[Piece]:
    """Every file the inputs name, in the order the serial reader reads them, each as a whole-file piece."""
    for name in inputs:
        if str(name) == STDIN:
            raise ConfigError(
                "standard input cannot be cut into shards", "-", "a file, or one worker (--workers 1)"
            )
        for item in expand_paths(name, options.fmt):
            if isinstance(item, InputFailure):
                yield Piece(item.source, "failure", failure=item)
                continue
            path = Path(item)
            kind = options.fmt or format_of(path)
            size, mtime = _stat(path)
            yield Piece(str(path), kind, size=size, mtime_ns=mtime)


def _splittable(piece: Piece, options: ReadOptions, shard_size: int) -> bool:
    return (
        piece.kind == "jsonl"
        and not piece.path.endswith(".gz")
        and piece.size > shard_size
        and (options.encoding is None or is_ascii_compatible(options.encoding))
    )


def _line_cuts(path: str, size: int, shard_size: int) -> list[tuple[int, int]]:
    """``(offset, line number)`` where each range of a JSONL file starts: every ``shard_size`` bytes, after a line feed.

    One pass over the file counting line feeds; memory holds one chunk.
    """
    cuts = [(0, 1)]
    target = shard_size
    pos = lines = 0
    with open(path, "rb") as f:
        while target < size:
            chunk = f.read(_CHUNK)
            if not chunk:
                break
            search = 0
            while target < size:
                at = max(target - 1 - pos, search)
                if at >= len(chunk):
                    break
                nl = chunk.find(b"\n", at)
                if nl < 0:
                    break
                cut = pos + nl + 1
                if cut < size:
                    cuts.append((cut, lines + chunk.count(b"\n", 0, nl + 1) + 1))
                target = cut + shard_size
                search = nl + 1
            lines += chunk.count(b"\n")
            pos += len(chunk)
    return cuts


def plan_shards(
    inputs: Iterable[str | Path],
    *,
    shard_size: int | None = None,
    workers: int | None = None,
    options: ReadOptions | None = None,
) -> Iterator[Shard]:
    """Cut the inputs into shards, lazily, in input order (see the module docstring).

    Args:
        inputs: files, folders and glob patterns, as for ``read_inputs``
            (standard input cannot be sharded).
        shard_size: bytes per shard; ``None`` picks ``auto_shard_size`` from
            the inputs' total size (which walks the inputs once more first).
        workers: the workers the shards are for, for ``auto_shard_size``.
        options: how the inputs are read (the format decides what is split).
    """
    options = options or ReadOptions()
    if options.fmt is not None and options.fmt not in FORMATS:
        raise ConfigError(f"unknown input format {options.fmt!r}", "fmt", f"one of: {', '.join(FORMATS)}")
    inputs = list(inputs)
    if shard_size is None:
        total = sum(max(p.size, 0) for p in _files(inputs, options))
        shard_size = auto_shard_size(total, workers or default_workers())
    if shard_size < 1:
        raise ConfigError(f"shard size must be positive, got {shard_size}", "shard_size", "a size such as 64MB")
    return _plan(inputs, shard_size, options)


def _plan(inputs: list[str | Path], shard_size: int, options: ReadOptions) -> Iterator[Shard]:
    index = 0
    group: list[Piece] = []
    group_size = 0
    for piece in _files(inputs, options):
        if _splittable(piece, options, shard_size):
            if group:
                yield Shard(index, tuple(group))
                index, group, group_size = index + 1, [], 0
            cuts = _line_cuts(piece.path, piece.size, shard_size)
            ends = [offset for offset, _ in cuts[1:]] + [piece.size]
            for (start, line), end in zip(cuts, ends, strict=True):
                yield Shard(index, (evolve(piece, start=start, end=end, first_line=line),))
                index += 1
            continue
        group.append(piece)
        group_size += max(piece.size, 0)
        if group_size >= shard_size:
            yield Shard(index, tuple(group))
            index, group, group_size = index + 1, [], 0
    if group:
        yield Shard(index, tuple(group))


# -- reading a shard -------------------------------------------------------------


def read_shard(shard: Shard, options: ReadOptions) -> Iterator[Document | InputFailure]:
    """The documents of a shard, an ``InputFailure`` in place of each that cannot be read, as ``read_inputs`` says."""
    for piece in shard.pieces:
        if piece.failure is not None:
            yield piece.failure
        elif piece.end is None:
            yield from read_inputs(
                [piece.path], fmt=options.fmt, encoding=options.encoding, id_field=options.id_field, text_field=options.text_field
            )
        else:
            yield from _read_range(piece, options)


def _read_range(piece: Piece, options: ReadOptions) -> Iterator[Document | InputFailure]:
    """The records of a byte range of a JSONL file, exactly as ``read_jsonl`` reads them from the whole file."""
    assert piece.end is not None
    encoding = options.encoding or "utf-8"
    utf8 = is_utf8(encoding)
    offset, number = piece.start, piece.first_line - 1
    try:
        with open(piece.path, "rb") as f:
            f.seek(piece.start)
            for raw in f:
                if offset >= piece.end:
                    break
                start, offset = offset, offset + len(raw)
                number += 1
                if start == 0 and utf8 and raw.startswith(codecs.BOM_UTF8):
                    raw, start = raw[len(codecs.BOM_UTF8) :], start + len(codecs.BOM_UTF8)
                if not raw.strip():
                    continue
                where = f"{piece.path}:{number}"
                try:
                    line = raw.decode(encoding)
                except UnicodeDecodeError as exc:
                    yield InputFailure(where, undecodable(exc, encoding, where, start))
                    continue
                yield jsonl_document(line, where, options.id_field, options.text_field)
    except READ_ERRORS as exc:
        yield InputFailure(piece.path, read_error(exc, piece.path))


# -- statistics ----------------------------------------------------------------


def _add_counts(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    out = dict(a)
    for key, n in b.items():
        out[key] = out.get(key, 0) + n
    return dict(sorted(out.items()))


@frozen
class ShardStats:
    """What a shard (or a whole run) did, as a value that adds up: ``a + b``, so any engine can fold it.

    Args:
        documents: documents cleaned.
        failed: inputs that could not be read (each reported in ``errors``).
        kept: lines kept.
        removed: lines removed.
        edited: lines rewritten.
        kept_by: kept lines by label.
        removed_by: removed lines by ``stage/label/rule``.
        errors: the failures' one-line messages, in input order.

    >>> from newsclean import Whitespace
    >>> a = ShardStats.of(Whitespace()(Document.from_text("A\\n\\nB")))
    >>> (a + a).removed_by
    {'whitespace/blank/empty': 2}
    """

    documents: int = 0
    failed: int = 0
    kept: int = 0
    removed: int = 0
    edited: int = 0
    kept_by: dict[str, int] = field(factory=dict, eq=True, hash=False)
    removed_by: dict[str, int] = field(factory=dict, eq=True, hash=False)
    errors: tuple[str, ...] = ()

    @classmethod
    def of(cls, doc: Document) -> ShardStats:
        """The stats of one cleaned document."""
        return cls(
            documents=1,
            kept=len(doc.lines),
            removed=len(doc.removed),
            edited=len({e.index for e in doc.edits}),
            kept_by=dict(Counter(str(line.label) for line in doc.lines)),
            removed_by=dict(Counter(f"{r.stage}/{r.label}/{r.rule}" for r in doc.removed)),
        )

    @classmethod
    def failure(cls, item: InputFailure) -> ShardStats:
        """The stats of one input that could not be read."""
        return cls(failed=1, errors=(item.error.message(),))

    def __add__(self, other: ShardStats) -> ShardStats:
        if not isinstance(other, ShardStats):
            return NotImplemented
        return ShardStats(
            documents=self.documents + other.documents,
            failed=self.failed + other.failed,
            kept=self.kept + other.kept,
            removed=self.removed + other.removed,
            edited=self.edited + other.edited,
            kept_by=_add_counts(self.kept_by, other.kept_by),
            removed_by=_add_counts(self.removed_by, other.removed_by),
            errors=self.errors + other.errors,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON (the done marker)."""
        return {
            "documents": self.documents,
            "failed": self.failed,
            "kept": self.kept,
            "removed": self.removed,
            "edited": self.edited,
            "kept_by": self.kept_by,
            "removed_by": self.removed_by,
            "errors": list(self.errors),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ShardStats:
        """The stats written by ``to_dict``."""
        return cls(
            documents=int(data["documents"]),
            failed=int(data["failed"]),
            kept=int(data["kept"]),
            removed=int(data["removed"]),
            edited=int(data["edited"]),
            kept_by={str(k): int(v) for k, v in data["kept_by"].items()},
            removed_by={str(k): int(v) for k, v in data["removed_by"].items()},
            errors=tuple(str(e) for e in data["errors"]),
        )


# -- the job and one shard's work -------------------------------------------------


def _pipeline_key(pipeline: Pipeline) -> Any:
    try:
        return pipeline.to_config()
    except TypeError:  # an option TOML cannot hold: its pickle still says what the stage is
        return hashlib.sha256(pickle.dumps(pipeline)).hexdigest()


def _sorted_pairs(value: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> tuple[tuple[str, Any], ...]:
    return tuple(sorted(dict(value).items()))


def _ignore(line: str) -> None:
    """The default ``on_event``: say nothing."""


@frozen
class Job:
    """What every shard of a run shares: the pipeline, where parts go, and the read and write options.

    A Job pickles (the pipeline does), so it travels to any worker; each
    worker keeps it for every shard it cleans.

    Args:
        pipeline: the pipeline to run on each document.
        parts_dir: the folder of part files and done markers.
        explain: write every removal and edit into the records.
        read: how inputs are read.
        writer_options: more keyword arguments for ``JsonlWriter``, as
            ``(name, value)`` pairs of plain (JSON) values (``keep_fields``).
        provenance: have each record say which newsclean version and config
            made it (``JsonlWriter(pipeline=...)``).
    """

    pipeline: Pipeline
    parts_dir: str = field(converter=str)
    explain: bool = False
    read: ReadOptions = ReadOptions()
    writer_options: tuple[tuple[str, Any], ...] = field(default=(), converter=_sorted_pairs)
    provenance: bool = False

    def key(self) -> str:
        """A hash of everything in the job that changes what a part holds (not where it goes)."""
        config = {
            "newsclean": __version__,
            "pipeline": _pipeline_key(self.pipeline),
            "explain": self.explain,
            "writer": [[k, v] for k, v in self.writer_options],
            "provenance": self.provenance,
            "read": [self.read.fmt, self.read.encoding, self.read.id_field, self.read.text_field],
        }
        return hashlib.sha256(json.dumps(config, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    def shard_key(self, shard: Shard) -> str:
        """The job's key and the shard's files, sizes, times and ranges, hashed: a part is reused only on a match."""
        pieces = [[p.path, p.kind, p.start, p.end, p.size, p.mtime_ns] for p in shard.pieces]
        text = json.dumps([self.key(), pieces], ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()

    def part(self, index: int) -> Path:
        """The part file of shard ``index``."""
        return Path(self.parts_dir) / f"part-{index:06d}.jsonl"

    def marker(self, index: int) -> Path:
        """The done marker of shard ``index``."""
        return Path(self.parts_dir) / f"part-{index:06d}.done"


@frozen
class ShardResult:
    """A shard's outcome: its part file, its stats, and whether an earlier run had already done it.

    Args:
        index: the shard's index.
        part: the part file written.
        stats: what the shard did.
        reused: the part was found complete, with the same key, and kept.
        peak_rss_mb: the peak memory of the pool process that cleaned it
            (0 when cleaned in the caller's process).
        worker: the pool process's id (0 in the caller's process).
        cpu_seconds: the pool process's CPU time so far, after this shard.
    """

    index: int
    part: str
    stats: ShardStats
    reused: bool = False
    peak_rss_mb: float = 0.0
    worker: int = 0
    cpu_seconds: float = 0.0


def _done(job: Job, shard: Shard, key: str) -> ShardStats | None:
    """The stats of a finished part with this key, or None when the shard must be cleaned again."""
    try:
        marker = json.loads(job.marker(shard.index).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(marker, dict) or marker.get("key") != key or not job.part(shard.index).is_file():
        return None
    try:
        return ShardStats.from_dict(marker["stats"])
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def clean_shard(shard: Shard, job: Job) -> ShardResult:
    """Clean one shard into its part file and mark it done; a shard already done with the same key is skipped.

    The part is written under a temporary name and renamed when complete,
    then the marker is written (also by rename), so a part with a marker is
    always whole. A stage that raises stops the shard, with the document's
    id in the exception's notes.

    Args:
        shard: the shard, from ``plan_shards``.
        job: the pipeline and options.
    """
    key = job.shard_key(shard)
    part = job.part(shard.index)
    stats = _done(job, shard, key)
    if stats is not None:
        return ShardResult(shard.index, str(part), stats, reused=True)
    part.parent.mkdir(parents=True, exist_ok=True)
    job.marker(shard.index).unlink(missing_ok=True)
    tmp = part.with_name(f"{part.name}.tmp-{os.getpid()}")
    # Summing per-document stats into plain ints keeps a shard's cost per
    # document to a few additions; the label counters are merged at the end.
    documents = failed = kept = removed = edited = 0
    kept_by: Counter[str] = Counter()
    removed_by: Counter[str] = Counter()
    errors: list[str] = []
    options = dict(job.writer_options)
    if job.provenance:
        options["pipeline"] = job.pipeline
    with JsonlWriter(tmp, explain=job.explain, **options) as writer:
        for item in read_shard(shard, job.read):
            if isinstance(item, InputFailure):
                failed += 1
                errors.append(item.error.message())
                continue
            try:
                doc = job.pipeline.apply(item)
            except Exception as exc:
                exc.add_note(f"newsclean: while cleaning document {item.id!r} in {shard.describe()}")
                raise
            writer.write(doc)
            documents += 1
            kept += len(doc.lines)
            removed += len(doc.removed)
            edited += len({e.index for e in doc.edits})
            kept_by.update(str(line.label) for line in doc.lines)
            removed_by.update(f"{r.stage}/{r.label}/{r.rule}" for r in doc.removed)
    stats = ShardStats(
        documents, failed, kept, removed, edited, dict(sorted(kept_by.items())), dict(sorted(removed_by.items())),
        tuple(errors),
    )
    os.replace(tmp, part)
    _write_atomically(job.marker(shard.index), json.dumps({"key": key, "stats": stats.to_dict()}, ensure_ascii=False))
    return ShardResult(shard.index, str(part), stats)


def merge_parts(job: Job, shards: Iterable[Shard], output: str | Path | BinaryIO) -> None:
    """Concatenate the shards' parts, in shard order, into ``output`` (a path, ``.gz`` compressed, or a binary stream).

    A path is written under a temporary name and renamed when complete.
    Memory holds one copy buffer, whatever the parts' size.

    Args:
        job: the job whose parts are merged.
        shards: the shards, in order.
        output: where the merged JSONL goes.
    """
    if not isinstance(output, (str, Path)):
        for shard in shards:
            with open(job.part(shard.index), "rb") as part:
                shutil.copyfileobj(part, output, _CHUNK)
        output.flush()
        return
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as raw:
            if path.name.endswith(".gz"):
                with gzip.GzipFile(filename=path.name.removesuffix(".gz"), mode="wb", fileobj=raw) as out:
                    merge_parts(job, shards, out)  # type: ignore[arg-type]  # a GzipFile is a binary stream
            else:
                merge_parts(job, shards, raw)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


# -- the local process pool -----------------------------------------------------


@frozen
class ShardFailure:
    """A shard that did not finish after every attempt.

    Args:
        shard: the shard.
        attempts: how many times it was tried.
        reason: what happened the last time (an exit code, or a traceback's last line).
        detail: the full traceback, when there was one.
    """

    shard: Shard
    attempts: int
    reason: str
    detail: str = ""

    def message(self) -> str:
        """One line for a person."""
        tries = "once" if self.attempts == 1 else f"{self.attempts} times"
        return f"{self.shard.describe()} failed {tries}: {self.reason}"


@frozen
class RunResult:
    """What a run did: every finished shard in order, the shards lost, and the stats folded.

    Args:
        results: the finished shards, by index.
        failures: the shards that failed every attempt.
    """

    results: tuple[ShardResult, ...]
    failures: tuple[ShardFailure, ...]

    @property
    def stats(self) -> ShardStats:
        """The finished shards' stats, added up in shard order."""
        return sum((r.stats for r in self.results), ShardStats())

    @property
    def reused(self) -> int:
        """Shards whose part an earlier run had finished."""
        return sum(r.reused for r in self.results)


class ShardsFailed(NewscleanError):
    """Shards that failed every attempt; finished parts are kept, so the same run again resumes."""


def _worker(conn: Connection, task_bytes: bytes) -> None:
    """A pool process: rebuild the function and its context (the job) once, then run each shard it is sent."""
    fn, context = pickle.loads(task_bytes)
    first = True
    while True:
        try:
            shard = conn.recv()
        except EOFError:
            return
        if shard is None:
            return
        try:
            result = fn(shard, context)
            if isinstance(result, ShardResult):
                usage = resource.getrusage(resource.RUSAGE_SELF)
                result = evolve(
                    result,
                    peak_rss_mb=usage.ru_maxrss * 1024 / 1e6,  # KiB on Linux
                    worker=os.getpid(),
                    cpu_seconds=usage.ru_utime + usage.ru_stime,
                )
            conn.send(("ok", result))
        except Exception as exc:
            conn.send(("error", f"{type(exc).__name__}: {exc}", "".join(traceback.format_exception(exc))))
        if first:
            # The first shard loaded all the job needs (reader, profiles, tables): kept out of the
            # collector's full passes, which would walk it all again every few hundred pages.
            # Collected first, so that no garbage of that shard is kept for good.
            gc.collect()
            gc.freeze()
            first = False


def _context() -> multiprocessing.context.BaseContext:
    # forkserver: workers start from a clean process, not a copy of one that
    # may hold threads or open files, and start faster than with spawn.
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    # The server imports newsclean once and each worker is a fork of it, so a
    # worker does not pay the imports again (seconds where no bytecode is cached).
    ctx.set_forkserver_preload(["newsclean.parallel", "newsclean.stages"])
    return ctx


class _Slot:
    """One worker process, its pipe, and the shard it is on."""

    def __init__(self, ctx: Any, task_bytes: bytes) -> None:
        parent, child = ctx.Pipe()
        self.conn: Connection = parent
        self.process: Any = ctx.Process(target=_worker, args=(child, task_bytes), daemon=True)
        self.process.start()
        child.close()
        self.shard: Shard | None = None
        self.attempt = 0

    def stop(self) -> None:
        with contextlib.suppress(OSError, BrokenPipeError):
            self.conn.send(None)
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


@frozen
class PoolResult(Generic[R]):
    """What ``pool_map`` gives back: each finished shard's result, in shard order, and the shards lost.

    Args:
        results: ``fn(shard, context)`` of each finished shard, by shard index.
        failures: the shards that failed every attempt.
    """

    results: tuple[R, ...]
    failures: tuple[ShardFailure, ...]


def pool_map(
    fn: Callable[[Shard, Any], R],
    shards: Iterable[Shard],
    context: Any,
    workers: int,
    *,
    retries: int = 1,
    on_event: Callable[[str], None] | None = None,
    on_done: Callable[[Shard, R], None] | None = None,
) -> PoolResult[R]:
    """Run ``fn(shard, context)`` over the shards on a pool of ``workers`` processes; lost shards are retried.

    The generic engine under ``map_shards``: any picklable module-level
    ``fn`` works, e.g. one that fits corpus statistics on a shard (read it
    with ``read_shard``) and returns a mergeable value to fold. ``fn`` and
    ``context`` are pickled once and sent to each worker when it starts.

    Shards are pulled from the iterable one at a time as workers free up,
    so a plan of any length costs no memory up front. A worker that dies
    (killed, out of memory, ``os._exit``) or whose shard raises is
    reported through ``on_event``; a dead worker is replaced, and its shard
    tried again up to ``retries`` more times before it counts as failed.

    Args:
        fn: what to run on each shard.
        shards: the shards (from ``plan_shards``).
        context: the second argument of every call (a ``Job``, read options...).
        workers: processes to run at once (at least 1).
        retries: extra attempts for a shard whose worker died or raised.
        on_event: called with a line for each retry.
        on_done: called in this process with each shard and its result as it
            finishes, in the order they finish (for a progress bar).
    """
    if workers < 1:
        raise ConfigError(f"workers must be at least 1, got {workers}", "workers", "a count such as 2")
    if retries < 0:
        raise ConfigError(f"retries must be 0 or more, got {retries}", "retries", "a count such as 1")
    tell = on_event or _ignore
    ctx = _context()
    task_bytes = pickle.dumps((fn, context))
    todo = iter(shards)
    again: deque[tuple[Shard, int]] = deque()
    results: dict[int, R] = {}
    failures: list[ShardFailure] = []
    slots: list[_Slot] = []

    def next_task() -> tuple[Shard, int] | None:
        if again:
            return again.popleft()
        shard = next(todo, None)
        return None if shard is None else (shard, 1)

    def lost(slot: _Slot, reason: str, detail: str = "") -> None:
        assert slot.shard is not None
        if slot.attempt <= retries:
            tell(f"{slot.shard.describe()}: {reason}; trying again ({slot.attempt + 1} of {retries + 1})")
            again.append((slot.shard, slot.attempt + 1))
        else:
            failures.append(ShardFailure(slot.shard, slot.attempt, reason, detail))
        slot.shard = None

    try:
        while True:
            # Fill idle workers (starting new ones as needed) while there is work.
            while len(slots) < workers or any(s.shard is None for s in slots):
                idle = next((s for s in slots if s.shard is None), None)
                task = next_task()
                if task is None:
                    break
                if idle is None:
                    idle = _Slot(ctx, task_bytes)
                    slots.append(idle)
                idle.shard, idle.attempt = task
                try:
                    idle.conn.send(idle.shard)
                except (OSError, BrokenPipeError):
                    pass  # the worker died before its task: its sentinel says so below
            busy = [s for s in slots if s.shard is not None]
            if not busy:
                break
            ready = wait([s.conn for s in busy] + [s.process.sentinel for s in busy])
            for slot in busy:
                if slot.conn not in ready and slot.process.sentinel not in ready:
                    continue
                message = None
                with contextlib.suppress(EOFError, OSError):
                    if slot.conn.poll():
                        message = slot.conn.recv()
                if message is None:
                    slot.process.join()
                    lost(slot, f"the worker died (exit code {slot.process.exitcode})")
                    slot.conn.close()
                    slots.remove(slot)
                elif message[0] == "ok":
                    assert slot.shard is not None
                    results[slot.shard.index] = message[1]
                    if on_done is not None:
                        on_done(slot.shard, message[1])
                    slot.shard = None
                else:
                    lost(slot, message[1], message[2])
    finally:
        for slot in slots:
            slot.stop()
    return PoolResult(tuple(results[i] for i in sorted(results)), tuple(sorted(failures, key=lambda f: f.shard.index)))


def map_shards(
    shards: Iterable[Shard],
    job: Job,
    workers: int,
    *,
    retries: int = 1,
    on_event: Callable[[str], None] | None = None,
    on_done: Callable[[Shard, ShardResult], None] | None = None,
) -> RunResult:
    """``clean_shard`` over the shards on a pool of ``workers`` processes (see ``pool_map``).

    Args:
        shards: the shards (from ``plan_shards``).
        job: the pipeline and options, pickled once and sent to each worker.
        workers: processes to run at once (at least 1).
        retries: extra attempts for a shard whose worker died or raised.
        on_event: called with a line for each retry.
        on_done: called with each shard and its result as it finishes.
    """
    done = pool_map(clean_shard, shards, job, workers, retries=retries, on_event=on_event, on_done=on_done)
    return RunResult(done.results, done.failures)


def run_local(
    inputs: Sequence[str | Path],
    output: str | Path | BinaryIO,
    pipeline: Pipeline,
    *,
    workers: int | None = None,
    parts_dir: str | Path | None = None,
    explain: bool = False,
    read: ReadOptions | None = None,
    shard_size: int | None = None,
    retries: int = 1,
    keep_parts: bool = False,
    on_event: Callable[[str], None] | None = None,
    on_done: Callable[[Shard, ShardResult], None] | None = None,
    writer_options: Mapping[str, Any] | None = None,
    provenance: bool = False,
    plan: Sequence[Shard] | None = None,
    pool: bool | None = None,
) -> RunResult:
    """Plan, clean on a local pool, and merge: the whole of ``newsclean clean --workers N``.

    The output is written only when every shard finished; otherwise
    ``ShardsFailed`` is raised and the finished parts stay in ``parts_dir``,
    so the same call again does only the rest.

    Args:
        inputs: files, folders and glob patterns.
        output: a JSONL path (``.gz`` compressed) or a binary stream.
        pipeline: the pipeline.
        workers: processes (default: every core this process may use).
        parts_dir: where parts and markers go (default: ``OUTPUT.parts``
            beside a path output; a temporary folder for a stream, which
            cannot be resumed).
        explain: write every removal and edit.
        read: how inputs are read.
        shard_size: bytes per shard (default: ``auto_shard_size``).
        retries: extra attempts for a shard whose worker died.
        keep_parts: leave the parts folder after a complete run.
        on_event: called with a line for each retry.
        on_done: called with each shard and its result as it finishes.
        writer_options: more ``JsonlWriter`` options (see ``Job``).
        provenance: records say which version and config made them.
        plan: the shards, when already planned from ``inputs``.
        pool: clean on a process pool; ``None``: when ``workers`` > 1, else in this process.
    """
    import tempfile

    workers = workers or default_workers()
    read = read or ReadOptions()
    temporary = None
    if parts_dir is None:
        if isinstance(output, (str, Path)):
            parts_dir = Path(f"{output}.parts")
        else:
            temporary = tempfile.mkdtemp(prefix="newsclean-parts-")
            parts_dir = temporary
    job = Job(
        pipeline,
        parts_dir=str(parts_dir),
        explain=explain,
        read=read,
        writer_options=writer_options or {},
        provenance=provenance,
    )
    try:
        if plan is None:
            plan = list(plan_shards(inputs, shard_size=shard_size, workers=workers, options=read))
        if not (workers > 1 if pool is None else pool):
            results = []
            for shard in plan:
                results.append(clean_shard(shard, job))
                if on_done is not None:
                    on_done(shard, results[-1])
            run = RunResult(tuple(results), ())
        else:
            run = map_shards(
                plan, job, min(workers, max(1, len(plan))), retries=retries, on_event=on_event, on_done=on_done
            )
        if run.failures:
            lines = "; ".join(f.message() for f in run.failures)
            hint = "the same command again, which keeps the finished parts and redoes only these"
            raise ShardsFailed(lines, str(parts_dir), hint)
        merge_parts(job, plan, output)
    finally:
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)
    if not keep_parts and temporary is None:
        shutil.rmtree(parts_dir, ignore_errors=True)
    return run

