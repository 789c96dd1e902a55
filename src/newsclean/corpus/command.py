"""The command line of deduplication: ``newsclean dedup`` and ``newsclean clean --dedup``.

``newsclean dedup INPUT... -o OUT`` writes the kept documents, their
repeated lines removed; ``--explain`` also writes each dropped document
(empty ``text``, every line in ``removed`` with label ``duplicate`` and the
reason) and a ``dedup`` field on every record: ``kept``, ``rule``,
``kept_id``, ``similarity``, ``cluster``, ``cluster_size``. The summary on
stderr counts what each rule dropped.
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from newsclean import argtypes
from newsclean.core import Document
from newsclean.corpus.dedup import SignatureStore, config_for, dedup, dedup_stream
from newsclean.corpus.signatures import PRESETS, DedupConfig
from newsclean.errors import NewscleanError
from newsclean.io import InputFailure, JsonlWriter, TextFolderWriter, Writer
from newsclean.pipeline import Pipeline

__all__ = ["add_arguments", "add_clean_arguments", "run", "run_clean"]


def _options(parser: argparse.ArgumentParser, prefix: str) -> None:
    group = parser.add_argument_group("deduplication options")
    group.add_argument(
        f"--{prefix}preset",
        dest="preset",
        choices=sorted(PRESETS),
        default="default",
        help="default: near-identical copies (Jaccard >= 0.8); reprint: cross-site wire copy (>= 0.5)",
    )
    group.add_argument(
        f"--{prefix}threshold",
        dest="threshold",
        type=argtypes.share,
        metavar="J",
        help="Jaccard similarity of 5-word shingles from which two documents are copies (default: the preset's)",
    )
    group.add_argument(
        f"--{prefix}no-lines",
        dest="no_lines",
        action="store_true",
        help="keep lines a site repeats across its documents (default: remove them)",
    )
    group.add_argument(
        f"--{prefix}min-count",
        dest="min_count",
        type=argtypes.positive,
        default=3,
        metavar="N",
        help="a line in at least N kept documents of a site is boilerplate (default: 3)",
    )
    group.add_argument(
        f"--{prefix}min-share",
        dest="min_share",
        type=argtypes.share,
        default=0.0,
        metavar="F",
        help="... and in at least this fraction of them (default: 0)",
    )
    group.add_argument(
        f"--{prefix}site-field",
        dest="site_field",
        default="site",
        metavar="F",
        help="metadata field naming a document's site; else its URL's host, else its id's prefix (default: site)",
    )
    group.add_argument(
        f"--{prefix}id-separator",
        dest="id_separator",
        default="/",
        metavar="S",
        help="a document's site is its id up to the first S when nothing else names it (default: /)",
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``dedup`` subcommand's own arguments (the input options are added by the caller)."""
    parser.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="dumps, JSONL (cleaned or raw; url, date and site fields are used), HTML pages, folders or glob patterns",
    )
    parser.add_argument("-o", "--output", metavar="OUT", help="a .jsonl or .jsonl.gz file, or a folder with --format txt (default: stdout)")
    parser.add_argument("--format", choices=("jsonl", "txt"), default="jsonl", help="output format (default: jsonl)")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="also write the dropped documents, and every record's dedup decision and removals",
    )
    parser.add_argument(
        "--state",
        metavar="DIR",
        help="keep signatures, band keys and line counts in DIR (for corpora larger than memory; "
        "the inputs are read three times, so not stdin)",
    )
    _options(parser, "")


def add_clean_arguments(parser: argparse.ArgumentParser) -> None:
    """``clean --dedup`` and its options, prefixed ``--dedup-``."""
    parser.add_argument(
        "--dedup",
        action="store_true",
        help="after cleaning, drop duplicate documents and each site's repeated lines (holds the corpus in memory)",
    )
    _options(parser, "dedup-")


def _config(args: argparse.Namespace) -> DedupConfig:
    return config_for(args.preset, threshold=args.threshold)


def _keep(args: argparse.Namespace) -> str | None:
    fields: str | None = getattr(args, "keep_fields", None)
    if not args.explain:
        return fields
    if fields and fields.strip() == "*":
        return fields
    return f"{fields},dedup" if fields else "dedup"


@contextlib.contextmanager
def _writer(args: argparse.Namespace, prog: str, pipeline: Pipeline | None = None) -> Iterator[Writer]:
    from newsclean.cli import UsageError, _utf8_stdout

    if args.format == "txt":
        if args.explain:
            raise UsageError("--explain needs --format jsonl: a .txt file holds only the text", prog)
        if args.output is None or args.output == "-":
            raise UsageError("--format txt writes one file per document: give the folder with -o FOLDER", prog)
        folder = Path(args.output)
        if folder.exists() and not folder.is_dir():
            raise NewscleanError("the output is a file, not a folder", str(folder), "-o with a folder name, or --format jsonl")
        with TextFolderWriter(folder) as folder_writer:
            yield folder_writer
        return
    options: dict[str, Any] = {"explain": args.explain, "keep_fields": _keep(args), "pipeline": pipeline}
    if args.output is None or args.output == "-":
        with _utf8_stdout() as stream, JsonlWriter(stream, **options) as writer:
            yield writer
        return
    path = Path(args.output)
    if path.is_dir():
        raise NewscleanError("the output is a folder", str(path), "--format txt, or a .jsonl file name")
    try:
        writer = JsonlWriter(path, **options)
    except OSError as exc:
        raise NewscleanError(f"cannot write the output ({exc.strerror})", str(path), "a path you may write to") from None
    with writer:
        yield writer


def _write(docs: Iterable[Document], writer: Writer, explain: bool) -> dict[str, int]:
    counts = {"documents": 0, "kept": 0, "exact-duplicate": 0, "same-url": 0, "near-duplicate": 0, "repeated-line": 0}
    for doc in docs:
        counts["documents"] += 1
        decision = doc.metadata.get("dedup", {})
        if decision.get("kept", True):
            counts["kept"] += 1
            counts["repeated-line"] += sum(1 for r in doc.removed if r.stage == "repeated_lines")
            writer.write(doc)
        else:
            counts[decision["rule"]] += 1
            if explain:
                writer.write(doc)
    return counts


def _summary(counts: dict[str, int], failed: int) -> str:
    from newsclean.cli import PROG, _plural

    dropped = ", ".join(f"{counts[rule]} {rule}" for rule in ("exact-duplicate", "same-url", "near-duplicate"))
    return (
        f"{PROG}: kept {counts['kept']} of {_plural(counts['documents'], 'document')} (dropped: {dropped}); "
        f"{_plural(counts['repeated-line'], 'repeated line')} removed; {_plural(failed, 'input')} failed"
    )


def _dedup_options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "boilerplate": not args.no_lines,
        "min_count": args.min_count,
        "min_share": args.min_share,
        "site_field": args.site_field,
        "id_separator": args.id_separator,
    }


def run(args: argparse.Namespace) -> int:
    """``newsclean dedup``: read, deduplicate, write; the exit status."""
    from newsclean.cli import STDIN_PATH, UsageError, _error_line, _inputs, _say, _status

    prog = "newsclean dedup"
    config = _config(args)
    failed = 0

    def documents(report: bool) -> Iterator[Document]:
        nonlocal failed
        for item in _inputs(args, args.inputs):
            if isinstance(item, InputFailure):
                if report:
                    failed += 1
                    _say(_error_line(item.error))
                continue
            yield item

    if args.state is not None and STDIN_PATH in args.inputs:
        raise UsageError("--state reads the inputs three times: stdin cannot be one of them", prog)
    with _writer(args, prog) as writer:  # opened first: a bad output is reported before any work
        if args.state is not None:
            store = SignatureStore(args.state, config)
            reads = iter((True, False, False))
            out: Iterable[Document] = dedup_stream(lambda: documents(next(reads, False)), store, **_dedup_options(args))
        else:
            out = dedup(documents(True), config, **_dedup_options(args)).documents
        counts = _write(out, writer, args.explain)
    if counts["documents"] or not failed:
        _say(_summary(counts, failed))
    return _status(counts["documents"], failed)


def run_clean(args: argparse.Namespace, pipeline: Pipeline) -> int:
    """``newsclean clean --dedup``: clean every input, deduplicate the cleaned documents in memory, write."""
    from newsclean.cli import _apply, _error_line, _inputs, _output_format, _say, _status

    if args.format is None:
        args.format = _output_format(args.output)  # as clean decides it, so -o out.parquet is refused, not mislabelled
    if args.format not in ("jsonl", "txt"):
        from newsclean.cli import UsageError

        raise UsageError("--dedup writes --format jsonl or txt", "newsclean clean")
    failed = 0
    with _writer(args, "newsclean clean", pipeline) as writer:  # opened first: a bad output is reported before any work
        cleaned: list[Document] = []
        for item in _inputs(args, args.inputs):
            if isinstance(item, InputFailure):
                failed += 1
                _say(_error_line(item.error))
                continue
            cleaned.append(_apply(pipeline, item))
        result = dedup(cleaned, _config(args), **_dedup_options(args))
        counts = _write(result.documents, writer, args.explain)
    if counts["documents"] or not failed:
        _say(_summary(counts, failed))
    return _status(counts["documents"], failed)
