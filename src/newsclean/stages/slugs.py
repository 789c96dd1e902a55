"""Slug lines: the ASCII-folded title standing alone or glued before a link or alt text.

CMSs build URL slugs from the title with its diacritics and capitals
stripped ("hoan thanh vuot nhieu chi tieu"), and careless flattening leaves
that slug in the text, alone or glued before a related link's headline. A
slug is recognised by what it is a copy of: its words are the ASCII fold of
another line of the page (usually the title), whole or a prefix of it. No
vocabulary is needed, so it works for any language written with diacritics.
A verbatim copy of the title away from the title (alt text) goes too.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from typing import ClassVar

from attrs import field, frozen
from attrs.validators import ge, instance_of, le
from rapidfuzz import fuzz, process

from newsclean.core import Document, Label, Line, Removal
from newsclean.pipeline import as_document, register
from newsclean.profiles import normalize_phrase
from newsclean.stages._common import preview
from newsclean.structure import Kind, kind
from newsclean.text import LINE_CACHE, SLUG_START, ascii_head, fold

__all__ = ["SlugLines"]


@register
@frozen
class SlugLines:
    """Remove slugs (the folded title, whole or a prefix, alone or glued before a link) and copies of the title.

    Keeps: the title itself; lower-case ASCII text that is no fold of another
    line (an English quote in a Vietnamese article); a line only partly alike.

    Args:
        min_words: the fewest words a slug may have.
        min_score: how alike (80-100, rapidfuzz ratio) a slug and a folded line
            must be when they are not equal.

    >>> doc = Document.from_text("Hoàn thành vượt chỉ tiêu\\nBài viết.\\nhoan thanh vuot chi tieu\\nhoan thanh vuot chi tieu Một tin khác")
    >>> [(r.line.index, r.label.value, r.rule) for r in SlugLines()(doc).removed]
    [(2, 'slug', 'folded-copy'), (3, 'related', 'slug-prefix')]
    """

    name: ClassVar[str] = "slug_lines"
    min_words: int = field(default=3, validator=[instance_of(int), ge(2)])
    min_score: int = field(default=92, validator=[instance_of(int), ge(80), le(100)])

    def __call__(self, doc: Document) -> Document:
        doc = as_document(doc)
        lines = doc.lines
        heads = {
            position: h
            for position, line in enumerate(lines)
            if line.text[:1] in SLUG_START and len(h := ascii_head(line.text)) >= self.min_words
        }
        titles = [line for line in lines if line.label is Label.TITLE]
        if not heads and not titles:
            return doc
        found: dict[int, Removal] = {}  # by position, so the removals come in the page's order
        if heads:
            sources = _Sources([line for position, line in enumerate(lines) if position not in heads])
            for position, head in heads.items():
                line = lines[position]
                if line.label is not Label.TITLE and (removal := self._slug(line, head, sources)) is not None:
                    found[position] = removal
        if titles:
            title_forms = {normalize_phrase(t.text): t for t in titles}
            # A copy of the title is about as long as the title: skip the rest cheaply.
            title_lengths = {n for t in titles for n in range(len(t.text) - 8, len(t.text) + 9)}
            for position in [p for p, line in enumerate(lines) if len(line.text) in title_lengths]:
                line = lines[position]
                if not line.text or line.label is Label.TITLE or position in found:
                    continue
                original = title_forms.get(normalize_phrase(line.text))
                if original is None:
                    continue
                # Right under the title it is the headline printed twice; further
                # down it is alt text standing where an image was.
                above = position - 1
                while above >= 0 and not lines[above].text:
                    above -= 1
                if above >= 0 and lines[above].label is Label.TITLE:
                    label, where = Label.DUPLICATE, "right under it"
                else:
                    label, where = Label.SLUG, "as an image's alt text"
                evidence = f"repeats the title (line {original.index}) {where}"
                found[position] = Removal(line, self.name, label, "title-copy", evidence)
        return doc.remove([found[position] for position in sorted(found)])

    def _slug(self, line: Line, head: tuple[str, ...], sources: _Sources) -> Removal | None:
        if not sources.lines:
            return None
        found = None
        for k in range(len(head), self.min_words - 1, -1):  # the longest head that is a fold
            source = sources.exact(_bare(head[:k]), line.index)
            if source is not None:
                found = (k, source)
                break
        if found is None and len(head) >= 5 and self.min_score < 100:
            source = sources.near(_bare(head), line.index, self.min_score)
            if source is not None:
                found = (len(head), source)
        if found is None:
            return None
        k, source = found
        of = f"the ASCII fold of line {source.index} {preview(source.text, 50)}"
        if _bare(head[:k]) == _bare(line.text.replace("-", " ").split()):
            return Removal(line, self.name, Label.SLUG, "folded-copy", of)
        return Removal(line, self.name, Label.RELATED, "slug-prefix", f"starts with {of}, glued before a link")


_PUNCT = "\"'’‘“”.,:;!?()[]«»–—-|/"


def _bare(tokens: Iterable[str]) -> str:
    """Tokens joined with their punctuation dropped: "tin: mới" and "tin moi" compare by words alone."""
    return " ".join(bare for token in tokens if (bare := token.strip(_PUNCT)))


@functools.lru_cache(maxsize=LINE_CACHE)
def _folded_words(text: str) -> str:
    return _bare(fold(text).split())


# Slugs are made from titles and headlines; a line longer than this is a
# paragraph, and folding every paragraph of a page would cost for nothing.
SOURCE_MAX_CHARS = 300


class _Sources:
    """The folds of the lines a slug may copy, found by their first words."""

    def __init__(self, lines: list[Line]) -> None:
        self.lines: list[tuple[str, Line]] = []
        self.by_start: dict[str, list[tuple[str, Line]]] = defaultdict(list)
        for line in lines:
            text = line.text
            if text.isascii() or len(text) > SOURCE_MAX_CHARS:
                continue
            # A slug is made from a title or a headline, never from a paragraph.
            if line.label is not Label.TITLE and kind(text) not in (Kind.HEADLINE, Kind.TEXT):
                continue
            # Without diacritics to strip, a lower-case copy is no proof of a
            # slug (English text starts lines in lower case too).
            if fold(text) == text.casefold():
                continue
            folded = _folded_words(text)
            if not folded:
                continue
            self.lines.append((folded, line))
            self.by_start[" ".join(folded.split(" ", 2)[:2])].append((folded, line))

    def exact(self, candidate: str, index: int) -> Line | None:
        """A line whose fold is ``candidate`` or starts with it (as whole words)."""
        for folded, line in self.by_start.get(" ".join(candidate.split(" ", 2)[:2]), ()):
            if line.index != index and (folded == candidate or folded.startswith(candidate + " ")):
                return line
        return None

    def near(self, candidate: str, index: int, min_score: int) -> Line | None:
        """The line whose fold starts most like ``candidate`` (rapidfuzz ratio >= min_score), if any."""
        choices = {i: folded[: len(candidate) + 3] for i, (folded, line) in enumerate(self.lines) if line.index != index}
        best = process.extractOne(candidate, choices, scorer=fuzz.ratio, score_cutoff=min_score)
        return None if best is None else self.lines[best[2]][1]
