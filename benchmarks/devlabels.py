"""Line labels for the public dev sets, derived from their gold text.

The dev sets (built by ``/work/shared/eval/build_dev_sets.py``) give, per page, the flattened dump
``ID.raw.txt`` and a gold that is *text*, not line labels: either the full main text (``ID.gold.txt``:
htmltotext-benchmark, cleanportaleval) or trafilatura's snippets (``ID.gold.json``: ``with`` must be
in the main text, ``without`` must not). This module turns that gold into one label per dump line so
that the sets can be scored and trained on like the seeds.

The repository keeps only the labels (``labels/devsets.jsonl.gz``: set, id, sha1 of the dump, one
label per line) -- never page text. ``materialize`` joins them back to a local copy of the dev sets,
outside the repository, in the seeds' ``labels.tsv`` format.

Labels: ``title`` and ``body`` (main text), ``boilerplate`` (not main text), ``unknown`` (the gold
cannot tell; scorers leave these lines out on both sides).

Usage:
    python benchmarks/devlabels.py derive /work/shared/devsets
    python benchmarks/devlabels.py materialize /work/shared/devsets /tmp/devpages [--set cleanportaleval]
"""
from __future__ import annotations

import argparse
import collections
import gzip
import hashlib
import html.parser
import json
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

LABELS_PATH = Path(__file__).resolve().parent / "labels" / "devsets.jsonl.gz"
REPO_ROOT = Path(__file__).resolve().parent.parent

SHINGLE = 4
# On the full-gold sets the share of a line's shingles found in the gold is bimodal: of the 9,696
# lines with at least one shingle, 5,289 score under .1, 4,232 score .9 or more, 175 fall between
# (148 of them at .5-.9). The lines at .5-.9 are main text the annotator retyped slightly ("Post by
# X » date" forum headers, captions); those under .1 are reader comments or teasers quoting a phrase.
BODY_SHARE = 0.5
BOILERPLATE_SHARE = 0.1
# A page whose gold is mostly absent from its dump (the article is rendered by JavaScript, or the saved
# HTML is an error page) cannot be labelled; observed coverage is <= .33 on such pages and >= .74
# elsewhere.
MIN_COVERAGE = 0.5
# Golds of these sets begin with the article's headline: in cleanportaleval all 69 non-empty golds do,
# and the line matches exactly one or two dump lines (the H1 first). htmltotext-benchmark golds begin
# with a forum header or the first paragraph about half the time, so no title is derived there.
TITLE_SETS = frozenset({"cleanportaleval"})
MAX_TITLE_WORDS = 20
# A snippet that runs across dump lines marks a line only when they share this many characters, so a
# word spilling into the next block does not label it.
MIN_SNIPPET_OVERLAP = 20

# Apostrophes and quotes are typed both ways between dumps and golds ("Azerbaijan’s" / "Azerbaijan's").
_QUOTES = str.maketrans({c: "'" for c in "‘’‚‛′`´"} | {c: '"' for c in "“”„‟″«»"})
# Scripts written without spaces: one character is one token, else a whole paragraph is one token.
_CJK = re.compile("([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef])")

Shingle = tuple[str, ...]


def read_lines(path: Path) -> list[str]:
    """The lines of a dump: split on "\\n" only; the final "\\n" ends the last line, it adds none."""
    text = path.read_bytes().decode("utf-8")
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    return lines


def tokens(text: str) -> list[str]:
    """Comparable words: NFC, casefolded, quotes folded, punctuation stripped from both ends."""
    text = _CJK.sub(r" \1 ", unicodedata.normalize("NFC", text).casefold().translate(_QUOTES))
    return [word for word in map(_strip_punctuation, text.split()) if word]


def _strip_punctuation(word: str) -> str:
    start, end = 0, len(word)
    while start < end and unicodedata.category(word[start]).startswith("P"):
        start += 1
    while end > start and unicodedata.category(word[end - 1]).startswith("P"):
        end -= 1
    return word[start:end]


def shingles(words: Sequence[str]) -> list[Shingle]:
    """Every run of ``SHINGLE`` consecutive words, in order (repeats kept)."""
    return [tuple(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)]


def _phrase(words: Sequence[str]) -> str:
    """Words padded with spaces, so that ``in`` on two phrases tests a contiguous word sequence."""
    return " " + " ".join(words) + " "


class FullGold:
    """A full gold text, indexed for the three questions asked of each dump line."""

    def __init__(self, text: str) -> None:
        words = tokens(text)
        self.shingles = set(shingles(words))
        self.phrase = _phrase(words)
        self.lines = collections.Counter(_phrase(tokens(line)) for line in text.split("\n"))
        self.first_line = tokens(text.split("\n", 1)[0])

    def coverage(self, raw_lines: Sequence[str]) -> float:
        """Share of the gold's shingles found anywhere in the dump (1.0 for a gold without any)."""
        if not self.shingles:
            return 1.0
        found = set(shingles(tokens("\n".join(raw_lines))))
        return len(self.shingles & found) / len(self.shingles)

    def label(self, words: Sequence[str]) -> str:
        """body / boilerplate / unknown for one line's words, ignoring repeats on the page."""
        if not words:
            return "unknown"  # a separator such as "***" or "|": no words to compare
        line_shingles = shingles(words)
        if not line_shingles:
            return self._label_short(words)
        share = sum(s in self.shingles for s in line_shingles) / len(line_shingles)
        if share >= BODY_SHARE:
            return "body"
        return "boilerplate" if share < BOILERPLATE_SHARE else "unknown"

    def _label_short(self, words: Sequence[str]) -> str:
        """Lines under four words: main text only when the gold has them as a line of their own.

        Found only inside a longer gold line, such a line is nearly always a menu entry that
        happens to occur in the article ("Business", "Health", "More": 458 lines on
        cleanportaleval, against 33 whole-line matches, all subheads or sign-offs; 377 against
        989 forum user names and headers on htmltotext-benchmark), but a real fragment (a table
        cell the gold runs into one line) cannot be ruled out, so it stays unknown.
        """
        phrase = _phrase(words)
        if phrase in self.lines:
            return "body"
        return "unknown" if phrase in self.phrase else "boilerplate"

    def copies(self, words: Sequence[str]) -> int:
        """How often the gold holds this line: as a whole line (short) or as a word run (long)."""
        phrase = _phrase(words)
        return self.lines[phrase] if len(words) < SHINGLE else self.phrase.count(phrase)


def label_full_gold(raw_lines: Sequence[str], gold_text: str, with_title: bool) -> list[str]:
    """One label per dump line from the full gold text.

    A line repeated on the page more often than in the gold (a teaser repeating the lede, forum
    quotes, a headline in the related list) is unknown: the gold does not say which copy it means.
    """
    gold = FullGold(gold_text)
    if gold.coverage(raw_lines) < MIN_COVERAGE:
        return ["unknown"] * len(raw_lines)
    words = [tokens(line) for line in raw_lines]
    on_page = collections.Counter(map(_phrase, words))
    labels = [gold.label(w) for w in words]
    for i, w in enumerate(words):
        if labels[i] == "body" and on_page[_phrase(w)] > max(1, gold.copies(w)):
            labels[i] = "unknown"
    if with_title and 0 < len(gold.first_line) <= MAX_TITLE_WORDS:
        matches = [i for i, w in enumerate(words) if w == gold.first_line]
        if matches:
            labels[_headline(matches, labels)] = "title"
    return labels


def _headline(matches: Sequence[int], labels: Sequence[str]) -> int:
    """Of the lines equal to the gold's title, the one the article's body follows most closely.

    The first match is not always the headline: on three washingtonpost.com pages it is an entry
    of a "Recent posts" sidebar above the article, and the headline sits two lines above the body.
    """
    body = [i for i, label in enumerate(labels) if label == "body"]

    def gap(match: int) -> int:
        return next((i - match for i in body if i > match), len(labels))

    return min(matches, key=gap)


def _normalise(text: str) -> str:
    """Snippet comparison form: NFC, casefolded, quotes folded, whitespace runs made one space."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().translate(_QUOTES).split())


def _occurrences(needle: str, haystack: str) -> list[int]:
    """Every start of ``needle`` in ``haystack``, overlapping ones included."""
    starts, at = [], haystack.find(needle)
    while at >= 0:
        starts.append(at)
        at = haystack.find(needle, at + 1)
    return starts


def _spans(lines: Sequence[str]) -> list[tuple[int, int]]:
    """Where each line lies in ``" ".join(lines)``."""
    spans, at = [], 0
    for line in lines:
        spans.append((at, at + len(line)))
        at += len(line) + 1
    return spans


def _lines_touched(start: int, end: int, spans: Sequence[tuple[int, int]]) -> Iterator[int]:
    """Lines holding the whole of [start, end) or sharing ``MIN_SNIPPET_OVERLAP`` characters with it."""
    for i, (line_start, line_end) in enumerate(spans):
        overlap = min(end, line_end) - max(start, line_start)
        if (line_start <= start and end <= line_end) or overlap >= MIN_SNIPPET_OVERLAP:
            yield i


class Headlines(html.parser.HTMLParser):
    """The normalised text of a page's ``<h1>`` elements and of its ``<title>``."""

    def __init__(self, page_html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.h1: set[str] = set()
        self.title = ""
        self._open: str | None = None
        self._parts: list[str] = []
        self.feed(page_html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "title") and self._open is None:
            self._open, self._parts = tag, []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._parts.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._open:
            text = _normalise("".join(self._parts))
            if tag == "h1":
                self.h1.add(text)
            else:
                self.title = self.title or text
            self._open = None

    def __contains__(self, line: str) -> bool:
        """Whether a normalised line is an ``<h1>``, or a long enough piece of the ``<title>``."""
        return line in self.h1 or (len(line) >= MIN_SNIPPET_OVERLAP and line in self.title)


def label_snippets(
    raw_lines: Sequence[str], gold: dict[str, list[str]], headlines: Headlines
) -> list[str]:
    """One label per dump line from trafilatura's ``with``/``without`` snippets.

    The dump's lines are joined with spaces so that a snippet running across two blocks is still
    found. A ``with`` snippet found more than once says nothing (a headline also in the related
    list, an article printed twice); every copy of a ``without`` snippet is boilerplate, except
    on a line that is the page's ``<h1>`` or part of its ``<title>``: trafilatura's gold treats
    the headline as metadata, not main text, and says so with a ``without`` snippet on some
    pages, where newsclean keeps it (31 lines on 17 pages, a few of them section names such as
    "Pressemitteilungen" that are lost to unknown). A line claimed by both stays unknown. Lines
    no snippet touches -- most of them -- are unknown.
    """
    normalised = [_normalise(line) for line in raw_lines]
    page = " ".join(normalised)
    spans = _spans(normalised)
    wanted = [s for s in map(_normalise, gold["with"]) if s]
    if wanted and sum(s in page for s in wanted) / len(wanted) < MIN_COVERAGE:
        return ["unknown"] * len(raw_lines)
    body: set[int] = set()
    for snippet in wanted:
        starts = _occurrences(snippet, page)
        if len(starts) == 1:
            body.update(_lines_touched(starts[0], starts[0] + len(snippet), spans))
    boilerplate: set[int] = set()
    for snippet in filter(None, map(_normalise, gold["without"])):
        for start in _occurrences(snippet, page):
            boilerplate.update(_lines_touched(start, start + len(snippet), spans))
    boilerplate = {i for i in boilerplate if normalised[i] not in headlines}
    return [
        "unknown" if (i in body) == (i in boilerplate) else "body" if i in body else "boilerplate"
        for i in range(len(raw_lines))
    ]


def _manifest(set_dir: Path) -> dict[str, dict]:
    text = (set_dir / "manifest.jsonl").read_text("utf-8")
    rows = (json.loads(line) for line in text.split("\n") if line)
    return {row["id"]: row for row in rows}


def _set_dirs(data_dir: Path) -> list[Path]:
    return sorted(p for p in data_dir.iterdir() if (p / "manifest.jsonl").is_file())


def derive(data_dir: Path) -> Iterator[dict]:
    """Label every line of every page under ``data_dir``, sorted by set then id."""
    for set_dir in _set_dirs(data_dir):
        manifest = _manifest(set_dir)
        ids = sorted(p.name.removesuffix(".raw.txt") for p in set_dir.glob("*.raw.txt"))
        for page_id in ids:
            raw_path = set_dir / f"{page_id}.raw.txt"
            raw_lines = read_lines(raw_path)
            yield {
                "set": set_dir.name,
                "id": page_id,
                "lang": manifest.get(page_id, {}).get("lang", "und"),
                "n_lines": len(raw_lines),
                "sha1": hashlib.sha1(raw_path.read_bytes()).hexdigest(),
                "labels": _label_page(set_dir, page_id, raw_lines, manifest.get(page_id, {})),
            }


def _label_page(set_dir: Path, page_id: str, raw_lines: list[str], manifest_row: dict) -> list[str]:
    """Labels from the page's full gold text if it has one, else from its snippets."""
    full = set_dir / f"{page_id}.gold.txt"
    if full.is_file():
        return label_full_gold(raw_lines, full.read_text("utf-8"), set_dir.name in TITLE_SETS)
    gold = json.loads((set_dir / f"{page_id}.gold.json").read_text("utf-8"))
    encoding = manifest_row.get("encoding", "utf-8")
    page_html = (set_dir / f"{page_id}.html").read_bytes().decode(encoding, "replace")
    return label_snippets(raw_lines, gold, Headlines(page_html))


def write_labels(records: Iterable[dict], path: Path = LABELS_PATH) -> None:
    """Gzipped JSON lines with no timestamp or file name in the header: same labels, same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as out:
        for record in records:
            out.write((json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode())


def read_labels(path: Path = LABELS_PATH) -> Iterator[dict]:
    """The records ``write_labels`` wrote, in order."""
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        yield from map(json.loads, lines)


def records_for(data_dir: Path, labels_path: Path = LABELS_PATH) -> Iterator[dict]:
    """The label records of the sets that ``data_dir`` holds (a copy may hold only some)."""
    return (r for r in read_labels(labels_path) if (data_dir / r["set"]).is_dir())


def current_lines(data_dir: Path, record: dict) -> list[str] | None:
    """The page's dump lines if it is still the dump the labels were derived from, else None."""
    raw_path = data_dir / record["set"] / f"{record['id']}.raw.txt"
    if not raw_path.is_file() or hashlib.sha1(raw_path.read_bytes()).hexdigest() != record["sha1"]:
        return None
    return read_lines(raw_path)


def known_share(labels: Sequence[str]) -> float:
    """Share of a page's lines the gold could tell (not ``unknown``); 0.0 for an empty page."""
    return sum(label != "unknown" for label in labels) / len(labels) if labels else 0.0


def materialize(
    data_dir: Path,
    out_dir: Path,
    sets: Iterable[str] | None = None,
    min_known: float = 0.5,
    labels_path: Path = LABELS_PATH,
) -> collections.Counter[str]:
    """Write ``OUT/SET/ID.txt`` and ``OUT/SET/ID.labels.tsv`` like the seeds; count what happened.

    As in the seeds, ``ID.txt`` has no final newline, so its "\\n"-split lines and the rows of
    ``ID.labels.tsv`` (``label<TAB>line``, newline-terminated) correspond one to one. Labels are
    coarser than the seeds' (``boilerplate`` for their nav, related, byline ...), and ``unknown``
    appears; all four are in newsclean's ``Label``. Pages whose dump changed since labelling, or
    whose share of known lines is under ``min_known`` (trafilatura-eval's snippet pages all are),
    are skipped.
    """
    if out_dir.resolve().is_relative_to(REPO_ROOT):
        raise ValueError(f"{out_dir} is inside the repository, which must not hold page text")
    wanted = set(sets) if sets is not None else None
    outcome: collections.Counter[str] = collections.Counter()
    for record in records_for(data_dir, labels_path):
        if wanted is not None and record["set"] not in wanted:
            continue
        lines = current_lines(data_dir, record)
        if lines is None:
            outcome["changed or missing"] += 1
        elif known_share(record["labels"]) < min_known:
            outcome["too few known lines"] += 1
        else:
            _write_page(out_dir / record["set"], record["id"], lines, record["labels"])
            outcome["written"] += 1
    return outcome


def _write_page(set_dir: Path, page_id: str, lines: Sequence[str], labels: Sequence[str]) -> None:
    set_dir.mkdir(parents=True, exist_ok=True)
    (set_dir / f"{page_id}.txt").write_text("\n".join(lines), "utf-8", newline="")
    rows = "".join(f"{label}\t{line}\n" for label, line in zip(labels, lines, strict=True))
    (set_dir / f"{page_id}.labels.tsv").write_text(rows, "utf-8", newline="")


def summarize(records: Iterable[dict]) -> str:
    """Per-set label counts, and the pages left without any known line (their gold does not fit)."""
    counts: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    unusable: dict[str, list[str]] = collections.defaultdict(list)
    for record in records:
        counts[record["set"]].update(record["labels"])
        counts[record["set"]]["pages"] += 1
        if known_share(record["labels"]) == 0:
            unusable[record["set"]].append(record["id"])
    columns = ("pages", "title", "body", "boilerplate", "unknown")
    out = [f"{'set':<22}" + "".join(f"{c:>12}" for c in columns)]
    for name, count in sorted(counts.items()):
        out.append(f"{name:<22}" + "".join(f"{count[c]:>12}" for c in columns))
    out += [f"no known line in {name}: {' '.join(ids)}" for name, ids in sorted(unusable.items())]
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    derive_cmd = commands.add_parser("derive", help=f"write {LABELS_PATH.name}, print counts")
    derive_cmd.add_argument("data_dir", type=Path)
    mat = commands.add_parser("materialize", help="write SET/ID.txt + SET/ID.labels.tsv")
    mat.add_argument("data_dir", type=Path)
    mat.add_argument("out_dir", type=Path, help="a directory outside the repository")
    mat.add_argument("--set", action="append", dest="sets", metavar="NAME", help="only this set (repeatable)")
    mat.add_argument(
        "--min-known", type=float, default=0.5, metavar="SHARE",
        help="skip pages with a smaller share of lines not unknown (default: 0.5)",
    )
    args = parser.parse_args(argv)
    if args.command == "derive":
        records = list(derive(args.data_dir))
        write_labels(records)
        print(summarize(records))
        return 0
    try:
        outcome = materialize(args.data_dir, args.out_dir, args.sets, args.min_known)
    except ValueError as err:
        print(f"devlabels: error: {err}; choose a directory outside {REPO_ROOT}", file=sys.stderr)
        return 2
    print(", ".join(f"{n} {what}" for what, n in sorted(outcome.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
