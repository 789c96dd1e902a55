"""The body-stretch search against a plain restatement of its definition.

``structure._segments`` is on every page's hot path and written for speed;
the reference here is written for reading. They must agree on any page.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from newsclean.structure import TEASER_MIN_RUN, TEASER_PROSE_MAX_WORDS, Kind, body_segments, teaser_rhythm


def reference_teasers(kinds: list[Kind], n_words: list[int]) -> set[int]:
    candidates = [
        p
        for p in range(1, len(kinds) - 1)
        if kinds[p] is Kind.PROSE
        and n_words[p] <= TEASER_PROSE_MAX_WORDS
        and kinds[p - 1] in (Kind.HEADLINE, Kind.META)
        and kinds[p + 1] in (Kind.HEADLINE, Kind.META)
    ]
    runs: list[list[int]] = []
    for p in candidates:
        if runs and p - runs[-1][-1] <= 3:
            runs[-1].append(p)
        else:
            runs.append([p])
    return {p for run in runs if len(run) >= TEASER_MIN_RUN for p in run}


def reference_segments(kinds: list[Kind], n_words: list[int], penalty: float = 12.0, min_share: float = 0.5) -> list[tuple[int, int]]:
    teasers = reference_teasers(kinds, n_words)

    def score(p: int) -> float:
        k = kinds[p]
        if k is Kind.PROSE and p not in teasers:
            return float(min(n_words[p], 80))
        if k is Kind.EMPTY:
            return 0.0
        if k in (Kind.HEADLINE, Kind.TEXT, Kind.PROSE):
            return -penalty / 2
        return -penalty

    scores = [score(p) for p in range(len(kinds))]

    def best_in(lo: int, hi: int) -> tuple[int, int, float] | None:
        # The first maximal-sum segment, found as Kadane's scan finds it.
        best: tuple[int, int, float] | None = None
        total, start = 0.0, lo
        for i in range(lo, hi):
            if total <= 0:
                total, start = 0.0, i
            total += scores[i]
            if total > 0 and (best is None or total > best[2]):
                best = (start, i + 1, total)
        return best

    found: list[tuple[int, int]] = []
    best_total = None
    todo = [(0, len(scores))]
    while todo:
        lo, hi = todo.pop()
        segment = best_in(lo, hi)
        if segment is None:
            continue
        if best_total is None:
            best_total = segment[2]
        elif segment[2] < min_share * best_total:
            continue
        found.append(segment[:2])
        todo += [(lo, segment[0]), (segment[1], hi)]
    return sorted(found)


pages = st.lists(st.tuples(st.sampled_from(list(Kind)), st.integers(0, 120)), max_size=60)


@given(pages)
def test_body_segments_match_the_reference(page: list[tuple[Kind, int]]) -> None:
    kinds = [k for k, _ in page]
    n_words = [n for _, n in page]
    assert body_segments(kinds, n_words) == reference_segments(kinds, n_words)
    assert body_segments(kinds, n_words, penalty=4.0, min_share=0.2) == reference_segments(kinds, n_words, 4.0, 0.2)


@given(pages)
def test_teaser_rhythm_matches_the_reference(page: list[tuple[Kind, int]]) -> None:
    kinds = [k for k, _ in page]
    n_words = [n for _, n in page]
    assert teaser_rhythm(kinds, n_words) == reference_teasers(kinds, n_words)


def test_a_teaser_list_does_not_count_as_body() -> None:
    H, P = Kind.HEADLINE, Kind.PROSE
    kinds = [H, P, H, P, H, P, H, P, P, P]
    n_words = [6, 20, 6, 20, 6, 20, 6, 30, 30, 30]
    assert body_segments(kinds, n_words) == [(7, 10)]
