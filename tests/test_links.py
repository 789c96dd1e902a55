"""The near-duplicate search finds exactly the pairs a full pairwise comparison finds."""

from __future__ import annotations

import hypothesis.strategies as st
from hypothesis import example, given
from rapidfuzz import fuzz

from newsclean.stages.links import _near_pairs

headlines = st.lists(st.text(st.sampled_from("abc xyzđà "), min_size=0, max_size=30), max_size=20)


@given(headlines, st.integers(80, 100))
@example(["aa", "aaa"], 80)  # exactly at the length bound: 2 * 2 / 5 = 80
def test_near_pairs_equal_the_full_pairwise_comparison(keys: list[str], min_score: int) -> None:
    every = [
        (a, b)
        for a in range(len(keys))
        for b in range(a + 1, len(keys))
        if fuzz.ratio(keys[a], keys[b], score_cutoff=min_score)
    ]
    assert _near_pairs(keys, min_score) == every
