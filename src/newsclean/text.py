"""Small, cached text measures the detectors share: folding, words, and what a line looks like.

Everything here is a pure function of a string (and a profile), cached per
process, so that stages stay pure and a line measured by one stage costs
the next nothing.

>>> fold("Hoàn thành vượt nhiều chỉ tiêu")
'hoan thanh vuot nhieu chi tieu'
>>> shape("Theo đó, công đoàn đã tổ chức nhiều hoạt động.").sentence_end
True
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import NamedTuple

# How many distinct lines the per-line caches remember: the lines of the page
# at hand, which every stage reads again, and a site's furniture repeated on
# the pages before it. Bounded, and small enough to fill within the first few
# hundred pages, so a process's memory is the same after 10 MB as after 1 GB.
# (At 8,192 the caches took ~7,000 pages to fill and held 50 MB more, for no
# fewer instructions: 5,286 M against 5,247 M on 400 pages under callgrind.)
LINE_CACHE = 1 << 11

__all__ = ["Shape", "ascii_head", "content_words", "fold", "is_folded_copy", "shape", "stop_share", "words"]

# Letters NFD does not take apart.
_FOLD_EXTRA = {"đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ı": "i"}


class _FoldTable(dict[int, str]):
    """A str.translate table that learns each character's fold the first time it meets it."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = _FOLD_EXTRA.get(char)
        if folded is None:
            folded = "".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c))
        self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


@functools.lru_cache(maxsize=LINE_CACHE)
def fold(text: str) -> str:
    """Lower case with diacritics stripped: the form a URL slug takes of a title."""
    if text.isascii():
        return text.casefold()
    return text.translate(_FOLD_TABLE).casefold()


_WORD = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*")


# Scripts written without spaces between words: each character counts as a
# word (a Chinese word is one to two characters, so counts run a little high).
_UNSPACED = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAS_UNSPACED = re.compile(f"[{_UNSPACED}]")
_WORD_OR_CHAR = re.compile(f"[{_UNSPACED}]|(?:(?![{_UNSPACED}])[^\\W_])+(?:[-'’.](?:(?![{_UNSPACED}])[^\\W_])+)*")


def _word_list(text: str) -> list[str]:
    if not text.isascii() and _HAS_UNSPACED.search(text):
        return _WORD_OR_CHAR.findall(text)
    return _WORD.findall(text)


# To count words no list of them is needed: the same patterns with an empty
# group at the end make findall give one shared "" per word, not a new string.
# In ASCII text [^\W_] is [A-Za-z0-9], which the regex engine tests without
# Unicode's tables: most lines of a page are ASCII.
_COUNT_WORDS = re.compile(f"(?:{_WORD.pattern})()")
_COUNT_WORDS_OR_CHARS = re.compile(f"(?:{_WORD_OR_CHAR.pattern})()")
_COUNT_ASCII_WORDS = re.compile(r"[A-Za-z0-9]+(?:[-'.][A-Za-z0-9]+)*()")


def _word_count(text: str) -> int:
    """``len(_word_list(text))``, without making the words."""
    if text.isascii():
        return len(_COUNT_ASCII_WORDS.findall(text))
    if _HAS_UNSPACED.search(text):
        return len(_COUNT_WORDS_OR_CHARS.findall(text))
    return len(_COUNT_WORDS.findall(text))


@functools.lru_cache(maxsize=LINE_CACHE)
def words(text: str) -> tuple[str, ...]:
    """The line's words (letters and digits, with inner hyphens and apostrophes; one per CJK character).

    >>> words("Bộ Y tế: 95% trẻ em đã tiêm")
    ('Bộ', 'Y', 'tế', '95', 'trẻ', 'em', 'đã', 'tiêm')
    >>> len(words("蔡健雅出生于新加坡"))
    9
    """
    return tuple(_word_list(text))


# What may close a sentence, and what may stand after the closing mark
# (quotes, brackets, a footnote star).
_CLOSERS = "\"'”’»)]* \t\u00a0"
_TERMINALS = frozenset(".!?…。！？;:")


def _sentence_end(text: str) -> bool:
    return text.rstrip(_CLOSERS)[-1:] in _TERMINALS
# A full date (21/11/2024, 21.11.24, 2024-11-21) or a clock time (15:21,
# 18h30). Not "3-1" (a score), "1-2" or "1/2" (amounts), "0.20.0" (a version).
_DATE_TIME = re.compile(
    r"\b\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})\b|\b\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2}\b|\b(?:[01]?\d|2[0-3])[:h][0-5]\d\b"
)
# Every match of _DATE_TIME holds a digit, a separator and a digit in a row.
# This one-branch pattern scans six times faster and rules out most lines.
_DATE_HINT = re.compile(r"\d[/.\-:h]\d")


class Shape(NamedTuple):
    """What a line looks like, independent of language.

    Fields: n_words, n_chars; sentence_end: ends with terminal punctuation;
    has_date: a date or a time stands in it (looked for only in lines of
    ``DATE_MAX_WORDS`` words or fewer, the only ones it decides anything
    for).
    """

    n_words: int
    n_chars: int
    sentence_end: bool
    has_date: bool


# A NamedTuple's own constructor is a Python function whose call costs more
# than the rest of a short line's shape: shape() makes the tuple directly.
_new_tuple = tuple.__new__

DATE_MAX_WORDS = 12
EXACT_COUNT_CHARS = 200
# Words in spaced scripts average well under this many characters with their
# space (Vietnamese about 4.5, English 6, German 7); Chinese and Japanese lines
# have far fewer spaces.
SPACED_EVERY = 12


@functools.lru_cache(maxsize=LINE_CACHE)
def shape(text: str) -> Shape:
    """The Shape of a line (cached)."""
    # Word counts decide only below a few dozen words; a line this long is
    # far past every threshold, and counting its spaces is twenty times cheaper
    # than the word pattern on the lines that hold most of a page's bytes.
    # (Counted without the words cache: most lines are measured once and their
    # words never asked for, so caching them would only churn the cache.)
    if len(text) <= EXACT_COUNT_CHARS:
        n = _word_count(text)
    else:
        # No list of tokens to build: only the order of size matters here. A
        # line with a space every few characters is in a spaced script, which
        # the space count tells without a scan for Chinese or Japanese.
        spaces = text.count(" ")
        if spaces * SPACED_EVERY >= len(text) or text.isascii() or not _HAS_UNSPACED.search(text):
            n = spaces + 1
        else:
            n = _word_count(text)
    has_date = n <= DATE_MAX_WORDS and _DATE_HINT.search(text) is not None and _DATE_TIME.search(text) is not None
    return _new_tuple(Shape, (n, len(text), _sentence_end(text), has_date))


def stop_share(text: str, stopwords: frozenset[str]) -> float:
    """Share of the line's words that are stopwords of the language (0 when it has none)."""
    ws = words(text)
    if not ws or not stopwords:
        return 0.0
    return sum(1 for w in ws if w.casefold() in stopwords) / len(ws)


def is_folded_copy(candidate: str, original: str) -> bool:
    """Whether ``candidate`` is the ASCII fold of ``original`` (its diacritics and case stripped).

    >>> is_folded_copy("hoan thanh vuot", "Hoàn thành vượt")
    True
    """
    return candidate != original and fold(original) == candidate


# A word of two or more characters that starts with a letter: numbers and
# initials carry no subject, and leaving them out in the pattern spares a loop.
_CONTENT_WORD = re.compile(r"[^\W\d_][^\W_]+(?:[-'’.][^\W_]+)*")


@functools.lru_cache(maxsize=LINE_CACHE)
def content_words(text: str, stopwords: frozenset[str]) -> frozenset[str]:
    """The line's casefolded words that carry meaning: no stopwords, no numbers, no single letters."""
    return frozenset(_CONTENT_WORD.findall(text.casefold())) - stopwords


_SLUG_TOKEN = re.compile(r"[a-z0-9'’.,:;!?()\-]*[a-z0-9][a-z0-9'’.,:;!?()\-]*")


# What a slug's first character may be: a lower-case ASCII letter or a digit.
# Stages test a line's first character against it before asking ascii_head.
SLUG_START = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


@functools.lru_cache(maxsize=LINE_CACHE)
def ascii_head(text: str) -> tuple[str, ...]:
    """The leading words that are lower-case ASCII with a letter each: how a URL slug looks.

    >>> ascii_head("hoan thanh vuot chi tieu LĐLĐ Long Biên")
    ('hoan', 'thanh', 'vuot', 'chi', 'tieu')
    >>> ascii_head("thanh lap cong doan thu 344 Một tin")
    ('thanh', 'lap', 'cong', 'doan', 'thu', '344')
    >>> ascii_head("hoan-thanh-vuot-chi-tieu Một tin")  # as the URL writes it
    ('hoan', 'thanh', 'vuot', 'chi', 'tieu')
    """
    first = text[:1]
    if not (first.isascii() and (first.islower() or first.isdigit())):
        return ()  # most lines start with a capital or a non-ASCII letter: no slug
    head = []
    for token in text.split():
        if not _SLUG_TOKEN.fullmatch(token):
            break
        if token.count("-") >= 2:  # a URL's slug keeps its hyphens: "hoan-thanh-vuot"
            head += [part for part in token.split("-") if part]
        else:
            head.append(token)
    if not any(c.isalpha() for token in head for c in token):
        return ()  # numbers alone are no slug
    return tuple(head)
