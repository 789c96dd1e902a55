"""Unicode repair: mojibake, legacy Vietnamese encodings and normalisation, every change explained.

Scraped Vietnamese text arrives broken in four ways, repaired here in this order:

1. **Legacy encodings** (per document): a page typed in TCVN3 (ABC), VNI-Windows, VISCII or
   Windows-1258 and read as Windows-1252 (``Thµnh lËp``, ``Vieät Nam``). The document is decoded
   on trial with each charset and the one under which valid Vietnamese syllables clearly rise is
   kept; each line it changes gets an edit whose rule names the charset (``legacy-tcvn3``). This
   runs first, because the letters VISCII and TCVN keep in C0/C1 positions are what ftfy's control
   fixes would destroy.
2. **UTF-8 read as a single-byte charset** (per line): ftfy's ``fix_and_explain`` with the options
   below, then UTF-8 read as Windows-1258 (``LiĂªn``), which ftfy does not know, then a Vietnamese
   table for the short and mixed cases ftfy leaves (``Ä‘oÃ n`` beside clean text, ``á»...`` where
   ``…`` was expanded, ``Ã `` where a no-break space became a space). A table fix is taken only
   when it turns a word that cannot be clean into valid Vietnamese syllables.
3. **Decomposed text** (NFD from Word or cp1258): NFC.
4. Optionally, **tone placement** in the open rimes oa, oe, uy (``hoà`` <-> ``hòa``).

A cheap gate keeps clean text cheap: one compiled regex searched once per document (a UTF-8 lead
character followed by a continuation character, C1 controls, surrogates, or a legacy-charset
signature) and ``unicodedata.is_normalized``; a document that passes is returned as it came.
"""

from __future__ import annotations

import codecs
import enum
import functools
import re
import unicodedata
from collections.abc import Callable, Iterator
from typing import ClassVar, NamedTuple

import ftfy
import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-* codecs)
import ftfy.fixes
from attrs import field, frozen
from attrs.validators import instance_of

from newsclean.core import Document, Edit
from newsclean.pipeline import as_document, register
from newsclean.stages import _vn_tables

__all__ = ["Mojibake", "ToneStyle", "is_vietnamese_syllable", "vietnamese_letters"]


# -- ftfy, configured on purpose ---------------------------------------------------

FTFY_CONFIG = ftfy.TextFixerConfig(
    # Entities are markup, not an encoding error: readers unescape them, and an article about
    # HTML keeps its "&amp;".
    unescape_html=False,
    # Removes text; scraped pages carry no terminal escapes, and removing is not repair.
    remove_terminal_escapes=False,
    fix_encoding=True,
    # "Ã " where the no-break space of "à" became a space: common in Vietnamese scrapes.
    restore_byte_a0=True,
    # A byte a strict cp1252 decoder replaced leaves "á»�": the sequence becomes one U+FFFD, which
    # says a letter was lost, instead of mojibake around it.
    replace_lossy_sequences=True,
    # Mojibake next to clean text on the same line.
    decode_inconsistent_utf8=True,
    # C1 controls are cp1252 read as latin-1. Safe here because the legacy decode, which needs
    # the C1 positions (VISCII and TCVN keep letters there), has already run.
    fix_c1_controls=True,
    # "ﬁ", "ﬂ" are faithful copies of the source, not errors; folding them is NFKC's job and
    # changes text in every Latin-script language.
    fix_latin_ligatures=False,
    # Fullwidth and halfwidth forms are normal in CJK text (ＡＢＣ, ｶﾀｶﾅ in Japanese news).
    fix_character_width=False,
    # “cắm” is correct typography: straightening quotes would rewrite clean text.
    uncurl_quotes=False,
    # Lines are split on "\n" only; \u2028, \x85 and \r inside a line are data (see core.split_lines).
    fix_line_breaks=False,
    # UTF-16 halves cannot be written as UTF-8: pairs are joined, a lone half becomes U+FFFD.
    fix_surrogates=True,
    # \x1c-\x1f carry structure in dumps and are letters in VISCII and TCVN; removing is not repair.
    remove_control_chars=False,
    # NFC runs once, after every repair (option ``nfc``), so it is applied and explained once.
    normalization=None,
    explain=True,
)

_MAX_PASSES = 4  # repairs of one line are repeated until nothing changes, at most this often


# -- Vietnamese letters and syllables ------------------------------------------------

_TONES = {"\u0301": "acute", "\u0300": "grave", "\u0309": "hook", "\u0303": "tilde", "\u0323": "dot"}
_VOWELS = "aăâeêioôơuưy"


@functools.cache
def vietnamese_letters() -> tuple[str, ...]:
    """The 134 letters Vietnamese adds to ASCII, lower case then upper case.

    >>> len(vietnamese_letters()), vietnamese_letters()[:6]
    (134, ('á', 'à', 'ả', 'ã', 'ạ', 'ă'))
    """
    lower = [
        letter
        for vowel in _VOWELS
        for mark in ("", *_TONES)
        if not (letter := unicodedata.normalize("NFC", vowel + mark)).isascii()
    ]
    lower.append("đ")
    return tuple(lower) + tuple(c.upper() for c in lower)


@functools.cache
def _tone_tables() -> tuple[dict[int, str], dict[str, str]]:
    """``str.translate`` table that strips tones, and each toned letter's tone mark."""
    strip: dict[int, str] = {}
    tone_of: dict[str, str] = {}
    for vowel in _VOWELS + _VOWELS.upper():
        for mark in _TONES:
            toned = unicodedata.normalize("NFC", vowel + mark)
            strip[ord(toned)] = vowel
            tone_of[toned] = mark
    return strip, tone_of


_INITIALS = "ngh ng nh ch gh gi kh ph qu th tr b c d đ g h k l m n p r s t v x".split()
_RIMES = """
a ai ao au ay ac ach am an ang anh ap at  ăc ăm ăn ăng ăp ăt  âc âm ân âng âp ât âu ây
e eo ec em en eng ep et  ê êu êch êm ên ênh êp êt
i ia iu ich im in inh ip it iêc iêm iên iêng iêp iêt iêu  y yêm yên yêng yêt yêu
o oi oc om on ong op ot ooc oong  ô ôi ôc ôm ôn ông ôp ôt  ơ ơi ơm ơn ơp ơt
u ua ui uc um un ung up ut uôc uôi uôm uôn uông uôt
ư ưa ưi ưu ưc ưm ưn ưng ưt ươc ươi ươm ươn ương ươp ươt ươu
oa oai oay oac oach oam oan oang oanh oap oat oao  oăc oăm oăn oăng oăt  oe oeo oen oet
uân uâng uât uây uê uêch uênh uy uya uych uyn uynh uyp uyt uyu uyên uyêt uơ
""".split()
_FRONT = "eêiy"  # k, gh, ngh go before these; c, g, ng do not


@functools.lru_cache(maxsize=1 << 16)
def is_vietnamese_syllable(word: str) -> bool:
    """Whether ``word`` spells one Vietnamese syllable (any case, either tone placement).

    Checks the initial and rime, the spelling rules (``k``/``gh``/``ngh`` before e, ê, i, y), at
    most one tone, and that rimes ending in c, ch, p, t take only the acute or dot-below tone.

    >>> [is_vietnamese_syllable(w) for w in ("Nguyễn", "thuở", "quý", "NGÃ", "hòa", "hoà")]
    [True, True, True, True, True, True]
    >>> [is_vietnamese_syllable(w) for w in ("Ä‘oÃ", "estệ", "cĩ", "ac", "Paulo", "iPhone")]
    [False, False, False, False, False, False]
    """
    strip, tone_of = _tone_tables()
    lower = word.lower()
    parses = _parses().get(lower.translate(strip))
    if parses is None:
        return False  # no initial and rime spell it: most words of other languages
    if not _case_ok(word):
        return False
    tones = [tone_of[c] for c in lower if c in tone_of]
    if len(tones) > 1:
        return False
    for initial, rime in parses:
        if initial in ("k", "gh", "ngh") and rime[0] not in _FRONT:
            continue
        if initial in ("c", "ng") and rime[0] in _FRONT:
            continue
        if initial == "g" and rime[0] in "eê":
            continue
        if initial == "qu" and rime[0] in "uưo":
            continue
        if initial == "gi" and rime[0] in "iy":
            continue
        if rime.endswith(("c", "ch", "p", "t")) and (not tones or tones[0] not in ("\u0301", "\u0323")):
            continue
        return True
    return False


@functools.cache
def _parses() -> dict[str, tuple[tuple[str, str], ...]]:
    """Every toneless lower-case word an initial (or none) and a rime spell -> its splits into (initial, rime).

    A few thousand words: one look-up tells a word of another language, where trying each
    initial on it took a loop.
    """
    splits: dict[str, list[tuple[str, str]]] = {}
    for initial in ("", *_INITIALS):
        for rime in dict.fromkeys(_RIMES):
            splits.setdefault(initial + rime, []).append((initial, rime))
    return {bare: tuple(found) for bare, found in splits.items()}


def _case_ok(word: str) -> bool:
    """Lower case, upper case or title case: mojibake mixes them (``lÃ``), clean words do not.
    Words of scripts without case (Hebrew, Thai, CJK) are fine."""
    word = word.replace("ß", "")  # a lower-case letter at home in German capitals (STRAßE)
    if not word or word.lower() == word.upper():
        return True
    return word.islower() or word.isupper() or (word[0].isupper() and not any(c.isupper() for c in word[1:]))


_LETTERS = re.compile(r"[^\W\d_]+")


def _implausible_repair(before: str, after: str) -> bool:
    """Whether a repair of ``before`` into ``after`` looks like damage to clean text: it makes a
    word that is neither lower, upper nor title case ("NGÃ" and a no-break space is clean text,
    not the mojibake of "NGà"), or it takes a no-break space for a lost byte and glues valid
    Vietnamese syllables into a word that is not one ("BÃ", a no-break space and "ba" is not
    "Bàba"; but "thÃ", a no-break space and "nh" is "thành")."""
    words_before, words_after = _LETTERS.findall(before), _LETTERS.findall(after)
    odd_before = {word for word in words_before if not _case_ok(word)}
    if any(not _case_ok(word) and word not in odd_before for word in words_after):
        return True
    if sum(map(str.isspace, after)) >= sum(map(str.isspace, before)):
        return False
    removed, added = set(words_before) - set(words_after), set(words_after) - set(words_before)
    return bool(removed) and all(map(is_vietnamese_syllable, removed)) and not all(map(is_vietnamese_syllable, added))


@functools.cache
def _specific_letters() -> frozenset[str]:
    """Letters only Vietnamese uses (not in Latin-1): evidence no other language gives."""
    return frozenset(c for c in vietnamese_letters() if ord(c) > 0xFF)


class _Score(NamedTuple):
    words: int  # letter runs
    valid: int  # of them, valid Vietnamese syllables
    specific: int  # of the valid, those with a letter only Vietnamese uses


@functools.lru_cache(maxsize=1 << 14)
def _score(text: str) -> _Score:
    specific = _specific_letters()
    words = valid = spec = 0
    for word in _LETTERS.findall(text):
        words += 1
        if is_vietnamese_syllable(word):
            valid += 1
            spec += not specific.isdisjoint(word)
    return _Score(words, valid, spec)


# -- how a byte looks when a page is read as windows-1252 or latin-1 ---------------------


@functools.cache
def _shown(codec: str) -> str:
    """The 256 characters a one-byte codec shows bytes as, an undefined byte as its latin-1
    control (as browsers do; unlike ftfy's sloppy codecs, which also turn U+FFFD into byte 1A)."""
    out = []
    for byte in range(256):
        try:
            out.append(bytes([byte]).decode(codec))
        except UnicodeDecodeError:
            out.append(chr(byte))
    return "".join(out)


@functools.cache
def _view() -> dict[str, int]:
    """Each character a byte can show as under windows-1252 or latin-1 -> the byte."""
    view = {chr(byte): byte for byte in range(256)}
    view.update((char, byte) for byte, char in enumerate(_shown("cp1252")))
    return view


@functools.cache
def _cont_chars() -> str:
    """Characters a UTF-8 continuation byte (0x80-0xBF) shows as under cp1252, latin-1 or cp1258."""
    chars = {c for c, b in _view().items() if 0x80 <= b <= 0xBF}
    chars |= set(_shown("cp1258")[0x80:0xC0])
    return "".join(sorted(chars))


def _cls(chars: str) -> str:
    return "".join(re.escape(c) for c in chars)


@functools.cache
def _gate_source() -> tuple[str, str]:
    """The cheap gate as regex source: (the first character class, the alternatives after it).

    A match is UTF-8 mojibake evidence: a lead character followed by continuation characters,
    "Ã " with its no-break space lost, a C1 control, a surrogate. Every alternative starts at one
    character class, mostly the continuation character (rarer than the lead in Vietnamese), so the
    regex engine skips clean text quickly.
    """
    cont = _cls(_cont_chars())
    lead2 = _cls("ÂÃÄÅÆĂ" + "".join(chr(b) for b in range(0xC7, 0xE0)))  # 0xC2-0xDF, cp1258's Ă
    lead3 = _cls("".join(chr(b) for b in range(0xE0, 0xF0)) + "ă")  # 0xE0-0xEF, cp1258's ă
    lead4 = _cls("ðđ")  # 0xF0
    first = _cls(_cont_chars() + "ÃÆ") + "\ud800-\udfff"
    alternatives = (
        f"(?<=[{lead2}][{cont}])"  # 2-byte sequence: Ã©, Ä‘, Æ°
        f"|(?<=[{lead3}][{cont}])[{cont}]"  # 3-byte: á»™, â€œ
        f"|(?<=[{lead4}][{cont}])[{cont}]{{2}}"  # 4-byte: ðŸ˜€
        f"|(?<=[\x80-\x9f\ud800-\udfff])"  # a C1 control or a surrogate itself
        f"|(?<=[ÃÆ])(?=[ ])"  # à, Ơ whose no-break space became a space
        f"|(?<=á[º»])(?=[ .])"  # Ạ, Ỡ likewise; ệ with "…" spelled "..."
    )
    return first, alternatives


@functools.cache
def _gate() -> re.Pattern[str]:
    """Per line: is there UTF-8 mojibake evidence?"""
    first, alternatives = _gate_source()
    return re.compile(f"[{first}](?:{alternatives})")


# What legacy Vietnamese pages read as windows-1252 are full of, and clean text in other
# languages is not: a symbol inside a word (TCVN3 "c¸c", "ng­êi"; VISCII "l§p"), a VNI mark
# after a vowel ("Vieät", "laøm"), a Windows-1258 tone mark after a vowel ("hoÌa"). Only marks
# that are not Vietnamese letters themselves are looked for, so clean Vietnamese is skipped fast.
_VNI_MARKS = "øïûäëüåØÏÛÄËÜÅ"
_CP1258_TONES = "ÌÒÞ"


@functools.cache
def _legacy_source() -> tuple[str, str]:
    letter = r"[^\W\d_]"
    symbols = "¡-¿×÷"
    return (
        f"{symbols}{_VNI_MARKS}{_CP1258_TONES}",
        f"(?<={letter}[{symbols}])(?={letter})"
        f"|(?<=[aeouyAEOUYôöÔÖ][{_VNI_MARKS}])"
        f"|(?<=[aeiouyâêôãõýAEIOUYÂÊÔÃÕÝ][{_CP1258_TONES}])",
    )


@functools.cache
def _doc_gate() -> re.Pattern[str]:
    """Per document, one scan: mojibake evidence (group ``m``) and legacy signatures (``legacy``)."""
    first, alternatives = _gate_source()
    legacy_first, legacy = _legacy_source()
    return re.compile(f"[{first}{legacy_first}](?:(?P<m>{alternatives})|(?P<legacy>{legacy}))")


def _scan(text: str) -> tuple[bool, bool]:
    """(any mojibake evidence, at least three legacy signatures) for a whole document."""
    mojibake, legacy = False, 0
    for m in _doc_gate().finditer(text):
        if m.lastgroup == "m":
            mojibake = True
        else:
            legacy += 1
        if mojibake and legacy >= 3:
            break
    return mojibake, legacy >= 3


# -- legacy charsets (per document) -------------------------------------------------


class _Legacy(NamedTuple):
    rule: str
    steps: tuple[str, ...]
    decode: Callable[[str, bytes], str]  # (the text, its bytes under windows-1252) -> the text decoded


@functools.cache
def _encoding_map() -> dict[int, int]:
    return {ord(char): byte for char, byte in _view().items()}


def _page_bytes(text: str) -> bytes:
    """The bytes a page read as windows-1252 (or latin-1: C1 controls) showed as ``text``."""
    return codecs.charmap_encode(text, "strict", _encoding_map())[0]


def _nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _charmap(table: str, keep: Callable[[int], bool] = lambda b: False) -> Callable[[str, bytes], str]:
    """A one-byte charset given as 256 characters (``keep``: bytes left as windows-1252 shows them)."""
    shown = _shown("cp1252")
    table = "".join(shown[b] if keep(b) else table[b] for b in range(256))
    return lambda text, raw: _nfc(codecs.charmap_decode(raw, "strict", table)[0])


def _vni_decode(text: str, raw: bytes) -> str:
    # VNI's bytes are all 0xC0-0xFF, where windows-1252 and latin-1 agree: decode the text itself.
    return _vni_re().sub(lambda m: _vn_tables.VNI_WINDOWS[m.group()], text)


@functools.cache
def _vni_re() -> re.Pattern[str]:
    keys = sorted(_vn_tables.VNI_WINDOWS, key=len, reverse=True)
    return re.compile("|".join(re.escape(k) for k in keys))


def _utf8_reading(text: str, raw: bytes) -> str:
    # The rival of every legacy charset: the line is UTF-8 mojibake, not legacy text.
    return ftfy.fixes.restore_byte_a0(raw).decode("utf-8", errors="replace")


@functools.cache
def _legacy_charsets() -> tuple[_Legacy, ...]:
    tcvn, viscii = _vn_tables.TCVN5712_1, _vn_tables.VISCII
    cp1258 = _shown("cp1258")
    read = "encode:sloppy-windows-1252"
    return (
        # TCVN3 as typed with the ABC fonts (VN3): the toned capitals of TCVN 5712 VN1 in C0 and
        # 0x80-0x9F do not exist there, and those bytes are Windows punctuation (“ ” – …).
        _Legacy("legacy-tcvn3", (read, "decode:tcvn3"), _charmap(tcvn, lambda b: b < 0x18 or 0x80 <= b < 0xA0)),
        # The whole of glibc's TCVN5712-1 (VN1), capitals included.
        _Legacy("legacy-tcvn3", (read, "decode:tcvn5712-1"), _charmap(tcvn)),
        _Legacy("legacy-vni", (read, "decode:vni-windows"), _vni_decode),
        _Legacy("legacy-viscii", (read, "decode:viscii"), _charmap(viscii)),
        _Legacy("legacy-cp1258", (read, "decode:windows-1258"), _charmap(cp1258)),
    )


@functools.cache
def _not_view() -> re.Pattern[str]:
    return re.compile(f"[^{_cls(''.join(_view()))}]")


def _better(before: _Score, after: _Score) -> bool:
    """More valid syllables, or as many and fewer words that are not (``B¶o`` -> ``Bảo``)."""
    if after.valid != before.valid:
        return after.valid > before.valid
    return after.words - after.valid < before.words - before.valid


def _legacy_round(texts: dict[int, str]) -> tuple[_Legacy, dict[int, str]] | None:
    """Pick the legacy charset under which the document's Vietnamese clearly rises, or None.

    Only lines that a windows-1252 reading can hold are tried, and each against the better of
    itself and its reading as UTF-8 mojibake (a page may mix both). A charset wins when, over the
    lines it improves, at least 3 more words become valid syllables with a letter only Vietnamese
    uses, at least 3 more become valid at all, 60 % of the words are then valid, and it makes at
    most a third as many lines worse.
    """
    candidates = _Candidates(texts)
    best: _Legacy | None = None
    best_key: tuple[int, int] = (0, 0)
    best_lines: dict[int, str] = {}
    for charset in _legacy_charsets():
        found = _try_charset(charset, candidates)
        if found is not None and found[0] > best_key:
            best, (best_key, best_lines) = charset, found
    return None if best is None else (best, best_lines)


class _Candidates:
    """The lines a windows-1252 reading can hold, with their bytes and the score to beat, found
    as far as asked for: most charsets give up on a clean page after a few lines."""

    def __init__(self, texts: dict[int, str]) -> None:
        self._found: list[tuple[int, str, bytes, _Score, bool]] = []
        self._rest = ((i, t) for i, t in texts.items() if not t.isascii() and not _not_view().search(t))

    def __iter__(self) -> Iterator[tuple[int, str, bytes, _Score, bool]]:
        """(index, text, bytes, the score to beat, whether that is the line's UTF-8 reading)."""
        yield from self._found
        for i, text in self._rest:
            raw = _page_bytes(text)
            baseline, utf8 = _score(text), False
            if _gate().search(text) is not None:  # it may be UTF-8 mojibake instead
                as_utf8 = _score(_utf8_reading(text, raw))
                if _better(baseline, as_utf8):
                    baseline, utf8 = as_utf8, True
            self._found.append((i, text, raw, baseline, utf8))
            yield self._found[-1]


def _try_charset(charset: _Legacy, candidates: _Candidates) -> tuple[tuple[int, int], dict[int, str]] | None:
    """How much decoding the candidate lines with ``charset`` gains, and the lines it decodes."""
    gain_specific = gain_valid = valid = words = better = worse = seen = 0
    lines = {}
    for i, text, raw, before, utf8 in candidates:
        seen += 1
        if seen >= 10 and better * 4 < seen:
            return None  # most lines do not get better: clean text, or another charset's
        decoded = charset.decode(text, raw)
        if decoded == text:
            continue
        after = _score(decoded)
        if utf8 and not _better(before, after):
            seen -= 1
            continue  # a UTF-8 line on a page that mixes both: not this charset's business
        if _better(before, after) or after.valid == before.valid == 0:
            lines[i] = decoded
        if after.valid > before.valid:
            better += 1
            gain_specific += after.specific - before.specific
            gain_valid += after.valid - before.valid
            valid += after.valid
            words += after.words
        elif after.valid < before.valid:
            worse += 1
    if gain_specific < 3 or gain_valid < 3 or valid < 0.6 * words or worse * 3 > better:
        return None
    return (gain_specific, gain_valid), lines


# -- UTF-8 mojibake (per line) --------------------------------------------------------

_RULE_NAMES = {"windows-1252": "cp1252", "latin-1": "latin1", "iso-8859-2": "iso8859-2"}


def _short(encoding: str) -> str:
    encoding = encoding.removeprefix("sloppy-")
    return _RULE_NAMES.get(encoding, encoding.replace("windows-", "cp"))


def _rule_from_plan(plan: list[tuple[str, str]]) -> str:
    encoded = [p for a, p in plan if a == "encode"]
    decoded = [p for a, p in plan if a == "decode"]
    applied = {p for a, p in plan if a in ("apply", "transcode")}
    if encoded and decoded and decoded[-1].startswith("utf-8"):
        return f"utf8-as-{_short(encoded[0])}"
    if encoded and decoded:
        return f"{_short(decoded[-1])}-as-{_short(encoded[0])}"
    if "decode_inconsistent_utf8" in applied:
        return "utf8-as-cp1252"
    if "fix_c1_controls" in applied:
        return "c1-controls"
    if "fix_surrogates" in applied:
        return "surrogates"
    return "ftfy"


class _Key(NamedTuple):
    replacement: str
    codec: str  # the single-byte charset the UTF-8 was read as
    variant: str  # "" or how the mojibake was damaged further ("nbsp-as-space", "ellipsis-as-dots")
    letter: bool  # a Vietnamese letter (guarded by syllables) or punctuation
    garbled: str  # the undamaged mojibake spelling (what the variant was before the damage)


# Punctuation whose UTF-8 mojibake the table also repairs (E2 80 xx: unconditionally, it cannot be
# clean text; C2 xx: when not glued to a letter).
_PUNCTUATION = "‘’‚“”„†‡•…‰′″‹›–—\u00a0¡¢£¤¥¦§¨©ª«¬\xad®¯°±²³´µ¶·¸¹º»¼½¾¿€™"


@functools.cache
def _table() -> dict[str, _Key]:
    """Garbled spelling -> repair, for the Vietnamese letters and common punctuation.

    Built from Python's codecs: each character is encoded as UTF-8 and decoded as windows-1252,
    windows-1258 and latin-1 (undefined bytes kept, as browsers do); variants cover a no-break
    space that became a space and a "…" spelled "...".
    """
    table: dict[str, _Key] = {}
    letters = set(vietnamese_letters())
    for codec in ("windows-1252", "windows-1258", "latin-1"):
        shown = _shown(codec)
        for char in (*vietnamese_letters(), *_PUNCTUATION):
            garbled = "".join(shown[byte] for byte in char.encode("utf-8"))
            variants = {garbled: ""}
            if "\xa0" in garbled:
                variants[garbled.replace("\xa0", " ")] = "nbsp-as-space"
            if "…" in garbled:
                variants[garbled.replace("…", "...")] = "ellipsis-as-dots"
            for spelled, variant in variants.items():
                table.setdefault(spelled, _Key(char, codec, variant, char in letters, garbled))
    return table


@functools.cache
def _table_res() -> tuple[re.Pattern[str], re.Pattern[str]]:
    keys = "|".join(re.escape(k) for k in sorted(_table(), key=len, reverse=True))
    return re.compile(keys), re.compile(rf"(?:{keys}|[^\W\d_])+")


_CLOSING = frozenset("»”’\"')]}.,;:!?…–— \xa0")


@functools.cache
def _cont_set() -> frozenset[str]:
    return frozenset(_cont_chars())


def _plausible(span: str) -> bool:
    """Could ``span`` be clean text: valid syllables, each followed by at most closing punctuation?

    The punctuation may hold one continuation character (``NGÃ’``: "NGÃ" and a quote), not two
    (``sá»±``, ``Lá»…``: no clean word is followed by "»±" or "»…"). A span holds a space only where
    a no-break space may have become one (``XÃ ĐOÀN``), so each part is judged alone.
    """
    cont = _cont_set()
    for part in span.split(" "):
        if not part:
            continue
        words = _LETTERS.findall(part)
        if len(words) != 1 or not part.startswith(words[0]) or not is_vietnamese_syllable(words[0]):
            return False
        tail = part[len(words[0]) :]
        if not set(tail) <= _CLOSING or sum(c in cont for c in tail.replace("...", "…")) > 1:
            return False
    return True


def _all_syllables(text: str) -> bool:
    words = _LETTERS.findall(text)
    return bool(words) and all(is_vietnamese_syllable(w) for w in words)


def _keys_in(span: str) -> list[tuple[int, int, _Key]]:
    key_re, _ = _table_res()
    table = _table()
    return [(k.start(), k.end(), table[k.group()]) for k in key_re.finditer(span)]


def _decode_span(span: str, found: list[tuple[int, int, _Key]], keep_space: bool) -> str:
    """The span with every garbled spelling replaced; ``keep_space``: a no-break space that became
    a space is read as lost, the space being the word break (``vÃ hoa`` -> ``và hoa``)."""
    pieces, pos = [], 0
    for start, end, key in found:
        pieces.append(span[pos:start])
        pieces.append(key.replacement + (" " if keep_space and key.variant == "nbsp-as-space" else ""))
        pos = end
    pieces.append(span[pos:])
    return "".join(pieces)


class _Span(NamedTuple):
    match: re.Match[str]
    found: list[tuple[int, int, _Key]]
    keep_space: bool | None  # how the garbled letters decode to valid Vietnamese; None: they do not
    strong: bool  # and the span cannot be clean text


@functools.lru_cache(maxsize=256)
def _spans(text: str) -> tuple[_Span, ...]:
    """The runs of letters and garbled spellings in ``text``, each with how it reads as Vietnamese.

    A span whose letters decode to valid syllables is taken when it cannot be clean text
    (``Ä‘oÃ n``), or when it could (``HÃ `` is "HÃ" and a space) but another span on the same
    line cannot: mojibake comes in lines, clean words do not hide among it.
    """
    _, span_re = _table_res()
    spans = []
    for m in span_re.finditer(text):
        span = m.group()
        found = _keys_in(span)
        if not found:
            continue
        keep_space = None
        if any(key.letter for _, _, key in found):
            for keep in (False, True):
                if _all_syllables(_decode_span(span, found, keep)):
                    keep_space = keep
                    break
                if not any(key.variant == "nbsp-as-space" for _, _, key in found):
                    break
        spans.append(_Span(m, found, keep_space, keep_space is not None and not _plausible(span)))
    if not any(s.strong for s in spans):
        spans = [s._replace(keep_space=None) for s in spans]
    return tuple(spans)


def _rewrite(text: str, spans: tuple[_Span, ...], new: Callable[[_Span], str]) -> str:
    pieces, pos = [], 0
    for span in spans:
        pieces.append(text[pos : span.match.start()])
        pieces.append(new(span))
        pos = span.match.end()
    pieces.append(text[pos:])
    return "".join(pieces)


def _restore_variants(text: str) -> tuple[str, list[str]]:
    """Undo the damage done to mojibake before ftfy reads it: put back the no-break space that
    became a space (``thÃ nh``) and the "…" spelled "..." (``Nguyá»...n``), where the word then
    decodes to valid Vietnamese. ftfy's own restore_byte_a0 keeps the space as a word break
    ("voilà le"), which is right for French and wrong inside a Vietnamese word ("thà nh")."""
    done: list[str] = []

    def restore(span: _Span) -> str:
        text = span.match.group()
        if span.keep_space is None or not any(key.variant for _, _, key in span.found):
            return text
        pieces, pos = [], 0
        for start, end, key in span.found:
            pieces.append(text[pos:start])
            if key.variant:
                pieces.append(key.garbled + (" " if span.keep_space and key.variant == "nbsp-as-space" else ""))
                done.append(f"restore:{key.variant}")
            else:
                pieces.append(text[start:end])
            pos = end
        pieces.append(text[pos:])
        return "".join(pieces)

    return _rewrite(text, _spans(text), restore), list(dict.fromkeys(done))


def _vn_table_fix(text: str) -> tuple[str, list[_Key]]:
    """Repair what ftfy left: garbled letters where the result is valid Vietnamese, and punctuation."""
    used: list[_Key] = []

    def fix(span: _Span) -> str:
        text = span.match.group()
        if span.keep_space is not None:
            used.extend(key for _, _, key in span.found)
            return _decode_span(text, span.found, span.keep_space)
        # Punctuation alone: "â€œ" is never clean text; "Â©" only when not glued to a letter.
        pieces, pos = [], 0
        for start, end, key in span.found:
            if key.letter or (text[start] == "Â" and start > 0 and text[start - 1].isalpha()):
                continue
            pieces.append(text[pos:start])
            pieces.append(key.replacement)
            used.append(key)
            pos = end
        pieces.append(text[pos:])
        return "".join(pieces)

    return _rewrite(text, _spans(text), fix), used


def _table_steps(used: list[_Key]) -> tuple[str, list[str]]:
    """The rule (the charset most repairs read UTF-8 as) and the steps of a table repair."""
    read_as = [k.codec for k in used]
    codec = max(dict.fromkeys(read_as), key=read_as.count)
    steps = [f"vietnamese-table:utf-8 read as {codec}"]
    steps += [f"vietnamese-table:{v}" for v in dict.fromkeys(k.variant for k in used) if v]
    return f"utf8-as-{_short(codec)}", steps


@functools.cache
def _cp1258_map() -> dict[int, int]:
    return {ord(char): byte for byte, char in enumerate(_shown("cp1258"))}


def _cp1258(text: str) -> tuple[str, list[str]] | None:
    """UTF-8 read as windows-1258 (``LiĂªn``), which ftfy does not try."""
    try:
        raw = codecs.charmap_encode(text, "strict", _cp1258_map())[0]
        fixed = raw.decode("utf-8")
    except UnicodeError:
        return None
    if fixed == text or _score(fixed).valid <= _score(text).valid or _implausible_repair(text, fixed):
        return None
    return fixed, ["encode:sloppy-windows-1258", "decode:utf-8"]


# Where mojibake may have been damaged further: a no-break space turned into a space, "…" into "...".
_VARIANT_HINT = re.compile(r"[ÃÆĂ] |á[º»](?: |\.\.\.)")
_CP1258_HINT = re.compile("[Ăă][\x80-\xbf€‚ƒ„…†‡ˆ‰‹Œ‘’“”•–—˜™›œŸ ]")


class ToneStyle(enum.StrEnum):
    """Where the tone mark goes in the open rimes oa, oe, uy."""

    KEEP = "keep"  # leave as written
    OLD = "old"  # on the first vowel: hòa, khỏe, thủy
    NEW = "new"  # on the main (second) vowel: hoà, khoẻ, thuỷ


@functools.cache
def _tone_re() -> re.Pattern[str]:
    o, u = "oòóỏõọOÒÓỎÕỌ", "uùúủũụUÙÚỦŨỤ"
    a, e, y = "aàáảãạAÀÁẢÃẠ", "eèéẻẽẹEÈÉẺẼẸ", "yỳýỷỹỵYỲÝỶỸỴ"
    return re.compile(rf"(?<![^\W\d_])([^\W\d_]*?)(?:([{o}])([{a}{e}])|([{u}])([{y}]))(?![^\W\d_])")


def _retone(text: str, style: ToneStyle) -> str:
    strip, tone_of = _tone_tables()

    def move(m: re.Match[str]) -> str:
        head = m.group(1)
        first, second = (m.group(2), m.group(3)) if m.group(2) else (m.group(4), m.group(5))
        word = m.group()
        if head.lower() in ("q", "g") or not is_vietnamese_syllable(word):
            return word  # quý, gìa: the u/i belongs to the initial; not a syllable: leave it
        mark = tone_of.get(first) or tone_of.get(second)
        if mark is None:
            return word
        bare1, bare2 = first.translate(strip), second.translate(strip)
        if style is ToneStyle.OLD:
            first, second = unicodedata.normalize("NFC", bare1 + mark), bare2
        else:
            first, second = bare1, unicodedata.normalize("NFC", bare2 + mark)
        return head + first + second

    return _tone_re().sub(move, text)


class _Repair(NamedTuple):
    text: str
    rule: str
    steps: tuple[str, ...]


@functools.cache
def _ambiguous_end() -> re.Pattern[str]:
    """A capitalised word ending in a capital that leads UTF-8 (Ã, Ô, É, ...) and then a closing
    sign, or a no-break space used as a word break. "NGÃ”" is the clean word "NGÃ" and a closing
    quote as readily as the mojibake of "NGÔ"; "XÃ»" is "XÃ" and a guillemet as readily as "Xû";
    "BÃ", a no-break space and "2024" is not "Bà2024". (A word-final "à" has its no-break space
    followed by the real word break, "BÃ\xa0 ba" is "Bà ba"; before a letter, syllables decide:
    "LÃ\xa0m" is "Làm", see ``_implausible_repair``.)"""
    upper = "A-ZÀ-ÖØ-Þ" + "".join(c for c in vietnamese_letters() if c.isupper() and ord(c) > 0xFF)
    letter = r"[^\W\d_]"
    return re.compile(rf"(?<!{letter})[{upper}]+[Â-ÖØ-Þ](?:[’”…–—›™»](?!{letter})|\xa0(?![\s.,;:!?)”’»]|{letter}))")


def _only_ambiguous(text: str) -> bool:
    """Whether every piece of mojibake evidence in ``text`` is an ambiguous word end."""
    spans = [m.span() for m in _ambiguous_end().finditer(text)]
    if not spans:
        return False
    return all(any(a <= m.start() < b for a, b in spans) for m in _gate().finditer(text))


def _one_pass(text: str, vietnamese: bool, nfc: bool, tone: ToneStyle) -> _Repair:
    rule, steps = "", list[str]()
    if _gate().search(text) is not None and not _only_ambiguous(text):
        if vietnamese and _VARIANT_HINT.search(text):
            text, restored = _restore_variants(text)
            steps += restored
        if vietnamese and _CP1258_HINT.search(text):
            found = _cp1258(text)
            if found is not None:
                text, rule = found[0], "utf8-as-cp1258"
                steps += found[1]
        fixed, explained = ftfy.fix_and_explain(text, FTFY_CONFIG)
        plan = [(step.action, step.parameter) for step in explained or ()]
        if fixed != text and not _implausible_repair(text, fixed):
            rule = rule or _rule_from_plan(plan)
            steps += [f"{action}:{parameter}" for action, parameter in plan]
            text = fixed
        if vietnamese and _gate().search(text) is not None:
            fixed, used = _vn_table_fix(text)
            if fixed != text:
                table_rule, table_steps = _table_steps(used)
                rule = rule or table_rule
                steps += table_steps
                text = fixed
    if nfc and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
        rule = rule or "nfc"
        steps.append("normalize:NFC")
    if tone is not ToneStyle.KEEP:
        fixed = _retone(text, tone)
        if fixed != text:
            text, rule = fixed, rule or "tone-placement"
            steps.append(f"tone:{tone.value}-style")
    return _Repair(text, rule, tuple(steps))


@functools.lru_cache(maxsize=1 << 15)
def _repair(text: str, vietnamese: bool, nfc: bool, tone: ToneStyle) -> _Repair:
    """Repeat the per-line repairs until the line stops changing; give up if it never does."""
    current, rule, steps = text, "", list[str]()
    for _ in range(_MAX_PASSES):
        step = _one_pass(current, vietnamese, nfc, tone)
        if step.text == current:
            return _Repair(current, rule, tuple(steps))
        rule = rule or step.rule
        steps += step.steps
        current = step.text
    return _Repair(text, "", ())  # still changing: an unstable repair is no repair


# -- the stage ------------------------------------------------------------------------


@register
@frozen
class Mojibake:
    """Repair mojibake and legacy Vietnamese encodings, then normalise to NFC; explain each fix.

    Each changed line gets one ``Edit`` whose rule names what was wrong (``utf8-as-cp1252``,
    ``utf8-as-cp1258``, ``legacy-tcvn3``, ``legacy-vni``, ``legacy-viscii``, ``legacy-cp1258``,
    ``c1-controls``, ``surrogates``, ``nfc``, ``tone-placement``) and whose steps replay the fix
    (ftfy's plan where ftfy made it: ``encode:sloppy-windows-1252``, ``decode:utf-8``).

    Keeps: curly quotes, ligatures, fullwidth forms, control and separator characters
    (``\\x1e``, ``\\u2028``), HTML entities, and every line the gate finds clean; a legacy
    decode is applied to a line only when its Vietnamese does not get worse, and a table repair
    only when it turns a word that cannot be clean text into valid Vietnamese syllables.

    Args:
        legacy: detect TCVN3, VNI-Windows, VISCII and Windows-1258 pages (read as windows-1252)
            and decode them; the decision is made per document.
        vietnamese: after ftfy, repair UTF-8 read as windows-1258 and the short or mixed
            Vietnamese mojibake ftfy leaves, from tables built from the codecs.
        nfc: normalise every line to NFC (decomposed tone marks from Word or cp1258).
        tone_style: move the tone in the open rimes oa, oe, uy: ``"keep"`` (default), ``"old"``
            (hòa, thủy) or ``"new"`` (hoà, thuỷ); never touches quý, hoàn, thuở.

    >>> doc = Mojibake()(Document.from_text("Hà Nội\\nÄ‘oÃ n viÃªn"))
    >>> doc.text
    'Hà Nội\\nđoàn viên'
    >>> [(e.index, e.rule, e.before, e.after) for e in doc.edits]
    [(1, 'utf8-as-cp1252', 'Ä‘oÃ n viÃªn', 'đoàn viên')]
    >>> doc.edits[0].steps  # the lost no-break space put back, then ftfy's plan
    ('restore:nbsp-as-space', 'encode:sloppy-windows-1252', 'decode:utf-8')
    """

    name: ClassVar[str] = "mojibake"
    legacy: bool = field(default=True, validator=instance_of(bool))
    vietnamese: bool = field(default=True, validator=instance_of(bool))
    nfc: bool = field(default=True, validator=instance_of(bool))
    tone_style: ToneStyle = field(default=ToneStyle.KEEP, converter=ToneStyle)

    def __call__(self, doc: Document) -> Document:
        doc = as_document(doc)
        whole = "\n".join([line.text for line in doc.lines])
        mojibake, legacy = _scan(whole)
        unnormalized = self.nfc and not unicodedata.is_normalized("NFC", whole)
        tones = self.tone_style is not ToneStyle.KEEP and _tone_re().search(whole) is not None
        if not (mojibake or legacy or unnormalized or tones):
            return doc  # the gate: a clean page costs one regex scan and one NFC check
        texts = {line.index: line.text for line in doc.lines}
        todo: set[int] = set()
        if mojibake:
            todo.update(i for i, text in texts.items() if _gate().search(text) is not None)
        if unnormalized:
            todo.update(i for i, text in texts.items() if not unicodedata.is_normalized("NFC", text))
        if tones:
            todo.update(i for i, text in texts.items() if _tone_re().search(text))

        # Legacy charsets first (a document-level decision), then each line's repairs. If that
        # changed the page, look at it again as the next call would, until no charset wins there:
        # repairing twice must change nothing.
        current = dict(texts)
        how: dict[int, tuple[str, tuple[str, ...]]] = {}  # line -> (rule, steps) of its edit

        def record(i: int, text: str, rule: str, steps: tuple[str, ...]) -> None:
            first_rule, earlier = how.get(i, ("", ()))
            how[i] = (first_rule or rule, earlier + steps)
            current[i] = text

        look = self.legacy and legacy
        for round_ in range(2 * len(_legacy_charsets())):  # each charset wins once at most
            found = _legacy_round(current) if look else None
            if found is not None:
                charset, decoded = found
                for i, text in decoded.items():
                    record(i, text, charset.rule, charset.steps)
                todo.update(decoded)
            for i in sorted(todo):
                fixed = _repair(current[i], self.vietnamese, self.nfc, self.tone_style)
                if fixed.text != current[i]:
                    record(i, fixed.text, fixed.rule, fixed.steps)
            todo = set()
            if not self.legacy or (found is None and (round_ > 0 or current == texts)):
                break  # nothing changed since the page was last looked at
            look = _scan("\n".join(current.values()))[1]

        edits = [
            Edit(i, self.name, how[i][0], texts[i], current[i], how[i][1])
            for i in sorted(current)
            if current[i] != texts[i]
        ]
        return doc.rewrite(edits)
