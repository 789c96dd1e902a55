"""Comments: the readers' comment section under an article, from its marker to the page's end.

A comment section reads as prose, so the main-content view alone would
take it for more article. Its marker ("Add a Comment", "12 comments",
"Bình luận") gives it away; what follows it is readers' text and then the
footer, never the article. A marker near the top (a "Comments (4)" link by
the byline) opens nothing: the section must come after most of the
article, or look like one (dated entries between the paragraphs).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import ClassVar

from attrs import field, frozen
from attrs.validators import ge, instance_of, le

from newsclean.core import Document, Label, Line
from newsclean.pipeline import as_document, register
from newsclean.profiles import PHRASE_MAX_CHARS, Profile, normalize_phrase
from newsclean.stages._common import lines_before, preview, profile_for, profiles_in_play, remove_kept
from newsclean.structure import Kind, kind
from newsclean.text import LINE_CACHE, shape

__all__ = ["CommentSections"]

EARLY_SHARE = 0.2
_DIGIT = re.compile(r"\d")
_DIGIT_ON = re.compile(r"\d[^\n]*")  # from a line's first digit to its end
_WORD = re.compile(r"\w+")


@functools.cache
def _comment_markers(profiles: tuple[Profile, ...]) -> tuple[frozenset[str], re.Pattern[str] | None]:
    """The comment marker phrases of all ``profiles`` together, and their count patterns as one regex.

    One regex, as each profile's own are (so no two profiles may name a
    group alike): a page's lines with a digit are many, and one match each
    costs less than a match per profile.
    """
    phrases = frozenset().union(*(profile.comment_markers for profile in profiles))
    patterns = [pattern for profile in profiles for pattern in profile.comment_patterns]
    counts = re.compile("|".join(f"(?:{pattern})" for pattern in patterns), re.IGNORECASE) if patterns else None
    return phrases, counts


@functools.lru_cache(maxsize=LINE_CACHE)
def _marker(text: str, profiles: tuple[Profile, ...]) -> str | None:
    """"phrase" for a comment heading, "count" for a comment count ("12 comments"), else None."""
    if len(text) > PHRASE_MAX_CHARS:
        return None
    phrase = normalize_phrase(text)  # phrase_of, its length test done
    phrases, counts = _comment_markers(profiles)
    if phrase in phrases:
        return "phrase"
    if counts is None or not _DIGIT.search(text):
        return None  # every count pattern has its number
    if _is_count(text, counts):
        return "count"
    return None


def _is_count(text: str, counts: re.Pattern[str]) -> bool:
    plain = " ".join(text.casefold().split())  # patterns see the brackets the phrase form trims
    return counts.match(plain) is not None


@functools.cache
def _phrase_words(profiles: tuple[Profile, ...]) -> tuple[str, ...]:
    """The longest word of each comment marker phrase of ``profiles``.

    A line whose normal form is a phrase holds the phrase's words once
    casefolded: the normal form composes accents, casefolds, trims
    decoration and collapses spaces, none of which splits a word.
    """
    phrases, _counts = _comment_markers(profiles)
    return tuple(sorted({max(_WORD.findall(phrase), key=len, default="") for phrase in phrases}))


def _candidates(doc: Document, profiles: tuple[Profile, ...]) -> set[str]:
    """The texts of the lines, kept or removed, that may be comment markers: a superset, found page-wide.

    Most pages have no marker, and asking ``_marker`` of each of their few
    hundred lines cost more than the rest of the stage. Instead the short
    lines are casefolded together and searched for a word of each phrase
    (a handful of substring searches), and the lines with a digit are
    matched against the count patterns.
    """
    texts = [line.text for line in doc.lines if len(line.text) <= PHRASE_MAX_CHARS]
    texts += [r.line.text for r in doc.removed if len(r.line.text) <= PHRASE_MAX_CHARS]
    page = "\n".join(texts)
    if page.count("\n") >= len(texts):
        return set(texts)  # a line holds a line feed of its own: the page's lines cannot be told apart
    # As normalize_phrase does line by line: a line feed neither composes nor folds with its neighbours.
    folded = unicodedata.normalize("NFC", page).casefold()
    found = set()
    for word in _phrase_words(profiles):
        at = folded.find(word)
        while at >= 0:
            found.add(texts[folded.count("\n", 0, at)])
            end = folded.find("\n", at)
            at = folded.find(word, end) if end >= 0 else -1
    _phrases, counts = _comment_markers(profiles)
    if counts is not None:
        line, seen = 0, 0
        for digit in _DIGIT_ON.finditer(page):
            line += page.count("\n", seen, digit.start())
            seen = digit.start()
            if _is_count(texts[line], counts):
                found.add(texts[line])
    return found


@register
@frozen
class CommentSections:
    """Remove a comment section: its marker and every line after it.

    Keeps: everything above the marker; a marker that stands before most of
    the article's prose (a link by the byline), and a comment count ("12
    comments"), unless dated entries follow it.

    Args:
        language: the profile to use ("" takes the page's).
        min_before: the least share of the page's prose that must stand above the marker.

    >>> text = "Title\\nThe council passed the budget on Monday after a long debate.\\nIt takes effect in May, officials said.\\nAdd a comment\\nI think this is a terrible idea for the city."
    >>> [(r.line.index, r.label.value, r.rule) for r in CommentSections(language="en")(Document.from_text(text)).removed]
    [(3, 'comment', 'marker'), (4, 'comment', 'under-marker')]
    """

    name: ClassVar[str] = "comments"
    language: str = field(default="", validator=instance_of(str))
    min_before: float = field(default=0.5, converter=float, validator=[ge(0.0), le(1.0)])

    def __call__(self, doc: Document) -> Document:
        doc = as_document(doc)
        # The marker may already be gone inside a box another stage removed
        # ("Ý kiến (12)" under "Xem nhiều"), so look at every line; the
        # article's prose is what is still kept (or was taken by this stage).
        profiles = profiles_in_play(profile_for(self.language, doc))

        candidates = _candidates(doc, profiles)
        if not any(_marker(text, profiles) for text in candidates):
            return doc  # most pages have no comment marker at all

        def marker_of(line: Line) -> str | None:
            if line.text not in candidates or line.label is Label.TITLE:
                return None
            return _marker(line.text, profiles)

        article = {line.index for line in lines_before(doc, self.name)}
        lines = sorted(
            (line for line in (*doc.lines, *(r.line for r in doc.removed)) if line.text and line.label is not Label.BLANK),
            key=lambda line: line.index,
        )
        markers = {p: found for p, line in enumerate(lines) if (found := marker_of(line))}
        if not markers:
            return doc
        # Only the article's prose counts, and only what follows a marker is read for entries: the
        # lines other stages removed, most of a page read from HTML, need not be measured.
        prose = [shape(line.text).n_words if line.index in article and kind(line.text) is Kind.PROSE else 0 for line in lines]
        total = sum(prose)
        above = 0
        for p, line in enumerate(lines):
            found = markers.get(p) if above else None
            late = above >= self.min_before * total
            started = above >= EARLY_SHARE * total  # past a menu's "Opinions" or a byline's "12 comments"
            if found is not None and line.index not in article:
                # Inside a box already removed, a marker may be a menu's item
                # ("Opinie"): only one after most of the article counts.
                if late:
                    return remove_kept(doc, self.name, _section(lines, p))
            # A count ("80 Comments") is as often a link by the byline as the
            # section's heading: it needs the section's look.
            elif found == "count" and started and _entries(lines[p + 1 :]):
                return remove_kept(doc, self.name, _section(lines, p))
            elif found == "phrase" and (late or (started and _entries(lines[p + 1 :]))):
                return remove_kept(doc, self.name, _section(lines, p))
            above += prose[p]
        return doc


def _entries(lines: list[Line]) -> bool:
    """Whether what follows looks like comments: dates over the entries."""
    kinds = [kind(line.text) for line in lines]
    dated = sum(1 for a, b in zip(kinds, kinds[1:]) if a is Kind.META and b is not Kind.META)
    return dated >= 2


def _section(lines: list[Line], p: int) -> dict[int, tuple[Label, str, str]]:
    marker = lines[p]
    found = {marker.index: (Label.COMMENT, "marker", f"comment marker {preview(marker.text, 40)}")}
    where = f"under comment marker {preview(marker.text, 40)} (line {marker.index})"
    for line in lines[p + 1 :]:
        found[line.index] = (Label.COMMENT, "under-marker", where)
    return found
