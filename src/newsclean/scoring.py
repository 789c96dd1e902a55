"""Scoring: how close a pipeline's cleaned text comes to the gold labels.

Gold data is a folder of raw dumps ``NAME.txt``, each with ``NAME.labels.tsv``
beside it: one row per raw line, ``label<TAB>raw line text``, in raw order.
Lines labelled ``title`` and ``body`` are the article (``KEPT_LABELS``); every
other label is boilerplate, and ``unknown`` lines are left out of the scores on
both sides, because the gold could not tell.

Three views of one run, from coarse to fine:

- token precision, recall and F1 of the kept text against the gold article
  (whitespace-split tokens, counted as a bag, so trims and collapsed spaces
  are not errors but real rewrites such as a mojibake repair do show);
- per gold label, how many lines were kept and dropped: a gold title/body
  line dropped is *lost* (and the stage/rule that dropped it is named), a
  gold boilerplate line kept is a *leak* (blank lines kept are neither);
- whether the kept title (lines labelled ``title`` in the output) is the gold title.

>>> from newsclean import Document, Label, Pipeline
>>> gold = [(Label.TITLE, "Tiêu đề"), (Label.BLANK, ""), (Label.BODY, "Thân  bài."), (Label.NAV, "Trang chủ")]
>>> doc = Pipeline([])(Document.from_text("Tiêu đề\\n\\nThân  bài.\\nTrang chủ", id="a"))
>>> score = score_document(doc, gold)
>>> score.precision, score.recall, score.f1, score.leaked, score.lost
(0.6666666666666666, 1.0, 0.8, 1, 0)
>>> print(ScoreReport([score]).render().splitlines()[-1])
overall  macro P 0.667 R 1.000 F1 0.800 | micro P 0.667 R 1.000 F1 0.800 | leaked 1 lines, lost 0 lines, titles 0/1
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from attrs import field, frozen

from newsclean.core import KEPT_LABELS, Document, Label, split_lines
from newsclean.errors import InputError, NewscleanError

__all__ = [
    "Alignment",
    "DocScore",
    "Failure",
    "LineIssue",
    "ScoreReport",
    "align",
    "find_pairs",
    "read_labels",
    "score_document",
    "score_folder",
    "token_scores",
]

LABELS_SUFFIX = ".labels.tsv"
DUMP_SUFFIX = ".txt"

# Gold labels whose lines are neither article text nor a leak when kept: a
# blank line adds no text to the article, and unknown is not scored at all.
NOT_LEAKS = frozenset({Label.BLANK, Label.UNKNOWN})

# A raw line the pipeline neither kept nor explained with a Removal: a bug in
# some stage, counted as dropped under this pseudo stage/rule so it shows.
UNEXPLAINED = "(unexplained)"

_LABEL_VALUES = frozenset(label.value for label in Label)
_VALID_LABELS = ", ".join(label.value for label in Label)
_PAIR_HINT = f"a folder of NAME{DUMP_SUFFIX} dumps with NAME{LABELS_SUFFIX} beside each"


# -- reading gold ------------------------------------------------------------


def _read_text(path: Path, what: str, hint: str) -> str:
    """A file's text, every failure an InputError that says what, where and what to try."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{what} not found", str(path), hint) from None
    except OSError as exc:
        raise InputError(
            f"cannot read {what} ({exc.strerror or exc})", str(path), "checking the path and its permissions"
        ) from None
    try:
        # utf-8-sig: a byte-order mark is an editor's artefact, not text of the first line.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} is not UTF-8 (byte {exc.start})", str(path), "re-encoding it as UTF-8") from None


def read_labels(path: str | Path) -> list[tuple[Label, str]]:
    """The gold rows of a ``NAME.labels.tsv``: ``(label, raw line text)`` in raw order.

    Rows are ``label<TAB>text`` and split on the first tab only (the text may
    hold tabs). Lines end as ``split_lines`` ends them, so a row keeps the
    ``\\x1e`` or ``\\u2028`` its raw line has. Lenient where an editor may have
    touched the file: empty rows at the end are ignored, a label may carry
    surrounding spaces or capitals, and a row that is only a label (an empty
    line whose trailing tab was trimmed) has empty text.

    Args:
        path: the ``.labels.tsv`` file.

    Raises:
        InputError: the file is missing or not UTF-8, a row has no tab, or a
            label is not a ``Label`` (the message lists the valid ones and
            gives ``file:line``).
    """
    path = Path(path)
    rows = split_lines(_read_text(path, "labels file", f"a NAME{LABELS_SUFFIX} beside NAME{DUMP_SUFFIX}"))
    # Rows are newline-terminated, so the split leaves one empty string after
    # the last row; more empty rows at the end are an editor's, not the dump's.
    while rows and rows[-1] == "":
        rows.pop()
    gold: list[tuple[Label, str]] = []
    for number, row in enumerate(rows, start=1):
        where = f"{path}:{number}"
        name, tab, text = row.partition("\t")
        key = name.strip().lower()
        if not row:
            raise InputError("empty row", where, "'blank<TAB>' for an empty line of the dump")
        if not tab and key not in _LABEL_VALUES:
            raise InputError("row has no tab between label and text", where, "rows of label<TAB>raw line text")
        try:
            label = Label(key)
        except ValueError:
            raise InputError(f"unknown label {name!r}", where, f"one of: {_VALID_LABELS}") from None
        gold.append((label, text))
    return gold


# -- aligning gold rows to raw lines -----------------------------------------


def _rows(rows: Iterable[int | None]) -> tuple[int | None, ...]:
    return tuple(rows)


@frozen
class Alignment:
    """Which gold row each raw line has.

    Args:
        rows: for each raw line, by raw index, the index of its gold row, or
            None when no row matches it.
        by: ``"index"`` when the rows match the dump line for line, ``"text"``
            when they had to be matched by text.
        unaligned_gold: gold rows that match no raw line.
        unaligned_raw: raw lines that match no gold row.
    """

    rows: tuple[int | None, ...] = field(converter=_rows)
    by: str = "index"
    unaligned_gold: int = 0
    unaligned_raw: int = 0


def _key(text: str | None) -> str | None:
    # Whitespace-only differences (a trimmed row, a tab turned into spaces) do
    # not make another line: the same rule as the token comparison.
    return None if text is None else " ".join(text.split())


def align(raw_lines: Sequence[str | None], gold_texts: Sequence[str]) -> Alignment:
    """Pair each raw line with its gold row: by index when the texts match, else by text.

    The text fallback (difflib's longest matching runs of equal lines) copes
    with an extra or missing row, a trailing empty line, or an edited dump;
    lines it cannot pair are counted, never guessed.

    Args:
        raw_lines: the dump's lines in raw order (None for a line whose text is unknown).
        gold_texts: the gold rows' texts in order.

    >>> align(["a", "", "b"], ["a", "", "b"]).by
    'index'
    >>> a = align(["a", "x", "b", ""], ["a", "b"])
    >>> a.rows, a.by, a.unaligned_gold, a.unaligned_raw
    ((0, None, 1, None), 'text', 0, 2)
    """
    raw_keys = [_key(t) for t in raw_lines]
    gold_keys = [_key(t) for t in gold_texts]
    if raw_keys == gold_keys:
        return Alignment(range(len(raw_keys)), "index")
    # autojunk off: it would ignore "popular" lines (empty ones above all) in
    # long dumps, and those lines need their labels too.
    matcher = difflib.SequenceMatcher(None, gold_keys, raw_keys, autojunk=False)
    rows: list[int | None] = [None] * len(raw_keys)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            rows[block.b + k] = block.a + k
    aligned = len(raw_keys) - rows.count(None)
    return Alignment(rows, "text", len(gold_keys) - aligned, len(raw_keys) - aligned)


# -- scoring one document ----------------------------------------------------


def token_scores(overlap: int, kept: int, gold: int) -> tuple[float, float, float]:
    """Precision, recall and F1 from token counts.

    Nothing kept is vacuously precise and nothing to find is vacuously
    recalled, so an empty side scores 1.0 there; F1 is ``2·overlap/(kept+gold)``
    (1.0 when both are empty), the harmonic mean computed from the counts so
    that it always lies between precision and recall, even in floating point.

    Args:
        overlap: tokens both kept and in the gold article (multiset intersection).
        kept: tokens in the kept text.
        gold: tokens in the gold article.

    >>> token_scores(2, 4, 5)
    (0.5, 0.4, 0.4444444444444444)
    """
    precision = overlap / kept if kept else 1.0
    recall = overlap / gold if gold else 1.0
    f1 = 2 * overlap / (kept + gold) if kept + gold else 1.0
    return precision, recall, f1


@frozen
class LineIssue:
    """One line the pipeline got wrong: a gold boilerplate line kept, or a gold article line dropped.

    Args:
        kind: ``"leak"`` (gold boilerplate kept) or ``"lost"`` (gold title/body dropped).
        doc: the document's name.
        index: the line's raw index.
        gold: its gold label.
        taken_as: the label the pipeline gave it (its kept label, or its
            removal's label); None when the pipeline lost it without a record.
        text: the line as it last stood (after any edits).
        stage: the stage that dropped it ("" for a leak).
        rule: the rule that dropped it ("" for a leak).
        evidence: the removal's evidence ("" for a leak).
    """

    kind: str
    doc: str
    index: int
    gold: Label
    taken_as: Label | None
    text: str
    stage: str = ""
    rule: str = ""
    evidence: str = ""

    @property
    def why(self) -> str:
        """``stage/rule: evidence`` for a lost line, ``kept as <label>`` for a leak."""
        if self.kind == "leak":
            return f"kept as {self.taken_as}"
        return f"{self.stage}/{self.rule}" + (f": {self.evidence}" if self.evidence else "")

    def to_dict(self) -> dict[str, Any]:
        """The issue as JSON-able data."""
        return {
            "kind": self.kind,
            "doc": self.doc,
            "index": self.index,
            "gold": self.gold.value,
            "taken_as": None if self.taken_as is None else self.taken_as.value,
            "stage": self.stage,
            "rule": self.rule,
            "evidence": self.evidence,
            "text": self.text,
        }


def _issues(issues: Iterable[LineIssue]) -> tuple[LineIssue, ...]:
    return tuple(issues)


@frozen
class DocScore:
    """One document's scores against its gold labels (see ``score_document``).

    Args:
        name: the document's name (its path relative to the scored folder).
        kept_tokens: tokens in the kept text, over lines with a gold label other than unknown.
        gold_tokens: tokens in the gold title and body lines.
        overlap: tokens in both, as multisets.
        title_ok: the kept title's tokens equal the gold title lines' tokens.
        title: the kept title (``Document.title``).
        gold_title: the gold title lines joined by a space.
        kept: per gold label, lines kept.
        dropped: per gold label, lines dropped.
        dropped_by: per gold label, dropped lines counted by ``stage/rule``.
        issues: the leaked and lost lines, in raw order.
        aligned_by: ``"index"`` or ``"text"`` (see ``Alignment``).
        unaligned_gold: gold rows that matched no raw line (not scored).
        unaligned_raw: raw lines that matched no gold row (not scored).
    """

    name: str
    kept_tokens: int
    gold_tokens: int
    overlap: int
    title_ok: bool
    title: str = ""
    gold_title: str = ""
    kept: Mapping[Label, int] = field(factory=dict, hash=False)
    dropped: Mapping[Label, int] = field(factory=dict, hash=False)
    dropped_by: Mapping[Label, Mapping[str, int]] = field(factory=dict, hash=False)
    issues: tuple[LineIssue, ...] = field(default=(), converter=_issues)
    aligned_by: str = "index"
    unaligned_gold: int = 0
    unaligned_raw: int = 0

    @property
    def scores(self) -> tuple[float, float, float]:
        """Token precision, recall and F1 (see ``token_scores``)."""
        return token_scores(self.overlap, self.kept_tokens, self.gold_tokens)

    @property
    def precision(self) -> float:
        """Share of kept tokens that are gold article tokens."""
        return self.scores[0]

    @property
    def recall(self) -> float:
        """Share of gold article tokens that were kept."""
        return self.scores[1]

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        return self.scores[2]

    @property
    def leaks(self) -> tuple[LineIssue, ...]:
        """Gold boilerplate lines (not blank, not unknown) that were kept."""
        return tuple(i for i in self.issues if i.kind == "leak")

    @property
    def losses(self) -> tuple[LineIssue, ...]:
        """Gold title and body lines that were dropped."""
        return tuple(i for i in self.issues if i.kind == "lost")

    @property
    def leaked(self) -> int:
        """How many lines leaked."""
        return len(self.leaks)

    @property
    def lost(self) -> int:
        """How many lines were lost."""
        return len(self.losses)

    def to_dict(self) -> dict[str, Any]:
        """The document's scores as JSON-able data."""
        precision, recall, f1 = self.scores
        return {
            "name": self.name,
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "tokens": {"kept": self.kept_tokens, "gold": self.gold_tokens, "overlap": self.overlap},
            "leaked": self.leaked,
            "lost": self.lost,
            "title_ok": self.title_ok,
            "title": self.title,
            "gold_title": self.gold_title,
            "lines": _lines_dict(self.kept, self.dropped, self.dropped_by),
            "alignment": {
                "by": self.aligned_by,
                "unaligned_gold": self.unaligned_gold,
                "unaligned_raw": self.unaligned_raw,
            },
            "issues": [issue.to_dict() for issue in self.issues],
        }


def score_document(
    doc: Document,
    gold: Iterable[tuple[Label | str, str]],
    *,
    name: str | None = None,
    raw_lines: Sequence[str | None] | None = None,
) -> DocScore:
    """Score a cleaned document against the gold rows of its raw dump.

    Kept text is the lines as the pipeline left them, gold text the rows as
    the dump had them: both are split on whitespace, so trims and collapsed
    spaces cost nothing, while a rewrite that changes a token (a mojibake
    repair, say) shows up as a precision and recall miss. Lines that are
    ``unknown`` in the gold, and lines that could not be aligned, are counted
    in the line tables but kept out of the token scores.

    Args:
        doc: the pipeline's output; ``doc.fates()`` must reach back to the raw lines.
        gold: ``(label, raw line text)`` rows, as ``read_labels`` gives them.
        name: the name to report (default: ``doc.id``).
        raw_lines: the raw dump's lines, when the caller has them; otherwise
            they are rebuilt from the record (a rewritten line's first edit
            starts from its raw text), which fails only for lines a pipeline
            dropped without a ``Removal``.
    """
    labelled = [(Label(label), text) for label, text in gold]
    name = doc.id if name is None else name
    fates = {index: (text, removal, edits) for index, text, removal, edits in doc.fates()}
    if raw_lines is None:
        rebuilt: list[str | None] = [None] * (max(fates, default=-1) + 1)
        for index, (text, _removal, edits) in fates.items():
            rebuilt[index] = edits[0].before if edits else text
        raw_lines = rebuilt
    alignment = align(raw_lines, [text for _label, text in labelled])
    kept_as = {line.index: line.label for line in doc.lines}

    kept_tokens: Counter[str] = Counter()
    gold_tokens: Counter[str] = Counter()
    kept: Counter[Label] = Counter()
    dropped: Counter[Label] = Counter()
    dropped_by: dict[Label, Counter[str]] = {}
    issues: list[LineIssue] = []
    gold_title: list[str] = []
    for index, row in enumerate(alignment.rows):
        if row is None:
            continue
        label, gold_text = labelled[row]
        fate = fates.get(index)
        if fate is None:
            text, stage, rule, evidence, taken_as = raw_lines[index] or "", UNEXPLAINED, "", "no removal recorded", None
        else:
            text, removal, _edits = fate
            if removal is None:
                stage = rule = evidence = ""
                taken_as = kept_as[index]
            else:
                stage, rule, evidence, taken_as = removal.stage, removal.rule, removal.evidence, removal.label
        is_kept = fate is not None and fate[1] is None
        if is_kept:
            kept[label] += 1
        else:
            dropped[label] += 1
            dropped_by.setdefault(label, Counter())[f"{stage}/{rule}" if rule else stage] += 1
        if label is Label.UNKNOWN:
            continue
        if is_kept:
            kept_tokens.update(text.split())
        if label in KEPT_LABELS:
            gold_tokens.update(gold_text.split())
            if label is Label.TITLE:
                gold_title.append(gold_text)
            if not is_kept:
                issues.append(LineIssue("lost", name, index, label, taken_as, text, stage, rule, evidence))
        elif is_kept and label not in NOT_LEAKS:
            issues.append(LineIssue("leak", name, index, label, taken_as, text))

    gold_title_text = " ".join(gold_title)
    return DocScore(
        name=name,
        kept_tokens=sum(kept_tokens.values()),
        gold_tokens=sum(gold_tokens.values()),
        overlap=sum((kept_tokens & gold_tokens).values()),
        # Token lists, not strings: a title whose spaces were trimmed is still the title.
        title_ok=doc.title.split() == gold_title_text.split(),
        title=doc.title,
        gold_title=gold_title_text,
        kept=dict(kept),
        dropped=dict(dropped),
        dropped_by={label: dict(counts) for label, counts in dropped_by.items()},
        issues=issues,
        aligned_by=alignment.by,
        unaligned_gold=alignment.unaligned_gold,
        unaligned_raw=alignment.unaligned_raw,
    )


# -- a folder of documents ---------------------------------------------------


@frozen
class Failure:
    """A labelled pair that could not be scored.

    Args:
        name: the document's name.
        error: why, as the error's one-line message.
    """

    name: str
    error: str


def _lines_dict(
    kept: Mapping[Label, int], dropped: Mapping[Label, int], dropped_by: Mapping[Label, Mapping[str, int]]
) -> dict[str, Any]:
    return {
        label.value: {
            "lines": kept.get(label, 0) + dropped.get(label, 0),
            "kept": kept.get(label, 0),
            "dropped": dropped.get(label, 0),
            "dropped_by": dict(Counter(dropped_by.get(label, {})).most_common()),
        }
        for label in Label
        if kept.get(label, 0) + dropped.get(label, 0)
    }


_RED, _YELLOW, _GREEN, _RESET = "\x1b[31m", "\x1b[33m", "\x1b[32m", "\x1b[0m"


def _paint_f1(cell: str, f1: float, color: bool) -> str:
    if not color:
        return cell
    # Judge the value as shown, so a cell reading 0.990 is never yellow.
    shown = round(f1, 3)
    colour = _RED if shown < 0.9 else _YELLOW if shown < 0.99 else _GREEN
    return f"{colour}{cell}{_RESET}"


def _show(text: str, limit: int = 100) -> str:
    # Escape what a terminal would not show as one character (\x1e, \u2028,
    # no-break spaces), so one issue is one line and invisible text is visible.
    text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _counts(counter: Mapping[Any, int]) -> str:
    return ", ".join(f"{key} {n}" for key, n in Counter(counter).most_common()) or "none"


def _documents(documents: Iterable[DocScore]) -> tuple[DocScore, ...]:
    return tuple(documents)


def _failures(failures: Iterable[Failure]) -> tuple[Failure, ...]:
    return tuple(failures)


@frozen
class ScoreReport:
    """The scores of a folder of labelled documents (see ``score_folder``).

    Args:
        documents: each scored document, in name order.
        failed: the pairs that could not be read, with why.
        source: the folder scored.
        pipeline: the pipeline's config (``Pipeline.to_config()``), when it has one.
    """

    documents: tuple[DocScore, ...] = field(converter=_documents)
    failed: tuple[Failure, ...] = field(default=(), converter=_failures)
    source: str = ""
    pipeline: Mapping[str, Any] | None = field(default=None, hash=False)

    # -- totals ----------------------------------------------------------

    @property
    def micro(self) -> tuple[float, float, float]:
        """Precision, recall and F1 of all documents' tokens pooled."""
        return token_scores(
            sum(d.overlap for d in self.documents),
            sum(d.kept_tokens for d in self.documents),
            sum(d.gold_tokens for d in self.documents),
        )

    @property
    def macro(self) -> tuple[float, float, float] | None:
        """The mean over documents of precision, recall and F1 (None when none was scored)."""
        if not self.documents:
            return None
        n = len(self.documents)
        return tuple(sum(d.scores[k] for d in self.documents) / n for k in range(3))  # type: ignore[return-value]

    @property
    def leaked(self) -> int:
        """Gold boilerplate lines kept, over all documents."""
        return sum(d.leaked for d in self.documents)

    @property
    def lost(self) -> int:
        """Gold title/body lines dropped, over all documents."""
        return sum(d.lost for d in self.documents)

    @property
    def titles_ok(self) -> int:
        """Documents whose kept title is the gold title."""
        return sum(d.title_ok for d in self.documents)

    @property
    def kept(self) -> Counter[Label]:
        """Lines kept per gold label, over all documents."""
        return sum((Counter(d.kept) for d in self.documents), Counter())

    @property
    def dropped(self) -> Counter[Label]:
        """Lines dropped per gold label, over all documents."""
        return sum((Counter(d.dropped) for d in self.documents), Counter())

    @property
    def dropped_by(self) -> dict[Label, Counter[str]]:
        """Dropped lines per gold label by ``stage/rule``, over all documents."""
        out: dict[Label, Counter[str]] = {}
        for d in self.documents:
            for label, counts in d.dropped_by.items():
                out.setdefault(label, Counter()).update(counts)
        return out

    @property
    def leaks_by_label(self) -> Counter[Label]:
        """Leaked lines per gold label."""
        return Counter(i.gold for d in self.documents for i in d.leaks)

    @property
    def lost_by_rule(self) -> Counter[str]:
        """Lost lines per ``stage/rule`` that dropped them."""
        return Counter(f"{i.stage}/{i.rule}" if i.rule else i.stage for d in self.documents for i in d.losses)

    # -- output ------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-able data, for benchmarks that compare runs."""
        macro = self.macro
        micro = self.micro
        return {
            "source": self.source,
            "pipeline": None if self.pipeline is None else dict(self.pipeline),
            "documents": [d.to_dict() for d in self.documents],
            "failed": [{"name": f.name, "error": f.error} for f in self.failed],
            "macro": None if macro is None else dict(zip(("precision", "recall", "f1"), macro, strict=True)),
            "micro": {
                **dict(zip(("precision", "recall", "f1"), micro, strict=True)),
                "kept_tokens": sum(d.kept_tokens for d in self.documents),
                "gold_tokens": sum(d.gold_tokens for d in self.documents),
                "overlap": sum(d.overlap for d in self.documents),
            },
            "leaked": self.leaked,
            "lost": self.lost,
            "titles": {"ok": self.titles_ok, "total": len(self.documents)},
            "lines": _lines_dict(self.kept, self.dropped, self.dropped_by),
            "leaks_by_label": {label.value: n for label, n in self.leaks_by_label.most_common()},
            "lost_by_rule": dict(self.lost_by_rule.most_common()),
        }

    def render(self, color: bool = False, verbose: bool = False) -> str:
        """A fixed-width report; its last line is the overall summary.

        Per document: token P, R, F1, lines leaked, lines lost, title ok;
        then macro and micro rows; the line confusion by gold label; with
        ``verbose`` every leaked and lost line; and last a four-line summary
        (documents and alignment, leaks by gold label, losses by stage/rule,
        overall scores) that a hook can take with ``tail -4``.

        Args:
            color: paint F1 with ANSI colours (red < 0.9 <= yellow < 0.99 <= green).
            verbose: list every leaked and lost line (text cut to 100 characters).
        """
        n = len(self.documents)
        labels = [f"macro ({n} doc{'' if n == 1 else 's'})", "micro (tokens)"]
        width = max(
            len(name)
            for name in ["document", *labels, *(d.name for d in self.documents), *(f.name for f in self.failed)]
        )

        def row(
            name: str, scores: tuple[float, float, float], leaked: int, lost: int, title: str, note: str = ""
        ) -> str:
            p, r, f1 = scores
            f1_cell = _paint_f1(f"{f1:5.3f}", f1, color)
            cells = f"{name:<{width}}  {p:5.3f}  {r:5.3f}  {f1_cell}  {leaked:>6}  {lost:>4}  {title}"
            return cells + (f"  {note}" if note else "")

        out = [f"{'document':<{width}}  {'P':>5}  {'R':>5}  {'F1':>5}  {'leaked':>6}  {'lost':>4}  title"]
        entries: list[tuple[str, DocScore | Failure]] = [(d.name, d) for d in self.documents]
        entries += [(f.name, f) for f in self.failed]
        for name, entry in sorted(entries, key=lambda e: e[0]):
            if isinstance(entry, Failure):
                out.append(f"{name:<{width}}  failed: {entry.error}")
                continue
            note = ""
            if entry.aligned_by == "text":
                note = f"aligned by text; unmatched: {entry.unaligned_gold} gold rows, {entry.unaligned_raw} dump lines"
            out.append(row(name, entry.scores, entry.leaked, entry.lost, "ok" if entry.title_ok else "no", note))
        titles = f"{self.titles_ok}/{n}"
        macro = self.macro
        if macro is None:
            out.append(f"{labels[0]:<{width}}    n/a")
        else:
            out.append(row(labels[0], macro, self.leaked, self.lost, titles))
        out.append(row(labels[1], self.micro, self.leaked, self.lost, titles))

        out += ["", f"{'gold label':<14}  {'lines':>5}  {'kept':>5}  {'dropped':>7}  dropped by stage/rule"]
        kept, dropped, dropped_by = self.kept, self.dropped, self.dropped_by
        for label in Label:
            lines = kept[label] + dropped[label]
            if not lines:
                continue
            how = ""
            if label in KEPT_LABELS and dropped[label]:
                how = _counts(dropped_by.get(label, {}))
            elif label is Label.UNKNOWN:
                how = "(not scored)"
            out.append(f"{label.value:<14}  {lines:>5}  {kept[label]:>5}  {dropped[label]:>7}  {how}".rstrip())

        if verbose:
            for kind, title in (
                ("leak", "leaked lines (gold boilerplate kept)"),
                ("lost", "lost lines (gold title/body dropped)"),
            ):
                issues = [i for d in self.documents for i in d.issues if i.kind == kind]
                out += ["", f"{title}: {len(issues)}"]
                where = [f"{i.doc}:{i.index}" for i in issues]
                pad = max(map(len, where), default=0)
                out += [
                    f"  {w:<{pad}}  {i.gold.value:<14}  {i.why}  | {_show(i.text)}"
                    for w, i in zip(where, issues, strict=True)
                ]

        by_text = [d for d in self.documents if d.aligned_by == "text"]
        micro = self.micro
        macro_text = (
            "n/a"
            if macro is None
            else f"P {macro[0]:.3f} R {macro[1]:.3f} F1 {_paint_f1(f'{macro[2]:.3f}', macro[2], color)}"
        )
        micro_text = f"P {micro[0]:.3f} R {micro[1]:.3f} F1 {_paint_f1(f'{micro[2]:.3f}', micro[2], color)}"
        documents = (
            f"documents {n} scored, {len(self.failed)} failed | labels aligned by index {n - len(by_text)}, "
            f"by text {len(by_text)} | unmatched {sum(d.unaligned_gold for d in by_text)} gold rows, "
            f"{sum(d.unaligned_raw for d in by_text)} dump lines"
        )
        overall = (
            f"overall  macro {macro_text} | micro {micro_text} | leaked {self.leaked} lines, "
            f"lost {self.lost} lines, titles {titles}"
        )
        leaks = _counts({label.value: count for label, count in self.leaks_by_label.items()})
        # The last four lines are the summary a hook shows (tail -4): keep them last.
        out += [
            "",
            documents,
            f"leaked by gold label: {leaks}",
            f"lost by stage/rule: {_counts(self.lost_by_rule)}",
            overall,
        ]
        return "\n".join(out)


def find_pairs(root: str | Path) -> list[tuple[str, Path | None, Path]]:
    """Every ``NAME.labels.tsv`` under ``root``, with its dump: ``(name, NAME.txt or None, labels path)``.

    The name is the path relative to ``root`` without the suffix, so a folder
    of sets gives ``set/NAME``. Hidden folders (``.git``, ``.hypothesis``) are
    skipped. A labels file with no dump beside it comes back with None, for
    the caller to report; a dump with no labels is not gold and is ignored.

    Args:
        root: the folder to search, recursively.
    """
    root = Path(root)
    pairs = []
    for labels in root.rglob("*" + LABELS_SUFFIX):
        rel = labels.relative_to(root)
        stem = labels.name[: -len(LABELS_SUFFIX)]
        if not stem or any(part.startswith(".") for part in rel.parts[:-1]) or not labels.is_file():
            continue
        dump = labels.with_name(stem + DUMP_SUFFIX)
        pairs.append(((rel.parent / stem).as_posix(), dump if dump.is_file() else None, labels))
    return sorted(pairs, key=lambda pair: pair[0])


def score_folder(path: str | Path, pipeline: Callable[[Document], Document]) -> ScoreReport:
    """Run ``pipeline`` on every labelled dump under ``path`` and score each against its labels.

    A pair that cannot be read (missing dump, not UTF-8, a bad row) is
    recorded in ``report.failed`` and the rest are still scored. An exception
    from the pipeline itself is a bug, not bad input, so it propagates, with
    a note naming the document.

    Args:
        path: a folder of ``NAME.txt`` + ``NAME.labels.tsv`` pairs, searched
            recursively (a folder of sets works; names are relative paths).
        pipeline: a ``Pipeline``, or any callable from a raw Document to a
            cleaned one whose record (``fates()``) covers every raw line.

    Raises:
        InputError: ``path`` is missing, not a folder, or holds no labelled pair.
    """
    root = Path(path)
    if not root.exists():
        raise InputError("folder not found", str(root), _PAIR_HINT)
    if not root.is_dir():
        raise InputError("not a folder", str(root), _PAIR_HINT)
    pairs = find_pairs(root)
    if not pairs:
        raise InputError(f"no labelled pairs (NAME{DUMP_SUFFIX} with NAME{LABELS_SUFFIX})", str(root), _PAIR_HINT)

    documents: list[DocScore] = []
    failed: list[Failure] = []
    for name, dump, labels in pairs:
        try:
            if dump is None:
                raise InputError(
                    "labels file has no dump beside it", str(labels), f"adding {Path(name).name}{DUMP_SUFFIX}"
                )
            raw = _read_text(dump, "dump", _PAIR_HINT)
            gold = read_labels(labels)
        except NewscleanError as exc:
            failed.append(Failure(name, str(exc)))
            continue
        try:
            cleaned = pipeline(Document.from_text(raw, id=name))
        except Exception as exc:
            exc.add_note(f"while scoring {name} ({dump})")
            raise
        documents.append(score_document(cleaned, gold, name=name, raw_lines=split_lines(raw)))
    to_config = getattr(pipeline, "to_config", None)
    return ScoreReport(documents, failed, source=str(root), pipeline=to_config() if callable(to_config) else None)
