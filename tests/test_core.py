"""The data model: splitting never loses a character, documents record every decision."""

from __future__ import annotations

import pickle

import hypothesis.strategies as st
import pytest
from hypothesis import given

from newsclean import Document, Edit, Label, Line, Removal, split_lines


@given(st.text(st.characters()))
def test_split_lines_loses_nothing(text: str) -> None:
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    assert "\n".join(split_lines(text)) == normalised


@pytest.mark.parametrize("sep", ["\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\x0b", "\x0c"])
def test_split_lines_keeps_separators_that_splitlines_eats(sep: str) -> None:
    assert split_lines(f"a{sep}b") == [f"a{sep}b"]


def test_split_lines_normalises_line_ends() -> None:
    assert split_lines("a\r\nb\rc\n") == ["a", "b", "c", ""]


def test_from_text_refuses_bytes_with_how_to_decode() -> None:
    with pytest.raises(TypeError, match=r"decode\('utf-8'\)"):
        Document.from_text(b"abc")  # type: ignore[arg-type]


def _doc() -> Document:
    return Document.from_text("Title\nbody one\nTin khác\nheadline", id="x", metadata={"url": "u"})


def test_remove_records_the_whole_line_and_keeps_order() -> None:
    doc = _doc()
    out = doc.remove([Removal(doc.lines[3], "s", Label.RECOMMENDATION, "r", "e"), Removal(doc.lines[2], "s", "recommendation", "r", "e")])
    assert [line.index for line in out.lines] == [0, 1]
    assert {r.line.text for r in out.removed} == {"Tin khác", "headline"}
    assert out.size == doc.size == 4
    assert out.removed[1].label is Label.RECOMMENDATION  # converted from its str


def test_remove_refuses_a_line_that_is_not_kept() -> None:
    doc = _doc()
    gone = doc.remove([Removal(doc.lines[0], "s", Label.NAV, "r", "e")])
    with pytest.raises(ValueError, match=r"not kept: \[0\]"):
        gone.remove([Removal(doc.lines[0], "s", Label.NAV, "r", "e")])
    with pytest.raises(ValueError, match="twice"):
        doc.remove([Removal(doc.lines[0], "s", Label.NAV, "r", "e")] * 2)


def test_rewrite_checks_the_text_it_starts_from() -> None:
    doc = _doc()
    out = doc.rewrite([Edit(1, "s", "r", "body one", "Body one")])
    assert out.lines[1].text == "Body one" and out.edits[0].after == "Body one"
    with pytest.raises(ValueError, match="does not start from its text"):
        doc.rewrite([Edit(1, "s", "r", "other", "x")])
    assert doc.rewrite([Edit(1, "s", "r", "body one", "body one")]) is doc  # a no-op is not recorded


def test_title_body_and_relabel() -> None:
    doc = _doc().relabel({0: Label.TITLE})
    assert doc.title == "Title"
    assert doc.body == "body one\nTin khác\nheadline"
    assert doc.text.startswith("Title\n")


def test_explain_and_replay_tell_the_whole_story() -> None:
    doc = _doc()
    out = doc.rewrite([Edit(1, "fix", "case", "body one", "Body one")]).remove(
        [Removal(Line(2, "Tin khác"), "blocks", Label.RECOMMENDATION, "marker", "marker 'Tin khác'")]
    )
    assert out.explain().splitlines() == [
        "line 1 edit <- fix/case: 'body one' -> 'Body one'",
        "line 2 recommendation <- blocks/marker: marker 'Tin khác'",
    ]
    assert out.replay("Title\nbody one\nTin khác\nheadline") == out.text == "Title\nBody one\nheadline"
    fates = list(out.fates())
    assert [f[0] for f in fates] == [0, 1, 2, 3]
    assert fates[2][2] is out.removed[0]


def test_documents_pickle_and_compare() -> None:
    doc = _doc().relabel({0: Label.TITLE})
    assert pickle.loads(pickle.dumps(doc)) == doc
    assert doc != _doc()
