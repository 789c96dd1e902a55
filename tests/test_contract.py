"""The contract every registered stage keeps, checked over every stage with every knob drawn.

A new stage fails ``test_every_stage_is_covered`` until it has a strategy in
``STAGE_STRATEGIES`` below: no stage escapes the contract.
"""

from __future__ import annotations

import pickle

import hypothesis.strategies as st
import pytest
from hypothesis import example, given

from newsclean import STAGES, Document, Label, default_pipeline
from newsclean.corpus import LineStats, RepeatedLines
from newsclean.pipeline import build_stage, stage_options
from newsclean.structure import Kind, kind
from newsclean.profiles import available_languages, load_profile, normalize_phrase
from newsclean.stages import (
    Bylines,
    Captions,
    CommentSections,
    DetectLanguage,
    ImageMarkers,
    MainContent,
    MarkupBoxes,
    Mojibake,
    NearDuplicateLinks,
    RecommendationBlocks,
    SlugLines,
    Title,
    ToneStyle,
    Whitespace,
)
from newsclean.stages.markup import HINTS as MARKUP_HINTS
from seedlines import boilerplate_lines, kept_lines, seed_articles, seed_lines

# One strategy per registered stage, drawing every option it has.
languages = st.sampled_from(("",) + available_languages())
STAGE_STRATEGIES: dict[str, st.SearchStrategy] = {
    "whitespace": st.builds(Whitespace, collapse=st.booleans(), drop_blank=st.booleans()),
    "mojibake": st.builds(
        Mojibake, legacy=st.booleans(), vietnamese=st.booleans(), nfc=st.booleans(), tone_style=st.sampled_from(ToneStyle)
    ),
    "language": st.builds(DetectLanguage, language=languages),
    "image_markers": st.builds(ImageMarkers),
    "title": st.builds(Title, language=languages, window=st.integers(1, 30), min_score=st.integers(0, 100)),
    "slug_lines": st.builds(SlugLines, min_words=st.integers(2, 6), min_score=st.integers(80, 100)),
    "recommendation_blocks": st.builds(
        RecommendationBlocks,
        language=languages,
        extra_markers=st.frozensets(st.sampled_from(["Tin nổi bật", "Más noticias", "weiterlesen"])),
        english_markers=st.booleans(),
    ),
    "near_duplicate_links": st.builds(
        NearDuplicateLinks, language=languages, min_score=st.integers(80, 100), min_run=st.integers(2, 6)
    ),
    "comments": st.builds(CommentSections, language=languages, min_before=st.floats(0, 1)),
    "captions": st.builds(Captions, language=languages, max_words=st.integers(1, 80)),
    "bylines": st.builds(
        Bylines, language=languages, max_words=st.integers(1, 20), min_menu=st.integers(2, 8), max_footer_words=st.integers(1, 60)
    ),
    "main_content": st.builds(MainContent, penalty=st.floats(0, 40), min_share=st.floats(0, 1)),
    # Documents drawn here have no markup features, so this checks that the stage leaves them be;
    # test_markup.py runs the same contract on pages read from HTML.
    "markup": st.builds(
        MarkupBoxes,
        box_hints=st.frozensets(st.sampled_from(MARKUP_HINTS)),
        link_hints=st.frozensets(st.sampled_from(MARKUP_HINTS)),
        max_share=st.floats(0, 1),
        max_hint_share=st.floats(0, 1),
        max_up=st.integers(0, 20),
        min_link_density=st.floats(0, 1),
        min_items=st.integers(1, 8),
        prose_words=st.integers(1, 40),
        min_paragraphs=st.integers(1, 8),
        article=st.booleans(),
        min_article_share=st.floats(0, 1),
        min_box_density=st.floats(0, 1),
    ),
    # Counts fitted on pages of seed lines (the documents drawn below are all of site ""), every knob drawn.
    "repeated_lines": st.builds(
        lambda pages, **options: RepeatedLines.from_stats(
            LineStats.fit(Document.from_text("\n".join(p)) for p in pages), **options
        ),
        st.lists(st.lists(st.sampled_from(kept_lines() + boilerplate_lines()), max_size=10), max_size=6),
        min_count=st.integers(1, 4),
        min_share=st.floats(0, 1),
        site_field=st.sampled_from(["site", "source"]),
        id_separator=st.sampled_from(["/", ":"]),
    ),
}


def test_every_stage_is_covered() -> None:
    assert set(STAGE_STRATEGIES) == set(STAGES)


names = pytest.mark.parametrize("name", sorted(STAGE_STRATEGIES))

# Lines a stage meets: anything at all (surrogates and separators included),
# space variants, and real news lines of every gold label.
any_line = st.text(st.characters(), max_size=40)
spacey_line = st.text(st.sampled_from(" \t\u00a0\u3000x\x1e\u2028é"), max_size=8)
news_line = st.sampled_from(kept_lines() + boilerplate_lines())
lines = st.lists(st.one_of(any_line, spacey_line, news_line, news_line), max_size=30)
documents = lines.map(lambda ls: Document.from_text("\n".join(ls), id="d"))


def _draw(name: str, data):
    """The stage under test: drawn with every knob, or the default one for an @example."""
    return STAGES[name]() if data is None else data.draw(STAGE_STRATEGIES[name], label=name)


def _by_index(doc: Document) -> dict[int, str]:
    return {line.index: line.text for line in doc.lines}


@names
@given(data=st.data(), doc=documents)
@example(data=None, doc=Document.from_text("\ud800\x1e\u2028 \n\r\n\t"))
def test_no_crash_and_every_line_kept_or_explained(name: str, data, doc: Document) -> None:
    stage = _draw(name, data)
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


@names
@given(data=st.data(), doc=documents)
def test_kept_lines_are_input_lines_in_order(name: str, data, doc: Document) -> None:
    stage = _draw(name, data)
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


@names
@given(data=st.data(), doc=documents)
def test_idempotent(name: str, data, doc: Document) -> None:
    stage = _draw(name, data)
    once = stage(doc)
    assert stage(once) == once


@names
@given(data=st.data())
def test_pickle_and_config_round_trip(name: str, data) -> None:
    stage = _draw(name, data)
    assert pickle.loads(pickle.dumps(stage)) == stage
    assert build_stage({"name": stage.name, **stage_options(stage)}) == stage


@names
@given(data=st.data())
def test_bytes_are_refused_with_how_to_decode(name: str, data) -> None:
    stage = _draw(name, data)
    with pytest.raises(TypeError, match="decode"):
        stage(b"raw bytes")


MARKERS = ("Tin khác", "Related", "Xem thêm", "Read more")


@names
@given(data=st.data(), marker=st.sampled_from(MARKERS), block=st.lists(st.sampled_from(seed_lines(Label.RECOMMENDATION)), min_size=1, max_size=8))
def test_appending_a_marker_block_changes_nothing_else(name: str, data, marker: str, block: list[str]) -> None:
    stage = _draw(name, data)
    article = list(data.draw(st.sampled_from(seed_articles()), label="article")) if data else list(seed_articles()[0])
    alone = stage(Document.from_text("\n".join(article)))
    grown = stage(Document.from_text("\n".join(article + [marker] + block)))
    n = len(article)
    assert [(l.index, l.text, l.label) for l in grown.lines if l.index < n] == [
        (l.index, l.text, l.label) for l in alone.lines
    ]


def _lines_of(kind_: Kind) -> tuple[str, ...]:
    """Seed teaser-block lines of one kind; markers left out, they open blocks of their own."""
    markers = load_profile("vi").recommendation_markers
    return tuple(t for t in seed_lines(Label.RECOMMENDATION) if kind(t) is kind_ and normalize_phrase(t) not in markers)


# A teaser block as sites print it: headline, maybe a date stamp, maybe a teaser.
teaser_unit = st.tuples(
    st.sampled_from(_lines_of(Kind.HEADLINE)),
    st.lists(st.sampled_from(_lines_of(Kind.META)), max_size=1),
    st.lists(st.sampled_from(_lines_of(Kind.PROSE)), max_size=1),
).map(lambda unit: [unit[0], *unit[1], *unit[2]])
teaser_block = st.lists(teaser_unit, min_size=1, max_size=6).map(lambda units: [line for unit in units for line in unit])


@given(
    article=st.sampled_from(seed_articles()),
    marker=st.sampled_from(MARKERS),
    block=st.one_of(teaser_block, st.lists(st.sampled_from(seed_lines(Label.RECOMMENDATION)), min_size=1, max_size=8)),
)
def test_default_pipeline_keeps_the_article_when_a_block_is_appended(article, marker, block) -> None:
    pipe = default_pipeline("vi")
    alone = pipe("\n".join(article))
    grown = pipe("\n".join(list(article) + [marker] + block))
    n = len(article)
    assert [(l.index, l.text, l.label) for l in grown.lines if l.index < n] == [
        (l.index, l.text, l.label) for l in alone.lines
    ]


@given(article=st.sampled_from(seed_articles()), marker=st.sampled_from(MARKERS), block=teaser_block)
def test_default_pipeline_removes_an_appended_teaser_block_whole(article, marker, block) -> None:
    pipe = default_pipeline("vi")
    grown = pipe("\n".join(list(article) + [marker] + block))
    assert grown.text == pipe("\n".join(article)).text
