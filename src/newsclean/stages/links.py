"""Related links: headlines that repeat, lists of headlines, and headlines glued into one line.

A flattened related-links box shows itself by form: the same headline
twice (a thumbnail link and a text link, maybe with a slug or a table bar
stuck to one of them), several headlines in a row with no sentence among
them, or two headlines run together with no mark between ("... đoàn viên
Nhiều hoạt động ..."). Sentences are never taken for links: a repeated
paragraph keeps its first copy.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from typing import ClassVar

from attrs import field, frozen
from attrs.validators import ge, instance_of, le
from rapidfuzz import fuzz, process

from newsclean.core import Document, Label, Line
from newsclean.pipeline import as_document, register
from newsclean.profiles import normalize_phrase
from newsclean.stages._common import Found, lines_before, profile_for, remove_kept
from newsclean.stages.markup import content_box
from newsclean.structure import Kind, body_segments, glued_boundary, kind
from newsclean.text import shape

__all__ = ["NearDuplicateLinks"]

KEY_MAX_CHARS = 300
# ">> Hà Nội: ...", "» Read: ...", "→ ...": the arrows sites put before an inline link.
_ARROW = re.compile(r"^\s*(?:>>+|»+|→|⇒|►|▶|>)\s*")
_RANK = re.compile(r"^\s*#?(\d{1,2})[.)]?\s*$")


def _near_pairs(keys: list[str], min_score: int) -> list[tuple[int, int]]:
    """Index pairs ``(a, b)``, a < b, of keys at least ``min_score`` alike (rapidfuzz ratio), in order.

    Two strings can be that alike only if their lengths differ by at most
    ``1 - min_score/100`` of their sum, so after sorting by length each key
    is compared only with the few of a length close to its own: a page's
    headlines cost a handful of comparisons each, not one per pair. Those
    few go to rapidfuzz in one call per key, which compares them in C: a
    dump of a thousand lines has hundreds of headlines.
    """
    slack = 100 - min_score  # in hundredths, so the bound is exact: no float rounding at the edge
    order = sorted(range(len(keys)), key=lambda i: len(keys[i]))
    by_length = [keys[i] for i in order]
    lengths = [len(key) for key in by_length]
    pairs = []
    for x, a in enumerate(order):
        # The longest a key may be and still be that alike: len * (100 - slack) <= short * (100 + slack).
        end = bisect.bisect_right(lengths, lengths[x] * (100 + slack) // (100 - slack), x + 1)
        if end == x + 1:
            continue
        for _key, _score, y in process.extract(by_length[x], by_length[x + 1 : end], scorer=fuzz.ratio, score_cutoff=min_score, limit=None):
            b = order[x + 1 + y]
            pairs.append((min(a, b), max(a, b)))
    return sorted(pairs)


def _key(text: str) -> str:
    """What two copies of a headline share: case, spacing and a trailing table bar aside.

    A paragraph is compared as it stands: a copy of one is a copy to the letter,
    and normalising every paragraph of a page would cost for nothing.
    """
    return normalize_phrase(text.rstrip(" |")) if len(text) <= KEY_MAX_CHARS else text


@register
@frozen
class NearDuplicateLinks:
    """Remove repeated headlines, lists of headlines around the body, numbered link lists, arrow links, and glued headlines.

    Keeps: the first copy of a repeated sentence; the title; headlines
    inside the body (subheadings) unless they repeat or end in table bars.

    Args:
        language: the profile to use ("" takes the page's).
        min_score: how alike (80-100, rapidfuzz ratio) two headlines must be to count as one.
        min_run: the fewest headlines in a row, outside the body, that make a list.
        markup: on a page read from HTML, take no line that is not a link, inside the
            element holding most of the prose (``markup.content_box``), for a headline of a
            list or a repeated headline.

    >>> text = "Tiêu đề bài\\nMột tin liên quan rất hay |\\nMột tin khác cũng hay | |\\nThân bài với nhiều câu văn đầy đủ và dài."
    >>> from newsclean.stages.title import Title
    >>> doc = NearDuplicateLinks(language="vi")(Title()(Document.from_text(text)))
    >>> [(r.line.index, r.rule) for r in doc.removed]
    [(1, 'bar-list'), (2, 'bar-list')]
    """

    name: ClassVar[str] = "near_duplicate_links"
    language: str = field(default="", validator=instance_of(str))
    min_score: int = field(default=92, validator=[instance_of(int), ge(80), le(100)])
    min_run: int = field(default=3, validator=[instance_of(int), ge(2)])
    markup: bool = field(default=True, validator=instance_of(bool))

    def __call__(self, doc: Document) -> Document:
        doc = as_document(doc)
        lines = lines_before(doc, self.name)
        if not lines:
            return doc
        stopwords = profile_for(self.language, doc).stopwords
        kinds = [kind(line.text) for line in lines]
        n_words = [shape(line.text).n_words for line in lines]
        found: Found = {}
        self._bar_lists(lines, found)  # first: a table's cells are cells even when one copies a paragraph
        box = content_box(doc) if self.markup else None
        unlinked = box.unlinked if box is not None else frozenset()
        self._repeats(lines, kinds, n_words, found, unlinked)
        self._headline_lists(lines, kinds, n_words, found, unlinked)
        self._ranked_lists(lines, kinds, found)
        # Enum members as locals: looked up on their class, they cost more than the tests in these loops.
        title, headline, text = Label.TITLE, Kind.HEADLINE, Kind.TEXT
        for line in lines:
            if line.label is not title and line.index not in found and (m := _ARROW.match(line.text)):
                if kind(line.text[m.end() :]) in (Kind.HEADLINE, Kind.SHORT):
                    found[line.index] = (Label.RELATED, "arrow-link", f"a headline behind {m.group().strip()!r}: a link")
        for line, k, n in zip(lines, kinds, n_words):
            if line.index not in found and line.label is not title and (k is headline or k is text):
                if n >= 8 and glued_boundary(line.text, stopwords):
                    found[line.index] = (Label.RELATED, "glued-headlines", "two headlines run together with no mark between")
        return remove_kept(doc, self.name, found)

    def _repeats(self, lines: list[Line], kinds: list[Kind], n_words: list[int], found: Found, unlinked: frozenset[int]) -> None:
        groups: dict[str, list[int]] = defaultdict(list)
        title, prose = Label.TITLE, Kind.PROSE
        for position, line in enumerate(lines):
            if line.label is title or n_words[position] < 3:
                continue
            if kinds[position] is not prose and line.index in unlinked:
                continue  # not a link, in the element holding the prose: a price, a label, a refrain
            groups[_key(line.text)].append(position)
        # Near repeats among the headlines that do not repeat exactly.
        singles = [(key, g[0]) for key, g in groups.items() if len(g) == 1 and kinds[g[0]] is not prose]
        if len(singles) > 1 and self.min_score < 100:
            keys = [key for key, _position in singles]
            for a, b in _near_pairs(keys, self.min_score):
                groups[keys[a]].append(singles[b][1])
                groups[keys[b]] = []
        for positions in groups.values():
            if len(positions) < 2:
                continue
            positions.sort()
            where = ", ".join(str(lines[p].index) for p in positions)
            sentences = [p for p in positions if kinds[p] is prose]
            if sentences:  # a sentence is never a link: keep its first copy, drop the others
                first = sentences[0]
                for p in positions:
                    if p != first:
                        found.setdefault(lines[p].index, (Label.DUPLICATE, "repeated-paragraph", f"repeats line {lines[first].index}"))
                continue
            entry = (Label.RELATED, "repeated", f"a headline that stands {len(positions)} times (lines {where})")
            for p in positions:
                found.setdefault(lines[p].index, entry)

    def _bar_lists(self, lines: list[Line], found: Found) -> None:
        """Runs of two or more lines ending in table bars: cells of a links table."""
        run: list[Line] = []
        for line in lines + [Line(-1, "")]:
            if line.text.rstrip().endswith("|") and line.label is not Label.TITLE and shape(line.text).n_words >= 2:
                run.append(line)
                continue
            if len(run) >= 2:
                for member in run:
                    found.setdefault(member.index, (Label.RELATED, "bar-list", f"one of {len(run)} table cells in a row, from line {run[0].index}"))
            run = []

    def _ranked_lists(self, lines: list[Line], kinds: list[Kind], found: Found) -> None:
        """"1." headline "2." headline "3." headline: a most-read list, ranks on lines of their own.

        Only ranks followed by a headline count: "1." over a paragraph is a
        numbered step of the article (a recipe, a how-to).
        """
        ranked = []
        for p, line in enumerate(lines[:-1]):
            m = _RANK.match(line.text)
            if m and kinds[p + 1] is Kind.HEADLINE and lines[p + 1].label is not Label.TITLE:
                ranked.append((p, int(m.group(1))))
        run: list[tuple[int, int]] = []
        for p, number in ranked + [(-1, -1)]:
            if run and number == run[-1][1] + 1 and p - run[-1][0] <= 3:
                run.append((p, number))
                continue
            if len(run) >= 3:
                where = f"in a numbered list of {len(run)} links from line {lines[run[0][0]].index}"
                for q, _number in run:
                    for member in (lines[q], lines[q + 1]):
                        found.setdefault(member.index, (Label.RELATED, "ranked-list", where))
            run = [(p, number)] if number == 1 else []

    def _headline_lists(self, lines: list[Line], kinds: list[Kind], n_words: list[int], found: Found, unlinked: frozenset[int]) -> None:
        """Runs of headlines before or after the body: a list of links, not the article.

        A line in ``unlinked`` (on a page read from HTML: not a link, inside the
        element holding most of the prose) is no headline of another page: an
        ingredient, a table row, a line of a poem.
        """
        segments = body_segments(kinds, n_words)
        if not segments:
            return
        start, end = segments[0][0], segments[-1][1]
        title, headline = Label.TITLE, Kind.HEADLINE
        run: list[int] = []
        for p in list(range(0, start)) + [-1] + list(range(end, len(lines))) + [-1]:
            if (
                p >= 0
                and kinds[p] is headline
                and lines[p].label is not title
                and n_words[p] >= 3
                and lines[p].index not in unlinked
            ):
                run.append(p)
                continue
            if len(run) >= self.min_run:
                entry = (Label.RELATED, "headline-list", f"one of {len(run)} headlines in a row outside the body, from line {lines[run[0]].index}")
                for q in run:
                    found.setdefault(lines[q].index, entry)
            run = []
