"""The HTML report: every raw line of every document, what became of it and why, in one self-contained file.

A person tuning the pipeline on a new site wants to *look*: which lines went,
why, and where the pipeline disagrees with the gold labels. ``render_report``
builds one HTML page with no network access and no script at all (a strict
Content-Security-Policy forbids scripts even if one slipped in): for each
document its raw lines, kept text plain and removed lines struck through and
coloured by label, with the stage, rule and evidence beside each; rewrites
shown before → after; counts by label and stage per document and for the
corpus, as small inline SVG bar charts; and, when gold labels are known, the
disagreements first. Every piece of text from the input is HTML-escaped, and
characters a browser would not show (control characters, ``\\u2028``,
no-break spaces) are shown as escapes.

Large corpora are sampled: ``select`` keeps the ``max_docs`` documents with
the most disagreements, then the most removals, while the corpus counts cover
every document; the report says so.

>>> from newsclean import Document, Pipeline, Whitespace
>>> doc = Pipeline([Whitespace()])(Document.from_text("Tiêu đề\\n\\n<b>Thân</b>  bài.", id="a"))
>>> page = render_report([report_entry(doc)])
>>> "<b>" in page, "&lt;b&gt;Thân&lt;/b&gt; bài." in page
(False, True)
>>> page.count('class="line removed')  # the blank line
1
"""

from __future__ import annotations

import glob
import heapq
import html
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from attrs import define, field, frozen

from newsclean.core import KEPT_LABELS, Document, Label, Removal
from newsclean.errors import InputError, NewscleanError
from newsclean.scoring import LABELS_SUFFIX, DocScore, LineIssue, align, read_labels, score_document

__all__ = [
    "LABEL_COLORS",
    "CorpusCounts",
    "Entry",
    "find_labels",
    "label_folders",
    "render_report",
    "report_entry",
    "select",
    "write_report",
]

# One colour per label, chosen to stay apart on a white page (Tableau 10, roughly).
LABEL_COLORS: dict[Label, str] = {
    Label.TITLE: "#1a7f37",
    Label.BODY: "#57606a",
    Label.RELATED: "#1f77b4",
    Label.SLUG: "#8c564b",
    Label.CAPTION: "#0e8a9e",
    Label.IMAGE: "#6e7781",
    Label.BYLINE: "#9a8a00",
    Label.RECOMMENDATION: "#d62728",
    Label.NAV: "#9467bd",
    Label.COMMENT: "#c2408f",
    Label.BLANK: "#afb8c1",
    Label.BOILERPLATE: "#e8710a",
    Label.DUPLICATE: "#2ca02c",
    Label.UNKNOWN: "#444c56",
}
_KEPT_COLOR = "#8fd19e"

DEFAULT_MAX_DOCS = 100
DEFAULT_MAX_LINES = 2000


# -- what the report shows of one document ---------------------------------------------


@frozen
class Entry:
    """One document as the report shows it.

    Args:
        doc: the cleaned document (its record reaches back to every raw line).
        gold: the gold label of each raw line, by raw index (None for a line
            no gold row matched), or None when the document has no gold labels.
        score: its score against the gold labels, when it has them.
        gold_source: where the gold labels came from.
    """

    doc: Document
    gold: tuple[Label | None, ...] | None = None
    score: DocScore | None = None
    gold_source: str = ""

    @property
    def disagreements(self) -> int:
        """Lines whose fate (kept or removed) differs from the gold: leaks plus losses."""
        return 0 if self.score is None else self.score.leaked + self.score.lost

    @property
    def removals(self) -> int:
        """How many lines the pipeline removed."""
        return len(self.doc.removed)

    @property
    def mismatches(self) -> int:
        """Removed lines the gold also calls boilerplate, but of another kind (``related`` removed as ``nav``)."""
        if self.gold is None:
            return 0
        return sum(1 for r in self.doc.removed if _mismatch(r.label, self._gold_of(r.line.index)))

    def _gold_of(self, index: int) -> Label | None:
        return None if self.gold is None or index >= len(self.gold) else self.gold[index]


def _mismatch(label: Label, gold: Label | None) -> bool:
    """A removal whose label is not the gold one, where the gold agrees the line goes."""
    return gold is not None and gold is not label and gold not in KEPT_LABELS and gold is not Label.UNKNOWN


def _raw_lines(doc: Document) -> list[str | None]:
    """The raw text of each line, rebuilt from the record (a rewritten line's first edit starts from it)."""
    fates = list(doc.fates())
    raw: list[str | None] = [None] * (max((f[0] for f in fates), default=-1) + 1)
    for index, text, _removal, edits in fates:
        raw[index] = edits[0].before if edits else text
    return raw


def report_entry(
    doc: Document,
    gold_rows: Sequence[tuple[Label, str]] | None = None,
    *,
    raw_lines: Sequence[str | None] | None = None,
    gold_source: str = "",
) -> Entry:
    """A cleaned document ready for the report, joined to its gold rows when there are any.

    Args:
        doc: the pipeline's output.
        gold_rows: ``(label, raw line text)`` rows as ``scoring.read_labels`` gives them.
        raw_lines: the raw dump's lines, when known (else rebuilt from the record).
        gold_source: where the gold rows came from, to say in the report.

    >>> from newsclean import Document, Label, Pipeline, Whitespace
    >>> doc = Pipeline([Whitespace()])(Document.from_text("Tiêu đề\\n\\nMenu", id="a"))
    >>> entry = report_entry(doc, [(Label.TITLE, "Tiêu đề"), (Label.BLANK, ""), (Label.NAV, "Menu")])
    >>> entry.gold, entry.disagreements
    ((<Label.TITLE: 'title'>, <Label.BLANK: 'blank'>, <Label.NAV: 'nav'>), 1)
    """
    if gold_rows is None:
        return Entry(doc)
    rows = [(Label(label), text) for label, text in gold_rows]
    raw = list(raw_lines) if raw_lines is not None else _raw_lines(doc)
    alignment = align(raw, [text for _label, text in rows])
    gold = tuple(None if row is None else rows[row][0] for row in alignment.rows)
    score = score_document(doc, rows, raw_lines=raw)
    return Entry(doc, gold, score, gold_source)


def label_folders(paths: Iterable[str | Path]) -> list[Path]:
    """The folders the inputs come from, where gold ``*.labels.tsv`` may lie: a folder itself, a file's
    folder, the folders of a glob pattern's matches; in order, each once (stdin has none).

    >>> label_folders(["seeds", "seeds/000_b6b45c68898d6961.txt", "-"])
    [PosixPath('seeds')]
    """
    folders: dict[Path, None] = {}
    for value in paths:
        if str(value) == "-":
            continue
        path = Path(value)
        if path.is_dir():
            folders[path] = None
        elif path.exists():
            folders[path.parent] = None
        elif any(c in str(value) for c in "*?["):
            for match in sorted(glob.glob(str(value), recursive=True)):
                found = Path(match)
                folders[found if found.is_dir() else found.parent] = None
    return list(folders)


def find_labels(doc_id: str, folders: Iterable[Path]) -> Path | None:
    """The gold ``ID.labels.tsv`` of a document in the first folder that has one, else None.

    Args:
        doc_id: the document's id (a dump's file name without ``.txt``).
        folders: where to look, in order (the folders the inputs came from).
    """
    if not doc_id or "/" in doc_id or "\\" in doc_id or doc_id in (".", ".."):
        return None
    for folder in folders:
        path = folder / f"{doc_id}{LABELS_SUFFIX}"
        if path.is_file():
            return path
    return None


# -- the corpus ------------------------------------------------------------------------------


@define
class CorpusCounts:
    """Counts over every document of a run, shown or not; ``add`` each entry once.

    Args:
        documents: documents cleaned.
        lines: raw lines over all documents.
        kept: kept lines by label.
        removed: removed lines by label.
        removed_by_stage: removed lines by stage, then label.
        edited: lines rewritten at least once.
        edits_by_rule: edits by ``stage/rule``.
        with_gold: documents that had gold labels.
        leaked: gold boilerplate lines kept.
        lost: gold title/body lines removed.
        mismatched: lines removed as another kind of boilerplate than the gold says.
        failed: inputs that could not be read, as their one-line errors.
    """

    documents: int = 0
    lines: int = 0
    kept: Counter[Label] = field(factory=Counter)
    removed: Counter[Label] = field(factory=Counter)
    removed_by_stage: dict[str, Counter[Label]] = field(factory=dict)
    edited: int = 0
    edits_by_rule: Counter[str] = field(factory=Counter)
    with_gold: int = 0
    leaked: int = 0
    lost: int = 0
    mismatched: int = 0
    failed: list[str] = field(factory=list)

    @classmethod
    def of(cls, entries: Iterable[Entry]) -> CorpusCounts:
        """The counts of these entries."""
        counts = cls()
        for entry in entries:
            counts.add(entry)
        return counts

    def add(self, entry: Entry) -> None:
        """Count one more document."""
        doc = entry.doc
        self.documents += 1
        self.lines += doc.size
        self.kept.update(line.label for line in doc.lines)
        self.removed.update(r.label for r in doc.removed)
        for r in doc.removed:
            self.removed_by_stage.setdefault(r.stage, Counter())[r.label] += 1
        self.edited += len({e.index for e in doc.edits})
        self.edits_by_rule.update(f"{e.stage}/{e.rule}" for e in doc.edits)
        if entry.score is not None:
            self.with_gold += 1
            self.leaked += entry.score.leaked
            self.lost += entry.score.lost
            self.mismatched += entry.mismatches


def select(entries: Iterable[Entry], max_docs: int | None = DEFAULT_MAX_DOCS) -> tuple[list[Entry], CorpusCounts]:
    """The entries to show and the counts of all of them, in one pass.

    Shown are the ``max_docs`` entries with the most disagreements, then the
    most removals (input order breaks ties), in that order; memory holds only
    those. ``None`` shows every entry.

    >>> from newsclean import Document, Pipeline, Whitespace
    >>> docs = [Pipeline([Whitespace()])(Document.from_text("a" + "\\n" * n, id=str(n))) for n in range(4)]
    >>> shown, counts = select(map(report_entry, docs), max_docs=2)
    >>> [e.doc.id for e in shown], counts.documents, counts.removed[Label.BLANK]
    (['3', '2'], 4, 6)
    """
    if max_docs is not None and max_docs < 0:
        raise ValueError(f"max_docs must be >= 0 or None (got {max_docs})")
    counts = CorpusCounts()
    heap: list[tuple[int, int, int, Entry]] = []
    for order, entry in enumerate(entries):
        counts.add(entry)
        key = (entry.disagreements, entry.removals, -order, entry)
        if max_docs is None or len(heap) < max_docs:
            heapq.heappush(heap, key)
        elif max_docs and key[:3] > heap[0][:3]:
            heapq.heapreplace(heap, key)
    return [item[3] for item in sorted(heap, key=lambda item: item[:3], reverse=True)], counts


# -- HTML pieces -------------------------------------------------------------------------------------


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _show(text: str) -> str:
    """Text for an HTML element: escaped, with characters a browser would hide or obey shown as escapes.

    >>> _show("a<b>\\x1e\\u00a0c")
    'a&lt;b&gt;<span class="ctl">\\\\x1e</span><span class="ctl">\\\\xa0</span>c'
    """
    if text.isprintable():
        return html.escape(text, quote=False)
    out = []
    for c in text:
        if c.isprintable():
            out.append(html.escape(c, quote=False))
        else:
            out.append(f'<span class="ctl">{c.encode("unicode_escape").decode("ascii")}</span>')
    return "".join(out)


def _show_edges(text: str) -> str:
    """``_show``, with the space at the line's ends marked, so a trim is visible.

    >>> _show_edges(" a b  ")
    '<span class="sp"> </span>a b<span class="sp">  </span>'
    """
    core = text.strip()
    if core == text:
        return _show(text)
    start = text.index(core) if core else len(text)
    head, tail = text[:start], text[start + len(core) :]
    return _mark_space(head) + _show(core) + _mark_space(tail)


def _mark_space(part: str) -> str:
    return f'<span class="sp">{_show(part)}</span>' if part else ""


def _attr(text: str) -> str:
    """Text for an attribute value: escaped, and never a lone surrogate (it cannot be written as UTF-8)."""
    if not text.isprintable():
        text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    return html.escape(text, quote=True)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _bar_chart(rows: Sequence[tuple[str, Sequence[tuple[Label | None, int]]]], *, kind: str, width: int = 420) -> str:
    """Horizontal bars, one per row, each a stack of coloured segments; counts written at the end."""
    if not rows:
        return '<p class="none">none</p>'
    label_width, bar_width, row_height = 170, width - 170 - 50, 20
    top = max(sum(n for _label, n in segments) for _name, segments in rows) or 1
    height = row_height * len(rows) + 4
    svg = f'<svg class="chart" data-chart="{_esc(kind)}" width="{width}" height="{height}" role="img" '
    out = [svg + 'xmlns="http://www.w3.org/2000/svg">']
    for i, (name, segments) in enumerate(rows):
        y = i * row_height + 2
        total = sum(n for _label, n in segments)
        out.append(f'<text x="{label_width - 6}" y="{y + 14}" text-anchor="end">{_show(name)}</text>')
        x = float(label_width)
        for label, n in segments:
            w = n / top * bar_width
            colour = _KEPT_COLOR if label is None else LABEL_COLORS[label]
            what = "kept" if label is None else label.value
            out.append(
                f'<rect x="{x:.1f}" y="{y + 2}" width="{max(w, 0.5):.1f}" height="{row_height - 6}" fill="{colour}">'
                f"<title>{_esc(name)}: {_esc(what)} {n}</title></rect>"
            )
            x += w
        out.append(f'<text x="{x + 4:.1f}" y="{y + 14}" class="n">{total}</text>')
    out.append("</svg>")
    return "".join(out)


def _stack(kept: int, removed: Counter[Label], width: int = 300) -> str:
    """One document's lines as one bar: kept, then removed by label."""
    total = kept + sum(removed.values())
    if not total:
        return ""
    out = [f'<svg class="stack" width="{width}" height="12" role="img" xmlns="http://www.w3.org/2000/svg">']
    x = 0.0
    for label, n in [(None, kept), *sorted(removed.items(), key=lambda kv: -kv[1])]:
        if not n:
            continue
        w = n / total * width
        colour = _KEPT_COLOR if label is None else LABEL_COLORS[label]
        what = "kept" if label is None else f"removed {label.value}"
        out.append(
            f'<rect x="{x:.2f}" y="0" width="{w:.2f}" height="12" fill="{colour}"><title>{what}: {n}</title></rect>'
        )
        x += w
    out.append("</svg>")
    return "".join(out)


def _css() -> str:
    labels = "\n".join(f".lab-{label.value} {{ --c: {colour}; }}" for label, colour in LABEL_COLORS.items())
    return _CSS + labels


_CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif; margin: 0 1.5rem 3rem;
  color: #1f2328; background: #fff; }
h1 { font-size: 1.5rem; margin: 1rem 0 .2rem; } h2 { font-size: 1.15rem; margin: 1.4rem 0 .4rem; }
.meta, .note { color: #57606a; margin: .2rem 0; }
.sample { background: #fff8c5; border: 1px solid #d4a72c; padding: .3rem .6rem; display: inline-block; border-radius: 4px; }
.controls { position: sticky; top: 0; background: #f6f8fa; border-bottom: 1px solid #d0d7de; padding: .4rem .6rem;
  margin: .6rem -1.5rem; z-index: 2; }
.controls label { margin-right: 1.2rem; }
.legend span.tag { margin: 0 .25rem .25rem 0; }
table { border-collapse: collapse; }
table.counts td, table.counts th { padding: .15rem .6rem; border-bottom: 1px solid #eaeef2; text-align: right; }
table.counts th:first-child, table.counts td:first-child { text-align: left; }
.charts { display: flex; flex-wrap: wrap; gap: 2.5rem; align-items: flex-start; }
h3 { font-size: 1rem; margin: .6rem 0 .3rem; }
svg.chart text { font-size: 12px; fill: #1f2328; } svg.chart text.n { fill: #57606a; }
.tag { display: inline-block; padding: 0 .4rem; border-radius: 3px; font-size: 12px; color: #fff; background: var(--c, #57606a); }
.tag.kept { background: none; color: #57606a; border: 1px solid #d0d7de; }
.tag.title { color: #1a7f37; border-color: #1a7f37; font-weight: 600; }
.tag.edit { background: #bf8700; }
.tag.leak, .tag.lost { background: #cf222e; font-weight: 600; }
details.doc { border: 1px solid #d0d7de; border-radius: 6px; margin: .8rem 0; }
details.doc > summary { cursor: pointer; padding: .4rem .6rem; background: #f6f8fa; border-radius: 6px; }
details.doc > summary .id { font-weight: 600; font-family: ui-monospace, monospace; }
details.doc > summary .c { color: #57606a; margin-left: .8rem; }
details.doc > summary .bad { color: #cf222e; font-weight: 600; margin-left: .8rem; }
.docbody { padding: .3rem .6rem .6rem; }
table.lines { width: 100%; table-layout: fixed; }
table.lines td { vertical-align: top; padding: .1rem .4rem; border-bottom: 1px solid #f0f2f4; overflow-wrap: anywhere; }
table.lines col.n { width: 3.2rem; } table.lines col.fate { width: 8.5rem; } table.lines col.gold { width: 7.5rem; }
table.lines col.why { width: 34%; }
td.n { color: #8c959f; text-align: right; font-family: ui-monospace, monospace; font-size: 12px; }
tr.removed td.text { color: var(--c); text-decoration: line-through; text-decoration-thickness: 1px; }
tr.removed td.text .empty { text-decoration: none; }
tr.kept.title td.text { font-weight: 600; font-size: 1.05em; }
td.why { color: #57606a; font-size: 12px; }
td.why .rule { font-family: ui-monospace, monospace; color: #1f2328; }
td.gold { font-size: 12px; }
tr.issue td { background: #ffebe9; } tr.issue td.n { box-shadow: inset 3px 0 0 #cf222e; }
tr.mismatch td.gold { text-decoration: underline dotted #bf8700; }
tr.edit td { background: #fff8c5; font-size: 13px; }
.before { text-decoration: line-through; color: #953800; } .after { color: #1a7f37; }
.sp { background: #ffd8b5; white-space: pre; }
.empty { color: #8c959f; font-style: italic; }
.ctl { color: #8250df; font-family: ui-monospace, monospace; font-size: 11px; border: 1px solid #d8b9ff; border-radius: 2px; padding: 0 1px; }
table.issues td { padding: .1rem .5rem; border-bottom: 1px solid #eaeef2; vertical-align: top; }
table.issues td.t { max-width: 50rem; overflow-wrap: anywhere; }
a { color: #0969da; }
.more { color: #57606a; font-style: italic; }
body:has(#hide-kept:checked) tr.kept, body:has(#hide-kept:checked) tr.edit { display: none; }
body:has(#hide-blank:checked) tr.lab-blank { display: none; }
body:has(#only-issues:checked) tr.line:not(.issue), body:has(#only-issues:checked) tr.edit,
body:has(#only-issues:checked) details.doc:not(.has-issues) { display: none; }
"""


def _line_rows(entry: Entry, number: int, max_lines: int | None) -> tuple[list[str], int]:
    """The table rows of one document's lines (and edits); also how many raw lines were left out.

    Past ``max_lines`` only the lines that disagree with the gold are shown, so every
    disagreement listed at the top has its row.
    """
    doc, gold = entry.doc, entry.gold
    issues = {} if entry.score is None else {i.index: i for i in entry.score.issues}
    labels = {line.index: line.label for line in doc.lines}
    rows: list[str] = []
    shown = 0
    left_out = 0
    for index, text, removal, edits in doc.fates():
        if max_lines is not None and shown >= max_lines and index not in issues:
            left_out += 1
            continue
        shown += 1
        rows.append(_line_row(entry, number, index, text, removal, labels.get(index), gold, issues.get(index)))
        for edit in edits:
            steps = f" ({_esc('; '.join(edit.steps))})" if edit.steps else ""
            rows.append(
                f'<tr class="edit" data-index="{index}" data-stage="{_esc(edit.stage)}" data-rule="{_esc(edit.rule)}">'
                f'<td class="n"></td><td class="fate"><span class="tag edit">edit</span></td>'
                + ('<td class="gold"></td>' if gold is not None else "")
                + f'<td class="text"><span class="before">{_show_edges(edit.before) or "&#8203;"}</span> → '
                f'<span class="after">{_show_edges(edit.after) or "&#8203;"}</span></td>'
                f'<td class="why"><span class="rule">{_esc(edit.stage)}/{_esc(edit.rule)}</span>{steps}</td></tr>'
            )
    return rows, left_out


def _line_row(
    entry: Entry,
    number: int,
    index: int,
    text: str,
    removal: Removal | None,
    kept_label: Label | None,
    gold: tuple[Label | None, ...] | None,
    issue: LineIssue | None,
) -> str:
    gold_label = None if gold is None or index >= len(gold) else gold[index]
    shown = _show(text) if text else '<span class="empty">(empty line)</span>'
    classes = ["line"]
    if removal is None:
        label = kept_label or Label.BODY
        classes += ["kept", label.value]
        fate = f'<span class="tag kept {label.value}">{label.value}</span>'
        why = ""
        data = f'data-fate="kept" data-label="{label.value}"'
        cell = shown
    else:
        label = removal.label
        classes += ["removed", f"lab-{label.value}"]
        fate = f'<span class="tag lab-{label.value}">{label.value}</span>'
        evidence = f": {_show(removal.evidence)}" if removal.evidence else ""
        why = f'<span class="rule">{_esc(removal.stage)}/{_esc(removal.rule)}</span>{evidence}'
        data = (
            f'data-fate="removed" data-label="{label.value}" data-stage="{_esc(removal.stage)}" '
            f'data-rule="{_esc(removal.rule)}"'
        )
        cell = f"<del>{shown}</del>"
    gold_cell = ""
    if gold is not None:
        if issue is not None:
            kind = issue.kind
            classes += ["issue", kind]
            gold_cell = f'<td class="gold">{_esc(gold_label or "")} <span class="tag {kind}">{kind}</span></td>'
        else:
            if removal is not None and _mismatch(label, gold_label):
                classes.append("mismatch")
            gold_cell = f'<td class="gold">{_esc(gold_label.value if gold_label else "—")}</td>'
        data += f' data-gold="{_esc(gold_label.value if gold_label else "")}"'
    return (
        f'<tr id="d{number}-l{index}" class="{" ".join(classes)}" data-index="{index}" {data}>'
        f'<td class="n">{index}</td><td class="fate">{fate}</td>{gold_cell}'
        f'<td class="text">{cell}</td><td class="why">{why}</td></tr>'
    )


def _document(entry: Entry, number: int, *, open_: bool, max_lines: int | None) -> str:
    doc = entry.doc
    kept = Counter(line.label for line in doc.lines)
    removed = Counter(r.label for r in doc.removed)
    by_stage = Counter(r.stage for r in doc.removed)
    edited = len({e.index for e in doc.edits})
    bad = ""
    if entry.score is not None:
        s = entry.score
        bad = (
            f'<span class="bad" data-leaked="{s.leaked}" data-lost="{s.lost}">'
            f"{_plural(s.leaked, 'leak')}, {s.lost} lost</span>"
            if s.leaked or s.lost
            else '<span class="c">agrees with gold</span>'
        )
    summary = (
        f'<summary><span class="id">{_show(doc.id or "(no id)")}</span>'
        f'<span class="c">{_plural(doc.size, "line")}: {len(doc.lines)} kept, {len(doc.removed)} removed, '
        f"{edited} edited</span>{bad} {_stack(len(doc.lines), removed)}</summary>"
    )
    rows, left_out = _line_rows(entry, number, max_lines)
    gold_col = '<col class="gold">' if entry.gold is not None else ""
    gold_head = "<th>gold</th>" if entry.gold is not None else ""
    label_counts = ", ".join(
        f'<span class="tag lab-{label.value}" data-label="{label.value}" data-count="{n}">{label.value} {n}</span>'
        for label, n in removed.most_common()
    )
    stage_counts = ", ".join(f"{_esc(stage)} {n}" for stage, n in by_stage.most_common())
    kept_counts = ", ".join(f"{label.value} {n}" for label, n in kept.most_common())
    facts = [
        f'<p class="note">kept: {kept_counts or "none"}</p>',
        f'<p class="note">removed by label: {label_counts or "none"}</p>',
        f'<p class="note">removed by stage: {stage_counts or "none"}</p>',
    ]
    if entry.score is not None:
        p, r, f1 = entry.score.scores
        facts.append(
            f'<p class="note">against {_show(entry.gold_source or "gold labels")}: token P {p:.3f} R {r:.3f} '
            f"F1 {f1:.3f}; title {'ok' if entry.score.title_ok else 'differs'}</p>"
        )
    more = f'<p class="more">{_plural(left_out, "more line")} not shown (--max-lines)</p>' if left_out else ""
    classes = "doc has-issues" if entry.disagreements else "doc"
    return (
        f'<details class="{classes}" id="d{number}" data-id="{_attr(doc.id)}" data-removed="{len(doc.removed)}" '
        f'data-kept="{len(doc.lines)}"{" open" if open_ else ""}>{summary}<div class="docbody">{"".join(facts)}'
        f'<table class="lines"><colgroup><col class="n"><col class="fate">{gold_col}<col class="text"><col class="why">'
        f"</colgroup><thead><tr><th>#</th><th>fate</th>{gold_head}<th>line</th><th>stage/rule: evidence</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>{more}</div></details>"
    )


def _issues(shown: Sequence[Entry]) -> str:
    rows = []
    for number, entry in enumerate(shown):
        if entry.score is None:
            continue
        for issue in entry.score.issues:
            taken = issue.taken_as.value if issue.taken_as is not None else "?"
            rows.append(
                f'<tr class="{issue.kind}"><td><span class="tag {issue.kind}">{issue.kind}</span></td>'
                f'<td><a href="#d{number}-l{issue.index}">{_show(entry.doc.id)}:{issue.index}</a></td>'
                f"<td>gold {issue.gold.value}</td><td>{'kept as' if issue.kind == 'leak' else 'removed as'} {taken}</td>"
                f'<td class="t">{_show(issue.text) or "(empty line)"}</td>'
                f"<td>{_show(issue.why) if issue.kind == 'lost' else ''}</td></tr>"
            )
    if not rows:
        return '<p class="note">None: every line\'s fate agrees with the gold labels.</p>'
    return f'<table class="issues"><tbody>{"".join(rows)}</tbody></table>'


def _corpus(counts: CorpusCounts, stages: Sequence[str]) -> str:
    kept_total = sum(counts.kept.values())
    removed_total = sum(counts.removed.values())
    rows = [
        ("documents", counts.documents),
        ("raw lines", counts.lines),
        ("kept lines", kept_total),
        ("removed lines", removed_total),
        ("edited lines", counts.edited),
    ]
    if counts.with_gold:
        rows += [
            ("documents with gold", counts.with_gold),
            ("leaked lines", counts.leaked),
            ("lost lines", counts.lost),
            ("removed with another label than the gold's", counts.mismatched),
        ]
    if counts.failed:
        rows.append(("inputs that failed", len(counts.failed)))
    table = "".join(f'<tr data-key="{_esc(k)}"><td>{k}</td><td>{v}</td></tr>' for k, v in rows)
    by_label_rows = [(label.value, [(label, n)]) for label, n in counts.removed.most_common()]
    order = list(dict.fromkeys([*stages, *counts.removed_by_stage]))
    by_stage_rows = [
        (stage, sorted(counts.removed_by_stage[stage].items(), key=lambda kv: -kv[1]))
        for stage in order
        if stage in counts.removed_by_stage
    ]
    matrix_labels = [label for label, _n in counts.removed.most_common()]
    matrix = (
        "<tr><th>removed</th>"
        + "".join(f'<th><span class="tag lab-{label.value}">{label.value}</span></th>' for label in matrix_labels)
        + "<th>total</th></tr>"
    )
    for stage, _segments in by_stage_rows:
        by = counts.removed_by_stage[stage]
        matrix += (
            f'<tr data-stage="{_esc(stage)}"><td>{_esc(stage)}</td>'
            + "".join(
                f'<td data-label="{label.value}" data-count="{by[label]}">{by[label] or ""}</td>'
                for label in matrix_labels
            )
            + f'<td data-count="{sum(by.values())}">{sum(by.values())}</td></tr>'
        )
    matrix += (
        '<tr class="total"><td>total</td>'
        + "".join(
            f'<td class="label-total" data-label="{label.value}" data-count="{counts.removed[label]}">{counts.removed[label]}</td>'
            for label in matrix_labels
        )
        + f'<td data-count="{removed_total}">{removed_total}</td></tr>'
    )
    edits = ", ".join(f"{_esc(rule)} {n}" for rule, n in counts.edits_by_rule.most_common()) or "none"
    failed = ""
    if counts.failed:
        failed = (
            "<h3>Inputs that failed</h3><ul>" + "".join(f"<li>{_show(line)}</li>" for line in counts.failed) + "</ul>"
        )
    return (
        '<section id="corpus"><h2>Corpus</h2>'
        f'<div class="charts"><div><h3>Lines</h3><table class="counts summary"><tbody>{table}</tbody></table></div>'
        "<div><h3>Removed lines by label</h3>"
        f"{_bar_chart(by_label_rows, kind='label')}</div>"
        "<div><h3>Removed lines by stage</h3>"
        f"{_bar_chart(by_stage_rows, kind='stage')}</div></div>"
        f'<h3>Removed lines by stage and label</h3><table class="counts matrix"><tbody>{matrix}</tbody></table>'
        f'<p class="note">edits (rewrites inside a line) by stage/rule: {edits}</p>{failed}</section>'
    )


def render_report(
    shown: Sequence[Entry],
    counts: CorpusCounts | None = None,
    *,
    source: str = "",
    stages: Sequence[str] = (),
    max_lines: int | None = DEFAULT_MAX_LINES,
    title: str = "newsclean report",
) -> str:
    """The report as one self-contained HTML page (no script, no external resource).

    Args:
        shown: the documents to show, in order (see ``select``).
        counts: the corpus counts (default: those of ``shown``); when they
            cover more documents than are shown, the report says how many.
        source: what was read, to say at the top.
        stages: the pipeline's stage names in order, to order the counts.
        max_lines: the most raw lines shown per document (None: all).
        title: the page's title.
    """
    from newsclean import __version__

    counts = CorpusCounts.of(shown) if counts is None else counts
    has_gold = any(entry.gold is not None for entry in shown)
    if counts.documents > len(shown):
        order = "most disagreements with the gold labels first, then " if has_gold else ""
        sample = (
            f'<p class="sample" data-shown="{len(shown)}" data-total="{counts.documents}">Showing {len(shown)} of '
            f"{_plural(counts.documents, 'document')}: {order}most removals first (--max-docs). "
            "The corpus counts cover every document.</p>"
        )
    else:
        sample = (
            f'<p class="note" data-shown="{len(shown)}" data-total="{counts.documents}">Showing '
            f"{'all ' if counts.documents > 1 else ''}{_plural(counts.documents, 'document')}, "
            f"{'most disagreements, then ' if has_gold else ''}"
            "most removals first.</p>"
        )
    legend = " ".join(
        f'<span class="tag lab-{label.value}">{label.value}</span>' for label in Label if label not in KEPT_LABELS
    )
    controls = (
        '<div class="controls"><label><input type="checkbox" id="hide-kept"> hide kept lines</label>'
        '<label><input type="checkbox" id="hide-blank"> hide blank lines</label>'
        + ('<label><input type="checkbox" id="only-issues"> only disagreements</label>' if has_gold else "")
        + f'<span class="legend">removed as: {legend}</span></div>'
    )
    head = (
        f"<h1>{_show(title)}</h1>"
        f'<p class="meta">{_show(source) + " · " if source else ""}pipeline: {_esc(" → ".join(stages)) or "(not given)"}'
        f" · newsclean {_esc(__version__)}</p>{sample}"
        '<p class="note">Kept lines are plain (the title in bold); removed lines are struck through in their '
        "label's colour, with the stage, rule and evidence beside them. "
        "Rewrites show before → after. main_content removes what no named rule recognised, by where the "
        "article's prose lies: its removals are where the pipeline is least specific.</p>"
    )
    parts = [head, controls, _corpus(counts, stages)]
    if has_gold:
        parts.append(
            '<section id="disagreements"><h2>Disagreements with the gold labels</h2>'
            '<p class="note">leak: gold boilerplate that was kept; lost: gold title or body that was removed. '
            "A removed line whose label differs from the gold's (both say it goes) has its gold label "
            "underlined with dots in its document.</p>"
            f"{_issues(shown)}</section>"
        )
    parts.append('<section id="documents"><h2>Documents</h2>')
    for number, entry in enumerate(shown):
        parts.append(_document(entry, number, open_=number < 3 or bool(entry.disagreements), max_lines=max_lines))
    parts.append("</section>")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        # No script may run, nothing may load: the page is a document, and its text is the input's.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "img-src 'none'; script-src 'none'; base-uri 'none'; form-action 'none'\">"
        '<meta name="referrer" content="no-referrer">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{_css()}</style></head>"
        f"<body>{''.join(parts)}</body></html>\n"
    )


def write_report(
    items: Iterable[Document | str],
    path: str | Path,
    *,
    pipeline: Callable[[Document], Document],
    label_folders: Sequence[Path] = (),
    max_docs: int | None = DEFAULT_MAX_DOCS,
    max_lines: int | None = DEFAULT_MAX_LINES,
    source: str = "",
    on_document: Callable[[Document], None] | None = None,
    on_failure: Callable[[str], None] | None = None,
) -> CorpusCounts:
    """Clean every document, join each to its gold labels when found, and write the report to ``path``.

    A string in ``items`` is the one-line error of an input that could not
    be read; it is listed in the report.

    Args:
        items: raw documents (and failures' error lines) as a reader yields them.
        path: the HTML file to write.
        pipeline: what cleans each document (``Pipeline`` or any callable).
        label_folders: folders to look for ``ID.labels.tsv`` in, in order.
        max_docs: the most documents shown (None: all).
        max_lines: the most raw lines shown per document (None: all).
        source: what was read, to say at the top.
        on_document: called with each cleaned document (for progress).
        on_failure: called with the error line of each gold labels file that
            cannot be read (its document is shown without gold, and the
            error listed in the report).

    Raises:
        NewscleanError: the report cannot be written.
    """
    failed: list[str] = []

    def entries() -> Iterator[Entry]:
        for item in items:
            if isinstance(item, str):
                failed.append(item)
                continue
            raw = [line.text for line in item.lines] if not item.removed and not item.edits else None
            try:
                cleaned = pipeline(item)
            except Exception as exc:
                exc.add_note(f"newsclean: while cleaning document {item.id!r}")
                raise
            if on_document is not None:
                on_document(cleaned)
            labels = find_labels(item.id, label_folders)
            if labels is None:
                yield report_entry(cleaned)
                continue
            try:
                gold = read_labels(labels)
            except InputError as exc:
                message = f"gold labels not used: {exc.message()}"
                failed.append(message)
                if on_failure is not None:
                    on_failure(message)
                yield report_entry(cleaned)
                continue
            yield report_entry(cleaned, gold, raw_lines=raw, gold_source=str(labels))

    shown, counts = select(entries(), max_docs)
    counts.failed += failed
    stages = tuple(getattr(pipeline, "names", ()))
    page = render_report(shown, counts, source=source, stages=stages, max_lines=max_lines)
    out = Path(path)
    try:
        out.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise NewscleanError(
            f"cannot write the report ({exc.strerror or exc})", str(out), "a path you may write to"
        ) from None
    return counts
