"""The page-wide search for comment markers misses no line that ``_marker`` would take for one."""

from __future__ import annotations

import unicodedata

import hypothesis.strategies as st
from hypothesis import example, given

from newsclean import Document, Label
from newsclean.core import Line, Removal
from newsclean.profiles import available_languages, load_profile
from newsclean.stages._common import profiles_in_play
from newsclean.stages.comments import _candidates, _marker

PHRASES = sorted(set().union(*(load_profile(lang).comment_markers for lang in available_languages())))
COUNTS = ["12 comments", "9 replies", "99 respuestas", "Komentarze(9)", "3 Kommentare", "Bình luận (4)", "Comments (32)"]


@st.composite
def marker_like(draw: st.DrawFn) -> str:
    """A marker phrase or a count as a page may write it: its case, spacing, accents and decoration changed."""
    text = draw(st.sampled_from(PHRASES + COUNTS))
    text = "".join(c.upper() if draw(st.booleans()) else c for c in text)
    text = draw(st.sampled_from(" \t\u00a0\u2003\x1f")).join(text.split(" "))
    if draw(st.booleans()):
        text = unicodedata.normalize("NFD", text)
    before = draw(st.text(st.sampled_from(" :»›>|•-–…*#([«<\u2003"), max_size=3))
    after = draw(st.text(st.sampled_from(" :»›>|•-–…*#)]«<.\u2003"), max_size=4))
    return before + text + after


languages = st.sampled_from(["", *available_languages()])


@given(lines=st.lists(marker_like() | st.text(), max_size=12), removed=st.sets(st.integers(0, 11)), language=languages)
@example(lines=["Join the discussion..."], removed=set(), language="en")
@example(lines=["Ý KIẾN  (12)"], removed={0}, language="vi")
@example(lines=["Home", "9 replies"], removed=set(), language="en")  # a count holds no phrase's word
def test_candidates_hold_every_marker(lines: list[str], removed: set[int], language: str) -> None:
    profiles = profiles_in_play(load_profile(language))
    doc = Document.from_text("\n".join(lines))
    doc = doc.remove([Removal(line, "test", Label.NAV, "test") for line in doc.lines if line.index in removed])
    every = [line.text for line in (*doc.lines, *(r.line for r in doc.removed)) if _marker(line.text, profiles)]
    assert set(every) <= _candidates(doc, profiles)


def test_a_line_holding_a_line_feed_makes_every_short_line_a_candidate() -> None:
    profiles = profiles_in_play(load_profile("en"))
    doc = Document(lines=[Line(0, "12\nreplies"), Line(1, "Body.")])
    assert _marker("12\nreplies", profiles) == "count"
    assert _candidates(doc, profiles) == {"12\nreplies", "Body."}


def test_every_profile_s_count_patterns_join_into_one_regex() -> None:
    # The stage matches the count patterns of all profiles in play as one regex (every profile
    # when the page's language is unknown): a named group in two profiles would not compile.
    from newsclean.stages.comments import _comment_markers

    every = tuple(load_profile(lang) for lang in available_languages())
    _phrases, counts = _comment_markers(every)
    assert counts is not None and counts.match("12 comments") and counts.match("3 kommentare")
