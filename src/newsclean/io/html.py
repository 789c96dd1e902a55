"""HTML pages: one page in, one Document out, its lines the page's visible text blocks.

The lines are made exactly as the flattened dumps were made (the project's
``eval/html_to_dump.py``), so a page and its dump clean alike: the visible
text of ``<body>`` in DOM order, block elements and ``<br>`` ending a line,
inline elements joined, whitespace collapsed, empty blocks dropped, and
script, style, iframe, svg and the like left out.

What the dump loses, the reader keeps in ``Document.metadata``: for every
line (``metadata["lines"]``, aligned with the raw line index) where in the
page it sat, and for the page its title, language, canonical URL and date.

>>> doc = read_html('''<html lang="vi"><head><title>Tin</title></head><body>
... <nav class="menu"><a href="/">Trang chủ</a></nav>
... <article><h1>Tiêu đề</h1><p>Thân <b>bài</b>.<br>Dòng hai</p></article></body></html>''', id="a")
>>> [line.text for line in doc.lines]
['Trang chủ', 'Tiêu đề', 'Thân bài.', 'Dòng hai']
>>> doc.metadata["lines"][0]
{'path': 'html>body>nav>a', 'link_density': 1.0, 'hints': ['menu', 'nav'], 'list': False, 'table': False, 'heading': 0, 'boxes': {'menu': [2, 1], 'nav': [2, 1]}, 'chain': (-1, 1, 2, 3)}
>>> doc.metadata["title"], doc.metadata["lang"], doc.metadata["lines"][1]["heading"]
('Tin', 'vi', 1)
"""

from __future__ import annotations

import codecs
import functools
import json
import re
from typing import Any

from newsclean.core import Document, Line
from newsclean.errors import InputError
from newsclean.io.base import check_encoding, undecodable

# Lexbor, the HTML5 parser: every selectolax the project allows (>= 0.3.21) has it.
from selectolax.lexbor import LexborHTMLParser as _Parser

__all__ = ["HINT_WORDS", "read_html"]

# -- what a line is made of: the same sets as html_to_dump.py ------------------

# Never rendered, or markup and fallback rather than page text; and ruby annotations, the reading
# of a word set small above it ("漢字" over "かんじ"), which inline would double every annotated word.
DROP_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "head", "title", "meta", "link",
        "iframe", "object", "embed", "svg", "math", "canvas", "rt", "rp",
    }
)  # fmt: skip

# Each of these ends the line before it and the line inside it.
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "center", "dd", "details",
        "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer",
        "form", "frameset", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr",
        "html", "legend", "li", "listing", "main", "menu", "nav", "ol", "p", "plaintext",
        "pre", "section", "summary", "table", "caption", "thead", "tbody", "tfoot", "tr",
        "td", "th", "ul", "xmp", "option", "optgroup", "textarea", "noframes", "search",
        "br",
    }
)  # fmt: skip

_WS = re.compile(r"\s+")
# Server-side directives left in saved JSP/ASPX pages: a browser never saw them.
_SERVER_TAG = re.compile(r"<%.*?%>", re.S)
# A browser runs scripts, so it reads <noscript> as raw text up to </noscript> and shows none of it.
# Parsed as markup instead, a "<noscript><div>" left open there swallows the whole page.
_NOSCRIPT_START = re.compile(r"<noscript\b[^>]*>", re.I)
_NOSCRIPT_END = re.compile(r"</noscript\s*>", re.I)

# -- structural features -------------------------------------------------------

HINT_WORDS: tuple[str, ...] = (
    "ad", "aside", "author", "breadcrumb", "caption", "comment", "figcaption", "figure", "footer",
    "header", "menu", "nav", "newsletter", "promo", "related", "share", "social", "tag",
)  # fmt: skip
"""The words looked for in the class, id and role of a line's element and its ancestors (and in
their tags: ``<nav>``, ``<footer>``, ``<aside>``, ``<header>``, and ``<figcaption>`` for "caption";
"figcaption" comes from that tag alone, as a class named "caption" is often not a figure's)."""

# Matched against whole tokens of class/id (split at "-", "_", digits and
# camelCase), so "header" is not an "ad" and "tagline" not a "tag".
_HINT_TOKENS = [
    ("ad", re.compile(r"ads?|adv|adverts?|advertis\w*|adsbygoogle|ad(?:slot|unit|box|banner|container|wrapper|zone)s?")),
    ("aside", re.compile(r"asides?")),
    ("author", re.compile(r"authors?|author(?:box|bio|info|name|block|wrap)|bylines?|bios?")),
    ("breadcrumb", re.compile(r"\w*crumbs?\w*")),
    ("caption", re.compile(r"\w*caption\w*")),
    ("comment", re.compile(r"comment\w*|disqus")),
    ("figure", re.compile(r"figures?")),
    ("footer", re.compile(r"footer\w*")),
    ("header", re.compile(r"header\w*|masthead")),
    ("menu", re.compile(r"\w*menu\w*")),
    ("nav", re.compile(r"nav|navs|navbar\w*|navigation\w*|navi|navmenu")),
    # Sign-up, subscription, donation and paywall boxes ask the reader for something, as a newsletter box does.
    ("newsletter", re.compile(r"newsletter\w*|subscri\w*|signup|donat\w*|paywall\w*")),
    ("promo", re.compile(r"promo\w*")),
    ("related", re.compile(r"related\w*")),
    ("share", re.compile(r"share\w*|sharing|sharethis|addthis")),
    ("social", re.compile(r"social\w*")),
    ("tag", re.compile(r"tags?|tagcloud|taglist|tagged")),
]
# Every token a pattern above matches holds one of these: a class or id that holds none once
# lowercased (most of them) is not split into tokens at all.
_HINT_STEMS = re.compile(
    "ad|aside|crumb|caption|comment|disqus|figure|footer|header|masthead|menu|nav|newsletter|promo|related|shar|"
    "social|tag|subscri|signup|donat|paywall|author|byline|bio"
)
# ARIA roles that mean the same as a hint word.
_ROLE_HINTS = {
    "navigation": "nav",
    "contentinfo": "footer",
    "banner": "header",
    "complementary": "aside",
    "menu": "menu",
    "menubar": "menu",
    "menuitem": "menu",
    "figure": "figure",
}
# HTML5 elements that say the same as a hint word by what they are.
_TAG_HINTS = {
    "nav": frozenset({"nav"}),
    "footer": frozenset({"footer"}),
    "aside": frozenset({"aside"}),
    "header": frozenset({"header"}),
    "figcaption": frozenset({"caption", "figcaption"}),
}
# Elements whose lines a reader of the page takes together: each line's nearest one of
# each kind is in its "boxes" too, under these names.
_CONTAINERS = {"ul": "list", "ol": "list", "article": "article", "main": "main"}
_TOKEN = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# The tags that say something by what they are; the rest pass on their parent's features.
_TAG_FEATURES = frozenset({*_TAG_HINTS, *_CONTAINERS, *_HEADINGS, "table"})
MAX_PATH = 8
"""How many elements a line's ``path`` keeps, counted from the line's element up."""
MAX_CHAIN = 64
"""How many elements a line's ``chain`` keeps, counted from the outermost down."""

_NO_HINTS: frozenset[str] = frozenset()

# -- decoding --------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# Browsers read these labels as windows-1252 (WHATWG Encoding); so do we, so
# that curly quotes in a page labelled latin-1 do not become C1 controls.
_WINDOWS_1252 = frozenset({"latin-1", "iso8859-1", "ascii", "cp1252"})
# cp1252 leaves five bytes undefined; browsers map them to the C1 controls
# of the same number, so the last-resort decode can never fail.
_CP1252_TABLE = {
    b: (bytes([b]).decode("cp1252", "replace") if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else chr(b))
    for b in range(0x80, 0x100)
}
_CP1252_TABLE = {b: c for b, c in _CP1252_TABLE.items() if c != chr(b)}

# What "surrogateescape" makes of a byte that is not UTF-8.
_ESCAPED = re.compile("[\udc80-\udcff]")

# The control characters a page's text does not hold (all but tab, line feed, form feed, carriage
# return and escape): more than a few in its first 4 KB, and it is binary or read with the wrong codec.
_CONTROLS = bytes(b for b in range(32) if b not in b"\t\n\f\r\x1b")
_CONTROL = re.compile("[" + _CONTROLS.decode("ascii") + "]")

# File signatures of what is most often mistaken for a page.
_SIGNATURES = (
    (b"\x1f\x8b", "gzip data; decompress it first, or name the file .html.gz"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"WARC/", "a WARC archive"),
)

# Nesting deeper than this is flattened before parsing. Each container start
# tag makes the parser look down the whole stack of open elements, so a page
# of a million nested <div>s would take hours; browsers cap depth too (Chrome at 512).
MAX_DEPTH = 512
# This runs over the whole of every page: a check of the first letter turns most other
# tags away at once, the rest are grouped by first letter, and "div", the most common, goes first.
_CONTAINER_NAME = (
    r"(?=[abcdfhmnosu])(?:div|a(?:rticle|ddress|side)|blockquote|center|d(?:etails|ialog|ir|l)|"
    r"f(?:igcaption|ieldset|igure|ooter|orm)|h(?:eader|group)|m(?:ain|enu)|nav|ol|s(?:ection|earch|ummary)|ul)"
    r"(?=[\s/>])"
)
_CONTAINER = re.compile(r"<(/?)" + _CONTAINER_NAME, re.I)
# Start tags alone, for the count every page gets: an end tag is turned away at its "/".
_CONTAINER_START = re.compile("<" + _CONTAINER_NAME, re.I)


def read_html(data: bytes | str, id: str = "", *, encoding: str | None = None, url: str | None = None) -> Document:
    """One HTML page as a Document: its visible text blocks as lines, what the markup says as metadata.

    Lines are split as the flattened dumps are (see the module docstring).
    ``metadata["lines"][i]`` describes raw line ``i``: ``path`` (the tags
    from ``html`` down to the element holding the line's first text, the
    last ``MAX_PATH`` of them, joined by ``>``), ``link_density`` (the share
    of its non-space characters inside ``<a>``), ``hints`` (the
    ``HINT_WORDS`` found in the class, id, role or HTML5 tag of that
    element or an ancestor), ``list`` (inside ``ul``/``ol``), ``table`` (inside
    ``table``), ``heading`` (1-6 inside ``h1``-``h6``, else 0) and
    ``boxes``: for each hint, ``[element, up]``, the nearest element carrying
    it (its number in document order, the same for every line inside it) and
    how many levels above the line's element it is (0: the element itself);
    under ``"list"``, ``"article"`` and ``"main"``, the same for the nearest
    ``ul`` or ``ol``, ``article`` and ``main``; ``chain``, the numbers of the
    line's element and every element above it, outermost first, the first
    ``MAX_CHAIN`` of them (a tuple, shared by the lines of one element): two
    lines sit in the same element when both chains hold its number.

    Page metadata, each key present only when found: ``title``,
    ``og_title``, ``lang``, ``canonical``, ``published``, ``url``, and for
    bytes ``encoding`` (plus ``encoding_guessed`` when neither declared nor
    UTF-8, and ``declared_encoding`` when the page's own label was wrong).

    Bytes are decoded with ``encoding`` when given (strictly), else by BOM,
    else by the ``<meta>`` charset, else as UTF-8, else as windows-1252.
    Broken markup is read as a browser would; it never raises on content.

    Args:
        data: the page, as fetched (bytes) or already decoded (str).
        id: the document's id.
        encoding: the codec of ``data`` when known from elsewhere (an HTTP
            header); it overrides what the page declares.
        url: where the page came from, kept as ``metadata["url"]``.

    Raises:
        InputError: the page is empty, binary (not text), or not in the given ``encoding``.
    """
    where = id or "page"
    metadata: dict[str, Any] = {}
    utf8: bytes | None = None
    if isinstance(data, (bytes, bytearray, memoryview)):
        text, metadata, utf8 = _decode(bytes(data), encoding, where)
    elif isinstance(data, str):
        text = data.removeprefix("\ufeff")
        _check_text(text, where)
    else:
        raise TypeError(f"expected bytes or str, got {type(data).__name__}")
    if not text or text.isspace():  # not strip(): that copies the page
        raise InputError("empty page", where, "leaving it out, or fetching the page again")
    cleaned = _flatten_deep_nesting(_strip_noscript(_strip_server_tags(text)))
    # The parser reads UTF-8: a page that came as UTF-8 and needed no cleaning is not encoded back.
    tree = _Parser(utf8 if utf8 is not None and cleaned is text else cleaned)
    root = tree.body if tree.body is not None else tree.root
    lines, features = _lines(root) if root is not None else ([], [])
    metadata.update(_page_metadata(tree))
    if url is not None:
        metadata["url"] = url
    metadata["lines"] = features
    if not lines:
        raise InputError(
            "no visible text in the page's <body>", where, "checking that the page is not built by JavaScript"
        )
    return Document(id=id, lines=tuple(map(Line, range(len(lines)), lines)), metadata=metadata)


# -- bytes to text -----------------------------------------------------------------


def _decode(data: bytes, encoding: str | None, where: str) -> tuple[str, dict[str, Any], bytes | None]:
    """The page's text, what the decoding says as metadata, and ``data`` again if the text is exactly its UTF-8."""
    if encoding is not None:
        check_encoding(encoding)
        start = 0
        for bom, name in _BOMS:
            if data.startswith(bom) and codecs.lookup(name).name == codecs.lookup(encoding).name.removesuffix("-sig"):
                start = len(bom)
        try:
            text = data[start:].decode(encoding)
        except UnicodeDecodeError as exc:
            raise undecodable(exc, encoding, where, offset=start) from None
        # Checked as text, not bytes: UTF-16 is full of NUL bytes and still a page.
        _check_text(text, where)
        return text, {"encoding": encoding}, data if start == 0 and _is_utf8(encoding) else None
    for bom, name in _BOMS:
        if data.startswith(bom):
            # A BOM is the strongest sign there is; a stray bad byte after it is replaced, not a reason to guess.
            return data[len(bom) :].decode(name, "replace"), {"encoding": name}, None
    _check_bytes(data, where)
    metadata: dict[str, Any] = {}
    declared = _declared_encoding(data)
    if declared is not None:
        try:
            return data.decode(declared), {"encoding": declared}, data if _is_utf8(declared) else None
        except UnicodeDecodeError:
            metadata["declared_encoding"] = declared
    try:
        return data.decode("utf-8"), {**metadata, "encoding": "utf-8"}, data
    except UnicodeDecodeError:
        pass
    # Not UTF-8 throughout. A UTF-8 page with a few pasted-in cp1252 bytes has
    # more good multi-byte sequences than bad bytes: keep it UTF-8 and read
    # only the bad bytes as cp1252. A cp1252 page has next to no good ones.
    mixed = data.decode("utf-8", "surrogateescape")
    bad = len(_ESCAPED.findall(mixed))
    good = sum(1 for c in mixed if c > "\x7f") - bad
    metadata["encoding_guessed"] = True
    if good > bad:
        text = _ESCAPED.sub(lambda m: _CP1252_TABLE.get(ord(m[0]) - 0xDC00, chr(ord(m[0]) - 0xDC00)), mixed)
        return text, {**metadata, "encoding": "utf-8", "encoding_errors": bad}, None
    return data.decode("latin-1").translate(_CP1252_TABLE), {**metadata, "encoding": "cp1252"}, None


def _is_utf8(encoding: str) -> bool:
    return codecs.lookup(encoding).name == "utf-8"


def _declared_encoding(data: bytes) -> str | None:
    """The codec the page's ``<meta charset>`` or ``http-equiv`` names, if Python knows it and it can be right."""
    match = _META_CHARSET.search(data[:20000])
    if match is None:
        return None
    label = match.group(1).decode("ascii", "ignore").lower()
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in _WINDOWS_1252:
        return "cp1252" if name != "ascii" else None  # ASCII is UTF-8's subset: let UTF-8 try
    if name.startswith(("utf-16", "utf-32")):
        return None  # read through ASCII bytes, so the page is not UTF-16 (WHATWG says: UTF-8)
    try:
        "".encode(name)
    except LookupError:
        return None
    return label


def _check_bytes(data: bytes, where: str) -> None:
    if not data or data.isspace():
        raise InputError("empty page", where, "leaving it out, or fetching the page again")
    for signature, what in _SIGNATURES:
        if data.startswith(signature):
            raise InputError(f"not an HTML page ({what})", where, "passing the page's HTML")
    sample = data[:4096]
    controls = len(sample) - len(sample.translate(None, _CONTROLS))
    if controls > len(sample) // 100 + 2:
        raise InputError(
            "not an HTML page (binary data)", where, "checking what the file holds, e.g. with the 'file' command"
        )


def _check_text(text: str, where: str) -> None:
    sample = text[:4096]
    controls = len(_CONTROL.findall(sample))
    if controls > len(sample) // 100 + 2:
        raise InputError(
            "not an HTML page (binary data)", where, "checking what the text holds; was it decoded with the right codec?"
        )


# -- text to a tree ----------------------------------------------------------------


def _strip_noscript(text: str) -> str:
    """``text`` with its ``<noscript>`` elements cut as a browser with scripts on reads them, unless one holds the page.

    A ``<noscript>`` that holds ``NOSCRIPT_WORDS`` words or more is the
    page's text for readers without scripts (a blog engine that renders the
    post from a template): its markup is kept, closed on its own so that an
    element left open inside cannot swallow what follows.

    >>> _strip_noscript("<p>a</p><noscript><div>enable JS</noscript><p>b</p>")
    '<p>a</p><p>b</p>'
    >>> _strip_noscript("<noscript><div><p>" + "word " * 60 + "</noscript><p>b</p>")[:12]
    '<div><p>word'
    """
    start = _NOSCRIPT_START.search(text)
    if start is None:
        return text
    # Each start tag up to the first end tag after it (one lazy regex would try the end tag at every character).
    out, last = [], 0
    while start is not None:
        end = _NOSCRIPT_END.search(text, start.end())
        if end is None:
            break  # nor is there an end tag after any later start tag
        out.append(text[last : start.start()])
        out.append(_noscript_content(text[start.end() : end.start()], end.end() - start.start()))
        last = end.end()
        start = _NOSCRIPT_START.search(text, last)
    out.append(text[last:])
    return "".join(out)


NOSCRIPT_WORDS = 50
"""How many words make a ``<noscript>`` the page's own text rather than a note that scripts are off."""


def _noscript_content(inner: str, length: int) -> str:
    """What stands for a ``<noscript>`` element ``length`` characters long, holding ``inner``."""
    # Quick bound: fewer characters than words-plus-spaces cannot hold enough words.
    if length < 2 * NOSCRIPT_WORDS:
        return ""
    # Nor can markup with fewer pieces between whitespace, "<" and "&": two words of its text are parted
    # by whitespace written out, a tag between two text nodes or a character reference. This turns away
    # the tracking pixels and tag manager frames most pages hold there, without parsing them.
    if len(inner.replace("<", " ").replace("&", " ").split()) < NOSCRIPT_WORDS:
        return ""
    body = _Parser(inner).body
    if body is None or len(body.text(separator=" ").split()) < NOSCRIPT_WORDS:
        return ""
    # The body's markup without its own tags ("inner_html" is newer than the oldest selectolax allowed).
    markup = str(body.html or "")
    return markup[markup.index(">") + 1 : markup.rindex("<")]


def _strip_server_tags(text: str) -> str:
    end = text.rfind("%>")
    if end < 0 or "<%" not in text:
        return text
    # Only up to the last "%>": an unclosed "<%" after it would make the lazy
    # match scan to the end once per "<%", quadratic on garbage.
    end += 2
    return _SERVER_TAG.sub("", text[:end]) + text[end:]


def _flatten_deep_nesting(text: str) -> str:
    """``text`` with container tags nested deeper than ``MAX_DEPTH`` dropped (a run of starts becomes one ``<br>``)."""
    # Nesting that deep takes that many start tags: most pages have fewer in all.
    if len(_CONTAINER_START.findall(text)) <= MAX_DEPTH:
        return text
    depth = 0
    excess: list[tuple[int, int, bool]] = []
    for match in _CONTAINER.finditer(text):
        if match.group(1):
            if depth > MAX_DEPTH:
                excess.append((match.start(), match.end(), False))
            depth = max(depth - 1, 0)
        else:
            depth += 1
            if depth > MAX_DEPTH:
                excess.append((match.start(), match.end(), True))
    if not excess:
        return text
    out, last, last_was_break = [], 0, False
    for start, end, opening in excess:
        # The tag's attributes and ">" stay behind as text unless removed: skip to the tag's end.
        close = text.find(">", end)
        end = len(text) if close < 0 else close + 1
        if start < last:
            continue
        between = text[last:start]
        out.append(between)
        if opening and not (last_was_break and not between.strip()):
            out.append("<br>")
            last_was_break = True
        elif between.strip():
            last_was_break = False
        last = end
    out.append(text[last:])
    return "".join(out)


# -- the tree to lines ---------------------------------------------------------------

# A context is what a node inherits, kept as a line's features are written: (path, joined by
# ">"; hints, sorted; in list, in table, heading, depth, boxes, chain). Boxes map each hint, in
# sorted order, to the nearest element carrying it: (its number in document order, its depth).
# The chain is the numbers of the element and all its ancestors, outermost first.
_Boxes = dict[str, tuple[int, int]]
_Context = tuple[str, tuple[str, ...], bool, bool, int, int, _Boxes, tuple[int, ...]]


@functools.lru_cache(maxsize=65536)
def _word_hints(value: str) -> frozenset[str]:
    """The hint words in a class or an id; cached, as a site repeats its classes on every page."""
    if _HINT_STEMS.search(value.lower()) is None:
        return _NO_HINTS
    found = frozenset().union(*map(_token_hints, _TOKEN.findall(value)))
    return found if found else _NO_HINTS


@functools.lru_cache(maxsize=1024)
def _role_hints(role: str) -> frozenset[str]:
    found = {_ROLE_HINTS[r] for r in role.lower().split() if r in _ROLE_HINTS}
    return frozenset(found) if found else _NO_HINTS


@functools.lru_cache(maxsize=65536)
def _token_hints(token: str) -> tuple[str, ...]:
    """The hint words one class token stands for; cached, as the same tokens recur in new class strings."""
    token = token.lower()
    return tuple(word for word, pattern in _HINT_TOKENS if pattern.fullmatch(token))


def _enter(node: Any, tag: str, context: _Context, number: int) -> _Context:
    path, hints, in_list, in_table, heading, depth, boxes, chain = context
    depth += 1
    if depth == 1:
        path = tag
    elif depth <= MAX_PATH:
        path = f"{path}>{tag}"
    else:
        path = f"{path[path.index('>') + 1 :]}>{tag}"
    own = _NO_HINTS
    attributes = node.attributes
    if attributes:
        names, ident, role = attributes.get("class"), attributes.get("id"), attributes.get("role")
        # Each looked up on its own: a site repeats its class strings, while ids are often unique.
        if names:
            own = _word_hints(names)
        if ident:
            own = own | _word_hints(ident)
        if role:
            own = own | _role_hints(role)
    box = None
    if tag in _TAG_FEATURES:
        own = own | _TAG_HINTS.get(tag, _NO_HINTS)
        box = _CONTAINERS.get(tag)
        in_list = in_list or tag == "ul" or tag == "ol"
        in_table = in_table or tag == "table"
        heading = _HEADINGS.get(tag, heading)
    # Most elements add neither: their hints and boxes are their parent's, shared, never changed.
    if own or box is not None:
        found = {**boxes, **dict.fromkeys(own, (number, depth))}
        if box is not None:
            found[box] = (number, depth)
        boxes = dict(sorted(found.items()))
        if own:
            hints = _merged(hints, own)
    # Past MAX_CHAIN the chain stops growing and is shared: deep nesting costs no more memory per element.
    return path, hints, in_list, in_table, heading, depth, boxes, chain + (number,) if len(chain) < MAX_CHAIN else chain


@functools.lru_cache(maxsize=4096)
def _merged(hints: tuple[str, ...], own: frozenset[str]) -> tuple[str, ...]:
    """``hints`` with ``own`` added, sorted; cached, as a page nests the same few hints again and again."""
    return tuple(sorted(own.union(hints)))


def _root_context(root: Any) -> tuple[_Context, bool]:
    """The context ``root`` is in, and whether that is inside a link."""
    ancestors = []
    node = root.parent
    while node is not None and node.tag and not node.tag.startswith(("-", "#")):
        ancestors.append(node)
        node = node.parent
    context: _Context = ("", (), False, False, 0, 0, {}, ())
    for number, node in enumerate(reversed(ancestors), start=-len(ancestors)):
        context = _enter(node, node.tag, context, number)
    return context, any(node.tag == "a" for node in ancestors)


# A frame is an open element as the walk meets it: [parent frame, node, tag, number in document
# order, in a link, context or None, next sibling, kind]. Its context is made (by _enter) only
# when a line starts inside it: most elements hold no line's first text, and their class and id
# are never read.
_Frame = list[Any]


def _context(frame: _Frame) -> _Context:
    """The context of ``frame``, made and kept for it and each ancestor still without one."""
    todo = []
    while frame[5] is None:
        todo.append(frame)
        frame = frame[0]
    context: _Context = frame[5]
    for frame in reversed(todo):
        context = frame[5] = _enter(frame[1], frame[2], context, frame[3])
    return context


class _Sink:
    """Gathers the text of the current line, and the frame its first visible text sat in.

    The text before that first visible text is only whitespace, which the line
    drops: it is not kept, so a line is under way exactly when ``parts`` is not empty.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.features: list[dict[str, Any]] = []
        # Cleared, never replaced: the walk holds on to both lists.
        self.parts: list[str] = []
        self.linked: list[str] = []  # the parts inside <a>
        self.first: _Frame = []

    def add(self, text: str, frame: _Frame) -> None:
        if not self.parts:
            if not text or text.isspace():
                return
            self.first = frame
        self.parts.append(text)
        if frame[4]:
            self.linked.append(text)

    def add_pre(self, text: str, frame: _Frame) -> None:
        """Text inside ``<pre>``: each of its own lines is a line."""
        for i, piece in enumerate(text.split("\n")):
            if i and self.parts:
                self.end_line()
            self.add(piece, frame)

    def end_line(self) -> None:
        """Ends the line under way (``parts`` is not empty)."""
        first, parts, linked = self.first, self.parts, self.linked
        path, hints, in_list, in_table, heading, depth, boxes, chain = first[5] or _context(first)
        line = " ".join("".join(parts).split())
        if not linked:
            density = 0.0
        elif len(linked) == len(parts):
            density = 1.0
        else:
            # Whitespace is single spaces by now: the rest is what is visible.
            visible = len(line) - line.count(" ")
            density = round(len("".join("".join(linked).split())) / visible, 3)
        # Each line its own dict and lists, as a caller may change one line's features; a loop, not a
        # comprehension, whose own call costs more than the two or three boxes a line has.
        own_boxes = {}
        for hint, (number, at) in boxes.items():
            own_boxes[hint] = [number, depth - at]
        self.lines.append(line)
        self.features.append(
            {
                "path": path,
                "link_density": density,
                "hints": [*hints],
                "list": in_list,
                "table": in_table,
                "heading": heading,
                "boxes": own_boxes,
                "chain": chain,
            }
        )
        parts.clear()
        linked.clear()


# What the walk does with a node, by its tag.
_TEXT, _INLINE, _BLOCK, _PRE, _SKIP = range(5)


def _kind(tag: str | None) -> int:
    if tag == "-text":
        return _TEXT
    if not tag or tag in DROP_TAGS or tag.startswith(("-", "_", "#")):
        return _SKIP
    if tag == "pre":
        return _PRE
    return _BLOCK if tag in BLOCK_TAGS else _INLINE


def _lines(root: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """The lines under ``root`` (an element: the body, or else the html) and their features.

    The tree is walked without recursion. The frames of the open elements,
    each holding its parent's, are the stack: one entry per open ancestor
    (with the next sibling to visit after it), not every child, so a page of
    a million nested or sibling elements costs no more memory than its depth.
    """
    sink = _Sink()
    parts, linked = sink.parts, sink.linked
    kinds: dict[str | None, int] = {}
    context, in_link = _root_context(root)
    outer: _Frame = [None, None, "", 0, in_link, context, None, _INLINE]
    tag = root.tag
    kind = _kind(tag)
    in_pre = int(kind == _PRE)
    elements = 1
    # The root's siblings are not the page's: after it, nothing.
    frame: _Frame = [outer, root, tag, elements, in_link or tag == "a", None, None, kind]
    node = root.first_child
    while True:
        if node is None:
            # The innermost open element has no more children: leave it.
            if frame is outer:
                break
            frame, node, kind = frame[0], frame[6], frame[7]
            if kind == _PRE:
                in_pre -= 1
            if kind != _INLINE and parts:
                sink.end_line()
            continue
        # Asked first, as half the nodes are text: None for any other node (and for a text node with no text).
        text = node.text_content
        if text is not None:
            # sink.add, inlined: this runs for every text node of the page.
            if not text:
                pass
            elif in_pre:
                sink.add_pre(text, frame)
            elif parts:
                parts.append(text)
                if frame[4]:
                    linked.append(text)
            elif not text.isspace():
                sink.first = frame
                parts.append(text)
                if frame[4]:
                    linked.append(text)
            node = node.next
            continue
        tag = node.tag
        kind = kinds.get(tag, -1)
        if kind < 0:
            kind = kinds[tag] = _kind(tag)
        if kind == _SKIP or kind == _TEXT:
            node = node.next
            continue
        elements += 1
        if kind != _INLINE and parts:
            sink.end_line()
        child = node.first_child
        if child is None:
            # Nothing inside, so nothing to leave: a block's line already ended above.
            node = node.next
            continue
        if kind == _PRE:
            in_pre += 1
        frame = [frame, node, tag, elements, frame[4] or tag == "a", None, node.next, kind]
        node = child
    if parts:
        sink.end_line()
    return sink.lines, sink.features


# -- page metadata ---------------------------------------------------------------------


def _attr(tree: Any, selector: str, name: str) -> str | None:
    node = tree.css_first(selector)
    if node is None:
        return None
    value = (node.attributes.get(name) or "").strip()
    return _WS.sub(" ", value) or None


def _page_metadata(tree: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    title = tree.css_first("title")
    if title is not None:
        found["title"] = _WS.sub(" ", title.text()).strip() or None
    found["og_title"] = _attr(tree, 'meta[property="og:title"]', "content")
    html = tree.css_first("html")
    if html is not None:
        found["lang"] = (html.attributes.get("lang") or html.attributes.get("xml:lang") or "").strip() or None
    found["canonical"] = _attr(tree, 'link[rel~="canonical"]', "href")
    found["published"] = (
        _attr(tree, 'meta[property="article:published_time"]', "content")
        or _attr(tree, 'meta[itemprop="datePublished"]', "content")
        or _json_ld_date(tree)
        or _attr(tree, "time[datetime]", "datetime")
    )
    return {key: value for key, value in found.items() if value}


def _json_ld_date(tree: Any) -> str | None:
    for script in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(script.text(deep=True))
        except ValueError:
            continue  # JSON-LD in the wild is often broken; it is a hint, not a contract
        todo = [data]
        while todo:
            item = todo.pop()
            if isinstance(item, dict):
                value = item.get("datePublished")
                if isinstance(value, str) and value.strip():
                    return value.strip()
                todo.extend(item.values())
            elif isinstance(item, list):
                todo.extend(reversed(item))
    return None
