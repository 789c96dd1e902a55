"""``newsclean bench``: how fast newsclean cleans on this machine, on one core and on all of them.

One run generates a corpus (or takes one) and times, over the same bytes:

- bare: read a JSONL line, ``json.loads``, ``Document.from_text``, write it
  back: what any job pays before cleaning anything;
- stages: the pipeline in one process, timed step by step (reading, each
  stage by name, writing), which shows where the time goes;
- the whole run, ``newsclean.parallel.run_local``, on a pool of 1 worker
  and on a pool of N (fresh processes both, so neither finds the caches
  warm): planning, cleaning into parts, merging. Their ratio is the
  speed-up, both outputs must hold the same bytes, and their CPU seconds
  (this process's and the workers') show what the pool costs in work,
  which other load on the machine does not change.

It prints MB/s (10^6 bytes of uncompressed JSONL a second) and pages/s for
each, the ratios, and peak memory: this process's and the largest
worker's (``ru_maxrss``). ``--memory-check`` runs the N-worker run alone at
each of two sizes (default 10MB and 1GB), each in a fresh process, and
prints their peak memory side by side: it stays flat when memory does not
grow with the corpus. The machine may be shared, so every ratio is taken
between runs of the same round, in the same process.

The corpus generator rebuilds pages from the labelled seed dumps (``*.txt``
and ``*.labels.tsv``, by default ``./seeds``, as in the repository root):
every page is new text in a real page's shape (see ``write_corpus``).

    python -m newsclean bench --size 10MB
    python -m newsclean bench --size 100MB --workers 2 --repeat 3
    python -m newsclean bench --corpus corpus.jsonl --config newsclean.toml
    python -m newsclean bench --memory-check --sizes 10MB,1GB
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from newsclean import __version__, argtypes
from newsclean.core import Document, split_lines
from newsclean.errors import InputError, NewscleanError
from newsclean.parallel import RunResult, default_workers, parse_size, run_local
from newsclean.pipeline import Pipeline, default_pipeline

__all__ = [
    "DEFAULT_SEEDS",
    "SeedError",
    "bare_pass",
    "main",
    "parse_size",
    "stage_pass",
    "write_corpus",
]

DEFAULT_SEEDS = Path("seeds")
"""Where the generator looks for seed dumps by default: ``seeds/`` in the current folder (the repository root)."""

# -- the synthetic corpus --------------------------------------------------------

# Labels of the gold vocabulary (newsclean.core.Label) that the recombination
# needs; the others are copied from the skeleton as they are.
BODY = "body"
TAIL_LABELS = frozenset({"recommendation", "nav"})

# Choices drawn with rng.choice over a tuple: one call, and the tuple shows the
# distribution at a glance. Means: 2.5 sentences per paragraph, 1 paragraph per
# body line of the skeleton, so page lengths spread around the seeds' own.
SENTENCES_PER_PARAGRAPH = (1, 2, 2, 3, 3, 4)
PARAGRAPHS_PER_BODY_LINE = (0, 1, 1, 1, 2)
WHITESPACE_RUNS = ("  ", "   ", "\t", "\u00a0\u00a0", " \t ", "     ")
BLANK_LINES = ("", "", " ", "\t", "\u00a0")
DIGITS = b"0123456789"

# Per-page odds of each perturbation.
P_WHITESPACE_RUNS = 0.3
P_EXTRA_BLANKS = 0.2
P_CRLF = 0.1
P_FINAL_NEWLINE = 0.2

# A sentence ends at . ! ? or … followed by space; good enough for Vietnamese
# news prose, and a wrong split only makes a slightly odder paragraph.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")

class SeedError(InputError):
    """Seeds that cannot be recombined into a corpus (missing, unlabelled, or labelled for other lines)."""


@dataclass(frozen=True)
class Seed:
    """One seed dump cut where its recommendation block starts.

    Args:
        head: ``(label, raw line)`` for every line before the block.
        tail: the raw lines of the block and the footer after it.
        spaced: whether the page puts blank lines between paragraphs, so new
            paragraphs can be separated the same way.
    """

    head: tuple[tuple[str, str], ...]
    tail: tuple[str, ...]
    spaced: bool


@dataclass(frozen=True)
class Material:
    """Everything a page is rebuilt from: the skeletons and the pool of body sentences."""

    seeds: tuple[Seed, ...]
    sentences: tuple[str, ...]


def read_labelled(txt: Path) -> list[tuple[str, str]]:
    """``(label, line)`` for each line of a seed, checked against its ``.labels.tsv``.

    The raw lines come from the dump itself, split as newsclean splits them;
    the labels file must list the same lines, or the seeds have drifted apart.
    """
    tsv = txt.with_name(txt.name.removesuffix(".txt") + ".labels.tsv")
    if not tsv.exists():
        raise SeedError(f"no labels for {txt.name}", str(tsv), "restoring the seed's .labels.tsv")
    lines = split_lines(txt.read_text(encoding="utf-8"))
    rows = tsv.read_text(encoding="utf-8").removesuffix("\n").split("\n")
    pairs = [tuple(row.split("\t", 1)) for row in rows]
    if len(pairs) != len(lines) or any(len(p) != 2 or p[1] != line for p, line in zip(pairs, lines, strict=True)):
        raise SeedError("labels do not match the dump", str(tsv), "regenerating the labels")
    return [(label, line) for (label, _), line in zip(pairs, lines, strict=True)]


def cut_seed(name: str, labelled: Sequence[tuple[str, str]]) -> Seed:
    """Split a labelled seed at the first recommendation or nav line after its last body line."""
    body_at = [i for i, (label, _) in enumerate(labelled) if label == BODY]
    if not body_at:
        raise SeedError("seed has no body line", name, "another seed")
    cut = next((i for i in range(body_at[-1], len(labelled)) if labelled[i][0] in TAIL_LABELS), len(labelled))
    head = tuple(labelled[:cut])
    return Seed(
        head=head,
        tail=tuple(line for _, line in labelled[cut:]),
        spaced=any(label == "blank" for label, _ in head),
    )


def load_material(seeds_dir: Path) -> Material:
    """The skeletons and the sentence pool from every ``*.txt`` seed in ``seeds_dir``."""
    paths = sorted(seeds_dir.glob("*.txt"))
    if not paths:
        raise SeedError(
            "no seed dumps (*.txt with *.labels.tsv)",
            str(seeds_dir),
            "running from the repository root (which has seeds/), or naming the folder with --seeds",
        )
    seeds = tuple(cut_seed(p.stem, read_labelled(p)) for p in paths)
    sentences = tuple(
        sentence
        for seed in seeds
        for label, line in seed.head
        if label == BODY
        for sentence in _SENTENCE_END.split(line.strip())
        if sentence
    )
    return Material(seeds=seeds, sentences=sentences)


def new_paragraphs(rng: random.Random, sentences: Sequence[str]) -> list[str]:
    """The paragraphs that stand in for one body line of the skeleton (possibly none)."""
    return [
        " ".join(rng.sample(sentences, rng.choice(SENTENCES_PER_PARAGRAPH)))
        for _ in range(rng.choice(PARAGRAPHS_PER_BODY_LINE))
    ]


def perturb_whitespace(rng: random.Random, lines: list[str]) -> None:
    """Put a run of space characters into a few lines, in place, where a space was."""
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(len(lines))
        line = lines[i]
        at = line.find(" ", rng.randrange(len(line) + 1))
        run = rng.choice(WHITESPACE_RUNS)
        lines[i] = line[:at] + run + line[at + 1 :] if at >= 0 else line + run


def insert_blanks(rng: random.Random, lines: list[str]) -> None:
    """Insert a few empty or space-only lines at random places, in place."""
    for _ in range(rng.randint(1, 3)):
        lines.insert(rng.randrange(len(lines) + 1), rng.choice(BLANK_LINES))


def permute_digits(text: str, digits: Sequence[int]) -> str:
    """``text`` with each digit 0-9 replaced by ``digits[d]``.

    Done on UTF-8 bytes: ``str.translate`` looks every character up in a
    dict once the text is not ASCII (30x slower here), while ASCII digits are
    single bytes that never occur inside a multi-byte UTF-8 sequence.
    """
    return text.encode("utf-8").translate(bytes.maketrans(DIGITS, bytes(digits))).decode("utf-8")


def make_text(rng: random.Random, material: Material) -> str:
    """One synthetic page dump (see the module docstring for how it is built)."""
    skeleton = rng.choice(material.seeds)
    between = "\n\n" if skeleton.spaced else "\n"
    lines: list[str] = []
    for label, line in skeleton.head:
        if label != BODY:
            lines.append(line)
        elif paragraphs := new_paragraphs(rng, material.sentences):
            # One item may hold several lines; the final join lays them out.
            lines.append(between.join(paragraphs))
    lines.extend(rng.choice(material.seeds).tail)
    if rng.random() < P_WHITESPACE_RUNS:
        perturb_whitespace(rng, lines)
    if rng.random() < P_EXTRA_BLANKS:
        insert_blanks(rng, lines)
    text = permute_digits("\n".join(lines), rng.sample(DIGITS, 10))
    if rng.random() < P_FINAL_NEWLINE:
        text += "\n"
    if rng.random() < P_CRLF:
        text = text.replace("\n", "\r\n")
    return text


def iter_records(material: Material, seed: int) -> Iterator[bytes]:
    """Endless JSONL records (with their newline), the same sequence for the same seed."""
    rng = random.Random(seed)
    n = 0
    while True:
        record = {"id": f"{n:08d}", "text": make_text(rng, material)}
        yield json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n"
        n += 1


def compressing(raw: BinaryIO, path: Path) -> AbstractContextManager[BinaryIO | gzip.GzipFile]:
    """``raw`` itself, or a gzip writer over it when ``path`` ends in ``.gz``.

    Level 1 keeps gzip from being the bottleneck; mtime 0 and no file name in
    the header keep the bytes the same from run to run (``gzip.open`` stores both).
    """
    if path.suffix != ".gz":
        return nullcontext(raw)
    return gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=1, mtime=0)


def write_corpus(path: Path, size: int, seed: int = 0, seeds_dir: Path = DEFAULT_SEEDS) -> tuple[int, int]:
    """Write at least ``size`` bytes of JSONL (uncompressed) to ``path``; return (pages, bytes).

    It stops after the page that reaches ``size``, so the corpus overshoots
    by less than one page.
    """
    material = load_material(seeds_dir)
    pages = written = 0
    with open(path, "wb", buffering=1 << 20) as raw, compressing(raw, path) as out:
        for record in iter_records(material, seed):
            out.write(record)
            pages += 1
            written += len(record)
            if written >= size:
                break
    return pages, written



# -- timed passes ------------------------------------------------------------------

WARMUP_PAGES = 200
READ_STEP, PARSE_STEP, WRITE_STEP = "read+json", "from_text", "write"


@dataclass(frozen=True)
class PassTime:
    """One timed pass over the corpus: how long it took and how much it read."""

    seconds: float
    pages: int
    bytes: int


def open_corpus(path: Path) -> BinaryIO:
    """The corpus as binary lines (gunzipped for ``.gz``); json.loads takes the bytes as they are."""
    if path.suffix == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]  # a GzipFile is a binary stream
    return open(path, "rb", buffering=1 << 20)


def open_output(path: Path) -> TextIO:
    """A text file to write JSONL to, with a large buffer as a real writer would have."""
    return open(path, "w", encoding="utf-8", buffering=1 << 20)


def bare_pass(corpus: Path, out_path: Path) -> PassTime:
    """Read, parse into Documents and write back, with no stage: the floor under any pipeline."""
    pages = size = 0
    start = time.perf_counter()
    with open_corpus(corpus) as src, open_output(out_path) as out:
        for raw in src:
            record = json.loads(raw)
            doc = Document.from_text(record["text"], id=record["id"])
            out.write(json.dumps({"id": doc.id, "text": doc.text}, ensure_ascii=False) + "\n")
            pages += 1
            size += len(raw)
    return PassTime(time.perf_counter() - start, pages, size)


def pipeline_pass(corpus: Path, out_path: Path, pipeline: Pipeline) -> PassTime:
    """The bare pass with the pipeline applied to each Document before it is written."""
    pages = size = 0
    start = time.perf_counter()
    with open_corpus(corpus) as src, open_output(out_path) as out:
        for raw in src:
            record = json.loads(raw)
            doc = pipeline.apply(Document.from_text(record["text"], id=record["id"]))
            out.write(json.dumps({"id": doc.id, "title": doc.title, "text": doc.text}, ensure_ascii=False) + "\n")
            pages += 1
            size += len(raw)
    return PassTime(time.perf_counter() - start, pages, size)


def stage_pass(corpus: Path, out_path: Path, pipeline: Pipeline) -> dict[str, float]:
    """Seconds spent in each step of the pipeline pass, stages by name, summed over all pages.

    One clock reading between steps (not two per step) keeps the clock's own
    cost small and puts every moment of the pass in exactly one step.
    """
    names = [READ_STEP, PARSE_STEP, *pipeline.names, WRITE_STEP]
    totals = [0.0] * len(names)
    clock = time.perf_counter
    with open_corpus(corpus) as src, open_output(out_path) as out:
        before = clock()
        for raw in src:
            record = json.loads(raw)
            now = clock()
            totals[0] += now - before
            doc = Document.from_text(record["text"], id=record["id"])
            before = clock()
            totals[1] += before - now
            for i, stage in enumerate(pipeline.stages, start=2):
                doc = stage(doc)
                now = clock()
                totals[i] += now - before
                before = now
            out.write(json.dumps({"id": doc.id, "title": doc.title, "text": doc.text}, ensure_ascii=False) + "\n")
            now = clock()
            totals[-1] += now - before
            before = now
    return dict(zip(names, totals, strict=True))


def warm_up(corpus: Path, pipeline: Pipeline) -> None:
    """Run the pipeline on the first pages so one-time setup (regexes, profiles) is not billed to round one."""
    with open_corpus(corpus) as src:
        for _, raw in zip(range(WARMUP_PAGES), src, strict=False):
            record = json.loads(raw)
            pipeline.apply(Document.from_text(record["text"], id=record["id"]))


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB (Linux reports ``ru_maxrss`` in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def cpu_seconds() -> float:
    """CPU time of this process so far, user and system."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def whole_run(corpus: Path, pipeline: Pipeline, workers: int, work: Path) -> tuple[PassTime, RunResult, Path, float]:
    """The whole ``clean`` of the corpus on ``workers`` processes (1: in this process), timed.

    Also returns the CPU seconds it took, this process's and its workers' together.
    """
    out = work / f"out-{workers}.jsonl"
    cpu = cpu_seconds()
    start = time.perf_counter()
    # A pool of 1 for the baseline too: both runs start cold, in fresh processes, by the same path.
    run = run_local([corpus], out, pipeline, workers=workers, parts_dir=work / f"parts-{workers}", pool=True)
    seconds = time.perf_counter() - start
    by_worker: dict[int, float] = {}
    for result in run.results:
        if result.worker:
            by_worker[result.worker] = max(by_worker.get(result.worker, 0.0), result.cpu_seconds)
    cpu = cpu_seconds() - cpu + sum(by_worker.values())
    return PassTime(seconds, run.stats.documents, corpus.stat().st_size), run, out, cpu


def file_hash(path: Path) -> str:
    """The sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _spin(loops: int) -> int:
    """Pure-Python busy work, the kind the stages do."""
    total = 0
    for i in range(loops):
        total += i % 7
    return total


def machine_ceiling(workers: int, loops: int = 3_000_000) -> float:
    """The speed-up this machine gives right now to ``workers`` processes of pure-Python work, no I/O.

    What other load leaves of the cores: the best any pool can do at this moment, to read the
    measured speed-up against.
    """
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(workers) as pool:
        pool.map(_spin, [1000] * workers)  # start every process before timing
        start = time.perf_counter()
        pool.map(_spin, [loops])
        one = time.perf_counter() - start
        start = time.perf_counter()
        pool.map(_spin, [loops] * workers, chunksize=1)
        many = time.perf_counter() - start
    return workers * one / many


# -- the report --------------------------------------------------------------------


@dataclass
class Figures:
    """Every round's times, and what the report is computed from."""

    corpus: str
    bytes: int = 0
    pages: int = 0
    workers: int = 1
    stages: list[str] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)
    one: list[float] = field(default_factory=list)
    many: list[float] = field(default_factory=list)
    one_cpu: list[float] = field(default_factory=list)
    many_cpu: list[float] = field(default_factory=list)
    steps: list[dict[str, float]] = field(default_factory=list)
    same_output: bool = True
    ceiling: list[float] = field(default_factory=list)
    parent_peak_mb: float = 0.0
    worker_peak_mb: float = 0.0

    def mb_s(self, seconds: float) -> float:
        """MB/s for a pass over the corpus that took ``seconds``."""
        return self.bytes / 1e6 / seconds if seconds else float("inf")

    def speedup(self) -> float:
        """The median over rounds of 1-worker time / N-worker time."""
        return statistics.median(o / m for o, m in zip(self.one, self.many, strict=True))


def _row(name: str, seconds: float, figures: Figures, ratio: str) -> str:
    pages_s = figures.pages / seconds if seconds else float("inf")
    return f"{name:<34}{seconds:>9.2f}{figures.mb_s(seconds):>9.1f}{pages_s:>10.0f}{ratio:>12}"


def format_report(f: Figures) -> str:
    """The figures as the tables printed on stdout."""
    rounds = max(len(f.many), len(f.bare), 1)
    out = [
        f"corpus    {f.corpus}: {f.bytes / 1e6:.1f} MB, {f.pages} pages",
        f"pipeline  {', '.join(f.stages)}",
        f"machine   {default_workers()} cores; median of {rounds} round{'s' if rounds > 1 else ''}",
        "",
        f"{'pass':<34}{'seconds':>9}{'MB/s':>9}{'pages/s':>10}{'time/bare':>12}",
    ]
    bare = statistics.median(f.bare) if f.bare else 0.0

    def rel(seconds: float) -> str:
        return f"{seconds / bare:.2f}" if bare else ""

    if f.bare:
        out.append(_row("bare read -> split -> write", bare, f, rel(bare)))
    if f.one:
        one = statistics.median(f.one)
        out.append(_row("clean, 1 worker", one, f, rel(one)))
    many = statistics.median(f.many)
    out.append(_row(f"clean, {f.workers} workers", many, f, rel(many)))
    if f.one:
        speedup = f.speedup()
        out.append(
            f"speed-up 1 -> {f.workers} workers: {speedup:.2f}x ({speedup / f.workers:.2f} per worker); "
            f"per core on 1 worker: {f.mb_s(statistics.median(f.one)):.1f} MB/s; "
            f"same output bytes: {'yes' if f.same_output else 'NO'}"
        )
        if f.ceiling:
            out.append(
                f"machine ceiling now: {statistics.median(f.ceiling):.2f}x for {f.workers} processes of pure-Python "
                "work (what other load leaves of the cores)"
            )
        one_cpu, many_cpu = statistics.median(f.one_cpu), statistics.median(f.many_cpu)
        out.append(
            f"CPU seconds: 1 worker {one_cpu:.2f}, {f.workers} workers {many_cpu:.2f} "
            f"(x{many_cpu / one_cpu:.2f}: what the pool costs in work, whatever else shares the machine)"
        )
    if f.steps:
        medians = {name: statistics.median(r[name] for r in f.steps) for name in f.steps[0]}
        total = sum(medians.values())
        out += ["", f"{'step (one process)':<34}{'seconds':>9}{'MB/s':>9}{'share':>10}"]
        out += [f"{n:<34}{s:>9.2f}{f.mb_s(s):>9.1f}{s / total:>10.1%}" for n, s in medians.items()]
        out.append(f"{'total':<34}{total:>9.2f}{f.mb_s(total):>9.1f}")
    out += ["", f"peak memory  this process {f.parent_peak_mb:.0f} MB; largest worker {f.worker_peak_mb:.0f} MB"]
    return "\n".join(out)


def progress(message: str) -> None:
    """Tell the person waiting how far the run is, on stderr so stdout holds only the results."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


def measure(corpus: Path, pipeline: Pipeline, workers: int, repeat: int, quick: bool, work: Path, name: str) -> Figures:
    """Alternate the passes ``repeat`` times over ``corpus``; ``quick`` times the N-worker run alone."""
    figures = Figures(corpus=name, workers=workers, stages=list(pipeline.names), bytes=corpus.stat().st_size)
    if not quick:
        warm_up(corpus, pipeline)
    for n in range(1, repeat + 1):
        if not quick:
            bare = bare_pass(corpus, work / "bare.jsonl")
            figures.bare.append(bare.seconds)
            figures.steps.append(stage_pass(corpus, work / "stages.jsonl", pipeline))
            one, _, one_out, cpu = whole_run(corpus, pipeline, 1, work)
            figures.one.append(one.seconds)
            figures.one_cpu.append(cpu)
        many, run, many_out, cpu = whole_run(corpus, pipeline, workers, work)
        figures.many.append(many.seconds)
        figures.many_cpu.append(cpu)
        if not quick and workers > 1:
            figures.ceiling.append(machine_ceiling(workers))
        figures.pages = many.pages
        figures.worker_peak_mb = max([figures.worker_peak_mb, *(r.peak_rss_mb for r in run.results)])
        if not quick:
            figures.same_output = figures.same_output and file_hash(one_out) == file_hash(many_out)
            one_out.unlink()
        many_out.unlink()
        times = ", ".join(
            f"{label} {t[-1]:.2f} s"
            for label, t in (("bare", figures.bare), ("1 worker", figures.one), (f"{workers} workers", figures.many))
            if t
        )
        progress(f"round {n}/{repeat}: {times}")
    figures.parent_peak_mb = peak_rss_mb()
    return figures


# -- the command -------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``newsclean bench``."""
    parser.add_argument(
        "--size", type=argtypes.size, default=parse_size("100MB"), help="generated corpus size (default 100MB)"
    )
    parser.add_argument("--corpus", type=Path, help="a JSONL corpus of {id, text} to time instead of a generated one")
    parser.add_argument(
        "--seeds", type=Path, default=DEFAULT_SEEDS, help="seed dumps to generate from (default ./seeds)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed of the generated corpus (default 0)")
    parser.add_argument(
        "--workers", type=argtypes.positive, default=None, help="workers of the parallel run (default: all cores)"
    )
    parser.add_argument("--repeat", type=argtypes.positive, default=1, help="rounds of every pass; medians are shown")
    parser.add_argument("--lang", default="vi", help="default pipeline's language (default vi)")
    parser.add_argument("--config", type=Path, help="a pipeline TOML instead of the default pipeline")
    parser.add_argument("--quick", action="store_true", help="time only the run on N workers")
    parser.add_argument(
        "--memory-check",
        action="store_true",
        help="peak memory of the N-worker run at each of --sizes, each in a fresh process",
    )
    parser.add_argument(
        "--sizes", type=argtypes.sizes, default=[parse_size("10MB"), parse_size("1GB")], help="for --memory-check (10MB,1GB)"
    )
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")


def _corpus(args: argparse.Namespace, work: Path, size: int) -> tuple[Path, str]:
    if args.corpus is not None:
        if not args.corpus.is_file():
            raise InputError("corpus not found", str(args.corpus), "a JSONL file of {id, text}, or no --corpus")
        return args.corpus, str(args.corpus)
    corpus = work / "corpus.jsonl"
    start = time.perf_counter()
    pages, written = write_corpus(corpus, size, args.seed, args.seeds)
    progress(f"generated {pages} pages, {written / 1e6:.1f} MB in {time.perf_counter() - start:.1f} s")
    return corpus, f"generated --size {size / 1e6:g}MB --seed {args.seed} from {args.seeds}"


def _mb(size: int) -> str:
    return f"{size / 1e6:.1f}" if size < 10**7 else f"{size / 1e6:.0f}"


def _memory_check(args: argparse.Namespace, workers: int) -> int:
    rows = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="newsclean-bench-") as tmp:
            record = Path(tmp) / "figures.json"
            command = [
                sys.executable, "-m", "newsclean", "bench", "--quick", "--size", str(size), "--workers", str(workers),
                "--seeds", str(args.seeds), "--seed", str(args.seed), "--lang", args.lang, "--json", str(record),
            ]
            if args.config is not None:
                command += ["--config", str(args.config)]
            progress(f"memory check at {size / 1e6:g} MB: {' '.join(command[1:])}")
            done = subprocess.run(command, stdout=subprocess.DEVNULL, check=False)
            if done.returncode != 0:
                what = f"the run at {size / 1e6:g} MB failed (exit {done.returncode})"
                raise NewscleanError(what, "bench --memory-check", "that size alone: bench --quick --size SIZE")
            rows.append(json.loads(record.read_text(encoding="utf-8")))
    print(f"{'corpus MB':>10}{'pages':>9}{'seconds':>9}{'MB/s':>8}{'process MB':>12}{'worker MB':>11}")
    for r in rows:
        seconds = statistics.median(r["many"])
        print(
            f"{r['bytes'] / 1e6:>10.1f}{r['pages']:>9}{seconds:>9.1f}{r['bytes'] / 1e6 / seconds:>8.1f}"
            f"{r['parent_peak_mb']:>12.0f}{r['worker_peak_mb']:>11.0f}"
        )
    small, large = rows[0], rows[-1]
    parent = large["parent_peak_mb"] / small["parent_peak_mb"]
    worker = large["worker_peak_mb"] / small["worker_peak_mb"]
    print(
        f"peak memory from {_mb(small['bytes'])} MB to {_mb(large['bytes'])} MB of input "
        f"(x{large['bytes'] / small['bytes']:.0f}): this process x{parent:.2f}, largest worker x{worker:.2f}"
    )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


def run(args: argparse.Namespace) -> int:
    """``newsclean bench`` with parsed arguments; returns the exit status."""
    workers = args.workers or default_workers()
    if args.memory_check:
        return _memory_check(args, workers)
    pipeline = Pipeline.from_toml(args.config) if args.config else default_pipeline(args.lang)
    with tempfile.TemporaryDirectory(prefix="newsclean-bench-") as tmp:
        work = Path(tmp)
        corpus, name = _corpus(args, work, args.size)
        figures = measure(corpus, pipeline, workers, args.repeat, args.quick, work, name)
    print(format_report(figures))
    if args.json:
        record: dict[str, Any] = {**asdict(figures), "newsclean": __version__, "python": sys.version.split()[0]}
        args.json.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``bench`` on its own (``python -m newsclean.bench``); errors as one line, exit 2."""
    parser = argparse.ArgumentParser(prog="newsclean bench", description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run(args)
    except NewscleanError as exc:
        print(f"newsclean: error: {exc.message()}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
