"""Whitespace: trim lines, collapse runs of spaces, delete invisible characters, drop lines with no text.

It changes no character's meaning: a run of spaces reads as one space, and
space at the ends of a line is not part of its text. It deliberately leaves
a lone no-break space, ``\\x1e`` and ``\\u2028`` alone (a single no-break
space inside a word can be the tail of broken UTF-8 that mojibake repair
needs, and the separators carry structure).
"""

from __future__ import annotations

import functools
import re
from typing import ClassVar

from attrs import field, frozen
from attrs.validators import instance_of

from newsclean.core import Document, Edit, Label, Removal
from newsclean.pipeline import as_document, register

__all__ = ["Whitespace"]


# Tab, vertical tab, form feed and every Unicode space separator (category
# Zs, stable since Unicode 6). Not str.isspace(): that also counts \x1c-\x1f,
# \x85 and \u2028, which carry structure and must survive.
SPACE_CHARS = "\t\x0b\x0c \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"


_EXOTIC = re.compile(f"[{re.escape(SPACE_CHARS.replace(' ', ''))}]")

# Soft hyphen, word joiner and zero-width no-break space: nothing on screen, yet they cut a word in
# two for every tokenizer ("réac\u00adtion"). Zero-width (non-)joiners are left: scripts need them.
INVISIBLE_CHARS = "\u00ad\u2060\ufeff"
_INVISIBLE = re.compile(f"[{INVISIBLE_CHARS}]")


@functools.cache
def _run_pattern() -> re.Pattern[str]:
    chars = re.escape(SPACE_CHARS)
    # two or more space characters in a row, or a lone tab/vt/ff
    return re.compile(f"[{chars}]{{2,}}|[\t\x0b\x0c]")


@register
@frozen
class Whitespace:
    """Trim each line, collapse runs of space characters to one space, and drop blank lines.

    Keeps: every visible character, a single no-break space, ``\\x1e`` and
    ``\\u2028`` (not whitespace to this stage).

    Args:
        collapse: turn runs of space characters (and tabs) inside a line into one space.
        drop_blank: remove lines with no text left, labelled ``blank``.
        invisible: delete soft hyphens, word joiners and zero-width no-break spaces
            (``INVISIBLE_CHARS``), which show nothing and split words.

    >>> doc = Whitespace()(Document.from_text("  Tiêu đề  \\n\\t\\nThân  bài."))
    >>> doc.text
    'Tiêu đề\\nThân bài.'
    >>> print(doc.explain())
    line 0 edit <- whitespace/trim: '  Tiêu đề  ' -> 'Tiêu đề'
    line 1 blank <- whitespace/empty: only space characters
    line 2 edit <- whitespace/collapse: 'Thân  bài.' -> 'Thân bài.'
    >>> Whitespace()(Document.from_text("En réac\u00adtion")).text
    'En réaction'
    """

    name: ClassVar[str] = "whitespace"
    collapse: bool = field(default=True, validator=instance_of(bool))
    drop_blank: bool = field(default=True, validator=instance_of(bool))
    invisible: bool = field(default=True, validator=instance_of(bool))

    def __call__(self, doc: Document) -> Document:
        doc = as_document(doc)
        strip = SPACE_CHARS
        runs = _run_pattern()
        edits, removals = [], []
        for line in doc.lines:
            text = line.text
            # Every space character but " " is unprintable to str.isprintable, which scans a line
            # faster than any regex, and so are the invisible ones: a printable line (most of
            # them) holds none of either, and neither does what is left of it after trimming.
            printable = text.isprintable()
            invisible = self.invisible and not printable and _INVISIBLE.search(text) is not None
            if invisible:
                text = _INVISIBLE.sub("", text)
            text = text.strip(strip)
            if not text:
                if self.drop_blank:
                    evidence = "empty line" if not line.text else "only invisible and space characters" if invisible else "only space characters"
                    removals.append(Removal(line, self.name, Label.BLANK, "empty", evidence))
                elif text != line.text:
                    edits.append(Edit(line.index, self.name, "trim", line.text, text))
                continue
            rule = "invisible" if invisible else "trim" if text != line.text else ""
            exotic = not printable and not text.isprintable() and _EXOTIC.search(text)
            if self.collapse and ("  " in text or exotic) and runs.search(text):
                text = runs.sub(" ", text)
                rule = "collapse"
            if text != line.text:
                edits.append(Edit(line.index, self.name, rule, line.text, text))
        return doc.rewrite(edits).remove(removals)
