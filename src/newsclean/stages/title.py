"""Title: find the article's headline and mark it, so it is kept and known to the stages after.

A dump seldom says which line is the title. It is the headline-like line
just above where the body starts that shares the most words with the body's
opening; a line whose ASCII fold recurs as a slug elsewhere is the title
for sure; a title the reader found in the markup (``metadata["title"]``)
wins over both. A short kicker ending in ":" right above the title
("LĐLĐ quận Long Biên:") belongs to it.
"""

from __future__ import annotations

import re
from typing import ClassVar

from attrs import field, frozen
from attrs.validators import ge, instance_of
from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq

from newsclean.core import Document, Label, Line
from newsclean.pipeline import as_document, register
from newsclean.profiles import Profile, normalize_phrase, phrase_of
from newsclean.stages._common import profile_for
from newsclean.structure import Kind, body_segments, kind
from newsclean.text import SLUG_START, ascii_head, content_words, fold, shape

__all__ = ["Title"]

OPENING_CHARS = 300
DECK_SHARE = 0.5
# What a partial match with the markup title gives up against a whole one.
PARTIAL_PENALTY = 5
# A partial match must cover this share of the markup title's longest part between separators:
# "Climate Clock", a subheading, is found whole in "The Climate Clock started: seven years left -
# Site", and is not its headline; "Lift in the clouds" is the headline of "Lift in the clouds | Life | Site".
PARTIAL_COVER = 0.4
_TITLE_PARTS = re.compile(r"\s+(?:[|–—»·:-]|::)\s+")


@register
@frozen
class Title:
    """Mark the title line(s) of the article as ``TITLE``.

    Keeps: every line (it only labels); a title already marked.

    Args:
        language: the profile to use ("" takes the page's).
        window: how many lines above the body's start may hold the title (one- and two-word
            lines and dates are not counted: menus and share bars stand between title and body).
        min_score: how alike (0-100) a line and ``metadata["title"]`` must be.

    >>> doc = Title()(Document.from_text("Home\\nCouncil approves new city budget\\nThe council approved the city budget on Monday after a long debate."))
    >>> doc.title
    'Council approves new city budget'
    """

    name: ClassVar[str] = "title"
    language: str = field(default="", validator=instance_of(str))
    window: int = field(default=15, validator=[instance_of(int), ge(1)])
    min_score: int = field(default=85, validator=[instance_of(int), ge(0)])

    def __call__(self, doc: Document) -> Document:
        doc = as_document(doc)
        if any(line.label is Label.TITLE for line in doc.lines):
            return doc
        lines = [line for line in doc.lines if line.text]
        if not lines:
            return doc
        profile = profile_for(self.language, doc)
        found = self._from_metadata(doc, lines)
        if found is None:
            found = self._from_structure(lines, profile)
        if found is None:
            return doc
        chosen = {found}
        position = next(i for i, line in enumerate(lines) if line.index == found)
        if position > 0 and _is_kicker(lines[position - 1].text):
            chosen.add(lines[position - 1].index)
        if lines[position].text.rstrip().endswith(":") and position + 1 < len(lines):
            follower = lines[position + 1].text
            if kind(follower) is Kind.HEADLINE:
                chosen.add(lines[position + 1].index)
        return doc.relabel({i: Label.TITLE for i in chosen})

    def _from_metadata(self, doc: Document, lines: list[Line]) -> int | None:
        title = doc.metadata.get("title")
        if not isinstance(title, str) or not title.strip():
            return None
        target = normalize_phrase(title)
        if not target:
            return None  # a title of decoration alone (" — ") names no line
        cover = PARTIAL_COVER * max(map(len, _TITLE_PARTS.split(target)))
        best, best_score = None, float(self.min_score)
        for line in lines[: max(len(lines) // 2, self.window)]:
            text = normalize_phrase(line.text)
            # Only a score above the best so far counts: rapidfuzz stops early below a cutoff
            # and answers 0, which counts no more than the score it spared.
            score = fuzz.ratio(text, target, score_cutoff=best_score)
            if score < 100 and shape(line.text).n_words >= 3 and len(text) >= cover:
                # The markup title often carries the site's name after a bar.
                cutoff = best_score + PARTIAL_PENALTY
                if _may_contain(text, target, cutoff):
                    # Less than a point for how little of the title it covers: between two parts found
                    # whole ("Budget passes - City Blog - Paper"), the longer is the headline.
                    shortfall = 1 - min(len(text) / len(target), 1.0)
                    score = max(score, fuzz.partial_ratio(text, target, score_cutoff=cutoff) - PARTIAL_PENALTY - shortfall)
            if score > best_score:
                best, best_score = line.index, score
                if best_score >= 100:
                    break  # no line can score higher
        return best

    def _from_structure(self, lines: list[Line], profile: Profile) -> int | None:
        kinds = [kind(line.text) for line in lines]
        segments = body_segments(kinds, [shape(line.text).n_words for line in lines])
        if not segments:
            return None
        start = segments[0][0]
        if start + 1 < len(lines) and _headline_like(lines[start].text, kinds[start], profile) and kinds[start] is Kind.PROSE:
            # A question or an exclamation for a title reads as a sentence and
            # opens the body's stretch itself: look for the title from just below it.
            start += 1
        # The opening's first few hundred words are enough to know its subject.
        opening = frozenset().union(*(content_words(line.text[:OPENING_CHARS], profile.stopwords) for line in lines[start : start + 3]))
        slugs = _slug_heads(lines)
        scores: dict[int, float] = {}  # position -> score, for the lines that may be the title
        distance = 0  # lines of some length passed on the way up; menus and dates do not count
        credit = profile.caption_regex
        for position in range(start - 1, -1, -1):
            if kinds[position] in (Kind.SHORT, Kind.META, Kind.EMPTY):
                continue
            distance += 1
            if distance > self.window:
                break
            line = lines[position]
            if not _headline_like(line.text, kinds[position], profile):
                continue
            if credit is not None and credit.search(line.text):
                continue  # a photo's caption names the story's people too
            own = content_words(line.text, profile.stopwords)
            if not own:
                continue
            score = len(own & opening) / len(own) - 0.02 * distance
            if fold(line.text) in slugs:
                score += 1.0
            if score > 0:
                scores[position] = score
        if not scores:
            return None
        best = max(scores, key=scores.__getitem__)
        # A title is followed by its deck, which restates the story in more of
        # the body's words: a headline right above the best one that is nearly
        # as good is the title, and the best one its deck.
        above = best - 1
        if scores.get(above, 0.0) >= DECK_SHARE * scores[best]:
            best = above
        return lines[best].index


def _may_contain(text: str, target: str, cutoff: float) -> bool:
    """Whether ``fuzz.partial_ratio(text, target)`` can reach ``cutoff``, told from their longest common subsequence.

    partial_ratio compares the shorter string, of length m, with pieces of
    the longer one; a piece shares at most L = the LCS of the whole strings
    with it, so no piece scores above 200 L / (m + L). Unrelated lines fall
    far short of that bound, and the LCS costs a tenth of partial_ratio.
    """
    common = LCSseq.similarity(text, target)
    shorter = min(len(text), len(target))
    # A hair of slack for the rounding of rapidfuzz's own division.
    return 200 * common >= (cutoff - 1e-6) * (shorter + common)


def _headline_like(text: str, k: Kind, profile: Profile) -> bool:
    if k is Kind.HEADLINE:
        pass
    elif k is Kind.PROSE and shape(text).n_words <= 25 and text.rstrip()[-1:] in "?!":
        pass
    else:
        return False
    if text.rstrip().endswith("|"):  # a table cell: a link in a list
        return False
    phrase = phrase_of(text)
    return phrase is None or (phrase not in profile.recommendation_markers and phrase not in profile.nav_phrases)


def _is_kicker(text: str) -> bool:
    s = shape(text)
    return text.rstrip().endswith(":") and 1 <= s.n_words <= 10 and not s.has_date


def _slug_heads(lines: list[Line]) -> set[str]:
    """Every slug-like run of 3+ words that opens a line: a slug's source is the title."""
    return {" ".join(head) for line in lines if line.text[:1] in SLUG_START and len(head := ascii_head(line.text)) >= 3}
