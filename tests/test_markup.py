"""The markup stage on pages read from HTML: the stage contract over drawn pages, and what it must keep."""

from __future__ import annotations

import html
import pickle

import hypothesis.strategies as st
from hypothesis import given, settings
from seedlines import kept_lines

from newsclean import Document, Label, default_pipeline
from newsclean.io.html import read_html
from newsclean.pipeline import build_stage, stage_options
from newsclean.stages.markup import CONTENT_SHARE, DEFAULT_BOX_HINTS, HINTS, MarkupBoxes, content_box
from newsclean.text import shape

PARAGRAPHS = [line for line in kept_lines() if len(line.split()) >= 12]
CLASS_WORDS = ["related-posts", "site-nav", "footer", "share-bar", "comment", "sidebar", "content", "article-body", "tags", "x"]

text = st.sampled_from(PARAGRAPHS + ["Home", "World", "Share", "Read more", "© 2024"])


@st.composite
def elements(draw: st.DrawFn, depth: int = 0) -> str:
    """A random piece of a news page: paragraphs, link lists, boxes with hint classes, articles, nested."""
    kind = draw(st.sampled_from(["p", "a", "ul", "box"] if depth < 3 else ["p", "a", "ul"]))
    if kind == "p":
        return f"<p>{html.escape(draw(text))}</p>"
    if kind == "a":
        return f'<div><a href="/x">{html.escape(draw(text))}</a></div>'
    if kind == "ul":
        items = draw(st.lists(st.tuples(text, st.booleans()), min_size=1, max_size=6))
        lis = "".join(f'<li><a href="/x">{html.escape(t)}</a></li>' if link else f"<li>{html.escape(t)}</li>" for t, link in items)
        return f"<ul>{lis}</ul>"
    tag = draw(st.sampled_from(["div", "nav", "footer", "aside", "header", "article", "main", "section"]))
    cls = draw(st.sampled_from(CLASS_WORDS))
    inner = "".join(draw(st.lists(elements(depth + 1), min_size=1, max_size=4)))
    return f'<{tag} class="{cls}">{inner}</{tag}>'


pages = st.lists(elements(), min_size=1, max_size=6).map(lambda parts: "<html><body>" + "".join(parts) + "</body></html>")
stages = st.builds(
    MarkupBoxes,
    box_hints=st.frozensets(st.sampled_from(HINTS)),
    max_share=st.floats(0, 1),
    min_items=st.integers(1, 5),
    article=st.booleans(),
) | st.just(MarkupBoxes())


@settings(max_examples=60, deadline=None)
@given(page=pages, stage=stages)
def test_contract_on_pages_read_from_html(page: str, stage: MarkupBoxes) -> None:
    doc = read_html(page)
    out = stage(doc)
    kept = [line.index for line in out.lines]
    removed = [r.line.index for r in out.removed]
    assert kept == sorted(kept)
    assert sorted(kept + removed) == [line.index for line in doc.lines]
    for removal in out.removed:
        assert removal.stage == "markup" and removal.rule in {"box", "link-list", "outside-article", "after-content"}
        assert removal.evidence and isinstance(removal.label, Label)
        assert removal.line == doc.lines[removal.line.index]
        # Every removal names what in the markup made it.
        assert any(word in removal.evidence for word in ("box", "list", "outside the <", "after the element"))
    assert stage(out) == out  # idempotent
    assert pickle.loads(pickle.dumps(stage)) == stage
    assert build_stage({"name": stage.name, **stage_options(stage)}) == stage


@settings(max_examples=40, deadline=None)
@given(
    hint=st.sampled_from(sorted(DEFAULT_BOX_HINTS)),
    body=st.lists(st.sampled_from(PARAGRAPHS), min_size=3, max_size=8, unique=True),
    menu=st.lists(st.sampled_from(["Home", "World", "Sport", "Business"]), min_size=1, max_size=4),
)
def test_a_hint_on_the_wrapper_of_the_whole_article_removes_none_of_it(hint: str, body: list[str], menu: list[str]) -> None:
    links = "".join(f'<li><a href="/{i}">{m}</a></li>' for i, m in enumerate(menu))
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in body)
    page = f'<body><nav><ul>{links}</ul></nav><div class="{hint}-wrapper"><h1>Title</h1>{paragraphs}</div></body>'
    out = MarkupBoxes()(read_html(page))
    assert [line.text for line in out.lines if line.text in body] == body
    assert {r.line.text for r in out.removed} <= set(menu)


def test_a_small_box_goes_whatever_its_text() -> None:
    article = "".join(f"<p>{html.escape(p)}</p>" for p in PARAGRAPHS[:6])
    page = f'<body><article><h1>T</h1>{article}</article><div class="related-stories"><p>{html.escape(PARAGRAPHS[7])}</p><a href="/a">Other</a></div></body>'
    out = MarkupBoxes()(read_html(page))
    assert [(r.line.text, r.label, r.rule) for r in out.removed] == [
        (PARAGRAPHS[7], Label.RELATED, "box"),
        ("Other", Label.RELATED, "box"),
    ]
    assert "'related' box" in out.removed[0].evidence and "link density" in out.removed[0].evidence


def test_a_footer_goes_whatever_its_size_once_the_page_has_a_body_outside_it() -> None:
    # A comment thread inside the article's <footer> outweighs the article, and is still not it.
    article = "".join(f"<p>{html.escape(p)}</p>" for p in PARAGRAPHS[:4])
    thread = "".join(f"<div class='c'><h3>Reader {i}</h3><p>{html.escape(p)}</p></div>" for i, p in enumerate(PARAGRAPHS[4:16]))
    page = f"<body><article><h1>T</h1>{article}<footer>{thread}</footer></article></body>"
    out = MarkupBoxes()(read_html(page))
    assert [line.text for line in out.lines] == ["T", *PARAGRAPHS[:4]]
    assert all(r.rule == "box" and "'footer' box" in r.evidence for r in out.removed)
    # With fewer paragraphs outside than min_paragraphs, the size guard holds again.
    few = MarkupBoxes(min_paragraphs=5)(read_html(page))
    assert not few.removed


def test_without_markup_features_nothing_happens() -> None:
    page = '<body><nav><ul><li><a href="/">Home</a></li><li><a href="/w">World</a></li><li><a href="/s">Sport</a></li></ul></nav><p>Body.</p></body>'
    doc = read_html(page)
    assert MarkupBoxes()(doc).removed  # with them, the menu goes
    as_dump = Document.from_text(doc.text)
    assert MarkupBoxes()(as_dump) == as_dump


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


READER_SHAPED = {"path": "html>body>nav>a", "link_density": 1.0, "list": True, "heading": 0, "boxes": {"nav": [2, 1]}}
# One field of the reader's shape given a value of the wrong type.
BROKEN = {"path": 7, "link_density": "x", "list": "x", "heading": "x", "boxes": "x"}
broken_feature = st.sampled_from(sorted(BROKEN)).map(lambda key: {**READER_SHAPED, key: BROKEN[key]})


@settings(max_examples=100, deadline=None)
@given(
    lines=json_values.filter(lambda v: not (isinstance(v, list) and v and all(isinstance(i, dict) for i in v)))
    | st.lists(st.just(READER_SHAPED), max_size=2).flatmap(lambda good: st.lists(broken_feature, min_size=1, max_size=2).map(lambda bad: good + bad))
)
def test_features_not_shaped_as_the_readers_are_ignored(lines: object) -> None:
    doc = Document.from_text("Home\nWorld\nA body line of some length here.", metadata={"lines": lines})
    assert MarkupBoxes()(doc) == doc
    body = {**READER_SHAPED, "path": "html>body>p", "link_density": 0.0, "list": False, "boxes": {}}
    shaped = Document.from_text(doc.text, metadata={"lines": [READER_SHAPED, READER_SHAPED, body]})
    assert len(MarkupBoxes()(shaped).removed) == 2  # the same lines, well shaped, do go


def test_numbers_too_large_for_their_type_are_ignored_not_raised() -> None:
    for broken in ({**READER_SHAPED, "link_density": 10**400}, {**READER_SHAPED, "chain": [float("inf")]}):
        doc = Document.from_text("Home", metadata={"lines": [broken]})
        assert MarkupBoxes()(doc) == doc
        assert content_box(doc) is None


def test_the_page_cleans_at_least_as_well_as_its_dump() -> None:
    menu = "".join(f'<li><a href="/{w}">{w}</a></li>' for w in ("Home", "World", "Business", "Sport", "Culture"))
    article = "".join(f"<p>{html.escape(p)}</p>" for p in PARAGRAPHS[:5])
    related = "".join(f'<li><a href="/r{i}">{html.escape(t)}</a></li>' for i, t in enumerate(PARAGRAPHS[5:9]))
    page = (
        f'<html lang="vi"><body><header><nav><ul>{menu}</ul></nav></header><article><h1>{html.escape(PARAGRAPHS[10])}</h1>{article}'
        f'<div class="share"><a href="#">Facebook</a><a href="#">Zalo</a></div></article>'
        f'<div class="related-news"><h3>Related</h3><ul>{related}</ul></div><footer><p>© 2024 Báo</p></footer></body></html>'
    )
    pipe = default_pipeline()
    from_page = pipe(read_html(page))
    from_dump = pipe(Document.from_text("\n".join(line.text for line in read_html(page).lines)))
    assert from_page.text.split("\n") == [PARAGRAPHS[10], *PARAGRAPHS[:5]]
    assert set(from_page.text.split("\n")) <= set(from_dump.text.split("\n")) | {PARAGRAPHS[10]}


# -- the element holding the prose -------------------------------------------------------


def paragraph_words(doc: Document) -> dict[int, int]:
    """Raw index -> words, for the lines content_box counts as paragraphs (restated from its definition)."""
    from newsclean.text import shape

    features = doc.metadata["lines"]
    return {
        line.index: shape(line.text).n_words
        for line in doc.lines
        if shape(line.text).n_words >= 12 and features[line.index]["link_density"] < 0.5
    }


@settings(max_examples=60, deadline=None)
@given(page=pages)
def test_the_content_box_is_the_innermost_element_holding_the_share(page: str) -> None:
    doc = read_html(page)
    box = content_box(doc)
    words = paragraph_words(doc)
    chains = [feature["chain"] for feature in doc.metadata["lines"]]
    if len(words) < 2:
        assert box is None
        return
    assert box is not None
    total = sum(words.values())
    held = {e: sum(n for i, n in words.items() if e in chains[i]) for chain in chains for e in chain}
    count = {e: sum(1 for i in words if e in chains[i]) for e in held}
    assert held[box.element] >= CONTENT_SHARE * total and count[box.element] >= 2
    assert box.share == held[box.element] / total
    assert box.lines == {i for i, chain in enumerate(chains) if box.element in chain}
    # Nothing inside it holds the share too.
    assert not [e for e, n in held.items() if e != box.element and n >= CONTENT_SHARE * total and count[e] >= 2 and any(
        box.element in chain and e in chain[chain.index(box.element) :] for chain in chains
    )]
    assert content_box(Document.from_text(doc.text)) is None  # a dump has no markup


@given(text=st.text())
def test_a_line_has_no_more_words_than_characters_and_one(text: str) -> None:
    # content_box tells a line too short for a paragraph's words without its shape on this ground.
    assert shape(text).n_words <= len(text) + 1


def test_what_the_content_box_holds_is_kept_though_it_does_not_read_as_prose() -> None:
    # A recipe: after the method, the ingredients are short lines no text rule takes for the
    # body, but they sit with the method inside the element that holds the page's prose.
    ingredients = ["200 g flour", "2 eggs", "1 pinch of salt", "300 ml milk", "Butter for the pan"]
    more = ["Other recipes we like a lot", "Ten quick dinners for busy weeks"]
    page = (
        "<body><nav><ul>" + "".join(f'<li><a href="/{w}">{w}</a></li>' for w in ("Home", "Recipes", "About")) + "</ul></nav>"
        "<div class='recipe'><h1>Pancakes</h1>" + "".join(f"<p>{html.escape(p)}</p>" for p in PARAGRAPHS[:3])
        + "<h2>You will need</h2><ul>" + "".join(f"<li>{i}</li>" for i in ingredients) + "</ul></div>"
        "<div class='more'>" + "".join(f"<a href='/{i}'>{m}</a><br>" for i, m in enumerate(more)) + "</div></body>"
    )
    doc = read_html(page)
    kept = default_pipeline()(doc).text.split("\n")
    assert kept == ["Pancakes", *PARAGRAPHS[:3], "You will need", *ingredients]
    # Without the markup, they read as what trails a body: a list of links.
    as_dump = default_pipeline()(Document.from_text(doc.text)).text.split("\n")
    assert not set(as_dump) & set(ingredients)


def test_what_follows_the_content_box_goes_and_says_so() -> None:
    body = "".join(f"<p>{html.escape(p)}</p>" for p in PARAGRAPHS[:8])
    after = f"<div><p>{html.escape(PARAGRAPHS[9])}</p><p>Contact us</p></div>"
    page = f"<body><p>Intro line before</p><div class='story'><h1>T</h1>{body}</div>{after}</body>"
    doc = read_html(page)
    out = MarkupBoxes()(doc)
    assert [(r.line.text, r.rule) for r in out.removed] == [(PARAGRAPHS[9], "after-content"), ("Contact us", "after-content")]
    assert "after the element that holds" in out.removed[0].evidence and "(html>body>div>p)" in out.removed[0].evidence
    assert [line.text for line in out.lines][:1] == ["Intro line before"]  # before the box: not this rule's to judge
    assert MarkupBoxes(after_content=False)(doc).removed == ()
