"""Language detection: the fast ``detect_language`` decides as the plain reading of its rule does."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import hypothesis.strategies as st
from hypothesis import example, given

from newsclean import Document
from newsclean.profiles import _words, available_languages, detect_language, load_profile
from newsclean.stages import DetectLanguage


def plain_detect(lines: Iterable[str], min_hits: int = 3, min_share: float = 0.05) -> str | None:
    """The rule written the slow, obvious way: read whole lines until 2,000 words, count each profile's stopwords."""
    words: list[str] = []
    for line in lines:
        words += re.findall(r"\w+", line.casefold())
        if len(words) >= 2000:
            break
    counts = Counter(words)
    best, best_hits = None, 0
    for language in available_languages():
        hits = sum(counts[w] for w in load_profile(language).stopwords)
        if hits > best_hits:  # strictly: on a tie the earlier language keeps it
            best, best_hits = language, hits
    if best_hits < min_hits or best_hits < min_share * len(words):
        return None
    return best


STOPWORDS = sorted({w for language in available_languages() for w in load_profile(language).stopwords})

# Words that tip a page: stopwords (shared ones too, in any case), other words, digits,
# and the characters that split or join words (ASCII and typographic punctuation, '_').
tokens = st.one_of(
    st.sampled_from(STOPWORDS),
    st.sampled_from(STOPWORDS).map(str.upper),
    st.sampled_from(["Straße", "ǰa", "İstanbul", "K", "façade", "naïve", "don’t", "snake_case", "2024", "x²"]),
    st.text(min_size=1, max_size=8),
)
separators = st.sampled_from([" ", "  ", ", ", ". ", "—", "’", "\u00a0", "\t", "-", "_", "“", "\x1e"])


@st.composite
def pages(draw: st.DrawFn) -> list[str]:
    """Lines of drawn words; some lines repeat a phrase hundreds of times, so the 2,000-word limit falls anywhere."""
    lines = []
    for _ in range(draw(st.integers(0, 12))):
        phrase = "".join(draw(tokens) + draw(separators) for _ in range(draw(st.integers(0, 6))))
        lines.append(phrase * draw(st.sampled_from([1, 1, 2, 50, 400])))
    return lines


@given(lines=pages(), min_hits=st.integers(0, 5), min_share=st.sampled_from([0.0, 0.05, 0.3]))
@example(lines=[], min_hits=0, min_share=0.0)
@example(lines=["12345", "???"], min_hits=0, min_share=0.0)
def test_detect_language_decides_as_the_plain_rule(lines: list[str], min_hits: int, min_share: float) -> None:
    assert detect_language(lines, min_hits, min_share) == plain_detect(lines, min_hits, min_share)


@given(line=st.one_of(st.text(st.characters(max_codepoint=127)), st.text()))
@example(line="".join(map(chr, range(128))))
@example(line="Straße ǰa İ K \ud800_x")
def test_words_are_the_regex_words_of_the_casefolded_line(line: str) -> None:
    assert _words(line) == re.findall(r"\w+", line.casefold())


def test_detect_language_reads_whole_lines_until_2000_words() -> None:
    filler = "xyz " * 1994
    german = "der die und " * 100
    # 1,994 + 6 = 2,000 words: the limit is reached at the end of the English line; the German one is not read.
    assert detect_language([filler, "the and of " * 2, german], min_share=0.0) == "en"
    # 1,994 + 3 words: still under the limit, so the German line is read and outweighs the English.
    assert detect_language([filler, "the and of", german], min_share=0.0) == "de"
    # The line that crosses the limit counts whole: cut at 2,000 words it would be 4 'the' to 2 'der'.
    assert detect_language([filler, "the " * 4 + "der " * 5], min_share=0.0) == "de"


def test_detect_language_gives_a_tie_to_the_first_language() -> None:
    # 'der' is German only, 'the' English only: one each, and German sorts first.
    assert detect_language(["der the zzz"], min_hits=1) == "de"


def test_stage_records_the_detected_language() -> None:
    lines = ["The city council approved the budget on Monday after a debate that ran for hours."]
    assert DetectLanguage()(Document.from_text("\n".join(lines))).metadata["language"] == detect_language(lines) == "en"
