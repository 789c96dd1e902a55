"""The data model: a Document is the raw lines of one page and every decision made about them.

All classes are frozen; a stage changes a Document only by returning a new one
(``Document.remove``, ``Document.rewrite``, ``Document.relabel`` build it).
Nothing is ever lost: a removed line lives on inside its ``Removal``, a
rewritten line's old text inside its ``Edit``, so the raw page can always be
rebuilt and every change shown to a person (``Document.explain``).

>>> doc = Document.from_text("Title\\n\\nBody text.", id="a")
>>> [line.text for line in doc.lines]
['Title', '', 'Body text.']
>>> doc = doc.remove([Removal(doc.lines[1], "whitespace", Label.BLANK, "empty", "no text")])
>>> doc.text
'Title\\nBody text.'
>>> print(doc.explain())
line 1 blank <- whitespace/empty: no text
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from attrs import evolve, field, frozen

__all__ = [
    "KEPT_LABELS",
    "Document",
    "Edit",
    "Label",
    "Line",
    "Removal",
    "split_lines",
]


class Label(enum.StrEnum):
    """What a line of a news page is.

    The vocabulary of the gold ``*.labels.tsv`` files, so scoring a run
    against them is a join. Only ``TITLE`` and ``BODY`` are kept text.
    """

    TITLE = "title"
    BODY = "body"
    RELATED = "related"  # links to other articles, in or around the body
    SLUG = "slug"  # the ASCII-folded title glued before links or alt text
    CAPTION = "caption"
    IMAGE = "image"  # image markers and alt text
    BYLINE = "byline"  # author, source, date lines
    RECOMMENDATION = "recommendation"  # a marked block of teasers ("Tin khác", "Related")
    NAV = "nav"  # menus, breadcrumbs, footers, share and tag lines
    COMMENT = "comment"  # readers' comments and the form to write one
    BLANK = "blank"
    BOILERPLATE = "boilerplate"  # not article text, kind not told apart
    DUPLICATE = "duplicate"  # repeats text kept elsewhere
    UNKNOWN = "unknown"  # gold only: no one could say


KEPT_LABELS = frozenset({Label.TITLE, Label.BODY})


def split_lines(text: str) -> list[str]:
    """Split a dump into lines without losing a character.

    Only line feeds end a line (``\\r\\n`` and a lone ``\\r`` become one).
    ``str.splitlines`` would also split on ``\\x1c-\\x1e``, ``\\x85`` and
    ``\\u2028`` and lose them; here they stay inside their line.

    >>> split_lines("a\\r\\nb\\rc\\x1ed\\u2028e\\n")
    ['a', 'b', 'c\\x1ed\\u2028e', '']
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


@frozen
class Line:
    """One line of a dump.

    Args:
        index: the line's position in the raw dump; it never changes.
        text: the line's current text (after any edits).
        label: what the line is taken to be while kept: ``BODY`` until a
            stage says it is the ``TITLE``.
    """

    index: int
    text: str
    label: Label = Label.BODY


def _to_label(value: Label | str) -> Label:
    return value if type(value) is Label else Label(value)


@frozen
class Removal:
    """A line taken out of the kept text, and why.

    Args:
        line: the whole line as it was when removed, so nothing is lost.
        stage: the ``name`` of the stage that removed it.
        label: what the line was taken to be.
        rule: a stable id of the rule that fired, fit for counting.
        evidence: what a person needs to agree ("under marker 'Tin khác'").
    """

    line: Line
    stage: str
    label: Label = field(converter=_to_label)
    rule: str
    evidence: str = ""


def _freeze_steps(steps: Iterable[str]) -> tuple[str, ...]:
    return tuple(steps)


@frozen
class Edit:
    """A rewrite of one line's text.

    Args:
        index: the raw index of the line rewritten.
        stage: the ``name`` of the stage that rewrote it.
        rule: a stable id of the rewrite ("mojibake", "whitespace").
        before: the text before.
        after: the text after.
        steps: how, step by step, when the rewrite has steps (ftfy's plan).
    """

    index: int
    stage: str
    rule: str
    before: str
    after: str
    steps: tuple[str, ...] = field(default=(), converter=_freeze_steps)


def _freeze_lines(lines: Iterable[Line]) -> tuple[Line, ...]:
    return tuple(lines)


def _freeze_removals(removals: Iterable[Removal]) -> tuple[Removal, ...]:
    return tuple(removals)


def _freeze_edits(edits: Iterable[Edit]) -> tuple[Edit, ...]:
    return tuple(edits)


@frozen
class Document:
    """One page: its kept lines and every decision made about the others.

    Args:
        id: the document's id (a file name, a JSONL id, a URL).
        lines: the kept lines, in raw order.
        removed: the removals, in the order they were made.
        edits: the rewrites, in the order they were made.
        metadata: anything a reader or stage knows of the page (url, language,
            title from markup). Treat it as read-only; evolve a new dict.
    """

    id: str = ""
    lines: tuple[Line, ...] = field(default=(), converter=_freeze_lines)
    removed: tuple[Removal, ...] = field(default=(), converter=_freeze_removals)
    edits: tuple[Edit, ...] = field(default=(), converter=_freeze_edits)
    metadata: dict[str, Any] = field(factory=dict, hash=False)

    @classmethod
    def from_text(cls, text: str, id: str = "", metadata: Mapping[str, Any] | None = None) -> Document:
        """A document whose lines are every line of ``text`` (see ``split_lines``)."""
        if not isinstance(text, str):
            from newsclean.errors import BYTES_ERROR_TEXT

            raise TypeError(BYTES_ERROR_TEXT if isinstance(text, (bytes, bytearray)) else f"expected str, got {type(text).__name__}")
        lines = tuple([Line(i, t) for i, t in enumerate(split_lines(text))])
        return cls(id=id, lines=lines, metadata=dict(metadata or {}))

    # -- the kept text -------------------------------------------------

    @property
    def text(self) -> str:
        """The kept lines joined by newlines: the cleaned article."""
        return "\n".join(line.text for line in self.lines)

    @property
    def title(self) -> str:
        """The kept title lines joined by a space ("" when no stage found one)."""
        return " ".join(line.text for line in self.lines if line.label is Label.TITLE)

    @property
    def body(self) -> str:
        """The kept lines that are not the title, joined by newlines."""
        return "\n".join(line.text for line in self.lines if line.label is not Label.TITLE)

    @property
    def size(self) -> int:
        """How many raw lines the document has (kept and removed)."""
        return len(self.lines) + len(self.removed)

    # -- building the next document -------------------------------------

    def remove(self, removals: Iterable[Removal]) -> Document:
        """A new document without the removals' lines, the removals recorded.

        Each removal must name a kept line by its raw index; removing a line
        twice or one that is not kept is a bug in the stage, so it raises.
        """
        removals = tuple(removals)
        if not removals:
            return self
        gone = {r.line.index for r in removals}
        if len(gone) != len(removals):
            raise ValueError("a line is removed twice in one call")
        kept = tuple([line for line in self.lines if line.index not in gone])
        if len(kept) != len(self.lines) - len(gone):
            missing = gone - {line.index for line in self.lines}
            raise ValueError(f"cannot remove lines that are not kept: {sorted(missing)}")
        return self._with(kept, self.removed + removals, self.edits)

    def _with(self, lines: tuple[Line, ...], removed: tuple[Removal, ...], edits: tuple[Edit, ...]) -> Document:
        # What evolve() does, without its per-call look at the class's fields:
        # every stage makes a new document, so this is on the hot path.
        return type(self)(self.id, lines, removed, edits, self.metadata)

    def rewrite(self, edits: Iterable[Edit]) -> Document:
        """A new document with the edits applied to kept lines and recorded.

        Each edit's ``before`` must be the line's current text; an edit that
        changes nothing is dropped rather than recorded.
        """
        edits = tuple(e for e in edits if e.before != e.after)
        if not edits:
            return self
        by_index = {e.index: e for e in edits}
        if len(by_index) != len(edits):
            raise ValueError("a line is edited twice in one call")
        lines = []
        for line in self.lines:
            edit = by_index.pop(line.index, None)
            if edit is not None:
                if edit.before != line.text:
                    raise ValueError(f"edit of line {line.index} does not start from its text")
                line = evolve(line, text=edit.after)
            lines.append(line)
        if by_index:
            raise ValueError(f"cannot edit lines that are not kept: {sorted(by_index)}")
        return self._with(tuple(lines), self.removed, self.edits + edits)

    def relabel(self, labels: Mapping[int, Label]) -> Document:
        """A new document whose kept lines at the given raw indices carry new labels."""
        if not labels:
            return self
        lines = tuple(
            evolve(line, label=labels[line.index]) if line.index in labels else line for line in self.lines
        )
        return self._with(lines, self.removed, self.edits)

    # -- telling a person ---------------------------------------------

    def fates(self) -> Iterator[tuple[int, str, Removal | None, tuple[Edit, ...]]]:
        """Every raw line in raw order: ``(index, text, removal or None, edits)``.

        ``text`` is the line as it last stood (for a removed line, as it was
        when removed); ``edits`` are the rewrites it went through.
        """
        edits: dict[int, list[Edit]] = {}
        for edit in self.edits:
            edits.setdefault(edit.index, []).append(edit)
        entries: list[tuple[int, str, Removal | None]] = [(line.index, line.text, None) for line in self.lines]
        entries += [(r.line.index, r.line.text, r) for r in self.removed]
        for index, text, removal in sorted(entries, key=lambda e: e[0]):
            yield index, text, removal, tuple(edits.get(index, ()))

    def explain(self) -> str:
        """One line per decision, in raw order: what was removed or rewritten, by which rule, and why.

        ``line 7 recommendation <- recommendation_blocks/under-marker: under marker 'Tin khác'``
        """
        out = []
        for index, _text, removal, edits in self.fates():
            for edit in edits:
                how = f" ({'; '.join(edit.steps)})" if edit.steps else ""
                out.append(f"line {index} edit <- {edit.stage}/{edit.rule}: {edit.before!r} -> {edit.after!r}{how}")
            if removal is not None:
                out.append(f"line {index} {removal.label} <- {removal.stage}/{removal.rule}: {removal.evidence}")
        return "\n".join(out)

    def replay(self, raw: str) -> str:
        """Apply this document's edits and removals to ``raw``: gives ``self.text`` when the record is whole."""
        lines = split_lines(raw)
        for edit in self.edits:
            lines[edit.index] = edit.after
        gone = {r.line.index for r in self.removed}
        return "\n".join(t for i, t in enumerate(lines) if i not in gone)
