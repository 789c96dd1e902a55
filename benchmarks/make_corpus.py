"""Generate a large, varied synthetic corpus of news-page dumps from the labelled seeds.

Benchmarks need far more text than the five seeds, but five copies repeated
would flatter anything that caches per line or per document, and would let a
deduplication stage drop nearly everything. So every document is rebuilt from
the seeds' real lines:

- a seed is picked as the skeleton: its title, captions, slugs, related links
  and byline stay, in order, so the page keeps a real shape;
- each body line becomes zero or more new paragraphs, each a sample of
  sentences drawn from the body text of all the seeds;
- the recommendation block and footer come from a seed picked on its own;
- the digits of the whole page go through a random permutation (dates, counts
  and times differ from page to page; a title and its slug still agree);
- some pages get runs of spaces, tabs or no-break spaces, extra blank lines,
  CRLF line endings or a final newline, as real dumps do.

The generator is ``newsclean.bench.write_corpus``.
The seeds' ``*.labels.tsv`` (label TAB raw line) say which lines are body and
where the recommendation block starts. Output is JSONL, one ``{"id", "text"}``
per line (UTF-8, not ASCII-escaped), gzipped when the name ends in ``.gz``.
The same ``--seed``, size and seeds give the same bytes, and a smaller corpus
is a prefix of a larger one with the same seed.

    python benchmarks/make_corpus.py benchmarks/_work/corpus.jsonl --size 100MB --seed 0
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

# The generator lives in the package, so `python -m newsclean bench` can make a corpus too.
from newsclean import argtypes
from newsclean.bench import SeedError, write_corpus
from newsclean.parallel import parse_size

__all__ = ["DEFAULT_SEEDS", "SeedError", "main", "parse_size", "size_arg", "write_corpus"]

DEFAULT_SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="output JSONL file (.jsonl or .jsonl.gz)")
    parser.add_argument("--size", type=size_arg, default="100MB", help="uncompressed: 5MB, 100MB, 1GiB (default 100MB)")
    parser.add_argument("--seed", type=int, default=0, help="random seed; the same seed, the same corpus (default 0)")
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS, help="folder of seed dumps and their labels")
    return parser.parse_args(argv)


size_arg = argtypes.size  # the command line's own type: the same sizes, the same errors


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    try:
        pages, written = write_corpus(args.out, args.size, args.seed, args.seeds)
    except SeedError as exc:
        print(f"make_corpus: error: {exc.message()}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - start
    rate = written / 1e6 / seconds
    print(f"{args.out}: {pages} pages, {written / 1e6:.1f} MB in {seconds:.1f} s ({rate:.0f} MB/s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
