"""Throughput of newsclean over a JSONL corpus: the bare read-parse-write pass, the pipeline, and each stage.

Three passes read the same corpus and write a real JSONL file, all in one process:

- bare: read a line, ``json.loads``, ``Document.from_text`` (which splits the
  text with ``newsclean.core.split_lines``), write ``{"id", "text"}``. What any
  newsclean job pays before cleaning anything.
- pipeline: the same with the pipeline applied between read and write, which
  writes ``{"id", "title", "text"}``.
- stages: the pipeline pass again, timing each step of every page with
  ``time.perf_counter``: reading and JSON, ``from_text``, each stage by name,
  and writing. It shows where the pipeline's time goes.

The machine is noisy, so the passes alternate (bare, pipeline, stages, bare,
...) ``--repeat`` times and the median of each is reported; the ratio is the
median of each round's pipeline/bare time, since a round's two runs share the
machine's state. MB are 10^6 bytes of uncompressed JSONL. Progress goes to
stderr, the table to stdout.

    python benchmarks/throughput.py --size 5MB            # a quick check
    python benchmarks/throughput.py                       # 100MB, 3 rounds
    python benchmarks/throughput.py corpus.jsonl.gz --lang vi --config newsclean.toml --repeat 5 --json out.json
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from make_corpus import DEFAULT_SEEDS, SeedError, size_arg, write_corpus

import newsclean
from newsclean import argtypes
from newsclean.bench import PassTime, bare_pass, peak_rss_mb, pipeline_pass, stage_pass, warm_up
from newsclean.errors import NewscleanError
from newsclean.pipeline import Pipeline, default_pipeline

WORK = Path(__file__).resolve().parent / "_work"  # git-ignored


@dataclass(frozen=True)
class Summary:
    """The median of a kind of pass over the rounds, with every round's time kept."""

    rounds: list[float]
    seconds: float
    mb_per_s: float
    pages_per_s: float


@dataclass(frozen=True)
class Step:
    """One row of the per-stage table: a step's median time over the rounds."""

    step: str
    seconds: float
    mb_per_s: float
    share: float


@dataclass(frozen=True)
class Results:
    """Everything measured: the corpus read, the two passes, their ratio and the per-step table."""

    pages: int
    bytes: int
    bare: Summary
    pipeline: Summary
    ratio: float
    steps: list[Step]


def summarize(passes: Sequence[PassTime]) -> Summary:
    """The median pass, as seconds, MB/s and pages/s."""
    seconds = statistics.median(p.seconds for p in passes)
    return Summary(
        rounds=[round(p.seconds, 4) for p in passes],
        seconds=seconds,
        mb_per_s=passes[0].bytes / 1e6 / seconds,
        pages_per_s=passes[0].pages / seconds,
    )


def breakdown(rounds: Sequence[dict[str, float]], size: int) -> list[Step]:
    """The per-step table: each step's median seconds, the MB/s it alone would allow, and its share."""
    medians = {name: statistics.median(r[name] for r in rounds) for name in rounds[0]}
    total = sum(medians.values())
    return [Step(name, s, size / 1e6 / s if s else float("inf"), s / total) for name, s in medians.items()]


def run_rounds(corpus: Path, pipeline: Pipeline, repeat: int, tmp: Path) -> Results:
    """Alternate the three passes ``repeat`` times; return their summaries and the raw times."""
    out = tmp / "out.jsonl"
    bare: list[PassTime] = []
    piped: list[PassTime] = []
    stages: list[dict[str, float]] = []
    warm_up(corpus, pipeline)
    for n in range(1, repeat + 1):
        bare.append(bare_pass(corpus, out))
        piped.append(pipeline_pass(corpus, out, pipeline))
        stages.append(stage_pass(corpus, out, pipeline))
        seconds = (bare[-1].seconds, piped[-1].seconds, sum(stages[-1].values()))
        progress(f"round {n}/{repeat}: bare {seconds[0]:.2f} s, pipeline {seconds[1]:.2f} s, stages {seconds[2]:.2f} s")
    return Results(
        pages=bare[0].pages,
        bytes=bare[0].bytes,
        bare=summarize(bare),
        pipeline=summarize(piped),
        ratio=statistics.median(p.seconds / b.seconds for p, b in zip(piped, bare, strict=True)),
        steps=breakdown(stages, bare[0].bytes),
    )


def format_report(source: str, pipeline: Pipeline, repeat: int, results: Results, rss_mb: float) -> str:
    """The results as the tables printed to stdout."""
    passes = (("bare", results.bare), ("pipeline", results.pipeline))
    return "\n".join(
        [
            f"corpus    {source}: {results.bytes / 1e6:.1f} MB, {results.pages} pages",
            f"pipeline  {', '.join(pipeline.names)}",
            f"median of {repeat} rounds",
            "",
            f"{'pass':<10}{'seconds':>10}{'MB/s':>10}{'pages/s':>10}",
            *(f"{name:<10}{s.seconds:>10.2f}{s.mb_per_s:>10.1f}{s.pages_per_s:>10.0f}" for name, s in passes),
            f"pipeline/bare time ratio: {results.ratio:.2f}",
            "",
            f"{'step':<24}{'seconds':>10}{'MB/s':>10}{'share':>8}",
            *(f"{s.step:<24}{s.seconds:>10.2f}{s.mb_per_s:>10.1f}{s.share:>8.1%}" for s in results.steps),
            f"{'total':<24}{sum(s.seconds for s in results.steps):>10.2f}",
            "",
            f"peak RSS  {rss_mb:.0f} MB",
        ]
    )


def progress(message: str) -> None:
    """Tell the person waiting how far the run is, on stderr so stdout holds only the results."""
    print(message, file=sys.stderr, flush=True)


def load_pipeline(lang: str | None, config: Path | None) -> Pipeline:
    """The pipeline to measure: from the config file when given, else the default for the language."""
    return Pipeline.from_toml(config) if config else default_pipeline(lang)


def generate(tmp: Path, size: int, seed: int) -> Path:
    """A fresh corpus in ``tmp`` (a few seconds at 100 MB; cheaper than trusting a stale one)."""
    corpus = tmp / "corpus.jsonl"
    start = time.perf_counter()
    pages, written = write_corpus(corpus, size, seed, DEFAULT_SEEDS)
    progress(f"generated {corpus}: {pages} pages, {written / 1e6:.1f} MB in {time.perf_counter() - start:.1f} s")
    return corpus


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, nargs="?", help="JSONL(.gz) of {id, text}; default: generate one")
    parser.add_argument("--size", type=size_arg, default="100MB", help="size of the generated corpus (default 100MB)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated corpus (default 0)")
    parser.add_argument("--lang", default="vi", help="default pipeline's language (default vi; unused with --config)")
    parser.add_argument("--config", type=Path, help="pipeline TOML file, instead of the default pipeline")
    parser.add_argument("--repeat", type=argtypes.positive, default=3, help="rounds of the three passes (default 3)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    return parser.parse_args(argv)


def fail(message: str) -> int:
    """Print an error the way newsclean's command line does, and give its exit code."""
    print(f"throughput: error: {message}", file=sys.stderr)
    return 2


def environment() -> dict[str, str]:
    """What the figures depend on besides the corpus, for the JSON record."""
    return {"python": platform.python_version(), "newsclean": newsclean.__version__, "machine": platform.platform()}


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.corpus and not args.corpus.is_file():
        return fail(f"corpus not found, {args.corpus}; try make_corpus.py, or no CORPUS to generate one")
    try:
        pipeline = load_pipeline(args.lang, args.config)
    except NewscleanError as exc:
        return fail(exc.message())
    source = str(args.corpus) if args.corpus else f"generated --size {args.size / 1e6:g}MB --seed {args.seed}"
    WORK.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=WORK) as tmp_name:
        tmp = Path(tmp_name)
        try:
            corpus = args.corpus or generate(tmp, args.size, args.seed)
        except SeedError as exc:
            return fail(str(exc))
        results = run_rounds(corpus, pipeline, args.repeat, tmp)
    rss_mb = peak_rss_mb()
    print(format_report(source, pipeline, args.repeat, results, rss_mb))
    if args.json:
        record = {
            "corpus": source,
            "lang": args.lang,
            "config": str(args.config) if args.config else None,
            "stages": list(pipeline.names),
            "repeat": args.repeat,
            "peak_rss_mb": rss_mb,
            **environment(),
            **asdict(results),
        }
        args.json.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
