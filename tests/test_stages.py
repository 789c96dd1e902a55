"""Labelled cases for every stage, one test per case, loaded from ``cases/stages.json`` (ftfy's test-cases style).

The contract suite (``test_contract.py``) checks what every stage must do on
any input; these cases check what each stage *decides* on realistic lines.
A case is a JSON object:

- ``name``: the test id, unique; ``lang``: the page's language (ISO 639-1);
  ``why``: one sentence on what the case shows.
- ``stage``: the registered name of the stage under test; ``options``: its
  fields (built through the config path, so they read as a TOML table would).
- ``pipeline_before``: stages run first, by name (default options), or as
  ``{"name": ..., **options}`` tables: some stages need the title marked or
  the image markers gone.
- ``metadata``: what a reader would have set on the document (``title``, ``language``).
- ``lines``: the dump, one string per raw line.
- ``expect``: ``[index, label, rule]`` for every line the stage must remove;
  every other line that reached the stage must stay kept.
- ``edits``: ``[index, rule, after]`` for every rewrite the stage must make
  (only whitespace rewrites); absent means the stage must rewrite nothing.
- ``keeps``: indices of lines that look like the stage's target but must be
  kept, with the label they had before the stage (for ``title``: not marked).
- ``title``: the expected ``doc.title`` after the stage; ``language``: the
  expected ``metadata["language"]`` after the stage.
- ``xfail``: why the stage gets this case wrong today (run with ``strict=True``).
"""

from __future__ import annotations

import inspect
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from newsclean import STAGES, Document, Label
from newsclean.pipeline import build_stage

CASES_FILE = Path(__file__).resolve().parent / "cases" / "stages.json"
CASES: list[dict[str, Any]] = json.loads(CASES_FILE.read_text(encoding="utf-8"))

REQUIRED = {"name", "lang", "stage", "lines", "expect", "why"}
OPTIONAL = {"options", "pipeline_before", "metadata", "edits", "keeps", "title", "language", "xfail"}
LANGUAGES = {"vi", "en", "de", "fr", "es"}

# Every rule id each stage can give, as its code writes them: a rule no case
# reaches, a case naming a rule the stage does not have, or a rule the stage's
# code writes that is missing here fails below.
RULES: dict[str, set[str]] = {
    "whitespace": {"empty", "trim", "collapse", "invisible"},
    "mojibake": {"utf8-as-cp1252", "utf8-as-cp1258", "legacy-tcvn3", "legacy-vni", "nfc", "tone-placement"},
    "language": set(),
    "image_markers": {"marker", "no-words"},
    "title": set(),
    "slug_lines": {"folded-copy", "slug-prefix", "title-copy"},
    "recommendation_blocks": {"marker", "under-marker", "teaser", "marker-prefix"},
    "comments": {"marker", "under-marker"},
    "near_duplicate_links": {
        "repeated", "repeated-paragraph", "bar-list", "headline-list", "ranked-list", "glued-headlines", "arrow-link",
    },
    "captions": {"credit", "after-image", "cell-bar"},
    "bylines": {
        "nav-phrase", "footer", "breadcrumb", "byline-pattern", "consent", "date-line", "menu", "name-after-body",
    },
    "main_content": {"outside-body"},
    "markup": {"box", "link-list", "outside-article", "after-content"},
    "repeated_lines": {"repeated-line"},
}


def _stage(spec: str | dict[str, Any], options: dict[str, Any] | None = None) -> Any:
    if isinstance(spec, str):
        spec = {"name": spec}
    return build_stage({**spec, **(options or {})}, where=f"case stage {spec.get('name')!r}")


def _params() -> list[Any]:
    params = []
    for case in CASES:
        marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if "xfail" in case else []
        params.append(pytest.param(case, id=case["name"], marks=marks))
    return params


@pytest.mark.parametrize("case", _params())
def test_case(case: dict[str, Any]) -> None:
    doc = Document.from_text("\n".join(case["lines"]), id=case["name"], metadata=case.get("metadata"))
    for spec in case.get("pipeline_before", ()):
        doc = _stage(spec)(doc)
    before = {line.index: line for line in doc.lines}
    stage = _stage(case["stage"], case.get("options"))
    out = stage(doc)

    new = out.removed[len(doc.removed):]
    got = sorted([r.line.index, r.label.value, r.rule] for r in new)
    evidence = "\n".join(f"  line {r.line.index} {r.label.value}/{r.rule}: {r.evidence}" for r in new)
    assert got == sorted(case["expect"]), f"removals differ; the stage said:\n{evidence}"

    kept = {line.index: line for line in out.lines}
    gone = {index for index, _label, _rule in case["expect"]}
    assert set(kept) == set(before) - gone, "a line that reached the stage was lost"

    edits = sorted([e.index, e.rule, e.after] for e in out.edits[len(doc.edits):])
    assert edits == sorted(case.get("edits", [])), "edits differ"

    for index in case.get("keeps", ()):
        assert index in before, f"line {index} never reached the stage: the keep proves nothing"
        assert index in kept, f"line {index} looks like the target but must be kept"
        assert kept[index].label is before[index].label, f"line {index} was relabelled {kept[index].label}"

    if "title" in case:
        assert out.title == case["title"], "the title found differs"
    if "language" in case:
        assert out.metadata.get("language") == case["language"], "the language recorded differs"


def test_cases_are_well_formed() -> None:
    names = Counter(case["name"] for case in CASES)
    assert not [n for n, k in names.items() if k > 1], "case names must be unique"
    labels = {label.value for label in Label}
    for case in CASES:
        where = case.get("name", case)
        assert not REQUIRED - set(case), (where, "missing", sorted(REQUIRED - set(case)))
        assert not set(case) - REQUIRED - OPTIONAL, (where, "unknown", sorted(set(case) - REQUIRED - OPTIONAL))
        assert case["stage"] in STAGES, where
        assert case["why"].strip() and (not case.get("xfail") or case["xfail"].strip()), where
        n = len(case["lines"])
        indices = [e[0] for e in case["expect"]]
        assert len(indices) == len(set(indices)), where
        for index, label, rule in case["expect"]:
            assert 0 <= index < n and label in labels and rule in RULES[case["stage"]], (where, index, label, rule)
        for index, rule, _after in case.get("edits", ()):
            assert 0 <= index < n and rule in RULES[case["stage"]], (where, index, rule)
        assert all(0 <= i < n and i not in indices for i in case.get("keeps", ())), where
        for spec in case.get("pipeline_before", ()):
            assert (spec if isinstance(spec, str) else spec["name"]) in STAGES, where


def test_every_stage_has_cases_and_a_keeps_case() -> None:
    assert set(RULES) == set(STAGES), "RULES must list every registered stage"
    for name in STAGES:
        mine = [case for case in CASES if case["stage"] == name]
        assert len(mine) >= 3, f"{name}: {len(mine)} cases, want at least 3"
        keeps = [case for case in mine if case.get("keeps") and "xfail" not in case]
        assert keeps, f"{name}: no passing case shows what it must keep"


def test_every_rule_is_reached() -> None:
    reached = set()
    for case in CASES:
        if "xfail" not in case:
            reached |= {(case["stage"], rule) for _index, _label, rule in case["expect"]}
            reached |= {(case["stage"], rule) for _index, rule, _after in case.get("edits", ())}
    missing = {(stage, rule) for stage, rules in RULES.items() for rule in rules} - reached
    assert not missing, f"rules no passing case reaches: {sorted(missing)}"


# How a stage's class writes a removal: (Label.X, "rule", ...), Removal(..., Label.X, "rule", ...) or
# (label, "rule", ...). Rules written by module-level helpers are not seen; test_every_rule_is_reached has them.
_WRITTEN_RULE = re.compile(r'(?:Label\.[A-Z_]+|\blabel),\s*"([a-z][a-z-]*)"')


def test_rules_table_knows_the_rules_in_the_code() -> None:
    for name, cls in STAGES.items():
        unknown = set(_WRITTEN_RULE.findall(inspect.getsource(cls))) - RULES.get(name, set())
        assert not unknown, f"{name} writes rules RULES lacks (add them, and a case for each): {sorted(unknown)}"


def test_cases_cover_the_languages() -> None:
    assert LANGUAGES <= {case["lang"] for case in CASES}
