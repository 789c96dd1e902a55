"""The C4 line rules as a baseline: token precision/recall/F1 per set, macro and micro.

C4's builders kept a line of a web page only if it ends in terminal punctuation, has at least five
words and mentions neither javascript nor a cookie or privacy policy (Raffel et al. 2020, sec. 2.2).
They are not an extractor, yet on flattened news pages they are the figure to beat: they drop every
menu entry and keep most paragraphs (losing the title, keeping long teasers).

Input, any of:
  - a directory of ``ID.txt`` + ``ID.labels.tsv`` pairs (the seeds, or one set of a materialized
    copy): one set named after the directory;
  - a directory of such directories (``devlabels.py materialize`` output): one set each;
  - the dev sets themselves (``SET/ID.raw.txt``), labelled from ``labels/devsets.jsonl.gz``.

Usage:
    python benchmarks/c4_baseline.py /work/shared/seeds
    python benchmarks/c4_baseline.py /work/shared/devsets
"""
from __future__ import annotations

import argparse
import collections
import statistics
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import devlabels

# Closing marks of a sentence: C4's . ! ? " plus their typographic (German „…“, French «…») and CJK forms.
TERMINAL = (".", "!", "?", '"', "'", "”", "’", "»", "“", "…", "。", "！", "？")
MIN_WORDS = 5
BANNED = ("javascript", "cookie", "privacy policy", "lorem ipsum")
KEPT_LABELS = frozenset({"title", "body"})

Page = list[tuple[str, str]]  # (label, line) in dump order


def c4_keeps(line: str) -> bool:
    """Whether the C4 line rules keep ``line`` (words are whitespace-separated, so CJK never is)."""
    text = line.strip()
    lowered = text.casefold()
    return (
        text.endswith(TERMINAL)
        and len(text.split()) >= MIN_WORDS
        and not any(phrase in lowered for phrase in BANNED)
    )


def overlap_counts(kept_lines: Sequence[str], gold_lines: Sequence[str]) -> tuple[int, int, int]:
    """(shared tokens, kept tokens, gold tokens), tokens being whitespace-split words as a multiset.

    Tokens rather than lines, so that a paragraph weighs more than a menu entry and a cleaner
    that rewrites inside a line is scored on the words it kept. Same counts as newsclean's scorer
    (``newsclean.scoring``), so the two can be checked against each other.
    """
    kept = collections.Counter(word for line in kept_lines for word in line.split())
    gold = collections.Counter(word for line in gold_lines for word in line.split())
    return sum((kept & gold).values()), sum(kept.values()), sum(gold.values())


def prf(shared: int, n_kept: int, n_gold: int) -> tuple[float, float, float]:
    """Precision, recall, F1 from token counts; keeping nothing is precise, finding nothing complete.

    F1 is computed from the counts, ``2·shared/(kept+gold)``: the harmonic mean, without the
    rounding that can put it outside [precision, recall], and 1.0 when both sides are empty.
    """
    precision = shared / n_kept if n_kept else 1.0
    recall = shared / n_gold if n_gold else 1.0
    f1 = 2 * shared / (n_kept + n_gold) if n_kept + n_gold else 1.0
    return precision, recall, f1


def token_prf(kept_lines: Sequence[str], gold_lines: Sequence[str]) -> tuple[float, float, float]:
    """Token precision, recall and F1 of the kept lines against the gold lines (see ``overlap_counts``).

    >>> token_prf(["a b c", "menu"], ["a b c d"])
    (0.75, 0.75, 0.75)
    """
    return prf(*overlap_counts(kept_lines, gold_lines))


def score_page(page: Page) -> tuple[int, int, int]:
    """C4 against the gold on one page; lines labelled unknown count on neither side."""
    known = [(label, line) for label, line in page if label != "unknown"]
    kept = [line for _, line in known if c4_keeps(line)]
    gold = [line for label, line in known if label in KEPT_LABELS]
    return overlap_counts(kept, gold)


def read_tsv_page(path: Path) -> Page:
    """Rows of a ``labels.tsv``: ``label<TAB>line``, newline-terminated, the line possibly empty."""
    rows = path.read_bytes().decode("utf-8").split("\n")
    if rows[-1] == "":
        rows.pop()
    return [(label, line) for label, line in (row.split("\t", 1) for row in rows)]


def tsv_pages(set_dir: Path) -> Iterator[Page]:
    for path in sorted(set_dir.glob("*.labels.tsv")):
        yield read_tsv_page(path)


def devset_pages(data_dir: Path, labels_path: Path) -> Iterator[tuple[str, Page]]:
    """(set, page) for each labelled page of the sets present, if still the dump that was labelled."""
    for record in devlabels.records_for(data_dir, labels_path):
        lines = devlabels.current_lines(data_dir, record)
        if lines is None:
            print(f"skipped {record['set']}/{record['id']}: dump changed or missing", file=sys.stderr)
        else:
            yield record["set"], list(zip(record["labels"], lines, strict=True))


def collect(path: Path, labels_path: Path) -> dict[str, list[Page]]:
    """Pages by set name, whichever of the three input layouts ``path`` is."""
    sets: dict[str, list[Page]] = collections.defaultdict(list)
    for set_dir in [path, *sorted(p for p in path.iterdir() if p.is_dir())]:
        sets[set_dir.name].extend(tsv_pages(set_dir))
    if any(path.glob("*/*.raw.txt")):
        for name, page in devset_pages(path, labels_path):
            sets[name].append(page)
    return {name: pages for name, pages in sets.items() if pages}


def report(sets: dict[str, list[Page]]) -> str:
    """Per set: pages scored, macro P/R/F1 over pages with gold text, micro P/R/F1 over tokens.

    Pages without any gold token (CleanEval's index pages, snippet pages whose only known lines
    are boilerplate) enter the micro figures only: their recall is undefined.
    """
    head = f"{'set':<22}{'pages':>6}{'w/gold':>7}{'macro P':>9}{'R':>7}{'F1':>7}{'micro P':>9}{'R':>7}{'F1':>7}"
    out = [head]
    for name, pages in sorted(sets.items()):
        counts = [score_page(page) for page in pages]
        per_page = [prf(*c) for c in counts if c[2]]
        macro = [statistics.fmean(column) for column in zip(*per_page)] if per_page else [0.0] * 3
        micro = prf(*(sum(column) for column in zip(*counts)))
        cells = "".join(f"{v:>7.3f}" for v in macro) + "  " + "".join(f"{v:>7.3f}" for v in micro)
        out.append(f"{name:<22}{len(pages):>6}{len(per_page):>7}  {cells}")
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path, help="seeds, a materialized copy, or the dev sets")
    parser.add_argument("--labels", type=Path, default=devlabels.LABELS_PATH)
    args = parser.parse_args(argv)
    sets = collect(args.path, args.labels) if args.path.is_dir() else {}
    if not sets:
        print(f"c4_baseline: error: no labelled pages under {args.path}", file=sys.stderr)
        return 2
    print(report(sets))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
