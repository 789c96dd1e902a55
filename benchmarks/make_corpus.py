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

The seeds' ``*.labels.tsv`` (label TAB raw line) say which lines are body and
where the recommendation block starts. Output is JSONL, one ``{"id", "text"}``
per line (UTF-8, not ASCII-escaped), gzipped when the name ends in ``.gz``.
The same ``--seed``, size and seeds give the same bytes, and a smaller corpus
is a prefix of a larger one with the same seed.

    python benchmarks/make_corpus.py benchmarks/_work/corpus.jsonl --size 100MB --seed 0
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from newsclean.core import split_lines

DEFAULT_SEEDS = Path(__file__).resolve().parent.parent / "seeds"

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


class SeedError(Exception):
    """Seeds that cannot be recombined; the message reads ``<what>, <where>; try <next step>``."""


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
        raise SeedError(f"no labels for {txt.name}, {tsv}; try restoring the seed's .labels.tsv")
    lines = split_lines(txt.read_text(encoding="utf-8"))
    rows = tsv.read_text(encoding="utf-8").removesuffix("\n").split("\n")
    pairs = [tuple(row.split("\t", 1)) for row in rows]
    if len(pairs) != len(lines) or any(len(p) != 2 or p[1] != line for p, line in zip(pairs, lines, strict=True)):
        raise SeedError(f"labels do not match the dump, {tsv}; try regenerating the labels")
    return [(label, line) for (label, _), line in zip(pairs, lines, strict=True)]


def cut_seed(name: str, labelled: Sequence[tuple[str, str]]) -> Seed:
    """Split a labelled seed at the first recommendation or nav line after its last body line."""
    body_at = [i for i, (label, _) in enumerate(labelled) if label == BODY]
    if not body_at:
        raise SeedError(f"seed has no body line, {name}; try another seed")
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
        raise SeedError(f"no seed dumps (*.txt), {seeds_dir}; try --seeds path/to/seeds")
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


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="output JSONL file (.jsonl or .jsonl.gz)")
    parser.add_argument("--size", type=size_arg, default="100MB", help="uncompressed: 5MB, 100MB, 1GiB (default 100MB)")
    parser.add_argument("--seed", type=int, default=0, help="random seed; the same seed, the same corpus (default 0)")
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS, help="folder of seed dumps and their labels")
    return parser.parse_args(argv)


def size_arg(text: str) -> int:
    """``parse_size`` for argparse, whose type errors become usage errors (exit 2)."""
    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    try:
        pages, written = write_corpus(args.out, args.size, args.seed, args.seeds)
    except SeedError as exc:
        print(f"make_corpus: error: {exc}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - start
    rate = written / 1e6 / seconds
    print(f"{args.out}: {pages} pages, {written / 1e6:.1f} MB in {seconds:.1f} s ({rate:.0f} MB/s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
