"""Bylines, dates, navigation, footers, share and tag lines: the furniture around an article.

Found by the profile's phrases and patterns ("Theo ...", "By ...", "Share",
"Trang chủ"), by form (a line that is only a date or a time stamp; a run of
one- and two-word lines, which is a menu), and by place (a short name
standing alone right after the body is its author).
"""

from __future__ import annotations

import functools
import re
from typing import ClassVar, NamedTuple

from attrs import field, frozen
from attrs.validators import ge, instance_of

from newsclean.core import Document, Label, Line
from newsclean.pipeline import as_document, register
from newsclean.profiles import Profile, phrase_of
from newsclean.stages._common import Found, lines_before, marker_phrases, preview, profile_for, profiles_in_play, remove_kept
from newsclean.structure import Kind, body_segments, kind
from newsclean.text import LINE_CACHE, shape, words

__all__ = ["Bylines"]


class _Furniture(NamedTuple):
    """What a profile says furniture reads like, gathered once: its properties compile or look up on every use."""

    nav_phrases: frozenset[str]
    footer_regex: re.Pattern[str] | None
    footer_phrases: tuple[str, ...]
    byline_regex: re.Pattern[str] | None


@functools.cache
def _furniture(profile: Profile) -> _Furniture:
    nav_phrases = frozenset().union(*(p.nav_phrases for p in profiles_in_play(profile)))
    return _Furniture(nav_phrases, profile.footer_regex, profile.footer_phrases, profile.byline_regex)


@register
@frozen
class Bylines:
    """Remove bylines, source and date lines, navigation, footers, cookie notices, menus, and the author's name after the body.

    Keeps: a byline pattern inside a long sentence ("Theo đó, ..." as the
    start of a paragraph is body); short lines inside the body that are not
    furniture (subheadings).

    Args:
        language: the profile to use ("" takes the page's).
        max_words: the longest a byline may be.
        min_menu: the fewest one- or two-word lines in a row that make a menu.
        max_footer_words: the longest a footer, tag or imprint line may be.

    >>> text = "Tiêu đề\\nTrang chủ\\nThân bài với nhiều câu văn đầy đủ và dài.\\nNgọc Lan\\nTheo Báo Lao động"
    >>> [(r.line.index, r.rule) for r in Bylines(language="vi")(Document.from_text(text)).removed]
    [(1, 'nav-phrase'), (3, 'name-after-body'), (4, 'byline-pattern')]
    """

    name: ClassVar[str] = "bylines"
    language: str = field(default="", validator=instance_of(str))
    max_words: int = field(default=12, validator=[instance_of(int), ge(1)])
    min_menu: int = field(default=4, validator=[instance_of(int), ge(2)])
    max_footer_words: int = field(default=40, validator=[instance_of(int), ge(1)])

    def __call__(self, doc: Document) -> Document:
        doc = as_document(doc)
        profile = profile_for(self.language, doc)
        lines = lines_before(doc, self.name)
        kinds = [kind(line.text) for line in lines]
        n_words = [shape(line.text).n_words for line in lines]
        found: Found = {}
        longest = max(self.max_footer_words, self.max_words, CONSENT_MAX_WORDS)
        max_words, max_footer_words, title = self.max_words, self.max_footer_words, Label.TITLE
        for line, n in zip(lines, n_words):
            if line.label is title or n > longest:
                continue  # a paragraph: none of the patterns is for it
            verdict = _verdict(line.text, profile, max_words, max_footer_words)
            if verdict is not None:
                found[line.index] = verdict
        self._menus(lines, kinds, found)
        self._author_after_body(lines, kinds, n_words, found, marker_phrases(profile))
        return remove_kept(doc, self.name, found)

    def _menus(self, lines: list[Line], kinds: list[Kind], found: Found) -> None:
        run: list[Line] = []
        for line, k in zip(lines, kinds):
            if k is Kind.SHORT and line.label is not Label.TITLE:
                run.append(line)
            elif run:
                self._menu(run, found)
                run = []
        if run:
            self._menu(run, found)

    def _menu(self, run: list[Line], found: Found) -> None:
        if len(run) >= self.min_menu:
            entry = (Label.NAV, "menu", f"one of {len(run)} one- or two-word lines in a row, from line {run[0].index}")
            for member in run:
                found.setdefault(member.index, entry)

    def _author_after_body(self, lines: list[Line], kinds: list[Kind], n_words: list[int], found: Found, markers: frozenset[str]) -> None:
        segments = body_segments(kinds, n_words)
        if not segments:
            return
        end = segments[-1][1]
        for p in range(end, min(end + 2, len(lines))):
            line = lines[p]
            if line.index in found or phrase_of(line.text) in markers:
                continue
            ws = words(line.text)
            if 1 <= len(ws) <= 4 and all(w[0].isupper() for w in ws) and not shape(line.text).sentence_end:
                found[line.index] = (Label.BYLINE, "name-after-body", "a short name right after the last paragraph")
                return


# Cookie banners and "enable JavaScript" notices, in any language (the word
# is borrowed everywhere); the C4 corpus rules drop these lines too.
_CONSENT = re.compile(r"cookie|javascript", re.IGNORECASE)
# ...and a word of the notice around it, so a sentence about a biscuit stays.
_NOTICE = re.compile(
    r"accept|consent|browser|setting|privacy|enable|we use|akzept|zustimm|datenschutz|einstellung|verwende|"
    r"utilis|accepte|navigat|paramètr|utiliza|acept|configura|privacidad|utilizz|consenso|usamos|przegląd|zgod|"
    r"chấp nhận|đồng ý|trình duyệt|sử dụng",
    re.IGNORECASE,
)
CONSENT_MAX_WORDS = 80  # a longer paragraph that names cookies is about them

_CRUMB = re.compile(r"\s(?:»|›|>|/|→|\\)\s")
_CRUMB_HINT = re.compile(r"[»›>/→\\]")  # scanned for faster than _CRUMB, which may start at any space


@functools.lru_cache(maxsize=LINE_CACHE)
def _verdict(text: str, profile: Profile, max_words: int, max_footer_words: int) -> tuple[Label, str, str] | None:
    """What a line is by itself, if furniture; cached, since a site repeats its furniture on every page."""
    k = kind(text)
    n = shape(text).n_words
    furniture = _furniture(profile)
    if phrase_of(text) in furniture.nav_phrases:
        return (Label.NAV, "nav-phrase", f"a navigation phrase: {preview(text, 40)}")
    if n <= max_footer_words and _is_footer(text, furniture.footer_regex, furniture.footer_phrases):
        if not _is_clause(text, k):
            return (Label.NAV, "footer", f"a footer, tag or imprint line: {preview(text, 40)}")
    if _is_breadcrumb(text):
        return (Label.NAV, "breadcrumb", f"a breadcrumb trail: {preview(text, 40)}")
    byline = furniture.byline_regex
    if byline is not None and n <= max_words and byline.match(text) and not _is_sentence(text, k):
        return (Label.BYLINE, "byline-pattern", f"reads as a byline: {preview(text, 40)}")
    if n <= CONSENT_MAX_WORDS and _mentions_consent(text):
        return (Label.NAV, "consent", f"a cookie or script notice: {preview(text, 40)}")
    if k is Kind.META:
        return (Label.BYLINE, "date-line", f"a date or time stamp: {preview(text, 40)}")
    return None


def _is_footer(text: str, footer: re.Pattern[str] | None, phrases: tuple[str, ...]) -> bool:
    if footer is not None and footer.match(text) is not None:
        return True
    # The phrases are casefolded; a few substring tests beat a case-blind regex.
    if phrases:
        folded = text.casefold()
        for phrase in phrases:  # most profiles have one: a generator for any() would cost more than the test
            if phrase in folded:
                return True
    return False


def _mentions_consent(text: str) -> bool:
    # Plain substring tests first: the regex runs on the few lines that have one.
    return (
        "ookie" in text or "OOKIE" in text or "ascript" in text or "aScript" in text or "ASCRIPT" in text
    ) and _CONSENT.search(text) is not None and _NOTICE.search(text) is not None


CRUMB_MAX_CHARS = 160


def _is_breadcrumb(text: str) -> bool:
    """"Trang chủ » Thời sự » Giao thông": short parts joined by arrows."""
    if len(text) > CRUMB_MAX_CHARS or _CRUMB_HINT.search(text) is None or _CRUMB.search(text) is None:
        return False
    parts = _CRUMB.split(text)
    return len(parts) >= 3 and all(1 <= len(part.split()) <= 5 and part.strip()[:1].isupper() for part in parts)


def _is_clause(text: str, k: Kind) -> bool:
    """A footer pattern inside a sentence with a clause to it ("Địa chỉ: Trạm y tế phường ..., số 8 ...") is body."""
    return k is Kind.PROSE and ("," in text or shape(text).n_words > 8)


def _is_sentence(text: str, k: Kind) -> bool:
    """A byline pattern that opens a real sentence ("Theo đó, ...", "By then it was too late.") is body.

    A prose line is a sentence unless its second word is capitalised, as the
    name after "Theo", "By" or "Von" is.
    """
    if k is not Kind.PROSE:
        return False
    tokens = text.split(maxsplit=2)
    return len(tokens) < 2 or not tokens[1][:1].isupper() or "," in text
