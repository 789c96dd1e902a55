"""Per-language profiles: marker phrases, caption and byline patterns, stopwords, as data files.

Each ``LANG.toml`` beside this module is one profile. A profile is data, not
code: adding a language is adding a file (see ``docs/languages.md``).
Detectors use a profile where one fits the page and fall back to the page's
structure alone where none does (``Profile.generic()``).

>>> vi = load_profile("vi")
>>> "tin khác" in vi.recommendation_markers
True
>>> detect_language(["Theo đó, các cấp công đoàn đã tổ chức nhiều hoạt động cho người lao động."])
'vi'
>>> detect_language(["12345", "???"]) is None
True
"""

from __future__ import annotations

import functools
import re
import string
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Iterable
from importlib import resources

from attrs import field, frozen

from newsclean.errors import ConfigError
from newsclean.text import LINE_CACHE

__all__ = ["Profile", "available_languages", "detect_language", "load_profile", "normalize_phrase", "phrase_of"]

# Trailing decoration around a marker line: "Tin khác:", "Related »", "READ MORE ›".
_DECORATION = " \t\u00a0:：»›>|•·-–—…/\\*#()[]«‹<"


@functools.lru_cache(maxsize=LINE_CACHE)
def normalize_phrase(text: str) -> str:
    """The form marker phrases are compared in: NFC, casefolded, decoration trimmed, spaces collapsed.

    >>> normalize_phrase("  TIN KHÁC » ")
    'tin khác'
    >>> normalize_phrase("Lee también...")  # an ellipsis typed as three dots is decoration too
    'lee también'
    """
    text = unicodedata.normalize("NFC", text).casefold().strip(_DECORATION)
    if text.endswith("..."):
        text = text.rstrip(".").strip(_DECORATION)
    return " ".join(text.split())


# No marker or menu phrase is longer than this; longer lines skip the lookup.
PHRASE_MAX_CHARS = 60


def phrase_of(text: str) -> str | None:
    """``normalize_phrase(text)`` for a line short enough to be a marker or menu phrase, else None."""
    return normalize_phrase(text) if len(text) <= PHRASE_MAX_CHARS else None


def _phrases(values: Iterable[str]) -> frozenset[str]:
    return frozenset(normalize_phrase(v) for v in values)


def _casefolded(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(v.casefold() for v in values)


# A profile keys the per-line caches, looked up several times for every line:
# identity equality makes that hash a C call. load_profile and generic() hand
# out one instance per language, so equal profiles are the same object.
@frozen(eq=False)
class Profile:
    """What newsclean knows of one language.

    Args:
        language: ISO 639-1 code ("vi"); "" for the generic profile.
        name: the language's English name.
        diacritics: whether the language writes Latin letters with diacritics,
            so an ASCII-folded copy of a line (a slug) is a sign of boilerplate.
        recommendation_markers: lines that open a block of teasers ("tin khác").
        nav_phrases: short lines that are page furniture ("trang chủ", "share").
        comment_markers: lines that open the readers' comments ("bình luận", "add a comment").
        comment_patterns: regexes (case-insensitive, whole line) that do the same ("12 comments").
        caption_patterns: regexes (case-insensitive) that mark a photo caption.
        byline_patterns: regexes (case-insensitive, matched from the line's start) for author, source and date lines.
        footer_patterns: regexes (case-insensitive, matched from the line's start) for footer, tag and imprint lines.
        footer_phrases: phrases that make a line a footer wherever they stand in it ("all rights reserved").
        stopwords: the language's most frequent function words.
    """

    language: str = ""
    name: str = "generic"
    diacritics: bool = False
    recommendation_markers: frozenset[str] = field(default=frozenset(), converter=_phrases)
    nav_phrases: frozenset[str] = field(default=frozenset(), converter=_phrases)
    comment_markers: frozenset[str] = field(default=frozenset(), converter=_phrases)
    comment_patterns: tuple[str, ...] = field(default=(), converter=tuple)
    caption_patterns: tuple[str, ...] = field(default=(), converter=tuple)
    byline_patterns: tuple[str, ...] = field(default=(), converter=tuple)
    footer_patterns: tuple[str, ...] = field(default=(), converter=tuple)
    footer_phrases: tuple[str, ...] = field(default=(), converter=_casefolded)
    stopwords: frozenset[str] = field(default=frozenset(), converter=frozenset)

    @classmethod
    def generic(cls) -> Profile:
        """The profile for a page in no known language: structure alone (always the same object)."""
        return _generic()

    @property
    def caption_regex(self) -> re.Pattern[str] | None:
        """The caption patterns as one compiled regex (None when there are none)."""
        return _compile(self.caption_patterns)

    @property
    def footer_regex(self) -> re.Pattern[str] | None:
        """The footer patterns as one compiled regex (None when there are none)."""
        return _compile(self.footer_patterns)

    @property
    def comment_regex(self) -> re.Pattern[str] | None:
        """The comment patterns as one compiled regex (None when there are none)."""
        return _compile(self.comment_patterns)

    @property
    def byline_regex(self) -> re.Pattern[str] | None:
        """The byline patterns as one compiled regex (None when there are none)."""
        return _compile(self.byline_patterns)


@functools.cache
def _compile(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


@functools.cache
def available_languages() -> tuple[str, ...]:
    """The languages with a profile file, sorted."""
    files = resources.files(__name__).iterdir()
    return tuple(sorted(f.name[:-5] for f in files if f.name.endswith(".toml")))


@functools.cache
def _generic() -> Profile:
    return Profile()


@functools.cache
def load_profile(language: str | None) -> Profile:
    """The profile for ``language`` (None or "": the generic one).

    Raises ConfigError naming the languages that have a profile.
    """
    if not language:
        return Profile.generic()
    language = language.lower()
    if language not in available_languages():
        raise ConfigError(
            f"no profile for language {language!r}", "profiles", f"one of: {', '.join(available_languages())}"
        )
    data = tomllib.loads(resources.files(__name__).joinpath(f"{language}.toml").read_text(encoding="utf-8"))
    try:
        profile = Profile(**data)
    except TypeError as exc:
        raise ConfigError(str(exc), f"profiles/{language}.toml", "the keys of Profile") from None
    for pattern in profile.caption_patterns + profile.byline_patterns + profile.comment_patterns + profile.footer_patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"bad pattern {pattern!r} ({exc})", f"profiles/{language}.toml") from None
    return profile


_WORD = re.compile(r"\w+")

# On ASCII text \w is [A-Za-z0-9_] and casefold() is lower(): this table lowers the letters and turns
# every other byte that is not a word character into a space, so that str.split() finds the words.
_ASCII_NON_WORD = bytes(b for b in range(128) if not _WORD.fullmatch(chr(b)))
_ASCII_WORDS = bytes.maketrans(
    string.ascii_uppercase.encode() + _ASCII_NON_WORD, string.ascii_lowercase.encode() + b" " * len(_ASCII_NON_WORD)
)


def _words(line: str) -> list[str]:
    """``_WORD.findall(line.casefold())``: the same words in the same order, without the regex on an ASCII line.

    >>> _words("Don't stop_now, OK?"), _words("Straße ǰa")
    (['don', 't', 'stop_now', 'ok'], ['strasse', 'j', 'a'])
    """
    if line.isascii():
        return line.encode().translate(_ASCII_WORDS).decode().split()
    return _WORD.findall(line.casefold())


# detect_language reads the page up to the line that brings it to this many words.
_SAMPLE_WORDS = 2000


@functools.cache
def _stopword_languages() -> dict[str, tuple[int, ...]]:
    """Every profile's stopwords, each with the positions in ``available_languages()`` of the profiles that list it.

    One lookup per word of the page then scores every language at once.
    """
    owners: dict[str, list[int]] = {}
    for position, language in enumerate(available_languages()):
        for word in load_profile(language).stopwords:
            owners.setdefault(word, []).append(position)
    return {word: tuple(positions) for word, positions in owners.items()}


def detect_language(lines: Iterable[str], min_hits: int = 3, min_share: float = 0.05) -> str | None:
    """The profile language whose stopwords are densest in ``lines``, or None when none is dense enough.

    Cheap on purpose (it runs on every page): a stopword count over at most
    the first ~2,000 words. On a tie the first language in ``available_languages()`` wins.

    Args:
        lines: the page's lines.
        min_hits: fewest stopword hits for a verdict.
        min_share: least share of words that must be stopwords.
    """
    # No earlier stop once a leader is certain: the share test needs the number
    # of words read, which only the line reaching the limit settles, and a lead
    # must outgrow every word still unread. On the dev pages such a stop would
    # skip 2% of the words (17% even knowing how many remain).
    words: list[str] = []
    for line in lines:
        words += _words(line)
        if len(words) >= _SAMPLE_WORDS:
            break
    owners = _stopword_languages()
    hits = [0] * len(available_languages())
    for word, count in Counter(filter(owners.__contains__, words)).items():
        for position in owners[word]:
            hits[position] += count
    best_hits = max(hits, default=0)
    if not best_hits or best_hits < min_hits or best_hits < min_share * len(words):
        return None
    return available_languages()[hits.index(best_hits)]
