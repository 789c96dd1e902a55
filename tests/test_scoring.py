"""Scoring against gold labels: a perfect pipeline scores perfectly, errors show where they came from."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import hypothesis.strategies as st
import pytest
from attrs import evolve
from hypothesis import given

from newsclean import KEPT_LABELS, Document, Edit, InputError, Label, Pipeline, Removal, Whitespace
from newsclean.scoring import (
    ScoreReport,
    align,
    find_pairs,
    read_labels,
    score_document,
    score_folder,
    token_scores,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_NAMES = sorted(p.name[: -len(".labels.tsv")] for p in SEEDS.glob("*.labels.tsv"))
BOILERPLATE = frozenset(Label) - KEPT_LABELS - {Label.UNKNOWN}


def gold_of(name: str) -> list[tuple[Label, str]]:
    return read_labels(SEEDS / f"{name}.labels.tsv")


class Oracle:
    """Pipeline-like: removes exactly the gold boilerplate lines and labels the gold title."""

    def __init__(self, root: Path = SEEDS) -> None:
        self.gold = {name: read_labels(labels) for name, _dump, labels in find_pairs(root)}

    def __call__(self, doc: Document) -> Document:
        gold = self.gold[doc.id]
        removals = [
            Removal(line, "oracle", gold[line.index][0], "gold")
            for line in doc.lines
            if gold[line.index][0] in BOILERPLATE
        ]
        titles = {line.index: Label.TITLE for line in doc.lines if gold[line.index][0] is Label.TITLE}
        return doc.remove(removals).relabel(titles)


def copy_seed(name: str, to: Path) -> tuple[Path, Path]:
    to.mkdir(parents=True, exist_ok=True)
    dump, labels = to / f"{name}.txt", to / f"{name}.labels.tsv"
    shutil.copy(SEEDS / f"{name}.txt", dump)
    shutil.copy(SEEDS / f"{name}.labels.tsv", labels)
    return dump, labels


# -- the seeds ----------------------------------------------------------------


def test_seeds_are_there() -> None:
    assert len(SEED_NAMES) >= 5


def test_oracle_scores_perfectly_on_every_seed() -> None:
    report = score_folder(SEEDS, Oracle())
    assert [d.name for d in report.documents] == SEED_NAMES and not report.failed
    for d in report.documents:
        assert (d.precision, d.recall, d.f1) == (1.0, 1.0, 1.0), d.name
        assert (d.leaked, d.lost, d.title_ok, d.aligned_by) == (0, 0, True, "index"), d.name
    assert report.macro == report.micro == (1.0, 1.0, 1.0)
    assert report.render().splitlines()[-1] == (
        f"overall  macro P 1.000 R 1.000 F1 1.000 | micro P 1.000 R 1.000 F1 1.000 | leaked 0 lines, lost 0 lines, "
        f"titles {len(SEED_NAMES)}/{len(SEED_NAMES)}"
    )


def test_identity_pipeline_recalls_everything_and_leaks_every_non_blank_boilerplate_line() -> None:
    report = score_folder(SEEDS, Pipeline([]))
    for d in report.documents:
        gold = gold_of(d.name)
        assert d.recall == 1.0 and d.lost == 0, d.name
        expected = Counter(label for label, _ in gold if label not in KEPT_LABELS | {Label.BLANK, Label.UNKNOWN})
        assert d.leaked == sum(expected.values()) > 0, d.name
        assert Counter(i.gold for i in d.leaks) == expected
        assert all(i.taken_as is Label.BODY and i.why == "kept as body" for i in d.leaks)
    assert report.leaked == sum(d.leaked for d in report.documents)
    assert report.to_dict()["pipeline"] == {"stage": []}


def test_whitespace_stage_costs_no_tokens_on_the_seeds() -> None:
    # It trims and collapses spaces only, and drops blank lines: the token
    # scores are the identity's, and blank lines are dropped, never lost.
    ident = score_folder(SEEDS, Pipeline([]))
    ws = score_folder(SEEDS, Pipeline([Whitespace()]))
    assert ws.micro == ident.micro and ws.lost == 0
    assert ws.dropped[Label.BLANK] == ws.kept[Label.BLANK] + ws.dropped[Label.BLANK] > 0


def test_a_dropped_body_line_is_lost_with_its_stage_and_rule() -> None:
    name = SEED_NAMES[0]
    raw = (SEEDS / f"{name}.txt").read_text(encoding="utf-8")
    gold = gold_of(name)
    body = [i for i, (label, _) in enumerate(gold) if label is Label.BODY][1]
    doc = Document.from_text(raw, id=name)
    line = doc.lines[body]
    doc = doc.remove([Removal(line, "toy_stage", Label.RELATED, "drop-second-body", "it looked short")])
    score = score_document(doc, gold)
    assert score.recall < 1.0 and score.lost == 1
    (issue,) = score.losses
    assert (issue.index, issue.gold, issue.taken_as, issue.stage, issue.rule) == (
        body,
        Label.BODY,
        Label.RELATED,
        "toy_stage",
        "drop-second-body",
    )
    assert score.dropped_by[Label.BODY] == {"toy_stage/drop-second-body": 1}
    bodies = sum(label is Label.BODY for label, _ in gold)
    text = ScoreReport([score]).render(verbose=True)
    assert f"body            {bodies:>5}  {bodies - 1:>5}        1  toy_stage/drop-second-body 1" in text.splitlines()
    why = "toy_stage/drop-second-body: it looked short"
    assert f"  {name}:{body}  body            {why}  | {line.text[:99]}…" in text
    assert text.splitlines()[-2] == "lost by stage/rule: toy_stage/drop-second-body 1"


def test_a_line_dropped_without_a_record_is_lost_as_unexplained() -> None:
    gold = [(Label.TITLE, "T"), (Label.BODY, "b c")]
    doc = Document.from_text("T\nb c")
    broken = evolve(doc, lines=doc.lines[:1])  # a buggy stage: line 1 vanished with no Removal
    score = score_document(broken, gold, raw_lines=["T", "b c"])
    assert score.lost == 1 and score.losses[0].stage == "(unexplained)" and score.losses[0].taken_as is None
    assert score.recall == 1 / 3


# -- token scores, exactly ----------------------------------------------------


def test_small_case_by_hand() -> None:
    gold = [(Label.TITLE, "A B"), (Label.BODY, "C D E"), (Label.NAV, "F G"), (Label.BLANK, "")]
    doc = Document.from_text("A B\nC D E\nF G\n")
    doc = doc.remove([Removal(doc.lines[1], "s", Label.NAV, "r"), Removal(doc.lines[3], "s", Label.BLANK, "r")])
    score = score_document(doc, gold)
    # kept A B F G (4 tokens), gold A B C D E (5), both A B (2)
    assert (score.kept_tokens, score.gold_tokens, score.overlap) == (4, 5, 2)
    assert score.precision == 2 / 4 == 0.5
    assert score.recall == 2 / 5 == 0.4
    assert score.f1 == 4 / 9 == pytest.approx(2 * 0.5 * 0.4 / (0.5 + 0.4))  # 2·2 / (4 + 5)
    assert (score.leaked, score.lost) == (1, 1)
    assert score.kept == {Label.TITLE: 1, Label.NAV: 1} and score.dropped == {Label.BODY: 1, Label.BLANK: 1}
    assert not score.title_ok  # nothing labelled the title


def test_repeated_tokens_count_as_a_multiset() -> None:
    gold = [(Label.BODY, "the cat"), (Label.NAV, "the the")]
    score = score_document(Document.from_text("the cat\nthe the"), gold)
    assert (score.kept_tokens, score.gold_tokens, score.overlap) == (4, 2, 2)


def test_whitespace_rewrites_are_free_and_real_rewrites_show() -> None:
    gold = [(Label.TITLE, "  Tiêu  đề "), (Label.BODY, "Thân bài cafÃ©.")]
    doc = Document.from_text("  Tiêu  đề \nThân bài cafÃ©.")
    doc = doc.rewrite(
        [
            Edit(0, "whitespace", "trim", "  Tiêu  đề ", "Tiêu đề"),
            Edit(1, "mojibake", "ftfy", "Thân bài cafÃ©.", "Thân bài café."),
        ]
    )
    doc = doc.relabel({0: Label.TITLE})
    score = score_document(doc, gold)
    assert score.aligned_by == "index"  # raw text rebuilt from the edits' "before"
    assert score.title_ok and score.title == "Tiêu đề"
    assert (score.kept_tokens, score.gold_tokens, score.overlap) == (5, 5, 4)  # only "café." differs


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ((0, 0, 0), (1.0, 1.0, 1.0)),
        ((0, 0, 3), (1.0, 0.0, 0.0)),
        ((0, 3, 0), (0.0, 1.0, 0.0)),
        ((3, 3, 3), (1.0, 1.0, 1.0)),
    ],
)
def test_token_scores_at_the_edges(counts: tuple[int, int, int], expected: tuple[float, float, float]) -> None:
    assert token_scores(*counts) == expected


@given(
    st.lists(
        st.tuples(
            st.sampled_from(list(Label)),
            st.lists(st.sampled_from(["a", "b", "c", "d", "é"]), max_size=4),
            st.booleans(),
        ),
        max_size=12,
    )
)
def test_scores_are_bounded_and_f1_lies_between_precision_and_recall(rows: list[tuple[Label, list[str], bool]]) -> None:
    doc = Document.from_text("\n".join(" ".join(words) for _, words, _ in rows))
    gone = [Removal(line, "s", Label.NAV, "r") for line, (_, _, drop) in zip(doc.lines, rows, strict=False) if drop]
    score = score_document(doc.remove(gone), [(label, " ".join(words)) for label, words, _ in rows])
    for p, r, f1 in (score.scores, ScoreReport([score, score]).micro):
        assert 0.0 <= p <= 1.0 and 0.0 <= r <= 1.0 and 0.0 <= f1 <= 1.0
        assert min(p, r) <= f1 <= max(p, r)
    # unknown lines are never leaks nor losses, and every aligned line is kept or dropped
    assert all(i.gold is not Label.UNKNOWN for i in score.issues)
    assert sum(score.kept.values()) + sum(score.dropped.values()) == len(doc.lines) - score.unaligned_raw


def test_unknown_lines_are_not_scored_on_either_side() -> None:
    gold = [(Label.BODY, "a b"), (Label.UNKNOWN, "c d"), (Label.UNKNOWN, "e")]
    doc = Document.from_text("a b\nc d\ne")
    doc = doc.remove([Removal(doc.lines[2], "s", Label.NAV, "r")])
    score = score_document(doc, gold)
    assert score.scores == (1.0, 1.0, 1.0) and score.issues == ()
    assert score.kept[Label.UNKNOWN] == score.dropped[Label.UNKNOWN] == 1
    assert "unknown             2      1        1  (not scored)" in ScoreReport([score]).render()


# -- alignment ----------------------------------------------------------------


def test_align_by_index_ignores_whitespace_only_differences() -> None:
    assert align(["a  b", "", "c"], ["a b", " ", "c "]).by == "index"


def test_extra_trailing_row_is_aligned_by_text_and_reported(tmp_path: Path) -> None:
    name = SEED_NAMES[0]
    _dump, labels = copy_seed(name, tmp_path)
    labels.write_text(labels.read_text(encoding="utf-8") + "nav\tChia sẻ\n", encoding="utf-8")
    (d,) = score_folder(tmp_path, Pipeline([])).documents
    assert (d.aligned_by, d.unaligned_gold, d.unaligned_raw) == ("text", 1, 0)
    assert d.recall == 1.0
    report = score_folder(tmp_path, Pipeline([]))
    assert "aligned by text; unmatched: 1 gold rows, 0 dump lines" in report.render()
    assert report.render().splitlines()[-4].endswith("by text 1 | unmatched 1 gold rows, 0 dump lines")


def test_deleted_row_is_aligned_by_text_and_reported(tmp_path: Path) -> None:
    name = SEED_NAMES[1]
    _dump, labels = copy_seed(name, tmp_path)
    rows = labels.read_text(encoding="utf-8").split("\n")
    gone = next(i for i, row in enumerate(rows) if row.startswith("body\t"))
    labels.write_text("\n".join(rows[:gone] + rows[gone + 1 :]), encoding="utf-8")
    oracle = Oracle(SEEDS)  # knows every line, so the scored text is exactly the gold minus the unmatched line
    (d,) = score_folder(tmp_path, oracle).documents
    assert (d.aligned_by, d.unaligned_gold, d.unaligned_raw) == ("text", 0, 1)
    assert d.scores == (1.0, 1.0, 1.0)  # the unmatched dump line is left out on both sides


def test_trailing_empty_dump_line_is_reported_not_a_crash(tmp_path: Path) -> None:
    dump, _labels = copy_seed(SEED_NAMES[2], tmp_path)
    dump.write_text(dump.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    (d,) = score_folder(tmp_path, Pipeline([])).documents
    assert (d.aligned_by, d.unaligned_gold, d.unaligned_raw) == ("text", 0, 1)


def test_unrelated_labels_align_nothing_and_still_score() -> None:
    score = score_document(Document.from_text("x\ny"), [(Label.BODY, "p"), (Label.BODY, "q")])
    assert (score.aligned_by, score.unaligned_gold, score.unaligned_raw) == ("text", 2, 2)
    assert score.scores == (1.0, 1.0, 1.0) and score.kept == {}


# -- reading labels -----------------------------------------------------------


def test_read_labels_keeps_tabs_and_separators_in_the_text(tmp_path: Path) -> None:
    path = tmp_path / "a.labels.tsv"
    path.write_bytes("\ufefftitle\tA\tB\r\nBody\tc\x1ed\u2028e\nblank\t\nblank\n\n".encode())
    assert read_labels(path) == [
        (Label.TITLE, "A\tB"),
        (Label.BODY, "c\x1ed\u2028e"),
        (Label.BLANK, ""),
        (Label.BLANK, ""),
    ]


def test_bad_label_names_the_valid_ones_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "a.labels.tsv"
    path.write_text("title\tT\ntitel\tBody\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_labels(path)
    assert str(info.value) == (
        f"unknown label 'titel', {path}:2; try one of: title, body, related, slug, caption, image, byline, "
        "recommendation, nav, comment, blank, boilerplate, duplicate, unknown"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "title\tT\nno tab here\n",
            "row has no tab between label and text, {path}:2; try rows of label<TAB>raw line text",
        ),
        ("title\tT\n\nbody\tb\n", "empty row, {path}:2; try 'blank<TAB>' for an empty line of the dump"),
    ],
)
def test_malformed_rows_say_where(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "a.labels.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match="^" + re.escape(message.format(path=path)) + "$"):
        read_labels(path)


def test_labels_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "a.labels.tsv"
    path.write_bytes(b"body\t\xff\n")
    with pytest.raises(InputError, match=r"labels file is not UTF-8 \(byte 5\)"):
        read_labels(path)


# -- folders --------------------------------------------------------------------


def test_missing_or_empty_folder_raises(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"^folder not found, .*nope; try a folder of NAME\.txt dumps"):
        score_folder(tmp_path / "nope", Pipeline([]))
    (tmp_path / "x.txt").write_text("unlabelled", encoding="utf-8")
    with pytest.raises(InputError, match=r"^no labelled pairs"):
        score_folder(tmp_path, Pipeline([]))
    with pytest.raises(InputError, match=r"^not a folder"):
        score_folder(tmp_path / "x.txt", Pipeline([]))


def test_unreadable_pairs_are_failed_and_the_rest_scored(tmp_path: Path) -> None:
    copy_seed(SEED_NAMES[0], tmp_path / "set_a")
    copy_seed(SEED_NAMES[1], tmp_path / "set_b")
    (tmp_path / "set_b" / "bad.txt").write_text("a\nb", encoding="utf-8")
    (tmp_path / "set_b" / "bad.labels.tsv").write_text("body\ta\nwat\tb\n", encoding="utf-8")
    (tmp_path / "orphan.labels.tsv").write_text("body\ta\n", encoding="utf-8")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "h.labels.tsv").write_text("wat\n", encoding="utf-8")
    report = score_folder(tmp_path, Pipeline([]))
    assert [d.name for d in report.documents] == [f"set_a/{SEED_NAMES[0]}", f"set_b/{SEED_NAMES[1]}"]
    assert [f.name for f in report.failed] == ["orphan", "set_b/bad"]
    assert report.failed[0].error.startswith("labels file has no dump beside it")
    assert "unknown label 'wat'" in report.failed[1].error and "bad.labels.tsv:2" in report.failed[1].error
    text = report.render()
    assert f"set_b/bad{' ' * (len(report.documents[0].name) - 9)}  failed: unknown label 'wat'" in text
    assert text.splitlines()[-4].startswith("documents 2 scored, 2 failed")


def test_a_pipeline_bug_propagates_with_the_document_named(tmp_path: Path) -> None:
    copy_seed(SEED_NAMES[0], tmp_path)

    def broken(doc: Document) -> Document:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom") as info:
        score_folder(tmp_path, broken)
    assert any(SEED_NAMES[0] in note for note in info.value.__notes__)


# -- the report -----------------------------------------------------------------


def test_report_layout_and_summary() -> None:
    report = score_folder(SEEDS, Pipeline([]))
    lines = report.render().splitlines()
    assert lines[0].split() == ["document", "P", "R", "F1", "leaked", "lost", "title"]
    assert [line.split()[0] for line in lines[1 : 1 + len(SEED_NAMES)]] == SEED_NAMES
    assert lines[1 + len(SEED_NAMES)].startswith("macro (5 docs)") and lines[2 + len(SEED_NAMES)].startswith("micro")
    # fixed width: every number cell ends in the same column, the title cell starts in one
    assert len({len(line.rsplit("  ", 1)[0]) for line in lines[: 3 + len(SEED_NAMES)]}) == 1
    p, r, f1 = report.micro
    assert lines[-1] == (
        f"overall  macro P {report.macro[0]:.3f} R 1.000 F1 {report.macro[2]:.3f} | micro P {p:.3f} R {r:.3f} "
        f"F1 {f1:.3f} | leaked {report.leaked} lines, lost 0 lines, titles 0/5"
    )
    assert lines[-3].startswith("leaked by gold label: recommendation ")
    assert lines[-2] == "lost by stage/rule: none"
    assert "\x1b[" not in report.render(verbose=True)


def test_colour_only_when_asked_and_by_threshold() -> None:
    gold = [(Label.BODY, " ".join(f"w{i}" for i in range(200)))]
    plain = Document.from_text(gold[0][1])

    def with_noise(n: int) -> ScoreReport:
        doc = Document.from_text(gold[0][1] + "\n" + " ".join("x" * n))
        return ScoreReport([score_document(doc, gold + [(Label.NAV, " ".join("x" * n))])])

    assert "\x1b[32m1.000\x1b[0m" in ScoreReport([score_document(plain, gold)]).render(color=True)
    assert "\x1b[33m" in with_noise(10).render(color=True)  # F1 400/410 = 0.976
    assert "\x1b[31m" in with_noise(60).render(color=True)  # F1 400/460 = 0.870
    assert "\x1b[" not in with_noise(60).render()


def test_verbose_lists_leaks_with_truncated_escaped_text() -> None:
    long = "x" * 150 + "\u2028"
    score = score_document(
        Document.from_text(f"Body\n{long}\nnav\u2028tail"),
        [(Label.BODY, "Body"), (Label.NAV, long), (Label.NAV, "nav\u2028tail")],
    )
    text = ScoreReport([score]).render(verbose=True)
    assert "leaked lines (gold boilerplate kept): 2" in text
    assert f"  :1  nav             kept as body  | {'x' * 99}…" in text
    assert "  :2  nav             kept as body  | nav\\u2028tail" in text
    assert "lost lines (gold title/body dropped): 0" in text


def test_to_dict_is_json_and_complete() -> None:
    report = score_folder(SEEDS, Pipeline([Whitespace()]))
    data = json.loads(json.dumps(report.to_dict()))
    assert data["micro"]["f1"] == report.micro[2] and data["titles"] == {"ok": 0, "total": len(SEED_NAMES)}
    assert data["pipeline"] == {"stage": [{"name": "whitespace"}]}
    assert data["lines"]["blank"]["dropped_by"] == {"whitespace/empty": data["lines"]["blank"]["dropped"]}
    doc = data["documents"][0]
    assert doc["name"] == SEED_NAMES[0] and doc["leaked"] == len([i for i in doc["issues"] if i["kind"] == "leak"])
    assert doc["alignment"] == {"by": "index", "unaligned_gold": 0, "unaligned_raw": 0}
    assert data["leaks_by_label"]["recommendation"] == report.leaks_by_label[Label.RECOMMENDATION]


def test_empty_report_renders() -> None:
    text = ScoreReport([], failed=()).render()
    assert text.splitlines()[-1].startswith("overall  macro n/a | micro P 1.000")
