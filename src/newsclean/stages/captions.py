"""Images and captions: image markers and the lines that describe a picture.

A flattened page keeps an image as a marker (``![alt](src)``, ``[image]``)
or as its alt text, and the caption right after it. Captions are found by
where they stand (after an image marker or a slug, which stands in for one),
by the profile's credit patterns ("(Ảnh: ...)", "Photo: ..."), and by the
table-cell bar a flattened caption cell ends in.
"""

from __future__ import annotations

import functools
import re
from typing import ClassVar

from attrs import field, frozen
from attrs.validators import ge, instance_of

from newsclean.core import Document, Label, Removal
from newsclean.pipeline import as_document, register
from newsclean.profiles import Profile
from newsclean.stages._common import lines_before, preview, profile_for, remove_kept, removed_labels
from newsclean.structure import Kind, kind
from newsclean.text import LINE_CACHE, shape

__all__ = ["Captions", "ImageMarkers"]

# ![alt](src), [image], [img: ...], <image>, 📷 alone, with table bars between.
_MARKER = re.compile(
    r"^(?:\s*(?:!\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]|\[(?:image|img|photo|picture|foto|ảnh|hình|bild)[^\]]*\]|[📷🖼]️?)\s*[|•]*)+$",
    re.IGNORECASE,
)
_NO_WORDS = re.compile(r"^[\W_]+$")


@register
@frozen
class ImageMarkers:
    """Remove image markers and lines of bare punctuation (table bars, bullets, dividers).

    Keeps: a marker inside a sentence (only whole lines go), and lines that
    hold any letter or digit.

    >>> doc = ImageMarkers()(Document.from_text("Body.\\n![]() |\\n| |\\n***"))
    >>> [(r.line.index, r.label.value, r.rule) for r in doc.removed]
    [(1, 'image', 'marker'), (2, 'boilerplate', 'no-words'), (3, 'boilerplate', 'no-words')]
    """

    name: ClassVar[str] = "image_markers"

    def __call__(self, doc: Document) -> Document:
        doc = as_document(doc)
        removals = []
        for line in doc.lines:
            # A marker opens with spaces, "!", "[" or a camera, a line of bare punctuation with
            # anything but a letter or digit: a line that opens with one is neither.
            if not line.text or line.text[0].isalnum():
                continue
            if _MARKER.match(line.text):
                removals.append(Removal(line, self.name, Label.IMAGE, "marker", f"an image marker: {preview(line.text)}"))
            elif _NO_WORDS.match(line.text):
                removals.append(Removal(line, self.name, Label.BOILERPLATE, "no-words", f"no letter or digit: {preview(line.text)}"))
        return doc.remove(removals)


@functools.cache
def _bar_end() -> re.Pattern[str]:
    # A flattened table cell: text then one or more "|" at the end.
    return re.compile(r"\s\|(?:\s*\|)*\s*$")


@register
@frozen
class Captions:
    """Remove photo captions: after an image, matching a credit pattern, or ending in a table bar.

    Keeps: a paragraph after an image when it reads as body (several
    sentences, or longer than ``max_words``), and a credit inside a sentence.

    Args:
        language: the profile to use ("" takes the page's).
        max_words: the longest a caption found by position alone may be.

    >>> doc = Document.from_text("Bài viết.\\n![]()\\nLãnh đạo phát biểu tại hội nghị\\nThân bài tiếp tục ở đây, với nhiều câu.")
    >>> doc = Captions(language="vi")(ImageMarkers()(doc))
    >>> [(r.line.index, r.rule) for r in doc.removed if r.stage == "captions"]
    [(2, 'after-image')]
    """

    name: ClassVar[str] = "captions"
    language: str = field(default="", validator=instance_of(str))
    max_words: int = field(default=45, validator=[instance_of(int), ge(1)])

    def __call__(self, doc: Document) -> Document:
        doc = as_document(doc)
        profile = profile_for(self.language, doc)
        name = self.name
        gone = removed_labels(doc, but=name)  # the lines other stages removed
        found = {}
        lines = lines_before(doc, name)
        # Locals: an enum member or a field looked up in the loop costs more than the test it is for.
        title, pictures, max_words = Label.TITLE, (Label.IMAGE, Label.SLUG), self.max_words
        for line in lines:
            text = line.text
            if not text or line.label is title:
                continue
            if shape(text).n_words > max_words:
                continue  # longer than any caption
            own = _own_rule(text, profile)
            if own == "credit":
                found[line.index] = (Label.CAPTION, "credit", f"a photo credit: {preview(text)}")
                continue
            before = _label_before(line.index, gone)
            if before in pictures and _sentences(text) <= 1:
                found[line.index] = (Label.CAPTION, "after-image", f"one sentence right after {'an image' if before is Label.IMAGE else 'a slug'} line")
            elif own == "cell-bar":
                found[line.index] = (Label.CAPTION, "cell-bar", f"ends in a table-cell bar: {preview(text)}")
        return remove_kept(doc, name, found)


@functools.cache
def _credit_patterns(profile: Profile) -> tuple[re.Pattern[str], ...]:
    """The profile's caption patterns, each compiled alone.

    Searched one by one they cost less than as one alternation: most start
    with a literal ("(", "/") the regex engine can skip to, which it cannot
    do for an alternation that also holds a pattern starting anywhere.
    """
    return tuple(re.compile(pattern, re.IGNORECASE) for pattern in profile.caption_patterns)


# Keyed by the profile, which hashes by identity: a compiled pattern hashes its
# whole program on every call, which took longer than most searches it spared.
@functools.lru_cache(maxsize=LINE_CACHE)
def _own_rule(text: str, profile: Profile) -> str | None:
    """What a line shows of a caption by itself: a credit, or a table cell's bar (cached per text)."""
    for credit in _credit_patterns(profile):
        if credit.search(text):
            return "credit"
    # The bar pattern ends in "|" and spaces: most lines end otherwise, and need no search.
    if text.rstrip()[-1:] == "|" and _bar_end().search(text) and kind(text.rstrip(" |")) is not Kind.SHORT:
        return "cell-bar"
    return None


def _label_before(index: int, gone: dict[int, Label]) -> Label | None:
    """The label of the removed line just above ``index``, skipping blank lines (None when it is kept)."""
    i = index - 1
    while i in gone and gone[i] is Label.BLANK:
        i -= 1
    return gone.get(i)


_SENTENCE_BREAK = re.compile(r"[.!?…][\"'”’»)]*\s+(?=[\"'“‘«(]?[^\W\d_])")


def _sentences(text: str) -> int:
    return len(_SENTENCE_BREAK.findall(text)) + 1
