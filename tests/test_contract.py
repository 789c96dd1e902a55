"""The contract every registered stage keeps, checked over every stage with every knob drawn.

A new stage fails ``test_every_stage_is_covered`` until it has a strategy in
``STAGE_STRATEGIES`` below: no stage escapes the contract.
"""

from __future__ import annotations

import pickle

import hypothesis.strategies as st
import pytest
from hypothesis import example, given

from newsclean import STAGES, Document, Label
from newsclean.pipeline import build_stage, stage_options
from newsclean.stages import Whitespace
from seedlines import boilerplate_lines, kept_lines, seed_lines

# One strategy per registered stage, drawing every option it has.
STAGE_STRATEGIES: dict[str, st.SearchStrategy] = {
    "whitespace": st.builds(Whitespace, collapse=st.booleans(), drop_blank=st.booleans()),
}


def test_every_stage_is_covered() -> None:
    assert set(STAGE_STRATEGIES) == set(STAGES)


stages = st.sampled_from(sorted(STAGE_STRATEGIES)).flatmap(lambda name: STAGE_STRATEGIES[name])

# Lines a stage meets: anything at all (surrogates and separators included),
# space variants, and real news lines of every gold label.
any_line = st.text(st.characters(), max_size=40)
spacey_line = st.text(st.sampled_from(" \t\u00a0\u3000x\x1e\u2028é"), max_size=8)
news_line = st.sampled_from(kept_lines() + boilerplate_lines())
lines = st.lists(st.one_of(any_line, spacey_line, news_line, news_line), max_size=30)
documents = lines.map(lambda ls: Document.from_text("\n".join(ls), id="d"))


def _by_index(doc: Document) -> dict[int, str]:
    return {line.index: line.text for line in doc.lines}


@given(stages, documents)
@example(Whitespace(), Document.from_text("\ud800\x1e\u2028 \n\r\n\t"))
def test_no_crash_and_every_line_kept_or_explained(stage, doc: Document) -> None:
    out = stage(doc)
    assert isinstance(out, Document)
    kept = [line.index for line in out.lines]
    new_removed = out.removed[len(doc.removed):]
    removed = [r.line.index for r in new_removed]
    assert sorted(kept + removed) == sorted(_by_index(doc)), "a line was lost or duplicated"
    assert not set(kept) & set(removed), "a line is both kept and removed"
    for removal in new_removed:
        assert removal.stage == stage.name
        assert removal.rule and removal.evidence, removal
        assert isinstance(removal.label, Label)


@given(stages, documents)
def test_kept_lines_are_input_lines_in_order(stage, doc: Document) -> None:
    out = stage(doc)
    kept = [line.index for line in out.lines]
    assert kept == sorted(kept)
    before = _by_index(doc)
    edited = {e.index for e in out.edits[len(doc.edits):]}
    for line in out.lines:
        if line.index not in edited:
            assert line.text == before[line.index], "text changed without an Edit"
    # Replaying the record on the raw text gives the output: nothing invented.
    raw = "\n".join(before[i] for i in sorted(before))
    assert out.replay(raw) == out.text
    for removal in out.removed[len(doc.removed):]:
        if removal.line.index not in edited:
            assert removal.line.text == before[removal.line.index], "a removal does not carry its line"


@given(stages, documents)
def test_idempotent(stage, doc: Document) -> None:
    once = stage(doc)
    assert stage(once) == once


@given(stages)
def test_pickle_and_config_round_trip(stage) -> None:
    assert pickle.loads(pickle.dumps(stage)) == stage
    assert build_stage({"name": stage.name, **stage_options(stage)}) == stage


@given(stages)
def test_bytes_are_refused_with_how_to_decode(stage) -> None:
    with pytest.raises(TypeError, match="decode"):
        stage(b"raw bytes")


MARKERS = ("Tin khác", "Related", "Xem thêm", "Read more")


@given(stages, st.sampled_from(MARKERS), st.lists(st.sampled_from(seed_lines(Label.RECOMMENDATION)), min_size=1, max_size=8))
def test_appending_a_marker_block_changes_nothing_else(stage, marker: str, block: list[str]) -> None:
    article = list(kept_lines()[:12])
    alone = stage(Document.from_text("\n".join(article)))
    grown = stage(Document.from_text("\n".join(article + [marker] + block)))
    n = len(article)
    assert [(l.index, l.text, l.label) for l in grown.lines if l.index < n] == [
        (l.index, l.text, l.label) for l in alone.lines
    ]
