"""The bundled seed dumps and their gold labels, as test material."""

from __future__ import annotations

import functools
from pathlib import Path

from newsclean.core import KEPT_LABELS, Label, split_lines

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@functools.cache
def seed_pages() -> tuple[tuple[str, str, tuple[tuple[Label, str], ...]], ...]:
    """Every seed as (name, raw text, ((gold label, raw line), ...))."""
    pages = []
    for txt in sorted(SEEDS.glob("*.txt")):
        raw = txt.read_text(encoding="utf-8")
        rows = txt.with_name(txt.stem + ".labels.tsv").read_text(encoding="utf-8").split("\n")[:-1]
        gold = tuple((Label(label), text) for label, text in (row.split("\t", 1) for row in rows))
        assert len(gold) == len(split_lines(raw)), txt
        pages.append((txt.stem, raw, gold))
    return tuple(pages)


@functools.cache
def seed_lines(*labels: Label) -> tuple[str, ...]:
    """Every distinct non-empty seed line with one of the gold labels, in a fixed order."""
    seen: dict[str, None] = {}
    for _name, _raw, gold in seed_pages():
        for label, text in gold:
            if label in labels and text.strip():
                seen.setdefault(text, None)
    return tuple(seen)


def kept_lines() -> tuple[str, ...]:
    return seed_lines(*KEPT_LABELS)


def boilerplate_lines() -> tuple[str, ...]:
    return seed_lines(*(set(Label) - KEPT_LABELS - {Label.BLANK, Label.UNKNOWN}))


def seed_articles() -> tuple[tuple[str, ...], ...]:
    """Each seed's article alone: its gold title and body lines, in order."""
    return tuple(tuple(text for label, text in gold if label in KEPT_LABELS) for _name, _raw, gold in seed_pages())
