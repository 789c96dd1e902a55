"""What the page's markup says: boxes named for menus, footers, share bars and related links, and link lists.

A page read from HTML (``newsclean.io.read_html``) carries, for each raw
line, where in the page it sat (``Document.metadata["lines"]``): the hint
words in the class, id and role of its element and ancestors, the nearest
element carrying each (``boxes``), its link density, whether it sits in a
list. This stage reads those features; a dump read from text has none, and
the stage leaves it alone, so the named detectors after it do the work
from the text as they would anyway.

A hint alone is weak evidence: a site may wrap its whole article in a
``<div class="related-wrap">``, and forum software puts every post in a
``comment`` box. So a box is taken for boilerplate only when it is a small
part of the page (``max_share`` of its words) and every box of its hint
together is too (``max_hint_share``), when it is not a box of paragraphs
without links, and, for the hints a headline or a post can also carry,
when its lines are links. Two more signals need no hint: a list that is
mostly links, and, when one ``<article>`` or ``<main>`` holds most of the
page's paragraphs, whatever stands outside it; whatever follows the
innermost element that holds most of the page's prose (``content_box``),
which later stages also trust for what it holds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, NamedTuple

from attrs import field, frozen
from attrs.validators import ge, le

from newsclean.core import Document, Label, Removal
from newsclean.pipeline import as_document, register
from newsclean.stages._common import preview
from newsclean.text import shape

__all__ = [
    "CONTENT_PROSE_WORDS",
    "CONTENT_SHARE",
    "DEFAULT_APART_HINTS",
    "DEFAULT_BOX_HINTS",
    "DEFAULT_LINK_HINTS",
    "HINTS",
    "ContentBox",
    "MarkupBoxes",
    "content_box",
]

# What a box of each hint holds, for the removal's label, most telling first: a line in
# several boxes at the same distance is explained by the first ("related" over "aside").
# A hint missing here is not one this stage acts on.
_LABELS: dict[str, Label] = {
    "related": Label.RELATED,
    "promo": Label.RECOMMENDATION,
    "comment": Label.COMMENT,
    "share": Label.NAV,
    "social": Label.NAV,
    "newsletter": Label.BOILERPLATE,
    "author": Label.BYLINE,
    "breadcrumb": Label.NAV,
    "nav": Label.NAV,
    "menu": Label.NAV,
    "footer": Label.NAV,
    "ad": Label.BOILERPLATE,
    "tag": Label.NAV,
    "header": Label.NAV,
    "figcaption": Label.CAPTION,
    "caption": Label.CAPTION,
    "figure": Label.CAPTION,
    "aside": Label.BOILERPLATE,
}
_RANK = {hint: rank for rank, hint in enumerate(_LABELS)}
HINTS: tuple[str, ...] = tuple(sorted(_LABELS))
"""The hint words this stage can act on (``box_hints`` and ``link_hints`` take these)."""
DEFAULT_BOX_HINTS = frozenset(
    {"nav", "menu", "breadcrumb", "footer", "share", "social", "related", "promo", "newsletter", "ad", "aside", "comment", "author", "figcaption"}
)
"""Hints whose small boxes go whole: nothing a reader came for is written inside them."""
DEFAULT_LINK_HINTS = frozenset({"header", "tag"})
"""Hints whose boxes also hold the headline or the article's own text: only their link lines go."""
DEFAULT_APART_HINTS = frozenset({"footer"})
"""Hints whose boxes go whatever their size and paragraphs when the page holds ``min_paragraphs``
paragraphs outside every box of the hint: a footer is never the article, not even when a long
comment thread sits inside it."""


@register
@frozen
class MarkupBoxes:
    """Remove the lines the page's markup puts in menus, footers, share bars, related and comment boxes, and link lists.

    Needs the per-line features ``read_html`` records in
    ``metadata["lines"]``; without them (a text dump), it removes nothing.
    Rules: ``box`` (a line in a small box whose hint says boilerplate),
    ``link-list`` (the links of a list that is mostly links),
    ``outside-article`` (a line outside the ``<article>`` or ``<main>``
    holding most of the page's paragraphs), ``after-content`` (a line after
    the element holding most of the page's prose, see ``content_box``).

    Keeps: a box that holds more than ``max_share`` of the page's words, or
    whose hint covers more than ``max_hint_share`` of them (a wrapper named
    "related" around the whole article, forum posts in "comment" boxes); a
    box of ``min_paragraphs`` paragraphs or more that is not links (neither
    guard holds for an ``apart_hints`` box once the page has that many
    paragraphs outside every box of its hint); the
    title and ``<h1>`` lines; lines of a ``header``/``tag`` box that are
    not links; a list with fewer than ``min_items`` link items, and a list
    whose items are mostly not links.

    Args:
        box_hints: hint words whose small boxes are removed whole.
        link_hints: hint words whose small boxes lose only their link lines.
        max_share: the largest share of the page's words a box may hold and still be boilerplate.
        max_hint_share: the largest share all boxes of one hint may hold together.
        max_up: how many levels above a line its box may be (farther ancestors say little about it).
        min_link_density: the share of a line's text inside links that makes it a link line.
        min_items: how many of a list's items must be links to make it a link list.
        prose_words: how many words make a line that is not a link a paragraph.
        min_paragraphs: how many paragraphs make a box that is not links (``min_box_density``)
            one the markup alone cannot judge: its hint does not remove it.
        article: whether to remove what stands outside the article element (``outside-article``).
        min_article_share: the share of the page's paragraphs an ``<article>`` or ``<main>``
            must hold for the lines outside it to go.
        min_box_density: the share of a box's words inside links that makes it a box of links.
        apart_hints: hint words whose boxes go whatever their size and paragraphs once
            ``min_paragraphs`` paragraphs of the page stand outside all boxes of the hint.
        after_content: whether to remove what follows the element holding most of the
            page's prose (``after-content``).

    >>> from newsclean.io.html import read_html
    >>> page = '''<body><nav><ul><li><a href="/">Home</a></li><li><a href="/w">World</a></li></ul></nav>
    ... <article><h1>Budget passes</h1><p>The council passed the budget on Monday after a long debate.</p>
    ... <p>It takes effect in May, officials said, and raises school spending.</p></article>
    ... <div class="share-bar"><a href="#">Share on Facebook</a></div></body>'''
    >>> doc = MarkupBoxes()(read_html(page))
    >>> [(r.line.text, r.rule) for r in doc.removed]
    [('Home', 'box'), ('World', 'box'), ('Share on Facebook', 'box')]
    >>> MarkupBoxes()(Document.from_text("Home\\nWorld")).removed
    ()
    """

    name: ClassVar[str] = "markup"
    box_hints: frozenset[str] = field(default=DEFAULT_BOX_HINTS, converter=frozenset)
    link_hints: frozenset[str] = field(default=DEFAULT_LINK_HINTS, converter=frozenset)
    max_share: float = field(default=0.3, converter=float, validator=[ge(0.0), le(1.0)])
    max_hint_share: float = field(default=0.5, converter=float, validator=[ge(0.0), le(1.0)])
    max_up: int = field(default=10, validator=ge(0))
    min_link_density: float = field(default=0.5, converter=float, validator=[ge(0.0), le(1.0)])
    min_items: int = field(default=3, validator=ge(1))
    prose_words: int = field(default=12, validator=ge(1))
    min_paragraphs: int = field(default=3, validator=ge(1))
    article: bool = True
    min_article_share: float = field(default=0.6, converter=float, validator=[ge(0.0), le(1.0)])
    min_box_density: float = field(default=0.5, converter=float, validator=[ge(0.0), le(1.0)])
    apart_hints: frozenset[str] = field(default=DEFAULT_APART_HINTS, converter=frozenset)
    after_content: bool = True

    @box_hints.validator
    @apart_hints.validator
    @link_hints.validator
    def _known_hints(self, attribute: Any, value: frozenset[str]) -> None:
        unknown = sorted(h for h in value if h not in _LABELS)
        if unknown:
            raise ValueError(f"'{attribute.name}': unknown hint {unknown[0]!r}; one of: {', '.join(sorted(_LABELS))}")

    def __call__(self, doc: Document) -> Document:
        doc = as_document(doc)
        features = _features(doc.metadata.get("lines"))
        if not features or not doc.lines:
            return doc
        texts = _texts(doc, len(features))
        words, paragraphs, boxes = _box_stats(features, texts, self.prose_words, self.min_link_density)
        total = words or 1
        takers = self._takers(boxes, total, self._apart(paragraphs, boxes))
        article = _article(paragraphs, boxes, self.min_article_share) if self.article else None
        in_article = frozenset(boxes[article[0]].lines) if article is not None else frozenset()
        lists = _link_lists(features, boxes, self.min_link_density, self.min_items)
        content = _content_box(features, texts, CONTENT_SHARE, CONTENT_PROSE_WORDS) if self.after_content and features[0].chain else None
        end = max(content.lines) if content is not None else len(features)
        removals = []
        size, title = len(features), Label.TITLE
        # The lines of an element, and of its siblings, sit in equal boxes: the box the line
        # before was judged in, and the evidence that says so, hold for them too.
        judged: tuple[Mapping[str, Sequence[int]], bool, str] | None = None
        found: tuple[str, str] | None = None
        for line in doc.lines:
            i = line.index
            if i >= size or line.label is title or not line.text:
                continue
            feature = features[i]
            if feature.heading == 1:
                continue
            if feature.boxes:
                seen = (feature.boxes, feature.link_density >= self.min_link_density, feature.path)
                if seen != judged:
                    judged, found = seen, self._box(feature, takers)
            else:
                found = None
            if found is not None:
                hint, evidence = found
                removals.append(Removal(line, self.name, _LABELS[hint], "box", f"{evidence}: {preview(line.text, 40)}"))
            elif article is not None and i not in in_article:
                kind_, _number = article[0]
                evidence = f"outside the <{kind_}> that holds {article[1]:.0%} of the page's paragraphs ({feature.path})"
                removals.append(Removal(line, self.name, Label.BOILERPLATE, "outside-article", f"{evidence}: {preview(line.text, 40)}"))
            elif i in lists:
                evidence = lists[i]
                removals.append(Removal(line, self.name, Label.NAV, "link-list", f"{evidence}: {preview(line.text, 40)}"))
            elif i > end and content is not None:
                evidence = f"after the element that holds {content.share:.0%} of the page's paragraph words ({feature.path})"
                removals.append(Removal(line, self.name, Label.BOILERPLATE, "after-content", f"{evidence}: {preview(line.text, 40)}"))
        return doc.remove(removals)

    def _takers(self, boxes: Mapping[tuple[str, int], _Box], total: int, apart: frozenset[str]) -> dict[tuple[str, int], _Taker]:
        """The boxes whose lines may go, judged once per box rather than once per line inside it."""
        hint_words: dict[str, int] = {}
        for (hint, _number), box in boxes.items():
            hint_words[hint] = hint_words.get(hint, 0) + box.words
        wanted = self.box_hints | self.link_hints
        takers = {}
        for (hint, number), box in boxes.items():
            if hint not in wanted:
                continue
            n, linked = box.words, box.linked
            too_big = n > self.max_share * total or hint_words[hint] > self.max_hint_share * total
            if too_big and hint not in apart:
                continue
            if hint not in apart and box.paragraphs >= self.min_paragraphs and linked < self.min_box_density * n:
                continue  # a box of paragraphs: the markup alone cannot tell an article from a footer
            share = f"{n / total:.0%} of the page's words, link density {linked / n if n else 0.0:.2f}"
            takers[(hint, number)] = _Taker(_RANK[hint], hint in self.link_hints, share)
        return takers

    def _box(self, feature: _Feature, takers: Mapping[tuple[str, int], _Taker]) -> tuple[str, str] | None:
        """The hint of the nearest box that may go the line sits in, if any (ties: the most telling hint), and the evidence."""
        best: tuple[int, int, str, _Taker] | None = None
        link_line = feature.link_density >= self.min_link_density
        max_up = self.max_up
        for hint, (number, up) in feature.boxes.items():
            taker = takers.get((hint, number))
            if taker is None or up > max_up or (taker.links_only and not link_line):
                continue
            if best is None or (up, taker.rank) < best[:2]:
                best = (up, taker.rank, hint, taker)
        if best is None:
            return None
        up, _rank, hint, taker = best
        return hint, f"in a '{hint}' box {up} level{'s' if up != 1 else ''} up ({feature.path}), {taker.share}"

    def _apart(self, paragraphs: int, boxes: Mapping[tuple[str, int], _Box]) -> frozenset[str]:
        """The ``apart_hints`` whose boxes stand apart from a body: ``min_paragraphs`` paragraphs lie outside all of them."""
        found = set()
        for hint in self.apart_hints:
            # A line is in one box of a hint at most (its nearest): the boxes' paragraphs do not overlap.
            outside = paragraphs - sum(box.paragraphs for (kind, _number), box in boxes.items() if kind == hint)
            if outside >= self.min_paragraphs:
                found.add(hint)
        return frozenset(found)


class _Feature(NamedTuple):
    path: str
    link_density: float
    list: bool
    heading: int
    # Hint -> (the element's number, how many levels up), the reader's own dict: checked, not copied.
    boxes: Mapping[str, Sequence[int]]
    chain: tuple[int, ...] = ()


# The last features parsed, with the list they came from: the stages that read the markup
# one after another on a page all get the same list, and parse it once.
_last_features: tuple[list[Any] | None, int, list[_Feature]] = (None, 0, [])


def _features(value: Any) -> list[_Feature]:
    """The per-line features when they are the reader's (a list of well-formed dicts), else none.

    Metadata can come from anywhere (a JSONL record's own ``lines`` field):
    anything not shaped as ``read_html`` writes it is ignored, never trusted.
    """
    global _last_features
    seen, size, parsed = _last_features
    if seen is not None and value is seen and len(seen) == size:
        return parsed
    parsed = _parse_features(value)
    _last_features = (value, len(value), parsed) if isinstance(value, list) else (None, 0, [])
    return parsed


# A NamedTuple's own constructor is a Python function, slower than the rest of a
# line's parsing: the features are made as tuples directly (as text.shape does).
_new_tuple = tuple.__new__


def _parse_features(value: Any) -> list[_Feature]:
    if not isinstance(value, list):
        return []
    out = []
    try:
        for item in value:
            boxes = item["boxes"]
            for hint, (number, up) in boxes.items():
                if type(hint) is not str or type(number) is not int or type(up) is not int:
                    return []
            chain = tuple(item.get("chain", ()))
            # Numbers, checked at C speed: ints (and bools) add up to an int, and a string
            # or a list in the chain fails to add; whole floats (2.0) pass the slower test.
            if type(sum(chain)) is not int and chain != tuple(map(int, chain)):
                return []
            path, in_list, heading = item["path"], item["list"], item["heading"]
            if type(path) is not str or type(in_list) is not bool or type(heading) is not int:
                return []
            out.append(_new_tuple(_Feature, (path, float(item["link_density"]), in_list, heading, boxes, chain)))
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError):  # float(10**400), int(inf)
        return []
    return out


class ContentBox(NamedTuple):
    """The element holding most of a page's prose, found by ``content_box``."""

    element: int
    """Its number in document order, as in the reader's ``chain``."""
    share: float
    """The share of the page's paragraph words inside it."""
    lines: frozenset[int]
    """The raw indices of every line inside it."""
    unlinked: frozenset[int]
    """The raw indices of the lines inside it with less than half their text in links."""


CONTENT_SHARE = 0.75
"""The share of a page's paragraph words the element ``content_box`` finds must hold."""
CONTENT_PROSE_WORDS = 12
"""How many words make a line a paragraph to ``content_box``."""


def content_box(doc: Document, share: float = CONTENT_SHARE, prose_words: int = CONTENT_PROSE_WORDS) -> ContentBox | None:
    """The innermost element holding two paragraphs and ``share`` of the paragraph words of a page read from HTML.

    A paragraph is a line of ``prose_words`` words or more (as ``text.shape``
    counts them, so CJK counts too) with less than half its text in links.
    Every raw line counts, removed or kept, so the answer does not change as
    stages remove lines. None for a text dump, a page whose lines carry no
    ``chain`` (``read_html`` records it), or a page with fewer than two paragraphs.

    >>> from newsclean.io.html import read_html
    >>> para = "The council passed the budget on Monday after a long and heated debate."
    >>> page = f'<body><div class="menu"><p>Home</p></div><div id="x"><h2>Sub</h2><p>{para}</p><p>{para}</p></div></body>'
    >>> box = content_box(read_html(page))
    >>> box.share, sorted(box.lines)
    (1.0, [1, 2, 3])
    """
    features = _features(doc.metadata.get("lines"))
    if not features or not features[0].chain:
        return None
    return _content_box(features, _texts(doc, len(features)), share, prose_words)


# The last content box found, with what it was found from: the stages that trust it
# ask one after another on a page, with the same features and the same texts.
_last_box: tuple[tuple[list[_Feature], list[str], float, int] | None, ContentBox | None] = (None, None)


def _content_box(features: list[_Feature], texts: list[str], share: float, prose_words: int) -> ContentBox | None:
    global _last_box
    seen, box = _last_box
    # The same features and the very same texts (compared by identity first, so this is cheap).
    if seen is not None and seen[0] is features and seen[2:] == (share, prose_words) and seen[1] == texts:
        return box
    box = _find_content_box(features, texts, share, prose_words)
    _last_box = ((features, texts, share, prose_words), box)
    return box


def _find_content_box(features: list[_Feature], texts: list[str], share: float, prose_words: int) -> ContentBox | None:
    words: dict[int, int] = {}
    counts: dict[int, int] = {}
    total = paragraphs = 0
    for feature, text in zip(features, texts):
        # A line has no more words than characters and one (a long line's words are counted by
        # its spaces): a line too short for a paragraph's words is told so without its shape,
        # which a third of the lines looked at here are, most of them lines that go.
        if not text or feature.link_density >= 0.5 or len(text) + 1 < prose_words:
            continue
        n = shape(text).n_words
        if n < prose_words:
            continue
        total += n
        paragraphs += 1
        for number in feature.chain:
            words[number] = words.get(number, 0) + n
            counts[number] = counts.get(number, 0) + 1
    if paragraphs < 2:
        return None
    # The elements holding enough nest in one another: the innermost is the one deepest in every chain.
    # A box holds two paragraphs at least: one long paragraph alone is not where the body is.
    holding = {number for number, n in words.items() if n >= share * total and counts[number] >= 2}
    best, at = None, -1
    for feature in features:
        chain = feature.chain
        # Only an element deeper than the one found so far takes its place: most chains
        # have none (told at C speed), the others are read from the bottom up.
        if len(chain) > at + 1 and not holding.isdisjoint(chain[at + 1 :]):
            for depth in range(len(chain) - 1, at, -1):
                if chain[depth] in holding:
                    best, at = chain[depth], depth
                    break
    if best is None:
        return None
    inside = [i for i, feature in enumerate(features) if best in feature.chain]
    unlinked = frozenset(i for i in inside if features[i].link_density < 0.5)
    return ContentBox(best, words[best] / total, frozenset(inside), unlinked)


def _texts(doc: Document, size: int) -> list[str]:
    """The text of every raw line below ``size`` by its index ("" for none), as the reader made it.

    Kept lines and the removed ones alike, so the page's proportions do not
    change as stages remove lines.
    """
    texts = [""] * size
    for removal in doc.removed:
        line = removal.line
        if 0 <= line.index < size:
            texts[line.index] = line.text
    for line in doc.lines:
        if 0 <= line.index < size:
            texts[line.index] = line.text
    return texts


class _Box:
    """What one box (a hint and an element's number) holds, counted over the lines inside it."""

    __slots__ = ("words", "linked", "paragraphs", "lines")

    def __init__(self) -> None:
        self.words = 0
        self.linked = 0.0  # its words inside links (each line's words by its link density)
        self.paragraphs = 0
        self.lines: list[int] = []  # the raw indices of its lines


class _Taker(NamedTuple):
    """A box whose lines may go: its hint's rank in ``_LABELS``, whether only its link lines go, and its share for the evidence."""

    rank: int
    links_only: bool
    share: str


def _box_stats(
    features: Sequence[_Feature], texts: Sequence[str], prose_words: int, min_link_density: float
) -> tuple[int, int, dict[tuple[str, int], _Box]]:
    """The page's words and paragraphs, and per (hint, element), in the order the page first reaches them, what the box holds.

    A paragraph is a line of ``prose_words`` words or more with less than
    ``min_link_density`` of its text in links.
    """
    stats: dict[tuple[str, int], _Box] = {}
    words = paragraphs = 0
    # The lines of an element, and of its siblings (a list's items), sit in equal boxes:
    # a line in the same boxes as the line before adds to those, not looked up again.
    boxes: Mapping[str, Sequence[int]] = {}
    inside: list[_Box] = []
    for i, (feature, text) in enumerate(zip(features, texts)):
        n = len(text.split())
        paragraph = n >= prose_words and feature.link_density < min_link_density
        words += n
        paragraphs += paragraph
        if feature.boxes != boxes:
            boxes = feature.boxes
            inside = []
            for hint, (number, _up) in boxes.items():
                box = stats.get((hint, number))
                if box is None:
                    box = stats[(hint, number)] = _Box()
                inside.append(box)
        if inside:
            linked = n * feature.link_density
            for box in inside:
                box.words += n
                box.linked += linked
                box.paragraphs += paragraph
                box.lines.append(i)
    return words, paragraphs, stats


def _article(total: int, boxes: Mapping[tuple[str, int], _Box], min_share: float) -> tuple[tuple[str, int], float] | None:
    """The ``<article>`` or ``<main>`` holding at least ``min_share`` of the page's paragraphs (the most of them), if one does."""
    if total < 2:
        return None
    best = max(
        ((box.paragraphs, key) for key, box in boxes.items() if key[0] in ("article", "main") and box.paragraphs),
        default=None,
    )
    if best is None or best[0] < min_share * total:
        return None
    return best[1], best[0] / total


def _link_lists(features: Sequence[_Feature], boxes: Mapping[tuple[str, int], _Box], min_density: float, min_items: int) -> dict[int, str]:
    """The raw indices of the link lines of link lists, with their evidence.

    A link list is a ``ul``/``ol`` with at least ``min_items`` items that are
    links, and links for at least two thirds of its lines: a menu, a list
    of headlines. Its other lines (a plain item, a note) stay.
    """
    found: dict[int, str] = {}
    for (hint, _number), box in boxes.items():
        if hint != "list":
            continue
        members = box.lines
        links = [i for i in members if features[i].link_density >= min_density and features[i].heading == 0]
        if len(links) >= min_items and 3 * len(links) >= 2 * len(members):
            evidence = f"{len(links)} of the {len(members)} lines of a list are links (lines {members[0]}-{members[-1]})"
            found.update((i, evidence) for i in links)
    return found
