"""Parquet in -> clean -> Parquet out next to JSONL in -> clean -> JSONL out, on the same corpus, in one process.

The corpus is a JSONL file from make_corpus.py (or generated here with
``--size``); a Parquet copy of it (same ids and texts, ``--row-group`` rows
per row group, zstd) is written first and not timed. Then, ``--repeat``
rounds, each running four passes in turn over the same pages:

- jsonl-io: ``read_jsonl`` -> ``JsonlWriter``, no cleaning;
- parquet-io: ``read_parquet`` -> ``ParquetWriter``, no cleaning;
- jsonl: ``read_jsonl`` -> ``pipeline.apply`` -> ``JsonlWriter``;
- parquet: ``read_parquet`` -> ``pipeline.apply`` -> ``ParquetWriter``.

Each writer is given the pipeline, so records carry the version and config
hash; the Parquet writer always writes the ``removed`` column, the JSONL one
only with ``--explain`` (which also adds ``edits`` to both). MB are 10^6
bytes of the uncompressed JSONL corpus for every pass, so the MB/s of the
two formats are of the same text. The machine is shared and noisy: the
report gives each pass's median, and the parquet/jsonl ratio as the median
of the per-round ratios (both runs of a round see the same machine).
Progress goes to stderr, the table to stdout.

    python benchmarks/make_corpus.py benchmarks/_work/corpus-20MB.jsonl --size 20MB --seed 0
    python benchmarks/parquet_vs_jsonl.py benchmarks/_work/corpus-20MB.jsonl --repeat 3
    python benchmarks/parquet_vs_jsonl.py --size 5MB          # generate a corpus, a quick check
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from make_corpus import DEFAULT_SEEDS, size_arg, write_corpus

import newsclean
from newsclean.core import Document
from newsclean.io import InputFailure, JsonlWriter, read_jsonl
from newsclean.io.base import open_binary
from newsclean.io.parquet import ParquetWriter, read_parquet
from newsclean.pipeline import Pipeline, default_pipeline

WORK = Path(__file__).resolve().parent / "_work"  # git-ignored

PASSES = ("jsonl-io", "parquet-io", "jsonl", "parquet")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "corpus", nargs="?", type=Path, help="a JSONL corpus from make_corpus.py (default: generate one)"
    )
    parser.add_argument("--size", type=size_arg, default="20MB", help="size of a generated corpus (default 20MB)")
    parser.add_argument("--seed", type=int, default=0, help="seed of a generated corpus (default 0)")
    parser.add_argument("--lang", default="vi", help="language of the default pipeline (default vi)")
    parser.add_argument("--config", type=Path, help="a pipeline TOML instead of the default pipeline")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the four passes (default 3)")
    parser.add_argument(
        "--row-group", type=int, default=1000, help="rows per row group of the Parquet copy (default 1000)"
    )
    parser.add_argument("--explain", action="store_true", help="write removals and edits in both formats")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    return parser.parse_args(argv)


def to_parquet(corpus: Path, target: Path, row_group: int) -> tuple[int, int]:
    """Write the corpus's records as Parquet (id, text), ``row_group`` rows per row group.

    Returns the row count and the corpus's uncompressed size in bytes.
    """
    rows = size = 0
    schema = pa.schema([("id", pa.string()), ("text", pa.string())])
    batch: list[dict[str, str]] = []
    with pq.ParquetWriter(target, schema, compression="zstd") as writer:
        with open_binary(corpus) as f:
            for line in f:
                size += len(line)
                record = json.loads(line)
                batch.append({"id": str(record["id"]), "text": record["text"]})
                if len(batch) == row_group:
                    writer.write_table(pa.Table.from_pylist(batch, schema=schema), row_group_size=row_group)
                    rows += len(batch)
                    batch = []
        if batch:
            writer.write_table(pa.Table.from_pylist(batch, schema=schema), row_group_size=row_group)
            rows += len(batch)
    return rows, size


def documents(items: Iterator[Document | InputFailure]) -> Iterator[Document]:
    for item in items:
        if isinstance(item, InputFailure):
            raise SystemExit(f"the corpus has a bad record: {item.error.message()}")
        yield item


def run_pass(name: str, corpus: Path, parquet: Path, out: Path, pipeline: Pipeline, explain: bool) -> tuple[float, int]:
    """Time one pass; return its seconds and how many documents it wrote."""
    clean: Callable[[Document], Document] = pipeline.apply if name in ("jsonl", "parquet") else (lambda doc: doc)
    start = time.perf_counter()
    count = 0
    if name.startswith("jsonl"):
        with JsonlWriter(out / f"{name}.jsonl", explain=explain, pipeline=pipeline) as writer:
            for doc in documents(read_jsonl(corpus)):
                writer.write(clean(doc))
                count += 1
    else:
        with ParquetWriter(out / f"{name}.parquet", explain=explain, pipeline=pipeline) as parquet_writer:
            for doc in documents(read_parquet(parquet)):
                parquet_writer.write(clean(doc))
                count += 1
    return time.perf_counter() - start, count


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    pipeline = Pipeline.from_toml(args.config) if args.config else default_pipeline(args.lang)
    WORK.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=WORK, prefix="pq-vs-jsonl-") as tmp:
        folder = Path(tmp)
        corpus = args.corpus
        if corpus is None:
            corpus = folder / "corpus.jsonl"
            print(f"generating {args.size / 1e6:.0f} MB corpus (seed {args.seed}) ...", file=sys.stderr)
            write_corpus(corpus, args.size, args.seed, DEFAULT_SEEDS)
        parquet = folder / "corpus.parquet"
        rows, size = to_parquet(corpus, parquet, args.row_group)
        groups = pq.ParquetFile(parquet).num_row_groups
        parquet_mb = parquet.stat().st_size / 1e6

        # One-time set-up (profiles, compiled patterns, pyarrow's first reads and writes) out of round 1.
        for item in documents(read_parquet(parquet)):
            with ParquetWriter(folder / "warm.parquet", pipeline=pipeline) as warm:
                warm.write(pipeline.apply(item))
            with JsonlWriter(folder / "warm.jsonl", pipeline=pipeline) as warm_jsonl:
                warm_jsonl.write(pipeline.apply(item))
            break

        times: dict[str, list[float]] = {name: [] for name in PASSES}
        for round_ in range(1, args.repeat + 1):
            for name in PASSES:
                seconds, count = run_pass(name, corpus, parquet, folder, pipeline, args.explain)
                assert count == rows, f"{name} wrote {count} of {rows} documents"
                times[name].append(seconds)
                print(f"round {round_}: {name:<10} {seconds:7.2f} s", file=sys.stderr)
        written = {
            name: (folder / f"{name}.{'jsonl' if name.startswith('jsonl') else 'parquet'}").stat().st_size
            for name in PASSES
        }
        out_groups = pq.ParquetFile(folder / "parquet.parquet").num_row_groups

    mb = size / 1e6
    median = {name: statistics.median(values) for name, values in times.items()}
    ratio = statistics.median(p / j for p, j in zip(times["parquet"], times["jsonl"]))
    io_ratio = statistics.median(p / j for p, j in zip(times["parquet-io"], times["jsonl-io"]))
    print(
        f"corpus: {corpus if args.corpus else 'generated'}: {rows} pages, {mb:.1f} MB JSONL, "
        f"Parquet copy {parquet_mb:.1f} MB (zstd) in {groups} row groups of {args.row_group}"
    )
    print(
        f"pipeline: {', '.join(pipeline.names)} ({pipeline.config_hash[:19]}...); "
        f"explain={args.explain}; {args.repeat} rounds; newsclean {newsclean.__version__}, "
        f"pyarrow {pa.__version__}, Python {platform.python_version()}"
    )
    print(f"{'pass':<12}{'median s':>10}{'MB/s':>9}{'pages/s':>10}{'output MB':>11}")
    for name in PASSES:
        print(
            f"{name:<12}{median[name]:>10.2f}{mb / median[name]:>9.2f}{rows / median[name]:>10.0f}{written[name] / 1e6:>11.1f}"
        )
    print(f"parquet/jsonl time, median of per-round ratios: {ratio:.3f} with cleaning, {io_ratio:.3f} I/O only")
    print(f"output row groups: {out_groups} (input {groups})")
    if args.json:
        figures = {
            "pages": rows,
            "bytes": size,
            "row_group": args.row_group,
            "explain": args.explain,
            "times": times,
            "median_s": median,
            "mb_per_s": {n: mb / median[n] for n in PASSES},
            "ratio": ratio,
            "io_ratio": io_ratio,
            "output_bytes": written,
            "config_hash": pipeline.config_hash,
        }
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
