"""Recommendation blocks: a marker line ("Tin khác", "Related") and the run of headlines and teasers under it.

A block ends where its structure ends, not at a word count: teasers can be
as long as paragraphs. Under a marker, headlines, dates and short lines
belong to the block; a sentence belongs to it as a *teaser* when it follows
a headline and is followed by another headline (or the page's end), the
rhythm of a teaser list. Two sentences in a row mean the body has resumed,
and the block ends before them. A title ends a block too.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import ClassVar

from attrs import field, frozen
from attrs.validators import instance_of

from newsclean.core import Document, Label, Line
from newsclean.pipeline import as_document, register
from newsclean.profiles import PHRASE_MAX_CHARS, Profile, normalize_phrase, phrase_of
from newsclean.stages._common import Found, lines_before, preview, profile_for, profiles_in_play, remove_kept
from newsclean.structure import Kind, kind
from newsclean.text import LINE_CACHE

__all__ = ["RecommendationBlocks"]


def _phrase_set(values: frozenset[str]) -> frozenset[str]:
    return frozenset(normalize_phrase(v) for v in values)


@functools.cache
def _markers(profile: Profile, extra: frozenset[str], english: bool) -> frozenset[str]:
    return frozenset().union(extra, *(p.recommendation_markers for p in profiles_in_play(profile, english)))


@register
@frozen
class RecommendationBlocks:
    """Remove marker lines and the block of headlines and teasers each one opens.

    Also removes a line that opens with a marker and goes on as a headline
    ("Xem thêm: <headline>", "Read more » <headline>"): a related link.

    Keeps: a marker phrase inside a sentence; the body when it resumes after
    a block (two sentences in a row); the title.

    Args:
        language: the profile to use ("" takes the page's).
        extra_markers: more marker phrases, for a site's own labels.
        english_markers: also take English markers on pages in other languages.

    >>> text = "Bài viết dài, với nhiều câu văn đầy đủ ở đây.\\nTin khác\\nMột tiêu đề ngắn\\nMột tiêu đề khác"
    >>> doc = RecommendationBlocks(language="vi")(Document.from_text(text))
    >>> [(r.line.index, r.rule) for r in doc.removed]
    [(1, 'marker'), (2, 'under-marker'), (3, 'under-marker')]
    """

    name: ClassVar[str] = "recommendation_blocks"
    language: str = field(default="", validator=instance_of(str))
    extra_markers: frozenset[str] = field(default=frozenset(), converter=_phrase_set)
    english_markers: bool = field(default=True, validator=instance_of(bool))

    def __call__(self, doc: Document) -> Document:
        doc = as_document(doc)
        markers = _markers(profile_for(self.language, doc), self.extra_markers, self.english_markers)
        lines = lines_before(doc, self.name)
        is_marker = []
        found: Found = {}
        for line in lines:
            marked, head = _marker_info(line.text, markers) if line.label is not Label.TITLE else (False, None)
            is_marker.append(marked)
            if head:
                found[line.index] = (Label.RELATED, "marker-prefix", f"a link behind the marker {preview(head, 30)}")
        if not any(is_marker):
            return remove_kept(doc, self.name, found)
        kinds = [kind(line.text) for line in lines]
        taken: set[int] = set()
        for p, line in enumerate(lines):
            if not is_marker[p] or p in taken:
                continue
            marker = line
            where = f"under marker {preview(marker.text, 40)} (line {marker.index})"
            evidence = {"under-marker": where, "teaser": f"a teaser in a list of headlines, {where}"}
            taken.add(p)
            found[line.index] = (Label.RECOMMENDATION, "marker", f"marker {preview(line.text, 40)}")
            for j, rule in _block(lines, kinds, is_marker, p):
                taken.add(j)
                found[lines[j].index] = (Label.RECOMMENDATION, rule, evidence[rule])
        return remove_kept(doc, self.name, found)


_PREFIX_END = re.compile(r"\s*(?::|>>|»|›|\|)\s*")
# A one-character class is scanned for far faster than _PREFIX_END, which may
# start at any space: most lines have none of these near their start.
_PREFIX_HINT = re.compile(r"[:>»›|]")


@functools.lru_cache(maxsize=LINE_CACHE)
def _marker_info(text: str, markers: frozenset[str]) -> tuple[bool, str | None]:
    """Whether a line is a marker, else the marker it opens with (cached per text: sites repeat their boxes)."""
    if phrase_of(text) in markers:
        return True, None
    return False, _marker_prefix(text, markers)


def _marker_prefix(text: str, markers: frozenset[str]) -> str | None:
    """The marker a line opens with ("Xem thêm: <headline>", "Read more » <headline>"), if it is one.

    The rest must read as a headline, not a paragraph: a sentence may start
    with "Read more" too.
    """
    if _PREFIX_HINT.search(text, 0, PHRASE_MAX_CHARS + 4) is None:
        return None
    found = _PREFIX_END.search(text, 0, PHRASE_MAX_CHARS + 4)
    if found is None or found.end() >= len(text):
        return None
    head, rest = text[: found.start()], text[found.end() :]
    if normalize_phrase(head) not in markers or kind(rest) not in (Kind.HEADLINE, Kind.SHORT):
        return None
    return head


def _block(lines: list[Line], kinds: list[Kind], is_marker: list[bool], p: int) -> Iterator[tuple[int, str]]:
    """Yield ``(position, rule)`` for each line of the block the marker at ``p`` opens."""
    previous: Kind | None = None
    for j in range(p + 1, len(lines)):
        if lines[j].label is Label.TITLE:
            return
        if is_marker[j]:
            return  # the next marker opens its own block
        k = kinds[j]
        if k is Kind.PROSE:
            # The next marker ends this block as the page's end does.
            following = kinds[j + 1] if j + 1 < len(lines) and not is_marker[j + 1] else None
            # A sentence between headlines (or between a headline and the
            # page's end) is a teaser; so is a lone sentence closing the page
            # right under its marker.
            after_headline = previous in (Kind.HEADLINE, Kind.TEXT, Kind.META)
            if (after_headline and following is not Kind.PROSE) or (previous is None and following is None):
                yield j, "teaser"
                previous = k
                continue
            return
        yield j, "under-marker"
        previous = k
