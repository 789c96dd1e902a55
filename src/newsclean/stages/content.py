"""Main content: the document-level decision of where the article body lies.

The named detectors remove what they recognise; this stage removes what is
left around the article on a page from a site never seen: the menus,
teasers, comments and footers that read as nothing in particular. The body
is the stretch densest in prose (``structure.body_segments``); the title,
and a deck line right under it, are kept wherever they stand.
"""

from __future__ import annotations

from typing import ClassVar

from attrs import field, frozen
from attrs.validators import ge, instance_of, le

from newsclean.core import Document, Label, Line
from newsclean.pipeline import as_document, register
from newsclean.stages._common import Found, lines_before, preview, remove_kept
from newsclean.stages.markup import content_box
from newsclean.structure import Kind, body_segments, kind
from newsclean.text import shape

__all__ = ["MainContent"]

_LABEL_BY_KIND = {Kind.SHORT: Label.NAV, Kind.META: Label.BYLINE}


@register
@frozen
class MainContent:
    """Remove every line outside the article body, the title and its deck.

    Keeps: the whole page when no stretch of it reads as prose (nothing can
    be told, so nothing is dropped); body stretches split by a box, when the
    second scores at least ``min_share`` of the first, and the lines of some
    length between them (subheadings, list items; the named detectors have
    had their say on boxes there already). On a page read from HTML, every
    line inside the element holding most of the page's prose
    (``markup.content_box``): the markup says it belongs with the body, where
    a stretch of short lines (a recipe's ingredients, a table) would not read as prose.

    Args:
        penalty: what one non-prose line costs a stretch, in words of prose.
        min_share: how good (relative to the best) another stretch must be to stay.
        markup: on a page read from HTML, keep what the element holding most of its prose holds.

    >>> text = "Home\\nNews\\nCouncil passes budget\\nThe council passed the budget on Monday after a debate.\\nIt takes effect in May, officials said.\\nMost read\\nOther story here"
    >>> doc = MainContent()(Document.from_text(text).relabel({2: Label.TITLE}))
    >>> doc.text
    'Council passes budget\\nThe council passed the budget on Monday after a debate.\\nIt takes effect in May, officials said.'
    """

    name: ClassVar[str] = "main_content"
    penalty: float = field(default=12.0, converter=float, validator=ge(0.0))
    min_share: float = field(default=0.5, converter=float, validator=[ge(0.0), le(1.0)])
    markup: bool = field(default=True, validator=instance_of(bool))

    def __call__(self, doc: Document) -> Document:
        doc = as_document(doc)
        lines = lines_before(doc, self.name)
        kinds = [kind(line.text) for line in lines]
        segments = body_segments(kinds, [shape(line.text).n_words for line in lines], self.penalty, self.min_share)
        if not segments:
            return doc
        inside: set[int] = set()
        for start, end in segments:
            inside.update(range(start, end))
        deck = _deck(lines, kinds)
        # On a page read from HTML, the element holding most of the prose vouches for all it holds.
        box = content_box(doc) if self.markup else None
        boxed = box.lines if box is not None else frozenset()
        spans = ", ".join(f"{lines[s].index}-{lines[e - 1].index}" for s, e in segments)
        found: Found = {}
        for p, (line, k) in enumerate(zip(lines, kinds)):
            if p in inside or line.label is Label.TITLE or p == deck or line.index in boxed:
                continue
            if segments[0][0] < p < segments[-1][1] and k not in (Kind.SHORT, Kind.META):
                continue  # between two parts of the body: a subheading, a list item, a short paragraph
            label = _LABEL_BY_KIND.get(k, Label.BOILERPLATE)
            where = "before" if p < segments[0][0] else "after" if p >= segments[-1][1] else "between parts of"
            found[line.index] = (label, "outside-body", f"{k.name.lower()} {where} the body (lines {spans}): {preview(line.text, 40)}")
        return remove_kept(doc, self.name, found)


def _deck(lines: list[Line], kinds: list[Kind]) -> int | None:
    """The position of a subtitle right under the title, if one stands there."""
    titles = [p for p, line in enumerate(lines) if line.label is Label.TITLE]
    if not titles:
        return None
    p = titles[-1] + 1
    if p < len(lines) and kinds[p] in (Kind.HEADLINE, Kind.TEXT) and shape(lines[p].text).n_words >= 6:
        return p
    return None
