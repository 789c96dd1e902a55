"""Generate ``src/newsclean/stages/_vn_tables.py``: the legacy Vietnamese charsets as decode tables.

Sources (nothing is typed in by hand except the VNI composition rule, which is stated below
with its source):

* TCVN 5712:1993 (TCVN3, "ABC") and VISCII: glibc's published charmaps
  ``/usr/share/i18n/charmaps/TCVN5712-1.gz`` and ``VISCII.gz`` (Debian package ``locales``).
  Python has no codec for either (``codecs.lookup("viscii")`` fails), so these charmaps are the
  reference. Only their one-byte entries are kept: the two-byte TCVN entries spell non-Vietnamese
  letters (``C`` + combining acute = ``Ć``) that NFC composes anyway.
* VNI-Windows (VNI ANSI) is not a charmap but a composition: a base letter followed by one mark
  byte. The rule is the one published by VNI Software (vnichar.htm, mirrored at
  vietunicode.sourceforge.net/charset/vni.html, "VNI ANSI Win/Unix" column):

  - lower-case mark bytes: acute 0xF9, grave 0xF8, hook above 0xFB, tilde 0xF5, dot below 0xEF;
    breve 0xEA and breve with acute/grave/hook/tilde/dot 0xE9/0xE8/0xFA/0xFC/0xEB;
    circumflex 0xE2 and circumflex with acute/grave/hook/tilde/dot 0xE1/0xE0/0xE5/0xE3/0xE4;
    upper-case marks are the same bytes minus 0x20, used after an upper-case base;
  - a, e, o take tones and circumflex (a also breve); u and y take tones only;
  - single bytes: đ 0xF1 / Đ 0xD1, ơ 0xF4 / Ơ 0xD4, ư 0xF6 / Ư 0xD6 (which then take tone marks),
    and the i letters í 0xED, ì 0xEC, ỉ 0xE6, ĩ 0xF3, ị 0xF2 (upper case minus 0x20);
  - ỵ is y + dot below (0x79 0xEF) in the ANSI column; the table's character column shows it as
    the single byte 0xEE (Î 0xCE), which VNI fonts draw as ỵ, so decoding accepts both.

  All VNI bytes are 0xC0-0xFF, where windows-1252 and latin-1 agree, so a VNI page read as
  windows-1252 shows exactly these latin-1 characters ("Vieät Nam").

The script also checks its sources: glibc's CP1258 charmap must agree with Python's cp1258 codec,
and every one of the 134 Vietnamese letters must be encodable in each legacy table exactly once.

Usage: python benchmarks/gen_vn_tables.py [--charmaps /usr/share/i18n/charmaps] [--check]
(``--check`` regenerates in memory and fails if the committed file differs.)
"""

from __future__ import annotations

import argparse
import codecs
import gzip
import re
import sys
import unicodedata
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "newsclean" / "stages" / "_vn_tables.py"

TONES = {"": "", "acute": "\u0301", "grave": "\u0300", "hook": "\u0309", "tilde": "\u0303", "dot": "\u0323"}
# VNI mark bytes (lower case) as (shape, tone) -> byte; see the module docstring.
VNI_MARKS = {
    ("", "acute"): 0xF9, ("", "grave"): 0xF8, ("", "hook"): 0xFB, ("", "tilde"): 0xF5, ("", "dot"): 0xEF,
    ("breve", ""): 0xEA, ("breve", "acute"): 0xE9, ("breve", "grave"): 0xE8, ("breve", "hook"): 0xFA,
    ("breve", "tilde"): 0xFC, ("breve", "dot"): 0xEB,
    ("circumflex", ""): 0xE2, ("circumflex", "acute"): 0xE1, ("circumflex", "grave"): 0xE0,
    ("circumflex", "hook"): 0xE5, ("circumflex", "tilde"): 0xE3, ("circumflex", "dot"): 0xE4,
}
VNI_I = {"acute": 0xED, "grave": 0xEC, "hook": 0xE6, "tilde": 0xF3, "dot": 0xF2}
VNI_SINGLE = {"đ": 0xF1, "ơ": 0xF4, "ư": 0xF6}
SHAPES = {"": "", "breve": "\u0306", "circumflex": "\u0302"}
BASE_SHAPES = {
    "a": ("", "breve", "circumflex"),
    "e": ("", "circumflex"),
    "o": ("", "circumflex"),
    "u": ("",),
    "y": ("",),
}


def vietnamese_letters() -> list[str]:
    """The 134 letters Vietnamese adds to ASCII (67 lower case, 67 upper case)."""
    lower = []
    for vowel in ("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"):
        for mark in TONES.values():
            letter = unicodedata.normalize("NFC", vowel + mark)
            if len(letter) != 1:
                raise SystemExit(f"no precomposed letter for {vowel!r}+{mark!r}")
            if not letter.isascii():
                lower.append(letter)
    lower.append("đ")
    assert len(lower) == 67, len(lower)
    return lower + [c.upper() for c in lower]


def read_charmap(path: Path) -> dict[int, str]:
    """One-byte entries of a glibc charmap: byte -> character."""
    table: dict[int, str] = {}
    entry = re.compile(r"^<U([0-9A-F]{4,6})>\s+/x([0-9a-f]{2})\s")
    with gzip.open(path, "rt", encoding="ascii") as f:
        inside = False
        for raw in f:
            if raw.startswith("CHARMAP"):
                inside = True
            elif raw.startswith("END CHARMAP"):
                inside = False
            elif inside and (m := entry.match(raw)):
                table.setdefault(int(m.group(2), 16), chr(int(m.group(1), 16)))
    return table


def check_cp1258(charmaps: Path) -> None:
    glibc = read_charmap(charmaps / "CP1258.gz")
    for byte, char in glibc.items():
        try:
            python = bytes([byte]).decode("cp1258")
        except UnicodeDecodeError:
            raise SystemExit(f"glibc CP1258 maps 0x{byte:02x} but Python's cp1258 does not") from None
        if python != char:
            raise SystemExit(f"CP1258 0x{byte:02x}: glibc {char!r} != Python {python!r}")


def vni_table() -> dict[str, str]:
    """VNI-Windows spellings (as latin-1 text) -> letter, both cases."""
    table: dict[str, str] = {}
    for base, shapes in BASE_SHAPES.items():
        for shape in shapes:
            for tone, mark in TONES.items():
                if not shape and not tone:
                    continue  # the bare ASCII vowel
                letter = unicodedata.normalize("NFC", base + SHAPES[shape] + mark)
                byte = VNI_MARKS[(shape, tone)]
                table[base + chr(byte)] = letter
                table[base.upper() + chr(byte - 0x20)] = letter.upper()
    for tone, byte in VNI_I.items():
        letter = unicodedata.normalize("NFC", "i" + TONES[tone])
        table[chr(byte)] = letter
        table[chr(byte - 0x20)] = letter.upper()
    for letter, byte in VNI_SINGLE.items():
        table[chr(byte)] = letter
        table[chr(byte - 0x20)] = letter.upper()
        if letter in "ơư":  # the horn letters take the tone marks like a base vowel
            for tone, mark in TONES.items():
                if tone:
                    toned = unicodedata.normalize("NFC", letter + mark)
                    table[chr(byte) + chr(VNI_MARKS[("", tone)])] = toned
                    table[chr(byte - 0x20) + chr(VNI_MARKS[("", tone)] - 0x20)] = toned.upper()
    return table


def build(charmaps: Path) -> str:
    letters = vietnamese_letters()
    check_cp1258(charmaps)
    tcvn = read_charmap(charmaps / "TCVN5712-1.gz")
    viscii = read_charmap(charmaps / "VISCII.gz")
    for name, table in (("TCVN5712-1", tcvn), ("VISCII", viscii)):
        if sorted(table) != list(range(256)):
            raise SystemExit(f"{name}: expected 256 one-byte entries, got {len(table)}")
        decoded = list(table.values())
        missing = [c for c in letters if decoded.count(c) != 1]
        if missing:
            raise SystemExit(f"{name}: letters not encodable exactly once: {missing}")
    vni = vni_table()
    spelled = sorted(vni.values())
    if sorted(set(letters)) != sorted(set(spelled)) or len(spelled) != len(letters):
        raise SystemExit("VNI: the composition rule does not spell each of the 134 letters exactly once")
    vni["\xee"] = "ỵ"  # the character column's single-byte ỵ (decode only)
    vni["\xce"] = "Ỵ"

    def chars(table: dict[int, str]) -> str:
        text = "".join(table[b] for b in range(256))
        rows = (esc(text[i : i + 16]) for i in range(0, 256, 16))
        return "\n".join(f'    "{row}"  # 0x{i * 16:02x}' for i, row in enumerate(rows))

    def esc(s: str) -> str:
        return "".join(c if 0x20 <= ord(c) < 0x7F and c not in "\\\"" else f"\\u{ord(c):04x}" for c in s)

    vni_lines = "\n".join(f'    "{esc(k)}": "{esc(v)}",' for k, v in sorted(vni.items()))
    return f'''"""Legacy Vietnamese charsets as decode tables. GENERATED by benchmarks/gen_vn_tables.py; do not edit.

``TCVN5712_1`` and ``VISCII`` are indexed by byte (0-255) and come from glibc's charmaps
``TCVN5712-1`` and ``VISCII``; ``VNI_WINDOWS`` maps VNI-Windows spellings, written as the latin-1
characters of their bytes, to the letter, from VNI Software's published composition rule. The
generator checked that each table spells all 134 Vietnamese letters.
"""

TCVN5712_1 = (
{chars(tcvn)}
)

VISCII = (
{chars(viscii)}
)

VNI_WINDOWS = {{
{vni_lines}
}}
'''


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--charmaps", type=Path, default=Path("/usr/share/i18n/charmaps"))
    parser.add_argument("--check", action="store_true", help="fail if the committed tables differ")
    args = parser.parse_args(argv)
    if not (args.charmaps / "TCVN5712-1.gz").exists():
        where = f"no glibc charmaps in {args.charmaps}"
        print(f"gen_vn_tables: error: {where}; try apt-get install locales", file=sys.stderr)
        return 2
    text = build(args.charmaps)
    if args.check:
        if OUT.read_text(encoding="utf-8") != text:
            print(f"gen_vn_tables: {OUT} is stale; rerun without --check", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    codecs.lookup("cp1258")
    raise SystemExit(main())
