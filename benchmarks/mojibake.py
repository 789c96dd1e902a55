"""Mojibake repair: test vectors and the benchmark, next to ftfy's defaults.

The vectors are built the way the damage happens, from codecs and charmaps, never by running the
fixer under test: take a clean seed line, encode it right (UTF-8, or a legacy Vietnamese charset
from the generated tables), and decode it wrong (windows-1252, latin-1, windows-1258), sometimes
damaging it further (a no-break space turned into a space, "…" spelled "..."). A vector is fixed
when the stage gives the seed line back exactly.

Run ``python benchmarks/mojibake.py`` to print, per kind, vectors fixed / total for
``newsclean.stages.unicode.Mojibake`` and for ``ftfy.fix_text`` with its defaults, the false
positives on clean text in many languages, and MB/s on clean text and on text with 2 % garbled
lines. ``tests/test_unicode.py`` imports the vector builders from here.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

import ftfy
import ftfy.bad_codecs  # noqa: F401  (sloppy-windows-* codecs)

from newsclean.core import Document, split_lines
from newsclean.stages import _vn_tables
from newsclean.stages.unicode import FTFY_CONFIG, Mojibake, _repair, _score

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
CASES = ROOT / "tests" / "cases" / "mojibake.json"


# -- seed text ------------------------------------------------------------------------


def seed_pages() -> list[tuple[str, list[str]]]:
    """Every seed page as (name, its non-empty lines in order)."""
    return [
        (txt.stem, [line for line in split_lines(txt.read_text(encoding="utf-8")) if line.strip()])
        for txt in sorted(SEEDS.glob("*.txt"))
    ]


def seed_lines() -> list[str]:
    """Every distinct non-empty seed line, in a fixed order."""
    return list(dict.fromkeys(line for _, lines in seed_pages() for line in lines))


def clean_cases() -> list[dict]:
    """The labelled clean texts (kind "clean") of tests/cases/mojibake.json."""
    return [case for case in json.loads(CASES.read_text(encoding="utf-8")) if case["kind"] == "clean"]


# -- UTF-8 read as a single-byte charset ----------------------------------------------


def misread(text: str, codec: str) -> str:
    """UTF-8 text decoded as ``codec`` (sloppy codecs keep unassigned bytes, as browsers do)."""
    return text.encode("utf-8").decode(codec)


def _words_garbled(line: str, pick: Callable[[int], bool], codec: str) -> str:
    words = line.split(" ")
    return " ".join(misread(w, codec) if pick(i) else w for i, w in enumerate(words))


UTF8_KINDS: dict[str, Callable[[str], Iterator[str]]] = {
    "utf8-as-cp1252": lambda s: iter([misread(s, "sloppy-windows-1252")]),
    "utf8-as-latin1": lambda s: iter([misread(s, "latin-1")]),
    "utf8-as-cp1258": lambda s: iter([misread(s, "sloppy-windows-1258")]),
    # a later step took the no-break space (byte A0 of à, Ơ, Ạ, Ỡ) for a space
    "nbsp-as-space": lambda s: iter([misread(s, "sloppy-windows-1252").replace("\xa0", " ")]),
    # ... or spelled the "…" (byte 85 of ễ) as three dots
    "ellipsis-as-dots": lambda s: iter([misread(s, "sloppy-windows-1252").replace("…", "...")]),
    # garbled twice: UTF-8 read as cp1252, saved as UTF-8, read as cp1252 again
    "utf8-as-cp1252-twice": lambda s: iter([misread(misread(s, "sloppy-windows-1252"), "sloppy-windows-1252")]),
    # one word garbled next to clean text on the same line (every word in turn)
    "mixed-word-cp1252": lambda s: (
        _words_garbled(s, lambda i, k=k: i == k, "sloppy-windows-1252") for k in range(len(s.split(" ")))
    ),
    "mixed-word-cp1258": lambda s: (
        _words_garbled(s, lambda i, k=k: i == k, "sloppy-windows-1258") for k in range(0, len(s.split(" ")), 3)
    ),
    # the first half of the line garbled, the rest clean
    "mixed-half": lambda s: iter(
        [_words_garbled(s, lambda i, n=len(s.split(" ")): i < n // 2, "sloppy-windows-1252").replace("\xa0", " ")]
    ),
    # decomposed (NFD), as Word and cp1258 write tone marks
    "nfd": lambda s: iter([unicodedata.normalize("NFD", s)]),
}


def utf8_vectors(lines: list[str]) -> list[tuple[str, str, str]]:
    """(kind, garbled, expected) for every line and kind; lines a kind leaves unchanged are skipped."""
    out = []
    for kind, garble in UTF8_KINDS.items():
        for line in lines:
            for garbled in dict.fromkeys(garble(line)):
                if garbled != line:
                    out.append((kind, garbled, line))
    return out


# -- legacy Vietnamese charsets -------------------------------------------------------

# What a writer with a charset that has no curly quotes or dashes types instead.
ASCII_PUNCTUATION = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "…": "...", "–": "-", "—": "-"})
_CP1252_PUNCTUATION = "“”‘’…–—"


def _inverse(table: str, skip: Callable[[int], bool] = lambda b: False) -> dict[str, bytes]:
    return {char: bytes([b]) for b, char in enumerate(table) if not skip(b)}


def legacy_encoders() -> dict[str, tuple[dict[str, bytes], bool]]:
    """Kind -> (character -> bytes, whether windows punctuation is typed as is)."""
    cp1252_punct = {c: c.encode("cp1252") for c in _CP1252_PUNCTUATION}
    ascii_ = {chr(b): bytes([b]) for b in range(0x20, 0x7F)}
    vni = {
        letter: spelled.encode("latin-1")
        for spelled, letter in _vn_tables.VNI_WINDOWS.items()
        if spelled not in "\xee\xce"  # the single-byte ỵ is for decoding only
    }
    return {
        # TCVN3 as typed with the ABC fonts: no toned capitals, Windows punctuation kept
        "tcvn3": ({**_inverse(_vn_tables.TCVN5712_1, lambda b: b < 0x20 or 0x80 <= b < 0xA0), **cp1252_punct}, True),
        # the whole of TCVN 5712 (VN1): toned capitals in C0 and 0x80-0x9F, no curly quotes
        "tcvn5712-1": (_inverse(_vn_tables.TCVN5712_1, lambda b: b < 0x20 and b not in range(0x01, 0x18)), False),
        "viscii": (
            _inverse(_vn_tables.VISCII, lambda b: b < 0x20 and b not in (0x02, 0x05, 0x06, 0x14, 0x19, 0x1E)),
            False,
        ),
        "vni": ({**ascii_, **vni, **cp1252_punct}, True),
    }


def legacy_encode(text: str, kind: str) -> bytes | None:
    """``text`` in a legacy charset, or None when the charset cannot hold it."""
    if kind == "cp1258":
        return _cp1258_encode(text)
    encoder, punctuation = legacy_encoders()[kind]
    if not punctuation:
        text = text.translate(ASCII_PUNCTUATION)
    out = []
    for char in text:
        if char not in encoder:
            return None
        out.append(encoder[char])
    return b"".join(out)


_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def _cp1258_encode(text: str) -> bytes | None:
    """Windows-1258 as Windows writes it: precomposed where the code page has the letter, else the
    base letter and a combining tone mark."""
    out = []
    for char in text:
        try:
            out.append(char.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in decomposed if c in _TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))
        try:
            out.append((base + tones).encode("cp1258"))
        except UnicodeEncodeError:
            return None
    return b"".join(out)


# How the legacy page was read: windows-1252 as browsers do; latin-1 as many tools do.
LEGACY_READINGS = {
    "tcvn3": "sloppy-windows-1252",
    "tcvn5712-1": "sloppy-windows-1252",
    "viscii": "sloppy-windows-1252",
    "vni": "sloppy-windows-1252",
    "cp1258": "sloppy-windows-1252",
    "viscii-read-as-latin1": "latin-1",
    "tcvn5712-1-read-as-latin1": "latin-1",
}


def legacy_documents(pages: list[tuple[str, list[str]]]) -> list[tuple[str, str, list[str], list[str]]]:
    """(kind, page, garbled lines, expected lines): each seed page written in a legacy charset and
    read as windows-1252 (or latin-1). Lines the charset cannot hold are left out of the page."""
    out = []
    for kind, reading in LEGACY_READINGS.items():
        charset = kind.split("-read-as-")[0]
        for name, lines in pages:
            garbled, expected = [], []
            for line in lines:
                raw = legacy_encode(line, charset)
                if raw is None:
                    continue
                garbled.append(raw.decode(reading))
                folded = line if charset in ("tcvn3", "vni", "cp1258") else line.translate(ASCII_PUNCTUATION)
                expected.append(folded)
            if garbled:
                out.append((kind, name, garbled, expected))
    return out


# -- the benchmark ----------------------------------------------------------------------


def _fixed_lines(stage: Callable[[Document], Document], texts: list[str]) -> list[str]:
    doc = stage(Document.from_text("\n".join(texts)))
    by_index = {line.index: line.text for line in doc.lines}
    return [by_index[i] for i in range(len(texts))]


def score(fix: Callable[[list[str]], list[str]], per_line: bool) -> dict[str, tuple[int, int]]:
    """Vectors fixed / total per kind for a fixer of lines."""
    results: dict[str, list[int]] = {}
    lines = seed_lines()
    for kind, garbled, expected in utf8_vectors(lines):
        ok = fix([garbled])[0] == expected
        tally = results.setdefault(kind, [0, 0])
        tally[0] += ok
        tally[1] += 1
    for kind, _name, garbled, expected in legacy_documents(seed_pages()):
        got = fix(garbled) if not per_line else [fix([g])[0] for g in garbled]
        tally = results.setdefault(f"legacy-{kind}", [0, 0])
        tally[0] += sum(g == e for g, e in zip(got, expected, strict=True))
        tally[1] += len(expected)
    return {k: (v[0], v[1]) for k, v in results.items()}


def _throughput(run: Callable[[str], object], docs: list[str], seconds: float = 1.5) -> float:
    """MB/s of UTF-8 input; the per-line caches are emptied each round, so no line is free."""
    size = sum(len(d.encode("utf-8")) for d in docs)
    done, start = 0, time.perf_counter()
    while True:
        _repair.cache_clear()
        _score.cache_clear()
        for d in docs:
            run(d)
        done += size
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=1.5, help="time per throughput figure")
    args = parser.parse_args(argv)

    stage = Mojibake()
    ours = score(lambda texts: _fixed_lines(stage, texts), per_line=False)
    theirs = score(lambda texts: [ftfy.fix_text(t) for t in texts], per_line=True)
    # ftfy alone with the stage's options shows what the Vietnamese layers add. (ftfy's defaults
    # also straighten curly quotes, so a seed line with quotes never comes back exactly under them;
    # the stage's options leave NFC to the stage, hence 0 for "nfd" in that column.)
    alone = score(lambda texts: [ftfy.fix_and_explain(t, FTFY_CONFIG).text for t in texts], per_line=True)
    print(f"{'vectors fixed / total':36s} {'Mojibake':>16s} {'ftfy.fix_text':>16s} {'ftfy, our options':>18s}")
    rows = [(kind, *ours[kind], theirs[kind][0], alone[kind][0]) for kind in ours]
    rows.append(("all", *(sum(row[i] for row in rows) for i in (1, 2, 3, 4))))
    for kind, fixed, n, by_ftfy, by_ftfy_alone in rows:
        print(f"  {kind:34s} {fixed:>7d} / {n:<6d} {by_ftfy:>7d} / {n:<6d} {by_ftfy_alone:>9d} / {n:<6d}")

    clean = [case["input"] for case in clean_cases()] + seed_lines()
    ours_fp = sum(_fixed_lines(stage, [t])[0] != t for t in clean)
    ours_fp_doc = sum(a != b for a, b in zip(_fixed_lines(stage, clean), clean, strict=True))
    ftfy_fp = sum(ftfy.fix_text(t) != t for t in clean)
    print(f"\nfalse positives / clean lines        {ours_fp:>7d} / {len(clean):<6d} {ftfy_fp:>7d} / {len(clean):<6d}")
    print(f"  (all clean lines as one document: {ours_fp_doc} changed)")

    pages = ["\n".join(lines) for _, lines in seed_pages()]
    by_language: dict[str, list[str]] = {}
    for case in clean_cases():
        if case.get("language", "vi") != "vi":
            by_language.setdefault(case["language"], []).append(case["input"])
    multilingual = ["\n".join(lines) for lines in by_language.values()]
    rng = random.Random(5)
    garbled_pages = []
    for page in pages:
        lines = page.split("\n")
        for i in rng.sample(range(len(lines)), max(1, round(len(lines) * 0.02))):
            lines[i] = misread(lines[i], "sloppy-windows-1252")
        garbled_pages.append("\n".join(lines))
    print(f"\nMB/s (one core; UTF-8 bytes in)       {'Mojibake':>16s} {'ftfy.fix_text':>16s}")
    for label, docs in (
        ("clean Vietnamese seed pages", pages),
        (f"clean, {len(multilingual)} other languages", multilingual),
        ("seed pages, 2 % lines garbled", garbled_pages),
    ):
        built = {d: Document.from_text(d) for d in docs}  # the stage's cost, not the reader's
        stage_rate = _throughput(lambda d: stage(built[d]), docs, args.seconds)
        ftfy_rate = _throughput(ftfy.fix_text, docs, args.seconds)
        print(f"  {label:34s} {stage_rate:>16.1f} {ftfy_rate:>16.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
