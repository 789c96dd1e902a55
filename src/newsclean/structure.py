"""What each line of a page is by its form, and where the article body lies.

The detectors share this reading of a page: a line is *prose* (a sentence or
more), a *headline* (a title-like run of words without a closing mark), *meta*
(a date, a time, a category stamp), *short* (one or two words) or *empty*.
The body is the stretch of the page densest in prose, found as a maximum-sum
segment: a prose line counts for its words, any other line against them.
This is language-independent; a profile only sharpens it (stopwords).

>>> kinds = [kind(t) for t in ["Home", "Council approves the new budget", "The council voted on Monday to approve it."]]
>>> [k.name for k in kinds]
['SHORT', 'HEADLINE', 'PROSE']
>>> kind("Rain, snow and graupel on a spring...").name
'HEADLINE'
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Sequence

from newsclean.text import LINE_CACHE, shape, words

__all__ = ["Kind", "body_segments", "glued_boundary", "kind", "teaser_rhythm"]


class Kind(enum.IntEnum):
    """The form of a line.

    An IntEnum so that a page's kinds hash as plain ints (a tuple of them keys
    the body-stretch cache); compare kinds with ``is``, never by their numbers.
    """

    EMPTY = 0
    SHORT = 1  # one or two words: menus, labels, names
    META = 2  # dates, times, counters: "Hoạt động 21/11/2024 08:42"
    HEADLINE = 3  # title-like: words without a closing mark
    TEXT = 4  # long, but without a closing mark: a glued list, a caption, a paragraph cut short
    PROSE = 5  # ends like a sentence and is long enough to be one


# A sentence needs this many words to count as prose. Six keeps "Trump wins."
# (a headline) out and "The council voted to approve it." in.
PROSE_MIN_WORDS = 6
# A headline longer than this is no headline: long runs without a closing
# mark are glued link lists, captions or cut paragraphs.
HEADLINE_MAX_WORDS = 30
# A line this short that trails off in an ellipsis is a teaser cut to fit a
# box, not a sentence; a long paragraph may end in one ("đạt 112,6%...").
TEASER_MAX_WORDS = 16
_CUT = re.compile(r"""(?:\.\s?\.\s?\.|…)[\s"'”’»)\]]*$""")


@functools.lru_cache(maxsize=LINE_CACHE)
def kind(text: str) -> Kind:
    """The Kind of one line, from its form alone (cached)."""
    s = shape(text)
    if s.n_words == 0:
        return Kind.EMPTY
    if s.has_date and s.n_words <= 8 and not s.sentence_end:
        return Kind.META
    if s.sentence_end and s.n_words >= PROSE_MIN_WORDS:
        if s.n_words < TEASER_MAX_WORDS and _CUT.search(text):
            return Kind.HEADLINE  # "Rain, snow and graupel on a spring...": a teaser cut short
        return Kind.PROSE
    if s.n_words <= 2:
        return Kind.SHORT
    if s.n_words > HEADLINE_MAX_WORDS:
        return Kind.TEXT
    return Kind.HEADLINE


_SENTENCE_MARK = re.compile(r"[.!?…:;,\"'”’»)\]|–—-]$")


def glued_boundary(text: str, stopwords: frozenset[str]) -> bool:
    """Whether two titles seem glued into one line: a capitalised stopword after a word with no mark.

    "... đoàn viên Nhiều hoạt động ..." or "... from home The couple ...": a
    function word starts a sentence only after a full stop, so one that is
    capitalised with no mark before it starts a second title.

    >>> glued_boundary("Council approves budget The mayor resigns", frozenset({"the"}))
    True
    >>> glued_boundary("The mayor resigns. The council votes.", frozenset({"the"}))
    False
    """
    ws = words(text)
    if len(ws) < 4 or not stopwords:
        return False
    tokens = text.split()
    for prev, word, following in zip(tokens, tokens[1:], tokens[2:] + [""]):
        bare = word.casefold().strip("\"'“‘(«")
        if not word[:1].isupper() or bare not in stopwords or _SENTENCE_MARK.search(prev):
            continue
        if following[:1].isupper():
            continue  # "tỉnh Đồng Nai", "New York": a name that starts with a function word
        if len(bare) == 1 and not prev[:1].isdigit():
            continue  # "vitamin A"
        if prev[:1].islower() or prev[:1].isdigit():
            return True
    return False


def body_segments(
    kinds: Sequence[Kind],
    n_words: Sequence[int],
    penalty: float = 12.0,
    min_share: float = 0.5,
) -> list[tuple[int, int]]:
    """The stretches of a page that hold its body, as ``(start, end)`` positions, end exclusive.

    Each prose line scores its word count (capped, so one huge paragraph does
    not swallow the page), each other non-empty line ``-penalty`` (headlines
    and text lines half as much: articles have subheadings). Short sentences
    in a teaser rhythm (headline, sentence, headline, sentence, ...) score as
    headlines: a list of teasers is not more article. The best segment is the
    body; another joins it when it scores at least ``min_share`` of the best
    (an article split by a box of links).

    Args:
        kinds: the Kind of each line, in order.
        n_words: the word count of each line.
        penalty: what a non-prose line costs, in words.
        min_share: how good another segment must be, relative to the best.
    """
    # Stages that see the same lines (nothing removed between them) ask the
    # same question: remember the last few answers by the page's shape.
    return list(_segments(tuple(kinds), tuple(n_words), penalty, min_share))


@functools.lru_cache(maxsize=64)
def _segments(kinds: tuple[Kind, ...], n_words: tuple[int, ...], penalty: float, min_share: float) -> tuple[tuple[int, int], ...]:
    # Every line scores by its kind; then the prose lines that are not
    # teasers score their words. Pages are mostly prose or mostly not, so
    # walking the prose positions alone saves a pass of branches per line.
    by_kind = (0.0, -penalty, -penalty, -penalty / 2, -penalty / 2, -penalty / 2)  # indexed by Kind
    scores = [by_kind[k] for k in kinds]
    prose = [p for p, k in enumerate(kinds) if k is Kind.PROSE]
    teasers = _teasers(kinds, n_words, prose)
    for p in prose:
        if p not in teasers:
            scores[p] = float(min(n_words[p], 80))
    segments: list[tuple[int, int]] = []
    best_score = None
    remaining = [(0, len(scores))]
    while remaining:
        lo, hi = remaining.pop()
        found = _max_segment(scores, lo, hi)
        if found is None:
            continue
        start, end, total = found
        if best_score is None:
            best_score = total
        elif total < min_share * best_score:
            continue
        segments.append((start, end))
        remaining += [(lo, start), (end, hi)]
    return tuple(sorted(segments))


# A teaser is a sentence or two; an article's paragraph under a subheading
# is usually longer, and listicles' items longer still.
TEASER_PROSE_MAX_WORDS = 40
TEASER_MIN_RUN = 3


def teaser_rhythm(kinds: Sequence[Kind], n_words: Sequence[int]) -> set[int]:
    """Positions of short sentences standing each between headlines, three or more in a row.

    >>> H, P = Kind.HEADLINE, Kind.PROSE
    >>> sorted(teaser_rhythm([H, P, H, P, H, P, H], [5, 20, 5, 20, 5, 20, 5]))
    [1, 3, 5]
    """
    return _teasers(kinds, n_words, [p for p, k in enumerate(kinds) if k is Kind.PROSE])


_AROUND_TEASER = (Kind.HEADLINE, Kind.META)


def _teasers(kinds: Sequence[Kind], n_words: Sequence[int], prose: list[int]) -> set[int]:
    """``teaser_rhythm``, given the positions of the prose lines."""
    last = len(kinds) - 1
    candidates = [
        p
        for p in prose
        if 0 < p < last and n_words[p] <= TEASER_PROSE_MAX_WORDS and kinds[p - 1] in _AROUND_TEASER and kinds[p + 1] in _AROUND_TEASER
    ]
    if len(candidates) < TEASER_MIN_RUN:
        return set()
    found: set[int] = set()
    run: list[int] = []
    for p in candidates + [len(kinds) + TEASER_MIN_RUN * 4]:  # a sentinel far past the end closes the last run
        if run and p - run[-1] > 3:  # more than a headline and a date stamp between them
            if len(run) >= TEASER_MIN_RUN:
                found.update(run)
            run = []
        run.append(p)
    return found


def _max_segment(scores: Sequence[float], lo: int, hi: int) -> tuple[int, int, float] | None:
    """Kadane's maximum-sum segment of scores[lo:hi], or None when nothing scores above zero."""
    best, best_start, best_end = 0.0, lo, lo
    total, start = 0.0, lo
    for i in range(lo, hi):
        if total <= 0:
            total, start = 0.0, i
        total += scores[i]
        if total > best:
            best, best_start, best_end = total, start, i + 1
    if best <= 0:
        return None
    return best_start, best_end, best
