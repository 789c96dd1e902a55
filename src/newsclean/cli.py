"""The command line: ``newsclean clean``, ``explain``, ``score``, ``report``, ``dedup`` and ``bench``.

Results go to stdout or to files; progress, errors and the summary go to
stderr, so the two never mix. Exit status:

- 0: every input was read and cleaned;
- 1: some inputs failed (each reported on stderr as it happens), the rest were cleaned;
- 2: a usage or config error, or no input could be read at all.

An expected error is one line on stderr, never a traceback::

    newsclean: error: file not found, nope.txt; try a path to an existing file, folder or glob pattern

``render_explain`` is what ``newsclean explain`` prints for a document:

>>> from newsclean import Document, Pipeline, Whitespace
>>> doc = Pipeline([Whitespace()])(Document.from_text("Tiêu đề\\n\\tThân  bài.\\n", id="a"))
>>> print(render_explain(doc))
a
0  kept body               Tiêu đề
1  kept body               Thân bài.
   edited                  whitespace/collapse: '\\tThân  bài.' -> 'Thân bài.'
2  removed blank           ''
                           <- whitespace/empty: empty line
total     3 lines: 2 kept, 1 removed, 1 edited
by label  kept: body 2; removed: blank 1
by stage  whitespace: 1 removed, 1 edited
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import io
import os
import shutil
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn, TextIO

from newsclean import __version__, argtypes
from newsclean.core import KEPT_LABELS, Document, Label
from newsclean.errors import ConfigError, InputError, NewscleanError
from newsclean.io import FORMATS, InputFailure, JsonlWriter, TextFolderWriter, Writer, check_encoding, read_inputs
from newsclean.pipeline import Pipeline, default_pipeline

__all__ = ["main", "render_explain"]

PROG = "newsclean"
STDIN_PATH = "-"


class UsageError(Exception):
    """A command line that cannot be run as given (exit status 2).

    Args:
        message: what is wrong with it.
        prog: the (sub)command, for the ``--help`` hint.
    """

    def __init__(self, message: str, prog: str = PROG) -> None:
        super().__init__(message)
        self.prog = prog

    def line(self) -> str:
        """The one-line error, in the same form as every other error."""
        return NewscleanError(str(self), "", f"'{self.prog} --help'").message()


class _Parser(argparse.ArgumentParser):
    # argparse prints its usage and exits from inside parse_args; raising
    # instead lets main() print one line in the common form and return 2.
    def error(self, message: str) -> NoReturn:
        raise UsageError(message, self.prog)


# -- the parser ----------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    """The ``newsclean`` argument parser with its three subcommands."""
    parser = _Parser(prog=PROG, description="Clean article text out of raw news-page dumps, deduplicate the corpus, and explain every removal.")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    clean = commands.add_parser(
        "clean",
        help="clean dumps, HTML, WARC, JSONL or Parquet to JSONL, Parquet or a folder of .txt",
        description="Clean every input and write the results to stdout (JSONL) or to -o.",
        epilog="Exit status: 0 all inputs cleaned; 1 some inputs failed, the rest cleaned; "
        "2 usage or config error, or no input could be read.",
    )
    clean.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="dump (.txt, .txt.gz), HTML page (.html, .htm), WARC (.warc, .warc.gz: its HTML responses), JSONL (.jsonl, .jsonl.gz; an \"html\" field is read as a page), folder (its dumps, or else its pages and WARC files), glob pattern, or - for stdin",
    )
    clean.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        help="a .jsonl or .jsonl.gz file, a .parquet file, or a folder with --format txt (default: stdout)",
    )
    clean.add_argument(
        "--format",
        choices=("jsonl", "txt", "parquet"),
        default=None,
        help="output format (default: parquet when -o ends in .parquet, else jsonl)",
    )
    clean.add_argument("--explain", action="store_true", help="add every removal and edit to each JSONL record")
    clean.add_argument(
        "--keep-fields",
        metavar="F,F",
        help="input fields to copy into each record, e.g. url,date (* for all; JSONL and Parquet output)",
    )
    _add_parallel_options(clean)
    _dedup_module().add_clean_arguments(clean)
    _add_pipeline_options(clean)
    _add_input_options(clean)
    clean.set_defaults(run=_clean)

    explain = commands.add_parser(
        "explain",
        help="show every raw line of a dump and what became of it",
        description="Show every raw line with its fate: kept (title or body), or removed by which stage and rule, and why.",
    )
    explain.add_argument(
        "file", metavar="FILE", help="a dump, a JSONL file (every record is explained), or - for stdin"
    )
    _add_pipeline_options(explain)
    _add_input_options(explain)
    _add_color_option(explain)
    explain.set_defaults(run=_explain)

    score = commands.add_parser(
        "score",
        help="score the pipeline against gold *.labels.tsv",
        description="Clean every dump in GOLD_DIR and compare the result with its gold *.labels.tsv.",
    )
    score.add_argument("gold_dir", metavar="GOLD_DIR", help="a folder of dumps (*.txt) with their *.labels.tsv")
    score.add_argument("--verbose", action="store_true", help="show the details of each document")
    _add_pipeline_options(score)
    _add_color_option(score)
    score.set_defaults(run=_score)

    report = commands.add_parser(
        "report",
        help="write an HTML report of every line's fate",
        description="Clean every input and write one self-contained HTML page that shows each raw line, "
        "kept or struck through by label, with the stage, rule and evidence; gold NAME.labels.tsv "
        "beside a dump are joined and the disagreements shown first.",
    )
    report.add_argument(
        "inputs", nargs="+", metavar="INPUT", help="dumps, HTML pages, JSONL, folders or glob patterns, as for clean"
    )
    report.add_argument("-o", "--output", required=True, metavar="HTML", help="the report file to write")
    report.add_argument(
        "--max-docs",
        type=argtypes.count,
        default=100,
        metavar="N",
        help="show at most N documents, most disagreements then most removals first (default: 100; 0: all)",
    )
    report.add_argument(
        "--max-lines", type=argtypes.count, default=2000, metavar="N", help="show at most N lines per document (default: 2000; 0: all)"
    )
    report.add_argument("--no-gold", action="store_true", help="do not look for gold *.labels.tsv beside the inputs")
    _add_pipeline_options(report)
    _add_input_options(report)
    report.set_defaults(run=_report)

    bench = commands.add_parser(
        "bench",
        help="time the pipeline: bare read and write, each stage, 1 and N workers, peak memory",
        description="Generate a corpus from ./seeds (or take --corpus) and time cleaning it on 1 and N workers.",
    )
    _bench_module().add_arguments(bench)
    bench.set_defaults(run=lambda args: _bench_module().run(args))

    dedup = commands.add_parser(
        "dedup",
        help="drop duplicate documents (exact, same URL, near copies) and each site's repeated lines",
        description="Keep one copy of each document (the longest, then earliest, then smallest id) and remove "
        "lines a site repeats across its documents; write the kept documents to stdout (JSONL) or to -o.",
    )
    _dedup_module().add_arguments(dedup)
    _add_input_options(dedup)
    dedup.set_defaults(run=lambda args: _dedup_module().run(args))
    return parser


def _bench_module() -> ModuleType:
    return importlib.import_module("newsclean.bench")


def _dedup_module() -> ModuleType:
    return importlib.import_module("newsclean.corpus.command")


def _add_parallel_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("parallel options")
    group.add_argument(
        "--workers",
        type=argtypes.positive,
        default=None,
        metavar="N",
        help="processes to clean with (default: every core); 1 cleans in this process. Parts of an "
        "interrupted run are kept in OUT.parts/ and a rerun resumes; stdin and --format txt or parquet use one",
    )
    group.add_argument(
        "--shard-size",
        type=argtypes.size,
        default=None,
        metavar="SIZE",
        help="bytes of input per worker task, e.g. 64MB (default: about 8 tasks per worker, 1MiB to 64MiB)",
    )
    group.add_argument(
        "--retries",
        type=argtypes.count,
        default=1,
        metavar="N",
        help="more attempts for a shard whose worker died, before the run fails and can be resumed (default: 1)",
    )


def _add_pipeline_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--lang", metavar="LANG", help="language profile of the default pipeline, e.g. vi (default: detect)"
    )
    group.add_argument(
        "--config", metavar="TOML", help="a newsclean.toml of [[stage]] tables instead of the default pipeline"
    )


def _add_input_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("input options")
    group.add_argument(
        "--encoding",
        default=None,
        help="codec of the input bytes, decoded strictly (default: utf-8; for HTML, what the page declares or looks like)",
    )
    group.add_argument(
        "--input-format", choices=FORMATS, help="read every input as this format (default: by file name)"
    )
    group.add_argument("--id-field", default="id", metavar="F", help="JSONL field holding the id (default: id)")
    group.add_argument("--text-field", default="text", metavar="F", help="JSONL field holding the dump (default: text)")


def _add_color_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the output (default: auto, when stdout is a terminal and NO_COLOR is not set)",
    )


# -- shared plumbing -----------------------------------------------------------


def _pipeline(args: argparse.Namespace) -> Pipeline:
    if args.config is None:
        return default_pipeline(args.lang)
    try:
        return Pipeline.from_toml(args.config)
    except NewscleanError:
        raise
    except OSError as exc:  # a folder or an unreadable file: from_toml only handles "missing"
        raise ConfigError(
            f"cannot read the config ({exc.strerror or exc})", args.config, "a readable .toml file"
        ) from None


def _inputs(args: argparse.Namespace, paths: Sequence[str]) -> Iterator[Document | InputFailure]:
    if args.encoding is not None:
        check_encoding(args.encoding, "--encoding")
    if STDIN_PATH in paths and sys.stdin.isatty():
        # Otherwise a forgotten pipe looks like a hang.
        _say("newsclean: reading a dump from the terminal; end it with Ctrl-D")
    return read_inputs(
        paths, fmt=args.input_format, encoding=args.encoding, id_field=args.id_field, text_field=args.text_field
    )


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _error_line(exc: NewscleanError) -> str:
    return f"{PROG}: error: {exc.message()}"


def _status(documents: int, failed: int) -> int:
    if not failed:
        return 0
    return 1 if documents else 2


def _use_color(choice: str, stream: TextIO) -> bool:
    if choice != "auto":
        return choice == "always"
    # https://no-color.org: a non-empty NO_COLOR turns colour off.
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _human_stdout() -> TextIO:
    # A terminal that cannot show a character gets an escape, not a crash.
    if isinstance(sys.stdout, io.TextIOWrapper):
        sys.stdout.reconfigure(errors="backslashreplace")
    return sys.stdout


@contextlib.contextmanager
def _utf8_stdout() -> Iterator[TextIO]:
    """Standard output as UTF-8 whatever the locale: JSONL is UTF-8 by definition."""
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # replaced by a text-only stream (tests, notebooks)
        yield sys.stdout
        return
    sys.stdout.flush()
    stream = io.TextIOWrapper(buffer, encoding="utf-8", errors="backslashreplace", newline="\n")
    try:
        yield stream
        stream.flush()
    finally:
        stream.detach()  # leave sys.stdout's buffer open


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# -- clean ---------------------------------------------------------------------


def _output_format(output: str | None) -> str:
    """The output format ``clean`` writes when ``--format`` is not given: as the file's name says, else JSONL."""
    return "parquet" if str(output or "").endswith(".parquet") else "jsonl"


@contextlib.contextmanager
def _writer(args: argparse.Namespace, pipeline: Pipeline) -> Iterator[Writer]:
    prog = f"{PROG} clean"
    if args.format is None:
        args.format = _output_format(args.output)
    if args.format == "txt" and args.keep_fields:
        raise UsageError("--keep-fields needs --format jsonl or parquet: a .txt file holds only the cleaned text", prog)
    if args.format == "parquet":
        if args.output is None or args.output == "-":
            raise UsageError("--format parquet writes a file: give its name with -o FILE.parquet", prog)
        if Path(args.output).is_dir():
            raise NewscleanError("the output is a folder", args.output, "-o with a file name such as out.parquet")
        from newsclean.io.parquet import ParquetWriter  # needs pyarrow, an extra: imported on use

        try:
            parquet = ParquetWriter(args.output, explain=args.explain, keep_fields=args.keep_fields, pipeline=pipeline)
        except OSError as exc:
            raise NewscleanError(
                f"cannot write the output ({exc.strerror or exc})", args.output, "a path you may write to"
            ) from None
        with parquet:
            yield parquet
        return
    if args.format == "txt":
        if args.explain:
            raise UsageError("--explain needs --format jsonl: a .txt file holds only the cleaned text", prog)
        if args.output is None or args.output == "-":
            raise UsageError("--format txt writes one file per document: give the folder with -o FOLDER", prog)
        folder = Path(args.output)
        if folder.exists() and not folder.is_dir():
            raise NewscleanError(
                "the output is a file, not a folder", str(folder), "-o with a folder name, or --format jsonl"
            )
        try:
            writer: Writer = TextFolderWriter(folder)
        except OSError as exc:
            raise NewscleanError(
                f"cannot create the output folder ({exc.strerror})", str(folder), "a folder you may write to"
            ) from None
        with writer:
            yield writer
        return
    if args.output is None or args.output == "-":
        with (
            _utf8_stdout() as stream,
            JsonlWriter(stream, explain=args.explain, keep_fields=args.keep_fields, pipeline=pipeline) as writer,
        ):
            yield writer
        return
    path = Path(args.output)
    if path.is_dir():
        raise NewscleanError(
            "the output is a folder",
            str(path),
            "--format txt to write one .txt per document there, or a .jsonl file name",
        )
    try:
        writer = JsonlWriter(path, explain=args.explain, keep_fields=args.keep_fields, pipeline=pipeline)
    except OSError as exc:
        raise NewscleanError(
            f"cannot write the output ({exc.strerror})", str(path), "a path you may write to"
        ) from None
    with writer:
        yield writer


@contextlib.contextmanager
def _progress(unit: str = " docs", total: int | None = None) -> Iterator[Any]:
    """A tqdm bar on stderr when it is a terminal, else None; messages go through ``_tell``."""
    if not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm  # type: ignore[import-untyped]  # only paid for when there is a terminal to draw on

    with tqdm(desc="cleaning", unit=unit, total=total, file=sys.stderr, dynamic_ncols=True, leave=False) as bar:
        yield bar


def _tell(bar: Any, line: str) -> None:
    if bar is None:
        _say(line)
    else:
        bar.write(line, file=sys.stderr)  # printed above the bar, which is redrawn below


def _clean(args: argparse.Namespace) -> int:
    pipeline = _pipeline(args)
    if args.dedup:  # the whole corpus is needed before anything is written
        deduped: int = _dedup_module().run_clean(args, pipeline)
        return deduped
    if _parallel(args):
        status = _clean_parallel(args, pipeline)
        if status is not None:
            return status
    items = _inputs(args, args.inputs)
    documents = failed = kept = removed = edited = 0
    with _writer(args, pipeline) as writer, _progress() as bar:
        for item in items:
            if isinstance(item, InputFailure):
                failed += 1
                _tell(bar, _error_line(item.error))
                continue
            doc = _apply(pipeline, item)
            if not documents:
                # The first page loaded all the run needs (reader, profiles, tables): kept out of
                # the collector's full passes, which would walk it all again every few hundred pages.
                # Collected first, so that no garbage of that page is kept for good.
                gc.collect()
                gc.freeze()
            writer.write(doc)
            documents += 1
            kept += len(doc.lines)
            removed += len(doc.removed)
            edited += len({e.index for e in doc.edits})
            if bar is not None:
                bar.update()
    if documents or not failed:  # nothing read at all: the error lines above say it all
        lines = f"{_plural(kept, 'line')} kept, {removed} removed, {edited} edited"
        _say(f"{PROG}: cleaned {_plural(documents, 'document')} ({lines}); {_plural(failed, 'input')} failed")
    return _status(documents, failed)


def _parallel(args: argparse.Namespace) -> bool:
    """Whether ``clean`` runs on a process pool: more than one worker, JSONL out, files in."""
    from newsclean.parallel import default_workers

    fmt = args.format or _output_format(args.output)
    return (args.workers or default_workers()) > 1 and fmt == "jsonl" and STDIN_PATH not in args.inputs


def _clean_parallel(args: argparse.Namespace, pipeline: Pipeline) -> int | None:
    """``clean`` on a process pool (``newsclean.parallel``); None when the inputs make one shard, cleaned here."""
    from newsclean import parallel

    if args.encoding is not None:
        check_encoding(args.encoding, "--encoding")
    read = parallel.ReadOptions(args.input_format, args.encoding, args.id_field, args.text_field)
    workers = args.workers or parallel.default_workers()
    plan = list(parallel.plan_shards(args.inputs, shard_size=args.shard_size, workers=workers, options=read))
    if len(plan) < 2:
        return None
    options = {"keep_fields": args.keep_fields} if args.keep_fields else {}
    # The same options as the serial writer, checked before any work is done.
    JsonlWriter(io.StringIO(), explain=args.explain, pipeline=pipeline, **options).close()
    to_stdout = args.output is None or args.output == "-"
    parts = None
    if not to_stdout:
        path = Path(args.output)
        if path.is_dir():
            raise NewscleanError(
                "the output is a folder", str(path), "--format txt to write one .txt per document there, or a .jsonl file name"
            )
        parts = Path(f"{path}.parts")
        try:
            parts.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise NewscleanError(
                f"cannot write the output ({exc.strerror})", str(path), "a path you may write to"
            ) from None
    if to_stdout:
        sys.stdout.flush()
    output: Any = Path(args.output) if not to_stdout else getattr(sys.stdout, "buffer", None)
    if output is None:  # a text-only stdout (tests, notebooks): merge to a buffer that is decoded onto it
        output = io.BytesIO()
    try:
        with _progress(" shards", total=len(plan)) as bar:
            run = parallel.run_local(
                args.inputs,
                output,
                pipeline,
                workers=workers,
                parts_dir=parts,
                retries=args.retries,
                explain=args.explain,
                read=read,
                on_event=lambda line: _tell(bar, line),
                on_done=None if bar is None else lambda _shard, _result: bar.update(1),
                writer_options=options,
                provenance=True,
                plan=plan,
            )
    except OSError as exc:
        raise NewscleanError(
            f"cannot write the output ({exc.strerror or exc})", str(args.output or "stdout"), "a path you may write to"
        ) from None
    if isinstance(output, io.BytesIO):
        sys.stdout.write(output.getvalue().decode("utf-8"))
        sys.stdout.flush()
    stats = run.stats
    for message in stats.errors:
        _say(f"{PROG}: error: {message}")
    if run.reused:
        _say(f"{PROG}: reused {_plural(run.reused, 'finished shard')} of {len(plan)} from {parts}")
    if stats.documents or not stats.failed:
        lines = f"{_plural(stats.kept, 'line')} kept, {stats.removed} removed, {stats.edited} edited"
        _say(f"{PROG}: cleaned {_plural(stats.documents, 'document')} ({lines}); {_plural(stats.failed, 'input')} failed")
    return _status(stats.documents, stats.failed)


def _apply(pipeline: Pipeline, doc: Document) -> Document:
    try:
        return pipeline.apply(doc)
    except Exception as exc:
        # A stage raising on content is a bug; the traceback should say which page to reproduce it with.
        exc.add_note(f"newsclean: while cleaning document {doc.id!r}")
        raise


# -- explain -------------------------------------------------------------------

_STYLES = {
    "title": "1;32",
    "body": "32",
    "removed": "31",
    "edit": "33",
    "dim": "2",
    "head": "1",
}


def _paint(text: str, style: str, color: bool) -> str:
    return f"\x1b[{_STYLES[style]}m{text}\x1b[0m" if color and text.strip() else text


def _visible(text: str) -> str:
    """The text with invisible and control characters escaped, so a terminal shows them and obeys none."""
    if not text:
        return "''"
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _cells(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def _clip(text: str, width: int) -> str:
    if len(text) <= width // 2 or sum(map(_cells, text)) <= width:
        return text
    out, used = [], 0
    for ch in text:
        used += _cells(ch)
        if used > width - 1:
            break
        out.append(ch)
    return "".join(out) + "…"


# Every fate fits ("removed recommendation"), so columns line up across documents.
_FATE_WIDTH = len("removed ") + max(len(label) for label in Label)


def render_explain(doc: Document, *, color: bool = False, width: int | None = None, stages: Sequence[str] = ()) -> str:
    """Every raw line of a cleaned document with its fate, then counts by label and by stage.

    Rows are ``index  fate  text``, the fate being ``kept`` or ``removed``
    with the line's label. Under a removed line, ``<- stage/rule: evidence``;
    under an edited line, each ``stage/rule: before -> after`` in turn.
    Control and invisible characters are shown escaped, so a page's text
    cannot drive the terminal.

    Args:
        doc: a document the pipeline has run on.
        color: add ANSI colours.
        width: cut rows to this many terminal cells (``None``: never cut).
        stages: stage names in pipeline order, to order the counts.
    """
    labels = {line.index: line.label for line in doc.lines}
    rows: list[tuple[str, str, str, str, str | None]] = []  # index, fate, text, fate style, text style
    for index, text, removal, edits in doc.fates():
        if removal is None:
            label = labels[index]
            title = label is Label.TITLE
            rows.append(
                (str(index), f"kept {label}", _visible(text), "title" if title else "body", "head" if title else None)
            )
        else:
            rows.append((str(index), f"removed {removal.label}", _visible(text), "removed", "dim"))
            because = f": {_visible(removal.evidence)}" if removal.evidence else ""
            rows.append(("", "", f"<- {removal.stage}/{removal.rule}{because}", "dim", "dim"))
        for edit in edits:
            how = f" ({'; '.join(edit.steps)})" if edit.steps else ""
            change = f"{edit.stage}/{edit.rule}: {edit.before!r} -> {edit.after!r}{how}"
            rows.append(("", "edited", change, "edit", "edit"))

    index_width = len(str(max(doc.size - 1, 0)))
    out = [_paint(doc.id or "(no id)", "head", color)]
    for number, fate, shown, fate_style, text_style in rows:
        if width is not None:
            shown = _clip(shown, max(width - index_width - _FATE_WIDTH - 4, 10))
        out.append(
            _paint(f"{number:>{index_width}}", "dim", color)
            + "  "
            + _paint(f"{fate:<{_FATE_WIDTH}}", fate_style, color)
            + "  "
            + (_paint(shown, text_style, color) if text_style else shown)
        )
    out += _counts(doc, stages)
    return "\n".join(out)


def _counts(doc: Document, stages: Sequence[str]) -> list[str]:
    kept = Counter(line.label for line in doc.lines)
    removed = Counter(r.label for r in doc.removed)
    edited = len({e.index for e in doc.edits})
    by_stage_removed = Counter(r.stage for r in doc.removed)
    by_stage_edited = Counter(e.stage for e in doc.edits)
    order = list(dict.fromkeys([*stages, *(r.stage for r in doc.removed), *(e.stage for e in doc.edits)]))

    kept_part = ", ".join(f"{label} {kept[label]}" for label in (Label.TITLE, Label.BODY) if kept[label])
    kept_part += "".join(f", {label} {n}" for label, n in kept.items() if label not in KEPT_LABELS)
    removed_part = ", ".join(f"{label} {n}" for label, n in sorted(removed.items(), key=lambda kv: (-kv[1], kv[0])))
    stage_parts = []
    for stage in order:
        parts = []
        if by_stage_removed[stage]:
            parts.append(f"{by_stage_removed[stage]} removed")
        if by_stage_edited[stage]:
            parts.append(f"{by_stage_edited[stage]} edited")
        if parts:
            stage_parts.append(f"{stage}: {', '.join(parts)}")
    return [
        f"total     {_plural(doc.size, 'line')}: {len(doc.lines)} kept, {len(doc.removed)} removed, {edited} edited",
        f"by label  kept: {kept_part or 'none'}; removed: {removed_part or 'none'}",
        f"by stage  {'; '.join(stage_parts) or 'no removals or edits'}",
    ]


def _explain(args: argparse.Namespace) -> int:
    pipeline = _pipeline(args)
    items = _inputs(args, [args.file])
    out = _human_stdout()
    color = _use_color(args.color, out)
    # Cut long lines only for a person at a terminal; a pipe gets every character.
    width = shutil.get_terminal_size().columns if out.isatty() else None
    documents = failed = 0
    for item in items:
        if isinstance(item, InputFailure):
            failed += 1
            _say(_error_line(item.error))
            continue
        if documents:
            out.write("\n")
        out.write(render_explain(_apply(pipeline, item), color=color, width=width, stages=pipeline.names) + "\n")
        documents += 1
    out.flush()
    return _status(documents, failed)


# -- score ---------------------------------------------------------------------


def _scoring() -> ModuleType:
    # Imported on use: the scoring module is optional to everything else here.
    try:
        return importlib.import_module("newsclean.scoring")
    except ModuleNotFoundError as exc:
        if exc.name != "newsclean.scoring":
            raise
        raise NewscleanError(
            "scoring is not available in this install", "newsclean.scoring", "upgrading newsclean"
        ) from None


def _score(args: argparse.Namespace) -> int:
    pipeline = _pipeline(args)
    folder = Path(args.gold_dir)
    if not folder.is_dir():
        what = "not a folder" if folder.exists() else "folder not found"
        raise InputError(what, str(folder), "a folder of dumps (*.txt) with their gold *.labels.tsv")
    report = _scoring().score_folder(folder, pipeline)
    out = _human_stdout()
    out.write(report.render(color=_use_color(args.color, out), verbose=args.verbose) + "\n")
    out.flush()
    return 1 if report.failed else 0


# -- report --------------------------------------------------------------------


def _report(args: argparse.Namespace) -> int:
    from newsclean.report import label_folders, write_report  # imported on use, like scoring

    pipeline = _pipeline(args)
    items = _inputs(args, args.inputs)
    output = Path(args.output)
    if output.is_dir():
        raise NewscleanError("the output is a folder", str(output), "-o with a file name such as report.html")

    def documents(bar: Any) -> Iterator[Document | str]:
        for item in items:
            if isinstance(item, InputFailure):
                _tell(bar, _error_line(item.error))
                yield item.error.message()
            else:
                yield item

    with _progress() as bar:
        counts = write_report(
            documents(bar),
            output,
            pipeline=pipeline,
            label_folders=() if args.no_gold else label_folders(args.inputs),
            max_docs=args.max_docs or None,
            max_lines=args.max_lines or None,
            source=" ".join(args.inputs),
            on_document=None if bar is None else (lambda _doc: bar.update()),
            on_failure=lambda line: _tell(bar, f"{PROG}: error: {line}"),
        )
    failed = len(counts.failed)  # inputs that could not be read, and gold labels that could not be
    if counts.documents or not failed:
        shown = min(counts.documents, args.max_docs or counts.documents)
        gold = f", {counts.with_gold} with gold labels" if counts.with_gold else ""
        _say(
            f"{PROG}: wrote {output} ({_plural(counts.documents, 'document')}{gold}, {shown} shown); "
            f"{_plural(failed, 'input')} failed"
        )
    return _status(counts.documents, failed)


# -- entry point ---------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status.

    Args:
        argv: the arguments after the program name (default: ``sys.argv[1:]``).
    """
    try:
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as exc:  # --help and --version
            return exc.code if isinstance(exc.code, int) else 0
        status: int = args.run(args)
        return status
    except UsageError as exc:
        _say(f"{PROG}: error: {exc.line()}")
        return 2
    except NewscleanError as exc:
        _say(_error_line(exc))
        return 2
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, and keep Python
        # from complaining when it flushes stdout at exit.
        with contextlib.suppress(OSError, ValueError):  # stdout may not be a real file
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # what a shell reports for a process ended by SIGPIPE
    except KeyboardInterrupt:
        return 130
