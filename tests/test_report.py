"""The HTML report: what it shows, that the input's text cannot run in it, and that a real browser renders it."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
from browser import dump_dom, png_size, require_chromium, screenshot
from clirun import run_newsclean
from hypothesis import example, given
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from newsclean import Document, Label, Pipeline, Whitespace, default_pipeline
from newsclean.report import CorpusCounts, find_labels, label_folders, render_report, report_entry, select
from newsclean.scoring import read_labels

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED = "000_b6b45c68898d6961"
TITLE = "newsclean report"

MALICIOUS = [
    "Tiêu đề bài viết về hội nghị công đoàn",
    "<script>document.title='pwned'</script>",
    "<img src=x onerror=\"document.title='pwned'\">",
    "<svg onload=\"document.title='pwned'\"></svg>",
    "</td></tr></table><script>document.title='pwned'</script>",
    "Thân bài với nhiều câu văn đầy đủ và dài, kể lại hội nghị của công đoàn quận trong năm qua.",
    "\"><iframe src=javascript:document.title='pwned'>",
]


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_newsclean(*args, cwd=cwd)


def seed_docs() -> list[Document]:
    pipeline = default_pipeline()
    return [pipeline(Document.from_text(p.read_text(encoding="utf-8"), id=p.stem)) for p in sorted(SEEDS.glob("*.txt"))]


def parse(page: str) -> LexborHTMLParser:
    return LexborHTMLParser(page)


def removed_rows_by_label(tree: LexborHTMLParser) -> Counter[str]:
    return Counter(row.attributes["data-label"] or "" for row in tree.css("tr.line.removed"))


# -- what the report shows ---------------------------------------------------------------


def test_every_raw_line_is_one_row_with_its_fate_and_reason() -> None:
    docs = seed_docs()
    tree = parse(render_report([report_entry(doc) for doc in docs], stages=default_pipeline().names))
    for number, doc in enumerate(docs):
        rows = tree.css(f"#d{number} tr.line")
        assert [int(r.attributes["data-index"] or -1) for r in rows] == list(range(doc.size))
        by_index = {int(r.attributes["data-index"] or -1): r for r in rows}
        for removal in doc.removed:
            row = by_index[removal.line.index]
            assert row.attributes["data-label"] == removal.label.value
            assert row.attributes["data-stage"] == removal.stage
            assert row.css_first("td.text del") is not None  # struck through
            why = row.css_first("td.why").text()
            assert f"{removal.stage}/{removal.rule}" in why and removal.evidence in why
        for line in doc.lines:
            row = by_index[line.index]
            assert row.attributes["data-fate"] == "kept" and row.css_first("td.text del") is None
            assert row.css_first("td.text").text() == line.text
    assert removed_rows_by_label(tree) == Counter(r.label.value for doc in docs for r in doc.removed)


def test_edits_show_before_and_after() -> None:
    doc = Pipeline([Whitespace()])(Document.from_text("Tiêu  đề\n  Thân bài.  ", id="e"))
    tree = parse(render_report([report_entry(doc)]))
    edits = tree.css("tr.edit")
    assert [(e.css_first(".before").text(), e.css_first(".after").text()) for e in edits] == [
        ("Tiêu  đề", "Tiêu đề"),
        ("  Thân bài.  ", "Thân bài."),
    ]
    assert [e.attributes["data-rule"] for e in edits] == ["collapse", "trim"]


def test_gold_disagreements_come_first(tmp_path: Path) -> None:
    # A copy of the seeds whose gold says one removed line is body and one kept line is nav.
    for path in SEEDS.iterdir():
        shutil.copy(path, tmp_path / path.name)
    labels = tmp_path / f"{SEED}.labels.tsv"
    rows = labels.read_text(encoding="utf-8").split("\n")
    assert rows[8].startswith("recommendation\t") and rows[3].startswith("body\t")
    rows[8] = "body\t" + rows[8].split("\t", 1)[1]
    rows[3] = "nav\t" + rows[3].split("\t", 1)[1]
    labels.write_text("\n".join(rows), encoding="utf-8")
    result = run("report", tmp_path, "-o", tmp_path / "r.html")
    assert result.returncode == 0, result.stderr
    assert "5 documents, 5 with gold labels, 5 shown" in result.stderr
    tree = parse((tmp_path / "r.html").read_text(encoding="utf-8"))
    # The document with disagreements is shown first, and its rows say which kind.
    first = tree.css("details.doc")[0]
    assert first.attributes["data-id"] == SEED and "has-issues" in (first.attributes["class"] or "")
    issues = {int(r.attributes["data-index"] or -1): r for r in first.css("tr.issue")}
    assert sorted(issues) == [3, 8]
    assert "lost" in (issues[8].attributes["class"] or "") and "leak" in (issues[3].attributes["class"] or "")
    listed = [a.attributes["href"] for a in tree.css("#disagreements a")]
    assert listed == ["#d0-l3", "#d0-l8"]
    summary = {r.attributes["data-key"]: r.css("td")[1].text() for r in tree.css("table.summary tr")}
    assert summary["leaked lines"] == "1" and summary["lost lines"] == "1"


def test_label_mismatch_is_marked_but_not_a_disagreement() -> None:
    doc = default_pipeline()(Document.from_text((SEEDS / f"{SEED}.txt").read_text(encoding="utf-8"), id=SEED))
    gold = read_labels(SEEDS / f"{SEED}.labels.tsv")
    entry = report_entry(doc, gold)
    expected = sum(
        1 for r in doc.removed if gold[r.line.index][0] not in (r.label, Label.TITLE, Label.BODY, Label.UNKNOWN)
    )
    tree = parse(render_report([entry]))
    assert len(tree.css("tr.mismatch")) == expected == entry.mismatches
    assert entry.disagreements == 0 and not tree.css("tr.issue")


def test_sampling_keeps_the_worst_documents_and_says_so(tmp_path: Path) -> None:
    for n in range(30):
        (tmp_path / f"doc{n:02}.txt").write_text("Tiêu đề\n" + "\n" * n + "Thân bài.", encoding="utf-8")
    out = tmp_path / "r.html"
    result = run("report", tmp_path, "-o", out, "--max-docs", "5", "--lang", "vi")
    assert result.returncode == 0, result.stderr
    tree = parse(out.read_text(encoding="utf-8"))
    assert [d.attributes["data-id"] for d in tree.css("details.doc")] == [f"doc{n}" for n in range(29, 24, -1)]
    sample = tree.css_first("p.sample")
    assert sample.attributes["data-shown"] == "5" and sample.attributes["data-total"] == "30"
    assert "Showing 5 of 30 documents" in sample.text()
    summary = {r.attributes["data-key"]: r.css("td")[1].text() for r in tree.css("table.summary tr")}
    assert summary["documents"] == "30" and summary["removed lines"] == str(sum(range(30)))


def test_a_large_corpus_gives_a_small_file(tmp_path: Path) -> None:
    page = (SEEDS / "004_22952a1b50188780.txt").read_text(encoding="utf-8")
    docs = (Document.from_text(page, id=f"d{n}") for n in range(200))
    pipeline = Pipeline([Whitespace()])
    shown, counts = select((report_entry(pipeline(d)) for d in docs), max_docs=20)
    html = render_report(shown, counts)
    assert counts.documents == 200 and len(shown) == 20
    one = len(render_report(shown[:1], CorpusCounts.of(shown[:1])))
    assert len(html) < 25 * one  # grows with the documents shown, not with the corpus


@given(st.lists(st.text(), min_size=1, max_size=6), st.integers(min_value=0, max_value=3))
@example(MALICIOUS, 0)
@example(["a\x1eb\u2028c\ud800", "\x00<", "\xa0"], 1)
def test_no_input_text_becomes_markup(lines: list[str], blank: int) -> None:
    text = "\n".join(lines + [""] * blank)
    doc = Pipeline([Whitespace()])(Document.from_text(text, id=lines[0][:20]))
    page = render_report([report_entry(doc)], source=lines[-1])
    page.encode("utf-8")  # writable: no lone surrogate reached the page
    tree = parse(page)
    assert not tree.css("script") and not tree.css("img") and not tree.css("iframe")
    assert len(tree.css("body svg")) >= 1 and not tree.css("td svg, td.text svg")
    rows = tree.css("tr.line")
    assert len(rows) == doc.size
    for (_index, line_text, _removal, _edits), row in zip(doc.fates(), rows, strict=True):
        shown = row.css_first("td.text").text()
        expected = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in line_text)
        assert shown == (expected or "(empty line)")


def test_find_labels_and_folders(tmp_path: Path) -> None:
    assert label_folders([SEEDS, SEEDS / f"{SEED}.txt", str(SEEDS / "*.txt"), "-"]) == [SEEDS]
    assert find_labels(SEED, [tmp_path, SEEDS]) == SEEDS / f"{SEED}.labels.tsv"
    assert find_labels("../seeds/" + SEED, [SEEDS]) is None
    assert find_labels("nope", [SEEDS]) is None


# -- the command line --------------------------------------------------------------------


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    result = run("report", SEEDS, "-o", tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("newsclean: error: the output is a folder")
    result = run("report", SEEDS, "-o", tmp_path / "r.html", "--max-docs", "-1")
    assert result.returncode == 2 and "must be 0 or more" in result.stderr and "Traceback" not in result.stderr
    result = run("report", tmp_path / "missing.txt", "-o", tmp_path / "r.html")
    assert result.returncode == 2 and "file not found" in result.stderr


def test_cli_reports_failures_and_jsonl(tmp_path: Path) -> None:
    records = tmp_path / "pages.jsonl"
    records.write_text(
        '{"id": "p1", "text": "Tiêu đề\\nThân bài."}\n{"id": "p2", "text": "Một\\n\\nHai"}\n', encoding="utf-8"
    )
    out = tmp_path / "r.html"
    result = run("report", records, tmp_path / "missing.txt", "-o", out, "--no-gold")
    assert result.returncode == 1
    assert "file not found" in result.stderr and "2 documents" in result.stderr
    tree = parse(out.read_text(encoding="utf-8"))
    assert sorted(d.attributes["data-id"] or "" for d in tree.css("details.doc")) == ["p1", "p2"]
    assert "file not found" in tree.css_first("#corpus ul").text()


# -- in a real browser -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> str:
    return require_chromium()


def test_browser_renders_the_seeds_counts(chromium: str, tmp_path: Path) -> None:
    out = tmp_path / "seeds.html"
    result = run("report", SEEDS, "-o", out)
    assert result.returncode == 0, result.stderr
    started = time.perf_counter()
    dom = dump_dom(chromium, out)
    elapsed = time.perf_counter() - started
    tree = parse(dom)
    assert tree.css_first("title").text() == TITLE
    docs = seed_docs()
    removed = Counter(r.label.value for doc in docs for r in doc.removed)
    assert removed_rows_by_label(tree) == removed
    totals = {c.attributes["data-label"]: int(c.attributes["data-count"] or -1) for c in tree.css("td.label-total")}
    assert totals == removed
    assert len(tree.css("details.doc")) == len(docs) == 5
    for doc in docs:
        section = next(d for d in tree.css("details.doc") if d.attributes["data-id"] == doc.id)
        assert int(section.attributes["data-removed"] or -1) == len(doc.removed)
        assert len(section.css("tr.line.kept")) == len(doc.lines)
    # The bar charts are drawn: one bar per label removed, with its count.
    bars = tree.css('svg[data-chart="label"] rect')
    assert len(bars) == len(removed)
    print(f"chromium --dump-dom took {elapsed:.2f} s")


def test_browser_runs_no_script_from_the_input(chromium: str, tmp_path: Path) -> None:
    dump = tmp_path / "evil.txt"
    dump.write_text("\n".join(MALICIOUS), encoding="utf-8")
    out = tmp_path / "evil.html"
    assert run("report", dump, "-o", out, "--lang", "vi").returncode == 0
    page = out.read_text(encoding="utf-8")
    # Escaping alone must hold, without the Content-Security-Policy's help.
    bare = tmp_path / "evil-no-csp.html"
    bare.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page), encoding="utf-8")
    assert "Content-Security-Policy" in page and "Content-Security-Policy" not in bare.read_text(encoding="utf-8")
    for path in (out, bare):
        tree = parse(dump_dom(chromium, path))
        assert tree.css_first("title").text() == TITLE
        assert not tree.css("script") and not tree.css("img") and not tree.css("iframe")
        texts = [row.css_first("td.text").text() for row in tree.css("tr.line")]
        assert texts == MALICIOUS


def test_browser_would_have_seen_a_script_run(chromium: str, tmp_path: Path) -> None:
    # The check above can fail: the same browser run shows a script's effect when one does run.
    page = tmp_path / "control.html"
    page.write_text(
        f"<!DOCTYPE html><html><head><title>{TITLE}</title></head><body>{MALICIOUS[1]}</body></html>", encoding="utf-8"
    )
    assert parse(dump_dom(chromium, page)).css_first("title").text() == "pwned"


def test_browser_screenshot(chromium: str, tmp_path: Path) -> None:
    out = tmp_path / "seeds.html"
    assert run("report", SEEDS, "-o", out).returncode == 0
    png = screenshot(chromium, out, tmp_path / "report.png", (1200, 900))
    assert png_size(png) == (1200, 900)
    assert png.stat().st_size > 20_000  # a page with text and charts, not a blank canvas


def test_long_documents_are_cut_and_say_so() -> None:
    doc = Pipeline([Whitespace()])(Document.from_text("\n".join(f"Dòng {n}" for n in range(50)), id="long"))
    tree = parse(render_report([report_entry(doc)], max_lines=10))
    assert [int(r.attributes["data-index"] or -1) for r in tree.css("tr.line")] == list(range(10))
    assert tree.css_first("p.more").text() == "40 more lines not shown (--max-lines)"
    assert len(parse(render_report([report_entry(doc)], max_lines=None)).css("tr.line")) == 50


def test_a_bad_labels_file_is_reported_and_the_rest_goes_on(tmp_path: Path) -> None:
    for path in SEEDS.iterdir():
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / f"{SEED}.labels.tsv").write_text("headline\tTiêu đề\n", encoding="utf-8")
    out = tmp_path / "r.html"
    result = run("report", tmp_path, "-o", out)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("newsclean: error:")]
    assert len(errors) == 1 and "gold labels not used: unknown label 'headline'" in errors[0]
    assert "5 documents, 4 with gold labels" in result.stderr
    tree = parse(out.read_text(encoding="utf-8"))
    assert "unknown label 'headline'" in tree.css_first("#corpus ul").text()
    assert len(tree.css("details.doc")) == 5


@given(st.lists(st.integers(min_value=0, max_value=6), max_size=12), st.integers(min_value=0, max_value=14))
def test_select_keeps_the_top_documents_in_order(blanks: list[int], max_docs: int) -> None:
    pipeline = Pipeline([Whitespace()])
    docs = [pipeline(Document.from_text("Dòng\n" + "\n" * n + "Cuối", id=f"d{i}")) for i, n in enumerate(blanks)]
    shown, counts = select(map(report_entry, docs), max_docs=max_docs)
    ranked = sorted(range(len(docs)), key=lambda i: (-len(docs[i].removed), i))
    assert [e.doc.id for e in shown] == [f"d{i}" for i in ranked[:max_docs]]
    assert counts.documents == len(docs) and counts.removed[Label.BLANK] == sum(blanks)
    everything, _ = select(map(report_entry, docs), max_docs=None)
    assert [e.doc.id for e in everything] == [f"d{i}" for i in ranked]


def test_a_cut_document_still_shows_its_disagreements() -> None:
    lines = [f"Dòng {n}" for n in range(30)]
    lines[25] = ""
    doc = Pipeline([Whitespace()])(Document.from_text("\n".join(lines), id="cut"))
    gold = [(Label.BODY, text) for text in lines]
    tree = parse(render_report([report_entry(doc, gold)], max_lines=5))
    assert [int(r.attributes["data-index"] or -1) for r in tree.css("tr.line")] == [0, 1, 2, 3, 4, 25]
    assert [a.attributes["href"] for a in tree.css("#disagreements a")] == ["#d0-l25"]
    assert tree.css_first("p.more").text() == "24 more lines not shown (--max-lines)"
