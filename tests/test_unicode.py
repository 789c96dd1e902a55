"""Mojibake: vectors built from codecs and charmaps, labelled cases, and clean text left alone.

Every vector is made the way the damage happens (encode the right text, decode it the wrong
way; see ``benchmarks/mojibake.py``), never by running the fixer under test, and must come back
exactly. Cases no one can recover are labelled in ``tests/cases/mojibake.json`` and expected to
fail (``xfail(strict=True)``), with the reason.
"""

from __future__ import annotations

import importlib.util
import json
import pickle
import sys
import unicodedata
from pathlib import Path

import hypothesis.strategies as st
import pytest
from hypothesis import example, given

from newsclean import ConfigError, Document
from newsclean.pipeline import build_stage, stage_options
from newsclean.stages import _vn_tables
from newsclean.stages.unicode import Mojibake, ToneStyle, _repair, is_vietnamese_syllable, vietnamese_letters

ROOT = Path(__file__).resolve().parent.parent


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


vectors = _load("mojibake_vectors", ROOT / "benchmarks" / "mojibake.py")
CASES = json.loads((ROOT / "tests" / "cases" / "mojibake.json").read_text(encoding="utf-8"))
STAGE = Mojibake()


def _fix(text: str, stage: Mojibake = STAGE) -> str:
    return stage(Document.from_text(text)).text


def _first_mismatches(pairs: list[tuple[str, str, str]], n: int = 3) -> list[tuple[str, str, str]]:
    return [(g, got, want) for g, got, want in pairs if got != want][:n]


# -- vectors ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(vectors.UTF8_KINDS))
def test_every_seed_line_garbled_comes_back(kind: str) -> None:
    cases = [(g, e) for k, g, e in vectors.utf8_vectors(vectors.seed_lines()) if k == kind]
    assert cases
    results = [(g, _fix(g), e) for g, e in cases]
    bad = _first_mismatches(results)
    assert not bad, f"{sum(got != want for _, got, want in results)} of {len(results)} {kind} vectors not fixed: {bad}"


@pytest.mark.parametrize(
    "kind", ["utf8-as-cp1252", "utf8-as-latin1", "utf8-as-cp1258", "nbsp-as-space", "ellipsis-as-dots"]
)
def test_whole_garbled_pages_come_back(kind: str) -> None:
    # A page garbled as a whole: the legacy charsets are tried on it and must lose to UTF-8.
    for name, lines in vectors.seed_pages():
        garbled = [next(vectors.UTF8_KINDS[kind](line)) for line in lines]
        out = STAGE(Document.from_text("\n".join(garbled)))
        assert out.text.split("\n") == lines, name
        assert not any(e.rule.startswith("legacy") for e in out.edits)


LEGACY = vectors.legacy_documents(vectors.seed_pages())


@pytest.mark.parametrize(("kind", "page", "garbled", "expected"), LEGACY, ids=[f"{k}-{p[:3]}" for k, p, _, _ in LEGACY])
def test_legacy_pages_come_back(kind: str, page: str, garbled: list[str], expected: list[str]) -> None:
    out = STAGE(Document.from_text("\n".join(garbled)))
    assert out.text.split("\n") == expected
    rule = "legacy-" + {"tcvn5712-1": "tcvn3"}.get(kind.split("-read-as-")[0], kind.split("-read-as-")[0])
    assert {e.rule for e in out.edits} == {rule}
    assert all(e.steps[0] == "encode:sloppy-windows-1252" and e.steps[1].startswith("decode:") for e in out.edits)


def test_legacy_vectors_cover_the_seeds() -> None:
    # Each charset holds nearly every seed line (the few left out have letters or signs it lacks).
    lines = sum(len(lines) for _, lines in vectors.seed_pages())
    for kind in vectors.LEGACY_READINGS:
        held = sum(len(e) for k, _, _, e in LEGACY if k == kind)
        assert held >= 0.9 * lines, (kind, held, lines)


# -- labelled cases -----------------------------------------------------------------


def _case_params():
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if "xfail" in case else []
        yield pytest.param(case, id=case["name"], marks=marks)


@pytest.mark.parametrize("case", list(_case_params()))
def test_labelled_cases(case: dict) -> None:
    stage = Mojibake(**case.get("options", {}))
    out = stage(Document.from_text(case["input"]))
    assert out.text == case["expected"]
    assert stage(out) == out, "not idempotent"
    if case["kind"] == "clean":
        assert out.edits == ()


def test_labelled_cases_are_well_formed() -> None:
    names = [c["name"] for c in CASES]
    assert len(names) == len(set(names))
    assert all(c.get("xfail", "x").strip() for c in CASES), "an xfail needs its reason"
    languages = {c["language"] for c in CASES if c["kind"] == "clean" and "language" in c}
    assert len(languages) >= 10


# -- clean text is left alone ---------------------------------------------------------


def test_clean_text_in_many_languages_is_unchanged() -> None:
    clean = [c["input"] for c in CASES if c["kind"] == "clean"]
    for text in clean:
        assert STAGE(Document.from_text(text)).edits == (), text
    assert STAGE(Document.from_text("\n".join(clean))).edits == ()


def test_seed_pages_are_unchanged_and_cheap() -> None:
    before = _repair.cache_info()
    for _, lines in vectors.seed_pages():
        doc = Document.from_text("\n".join(lines))
        assert STAGE(doc) == doc
    after = _repair.cache_info()
    # The per-document gate let every clean page through without a single per-line repair.
    assert (after.hits, after.misses) == (before.hits, before.misses)


def _vietnamese_syllables() -> st.SearchStrategy[str]:
    # Real Vietnamese spelling, written independently of the stage's grammar.
    initials = ["", "b", "ch", "d", "đ", "h", "kh", "l", "m", "n", "nh", "ph", "r", "s", "t", "th", "tr", "v", "x"]
    front = {"c": "k", "g": "gh", "ng": "ngh"}
    rimes = [  # (rime, index of the vowel that takes the tone)
        ("a", 0), ("ai", 0), ("ao", 0), ("anh", 0), ("ăn", 0), ("âm", 0), ("ây", 0), ("e", 0), ("em", 0),
        ("ê", 0), ("ên", 0), ("i", 0), ("inh", 0), ("iên", 1), ("iêu", 1), ("o", 0), ("oi", 0), ("ong", 0),
        ("ô", 0), ("ôi", 0), ("ông", 0), ("ơ", 0), ("ơi", 0), ("ơn", 0), ("u", 0), ("ua", 0), ("ui", 0),
        ("ung", 0), ("uôi", 1), ("uông", 1), ("ư", 0), ("ưa", 0), ("ưng", 0), ("ươi", 1), ("ương", 1),
        ("oa", 1), ("oan", 1), ("oai", 1), ("uyên", 2), ("y", 0),
        ("ac", 0), ("ach", 0), ("ăt", 0), ("âp", 0), ("ep", 0), ("êt", 0), ("ich", 0), ("ôc", 0), ("ut", 0),
        ("ươc", 1), ("iêt", 1), ("uôt", 1),
    ]
    tones = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]

    def build(initial: str, rime: tuple[str, int], tone: int, case: int) -> str:
        text, at = rime
        if text.endswith(("c", "ch", "p", "t")):
            tone = 2 if tone % 2 else 5  # stops take only the acute or the dot below
        for plain, before_front in front.items():
            if initial == plain and text[0] in "eêiy":
                initial = before_front
        if not initial and len(text) == 1:
            # A lone toned vowel is a syllable but rarely a word, and a lone "Ã" is how French
            # "à" looks once its no-break space became a space: ftfy rightly repairs that.
            initial = "b"
        vowel = unicodedata.normalize("NFC", text[at] + tones[tone])
        word = initial + text[:at] + vowel + text[at + 1 :]
        return (word, word.title(), word.upper())[case]

    return st.builds(
        build,
        st.sampled_from(initials + ["c", "g", "ng", "gi", "qu"]),
        st.sampled_from(rimes),
        st.integers(0, 5),
        st.integers(0, 2),
    )


_FOREIGN = sorted({w for c in CASES if c["kind"] == "clean" for w in c["input"].split() if w})
_FOREIGN += ["東京", "Москва", "Αθήνα", "القاهرة", "ירושלים", "नई", "กรุงเทพ", "서울", "😀", "C++", "e-mail"]
_FOREIGN += ["https://vnexpress.net/a?b=c", "2024", "15.600", "100%"]
_SEPARATORS = [" ", " ", " ", ", ", ". ", "; ", ": ", " – ", " — ", "! ", "? ", "… ", "\xa0"]
_QUOTES = [("", ""), ("“", "”"), ("«", "»"), ("‘", "’"), ("(", ")"), ("\"", "\"")]

words = st.one_of(_vietnamese_syllables(), _vietnamese_syllables(), st.sampled_from(_FOREIGN))


@st.composite
def clean_lines(draw) -> str:
    parts = draw(st.lists(words, min_size=1, max_size=12))
    seps = draw(st.lists(st.sampled_from(_SEPARATORS), min_size=len(parts), max_size=len(parts)))
    open_, close = draw(st.sampled_from(_QUOTES))
    return open_ + "".join(w + s for w, s in zip(parts[:-1], seps, strict=False)) + parts[-1] + close


# "Ã" before a no-break space is how UTF-8 "à" reads as cp1252: ambiguous, and repaired on purpose.
unambiguous_lines = clean_lines().filter(lambda line: "Ã\xa0" not in line)


@given(st.lists(unambiguous_lines, min_size=1, max_size=8))
@example(["NGÃ TƯ SỞ", "São Paulo", "A IRMÃ E A MÃE"])
@example(["Cà phê là gì", "tôi có cá", "Où est la gare"] * 3)
def test_generated_clean_text_is_unchanged(lines: list[str]) -> None:
    doc = Document.from_text("\n".join(lines))
    out = STAGE(doc)
    assert out.edits == (), out.explain()


# -- idempotence, explanation, options ---------------------------------------------------


def test_repairing_twice_changes_nothing() -> None:
    for kind, garbled, _ in vectors.utf8_vectors(vectors.seed_lines())[::5]:
        once = STAGE(Document.from_text(garbled))
        assert STAGE(once) == once, kind
    for _, _, garbled, _ in LEGACY:
        once = STAGE(Document.from_text("\n".join(garbled)))
        assert STAGE(once) == once


def test_explain_shows_ftfy_plan_and_replays() -> None:
    raw = "Hà Nội\nÄ‘oÃ n thá»ƒ\nVá»›i sá»± thÃ nh láº­p"
    out = STAGE(Document.from_text(raw))
    assert out.text == "Hà Nội\nđoàn thể\nVới sự thành lập"
    assert out.replay(raw) == out.text
    explained = out.explain().split("\n")
    assert explained[0].startswith("line 1 edit <- mojibake/utf8-as-cp1252: 'Ä‘oÃ n thá»ƒ' -> 'đoàn thể' (")
    assert "encode:sloppy-windows-1252; decode:utf-8" in out.explain()
    assert [e.index for e in out.edits] == [1, 2]


def test_legacy_edits_name_the_charset_on_every_line() -> None:
    lines = ["Thành lập Công đoàn cơ sở", "Liên đoàn Lao động quận Long Biên", "Năm 2023 đã giới thiệu đoàn viên"]
    raw = "\n".join(vectors.legacy_encode(line, "vni").decode("cp1252") for line in lines)
    out = STAGE(Document.from_text(raw))
    assert out.text.split("\n") == lines
    assert [(e.index, e.rule, e.steps) for e in out.edits] == [
        (i, "legacy-vni", ("encode:sloppy-windows-1252", "decode:vni-windows")) for i in range(3)
    ]
    assert Mojibake(legacy=False)(Document.from_text(raw)).text == raw


def test_nfc_and_tone_options() -> None:
    nfd = unicodedata.normalize("NFD", "Hoà thuận")
    assert _fix(nfd) == "Hoà thuận"
    assert _fix(nfd, Mojibake(nfc=False)) == nfd
    assert _fix("hoà khoẻ thuỷ", Mojibake(tone_style="old")) == "hòa khỏe thủy"
    assert _fix("HÒA KHỎE THỦY", Mojibake(tone_style=ToneStyle.NEW)) == "HOÀ KHOẺ THUỶ"
    for word in ("quý", "hoàn", "thuở", "hoạch", "khuyến", "Quỳnh"):
        for style in ("old", "new"):
            assert _fix(word, Mojibake(tone_style=style)) == word


def test_vietnamese_fallback_can_be_turned_off() -> None:
    text = "Công Ä‘oÃ n Việt Nam"
    assert _fix(text) == "Công đoàn Việt Nam"
    assert _fix(text, Mojibake(vietnamese=False)) != "Công đoàn Việt Nam"


def test_pickle_config_and_errors() -> None:
    stage = Mojibake(legacy=False, tone_style="new")
    assert stage.tone_style is ToneStyle.NEW
    assert pickle.loads(pickle.dumps(stage)) == stage
    assert stage_options(stage) == {"legacy": False, "tone_style": "new"}
    assert build_stage({"name": "mojibake", **stage_options(stage)}) == stage
    with pytest.raises(ConfigError, match="tone_style|ToneStyle|'sideways'"):
        build_stage({"name": "mojibake", "tone_style": "sideways"})
    with pytest.raises(TypeError, match="decode"):
        Mojibake()(b"bytes")


# -- the tables ------------------------------------------------------------------------


def test_letters_and_syllables() -> None:
    letters = vietnamese_letters()
    assert len(letters) == len(set(letters)) == 134
    assert all(unicodedata.is_normalized("NFC", c) and not c.isascii() for c in letters)
    seed_words = {w for line in vectors.seed_lines() for w in line.replace("-", " ").split()}
    vietnamese = {w.strip(".,;:!?()“”‘’…\"'|/") for w in seed_words}
    vietnamese = {w for w in vietnamese if w.isalpha() and any(c in letters for c in w)}
    abbreviations = {w for w in vietnamese if w.isupper() and "Đ" in w}  # LĐLĐ, CNVCLĐ
    assert len(vietnamese - abbreviations) > 800
    invalid = sorted(w for w in vietnamese - abbreviations if not is_vietnamese_syllable(w))
    assert not invalid, invalid
    assert not any(is_vietnamese_syllable(w) for w in abbreviations)


def test_tables_spell_every_letter_once() -> None:
    letters = set(vietnamese_letters())
    for table in (_vn_tables.TCVN5712_1, _vn_tables.VISCII):
        assert len(table) == 256
        assert all(table.count(c) == 1 for c in letters)
    vni = [v for k, v in _vn_tables.VNI_WINDOWS.items() if k not in "\xee\xce"]
    assert sorted(vni) == sorted(letters)


@pytest.mark.skipif(not Path("/usr/share/i18n/charmaps/TCVN5712-1.gz").exists(), reason="glibc charmaps not installed")
def test_tables_match_glibc_charmaps() -> None:
    gen = _load("gen_vn_tables", ROOT / "benchmarks" / "gen_vn_tables.py")
    committed = (ROOT / "src" / "newsclean" / "stages" / "_vn_tables.py").read_text(encoding="utf-8")
    assert gen.build(Path("/usr/share/i18n/charmaps")) == committed
