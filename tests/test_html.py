"""The HTML reader: lines as the flattened dumps make them, structural features, page metadata, bad pages."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsclean import Document, InputError
from newsclean.io import InputFailure, read_html, read_inputs
from newsclean.io.html import MAX_CHAIN


def texts(doc: Document) -> list[str]:
    return [line.text for line in doc.lines]


# -- lines, as html_to_dump.py makes them (expected outputs written by hand) ------------

PAGES = [
    # block elements end lines, inline ones join, whitespace collapses, empty blocks go
    (
        "<html><body><div>  Tiêu   đề\n </div><p>Thân <b>bài</b> <a href='x'>một</a>.</p><p> </p>"
        "<ul><li>A</li><li>B<li>C</ul>tail</body></html>",
        ["Tiêu đề", "Thân bài một.", "A", "B", "C", "tail"],
    ),
    # <br> ends a line; script, style, noscript, template, svg, iframe and comments leave nothing
    (
        "<body><p>one<br>two<br/><br>three</p><script>var x = '<p>no</p>';</script><style>p{}</style>"
        "<noscript>enable JS</noscript><template><p>t</p></template><svg><text>s</text></svg>"
        "<iframe>frame</iframe><!-- comment --><span>four</span> <em>five</em></body>",
        ["one", "two", "three", "four five"],
    ),
    # <pre> keeps its line breaks (each collapsed on its own); tables give a line per cell
    (
        "<body><pre>a  b\n\n  c</pre><table><tr><td>x</td><td>y <i>z</i></td></tr></table>"
        "<h2>Head</h2>after</body>",
        ["a b", "c", "x", "y z", "Head", "after"],
    ),
    # server-side directives are gone; head text is not body text; entities decoded; nbsp collapses
    (
        "<html><head><title>T</title></head><body><% if x %><p>A&amp;B&nbsp;&nbsp;C</p><%= y %></body></html>",
        ["A&B C"],
    ),
]


@pytest.mark.parametrize("page,expected", PAGES)
def test_lines_are_the_dump_lines(page: str, expected: list[str]) -> None:
    doc = read_html(page, id="p")
    assert texts(doc) == expected
    assert [line.index for line in doc.lines] == list(range(len(expected)))
    assert len(doc.metadata["lines"]) == len(expected)
    # bytes in UTF-8 read the same as the text
    assert texts(read_html(page.encode("utf-8"))) == expected


# -- features ----------------------------------------------------------------------------

FEATURE_PAGE = """<!doctype html><html lang="en"><head><title> A  page </title></head><body class="page">
<header class="site-header"><nav id="mainNav" role="navigation"><ul><li><a href="/">Home</a></li></ul></nav></header>
<div class="breadcrumbs"><a href="/">News</a> &gt; <a href="/w">World</a></div>
<article><h1 class="headline">The title</h1>
<figure><img src="x.jpg"><figcaption class="image-caption">A caption</figcaption></figure>
<p>Body text with <a href="/l">one link</a> in it.</p>
<div class="share-buttons"><a href="#">Share</a></div>
<aside class="related-articles"><h3>Related</h3><ol><li><a href="/a">Other story</a></li></ol></aside>
<table><tr><td>cell</td></tr></table>
</article>
<div class="header-ad adsbygoogle">Advertisement</div>
<footer class="site-footer"><p>© 2024</p></footer></body></html>"""


def test_features_of_each_line() -> None:
    doc = read_html(FEATURE_PAGE)
    features = dict(zip(texts(doc), doc.metadata["lines"], strict=True))
    assert list(features) == [
        "Home", "News > World", "The title", "A caption", "Body text with one link in it.", "Share",
        "Related", "Other story", "cell", "Advertisement", "© 2024",
    ]  # fmt: skip
    home = features["Home"]
    assert home == {
        "path": "html>body>header>nav>ul>li>a",
        "link_density": 1.0,
        "hints": ["header", "nav"],
        "list": True,
        "table": False,
        "heading": 0,
        "boxes": {"header": [2, 4], "list": [4, 2], "nav": [3, 3]},
        "chain": (-1, 1, 2, 3, 4, 5, 6),  # html, body, header, nav, ul, li, a
    }
    # The chain names the same elements as the boxes, and each line's own element last.
    assert features["Other story"]["boxes"]["related"][0] in features["Other story"]["chain"]
    assert features["Related"]["chain"][:-1] == features["Other story"]["chain"][: len(features["Related"]["chain"]) - 1]
    # Every line inside one hinted element names the same element.
    assert features["Related"]["boxes"]["related"] == [features["Other story"]["boxes"]["related"][0], 1]
    assert features["Other story"]["boxes"]["related"][1] == 3  # aside > ol > li > a
    assert features["News > World"]["hints"] == ["breadcrumb"]
    assert features["News > World"]["link_density"] == pytest.approx(9 / 10)
    assert features["The title"]["heading"] == 1 and features["The title"]["hints"] == []
    assert features["A caption"]["hints"] == ["caption", "figcaption"]  # the tag says both; its class only "caption"
    assert features["A caption"]["path"].endswith("article>figure>figcaption")
    body = features["Body text with one link in it."]
    assert body["link_density"] == pytest.approx(len("onelink") / len("Bodytextwithonelinkinit."), abs=1e-3)
    assert body["hints"] == [] and not body["list"]
    assert features["Share"]["hints"] == ["share"]
    # <aside> says "aside" by its tag, as <nav>, <footer> and <header> do.
    assert features["Related"] == {**features["Related"], "heading": 3, "hints": ["aside", "related"], "list": False}
    assert features["Other story"]["list"] and features["Other story"]["hints"] == ["aside", "related"]
    assert features["cell"]["table"] and features["cell"]["path"] == "html>body>article>table>tbody>tr>td"
    assert features["Advertisement"]["hints"] == ["ad", "header"]  # "header" is a token, not an "ad"
    assert features["© 2024"]["hints"] == ["footer"]


def test_path_keeps_the_last_eight_elements() -> None:
    doc = read_html("<body>" + "<div>" * 20 + "<p><span>deep</span></p>" + "</div>" * 20 + "</body>")
    assert doc.metadata["lines"][0]["path"] == ">".join(["div"] * 6 + ["p", "span"])


# -- page metadata -------------------------------------------------------------------------

META_PAGE = """<html lang="vi"><head><meta charset="utf-8"><title>Tin  nóng | Báo</title>
<meta property="og:title" content="Tin nóng">
<link rel="canonical" href="https://bao.vn/tin-nong.html">
<script type="application/ld+json">{"@graph": [{"@type": "NewsArticle", "datePublished": "2024-05-01T08:00:00+07:00"}]}</script>
</head><body><p>Thân bài.</p><time datetime="2023-01-01">cũ</time></body></html>"""


def test_page_metadata() -> None:
    doc = read_html(META_PAGE.encode("utf-8"), "a", url="https://bao.vn/x")
    meta = {k: v for k, v in doc.metadata.items() if k != "lines"}
    assert meta == {
        "encoding": "utf-8",
        "title": "Tin nóng | Báo",
        "og_title": "Tin nóng",
        "lang": "vi",
        "canonical": "https://bao.vn/tin-nong.html",
        "published": "2024-05-01T08:00:00+07:00",
        "url": "https://bao.vn/x",
    }
    # article:published_time comes first; <time datetime> is the last resort; broken JSON-LD is skipped
    first = read_html(META_PAGE.replace("<title>", '<meta property="article:published_time" content="2024-06-01"><title>'))
    assert first.metadata["published"] == "2024-06-01"
    broken = read_html(META_PAGE.replace('{"@graph"', '{oops "@graph"'))
    assert broken.metadata["published"] == "2023-01-01"
    bare = read_html("<p>x</p>")
    assert set(bare.metadata) == {"lines"}


# -- encodings --------------------------------------------------------------------------------


def test_encodings() -> None:
    # cp1258 spells "ề" and "ệ" with combining accents; written so here, the text round-trips in every codec used
    words = "Tiêu đê\u0300 – “Viê\u0323t”"
    page = "<html><head>{}</head><body><p>" + words + "</p></body></html>"
    declared = page.format('<meta http-equiv="Content-Type" content="text/html; charset=windows-1258">')
    doc = read_html(declared.encode("cp1258"))
    assert texts(doc) == [words] and doc.metadata["encoding"] == "windows-1258"
    assert "encoding_guessed" not in doc.metadata
    assert texts(read_html(page.format("").encode("utf-8"))) == [words]
    assert texts(read_html(b"\xff\xfe" + page.format("").encode("utf-16-le"))) == [words]
    assert texts(read_html(b"\xef\xbb\xbf" + page.format("").encode("utf-8"))) == [words]
    assert texts(read_html(page.format("").encode("cp1258"), encoding="cp1258")) == [words]
    assert texts(read_html(page.format("").encode("utf-16-le"), encoding="utf-16-le")) == [words]
    # an explicit encoding overrides the page's label, and is strict
    assert texts(read_html(declared.encode("utf-8"), encoding="utf-8")) == [words]
    with pytest.raises(InputError, match="cannot decode byte 0xea at offset 30 as utf-8"):
        read_html(page.format("").encode("cp1258"), "x", encoding="utf-8")
    # a label Python does not know is ignored
    assert texts(read_html(page.format('<meta charset="x-klingon">').encode("utf-8"))) == [words]


def test_wrong_declared_charset_falls_back_and_says_so() -> None:
    page = '<html><head><meta charset="utf-8"></head><body><p>Café – “déjà vu”</p></body></html>'
    doc = read_html(page.encode("cp1252"))
    assert texts(doc) == ["Café – “déjà vu”"]
    assert doc.metadata["encoding"] == "cp1252"
    assert doc.metadata["encoding_guessed"] is True
    assert doc.metadata["declared_encoding"] == "utf-8"
    # undefined cp1252 bytes do not stop the last resort
    assert texts(read_html(b"<p>a\x81b\x9dc</p>")) == ["a\x81b\x9dc"]
    # a UTF-8 page with one stray cp1252 byte stays UTF-8
    mixed = read_html("<p>Tiêu đề ".encode("utf-8") + b"\x93q\x94 " + "và Việt</p>".encode("utf-8"))
    assert texts(mixed) == ["Tiêu đề “q” và Việt"]
    assert mixed.metadata["encoding"] == "utf-8" and mixed.metadata["encoding_errors"] == 2


# -- bad pages: a clear error or a best-effort result, never a crash -------------------------


@pytest.mark.parametrize(
    "data,what",
    [
        (b"", "empty page"),
        (b"  \n\t ", "empty page"),
        ("", "empty page"),
        (b"\x00\x01\x02\x03garbage\x00\x00\x00" * 50, "not an HTML page (binary data)"),
        (bytes(range(256)) * 10, "not an HTML page (binary data)"),
        ("\x00" * 100 + "<p>x</p>", "not an HTML page (binary data)"),
        (gzip.compress(b"<p>x</p>"), "not an HTML page (gzip data; decompress it first, or name the file .html.gz)"),
        (b"%PDF-1.4\n...", "not an HTML page (a PDF document)"),
        (b"<html><head><title>only a title</title></head><body> </body></html>", "no visible text in the page's <body>"),
    ],
)
def test_bad_pages_are_clear_errors(data: bytes | str, what: str) -> None:
    with pytest.raises(InputError) as info:
        read_html(data, "bad.html")
    assert info.value.what == what
    assert info.value.where == "bad.html" and info.value.hint


def test_truncated_and_broken_markup_is_read_best_effort() -> None:
    assert texts(read_html("<html><body><div><p>First para</p><p>Second, cut off mid-wo")) == [
        "First para",
        "Second, cut off mid-wo",
    ]
    assert texts(read_html("<p>a<div>b</span></i>c<td>d</p></p><<>>e")) == ["a", "bcd", "<<>>e"]  # as a browser parses it
    assert texts(read_html("plain text, no tags at all")) == ["plain text, no tags at all"]
    assert texts(read_html("<p>x<% unclosed server tag " + "<% " * 1000)) == ["x<% unclosed server tag " + "<% " * 999 + "<%"]


def test_twenty_megabytes_of_nested_divs_is_fast() -> None:
    depth = 20_000_000 // len("<div class=a></div>")
    page = "<html><body><p>before</p>" + "<div class=a>" * depth + "deep" + "</div>" * depth + "<p>after</p></body></html>"
    assert len(page) > 20_000_000
    start = time.perf_counter()
    doc = read_html(page.encode("ascii"))
    elapsed = time.perf_counter() - start
    assert texts(doc) == ["before", "deep", "after"]
    assert elapsed < 8, elapsed  # quadratic parsing of the nesting would take hours


def test_noscript_is_read_as_a_browser_with_scripts_on_reads_it() -> None:
    # Parsed as markup, the <div> left open inside <noscript> would swallow the page into it.
    page = '<body><NOSCRIPT><div id="nojs"></noscript><p>Menu</p><p>Article text.</p><noscript>&lt;img src="x"&gt;</noscript></body>'
    assert texts(read_html(page)) == ["Menu", "Article text."]


def test_a_noscript_that_holds_the_page_is_read_and_closed_on_its_own() -> None:
    # A blog engine that renders the post from a template leaves the post itself only in <noscript>;
    # the <div> left open there is closed with it, so the paragraph after still stands apart.
    post = " ".join(f"word{i}" for i in range(60))
    page = f'<body><p>Menu</p><noscript><div class="post"><p>{post}</p></noscript><p>After.</p><noscript>Enable JS</noscript></body>'
    doc = read_html(page)
    assert texts(doc) == ["Menu", post, "After."]
    assert doc.metadata["lines"][2]["path"] == "html>body>p"


def test_a_noscript_whose_words_are_parted_by_tags_or_references_alone_holds_the_page() -> None:
    # No whitespace is written between these words: the quick bound on words must still count them.
    by_tags = "".join(f"<b>w{i}</b>" for i in range(60))
    by_references = "&nbsp;".join(f"w{i}" for i in range(60))
    assert texts(read_html(f"<p>a</p><noscript><p>{by_tags}</p></noscript><p>b</p>")) == [
        "a",
        "".join(f"w{i}" for i in range(60)),
        "b",
    ]
    assert texts(read_html(f"<p>a</p><noscript><p>{by_references}</p></noscript><p>b</p>")) == [
        "a",
        " ".join(f"w{i}" for i in range(60)),
        "b",
    ]


def test_class_words_for_the_same_kind_of_box_share_a_hint() -> None:
    page = (
        "<body><div class='subscribe-box'>Get our mail</div><div id='donateNow'>Give</div>"
        "<div class='paywall'>Log in</div><div class='author-bio'>Jo writes</div><p class='byline'>By Jo</p>"
        "<div class='authority'>Not a byline</div></body>"
    )
    hints = [feature["hints"] for feature in read_html(page).metadata["lines"]]
    assert hints == [["newsletter"], ["newsletter"], ["newsletter"], ["author"], ["author"], []]


def test_ruby_annotations_are_not_text() -> None:
    page = "<p><ruby>災害<rp>(</rp><rt>さいがい</rt><rp>)</rp></ruby>のときは<ruby>外国人<rt>がいこくじん</rt></ruby>も</p>"
    assert texts(read_html(page)) == ["災害のときは外国人も"]


def test_a_noscript_end_tag_in_any_case_is_found() -> None:
    # "İ" lowercases to two characters: the end tag is found where the pattern matched it, not by its lower case.
    post = " ".join(f"word{i}" for i in range(60))
    assert texts(read_html(f"<p>a</p><noscript><p>{post}</p></noscrİpt><p>b</p>")) == ["a", post, "b"]


def test_the_chain_of_a_deep_line_is_capped() -> None:
    # Inline elements are not flattened past MAX_DEPTH: each line's chain stops at MAX_CHAIN, shared.
    doc = read_html("<body>" + "<span>a<br>" * 5000 + "</body>")
    chains = [feature["chain"] for feature in doc.metadata["lines"]]
    assert len(chains) == 5000 and max(map(len, chains)) == MAX_CHAIN
    assert chains[-1] is chains[-2]


def test_unclosed_nesting_keeps_its_line_breaks_past_the_depth_cap() -> None:
    # every <div> left open to the end: past the cap each becomes a <br>, so each "y" is still a line
    start = time.perf_counter()
    assert texts(read_html("<p>x</p>" + "<div class='c'>y" * 100_000)) == ["x"] + ["y"] * 100_000
    assert time.perf_counter() - start < 5


# -- read_inputs and the CLI -------------------------------------------------------------------


def test_read_inputs_reads_html_files(tmp_path: Path) -> None:
    (tmp_path / "a.html").write_text(META_PAGE, encoding="utf-8")
    (tmp_path / "b.htm.gz").write_bytes(gzip.compress(b"<p>Gz page</p>"))
    (tmp_path / "c.html").write_bytes(b"")
    (tmp_path / "d.HTML").write_bytes("<p>Café</p>".encode("cp1252"))
    items = list(read_inputs(sorted(tmp_path.iterdir())))
    assert [(i.id, texts(i)) for i in items if isinstance(i, Document)] == [
        ("a", ["Thân bài.", "cũ"]),
        ("b", ["Gz page"]),
        ("d", ["Café"]),
    ]
    (failure,) = [i for i in items if isinstance(i, InputFailure)]
    assert failure.error.message() == f"empty page, {tmp_path / 'c.html'}; try leaving it out, or fetching the page again"
    # an explicit encoding is honoured, and a wrong one is a failure, not a crash
    (bad,) = read_inputs(tmp_path / "d.HTML", encoding="utf-8")
    assert isinstance(bad, InputFailure) and bad.error.what.startswith("cannot decode byte 0xe9")
    # a folder still means its .txt dumps (pages and their dumps often sit side by side)
    (tmp_path / "e.txt").write_text("dump", encoding="utf-8")
    assert [i.id for i in read_inputs(tmp_path)] == ["e"]


def test_jsonl_records_with_html(tmp_path: Path) -> None:
    records = [
        {"id": "page", "html": META_PAGE, "url": "https://bao.vn/x", "source": "crawl"},
        {"id": "dump", "text": "A\nB", "html": "<p>ignored: the text field wins</p>"},
        {"id": "empty", "html": ""},
        {"id": "none", "html": None},
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    for items in (list(read_inputs(path)), list(read_inputs(path, fmt="jsonl"))):
        page, dump, empty, none = items
        assert isinstance(page, Document) and texts(page) == ["Thân bài.", "cũ"]
        assert page.metadata["url"] == "https://bao.vn/x" and page.metadata["source"] == "crawl"
        assert page.metadata["title"] == "Tin nóng | Báo" and "html" not in page.metadata
        assert len(page.metadata["lines"]) == 2
        assert isinstance(dump, Document) and dump.text == "A\nB"
        assert isinstance(empty, InputFailure)
        assert empty.error.message() == f"field 'html': empty page, {path}:3; try leaving it out, or fetching the page again"
        assert isinstance(none, InputFailure) and none.error.what == "no 'text' field"


def test_cli_cleans_an_html_page(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(FEATURE_PAGE, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "newsclean", "clean", str(page), "--lang", "en"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["id"] == "page"
    assert "Body text with one link in it." in record["text"]
