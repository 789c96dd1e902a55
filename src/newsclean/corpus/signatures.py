"""What deduplication knows of each document: its keys, its MinHash signature and its shingle set.

Everything here is a pure function of one document and the ``DedupConfig``,
so a corpus can be cut into shards, each shard signed on its own (another
process, another machine), and the shards concatenated afterwards
(``concat``): the result is the same as signing the whole corpus at once.

The steps, each a plain function:

- ``normalize_text``: NFC, casefold, whitespace collapsed. Tone marks and
  other diacritics are *kept*: in Vietnamese "bàn", "bán" and "bạn" are
  different words, and stripping marks would make unrelated pages look alike.
- ``exact_key``: a 128-bit xxh3 hash of the normalised body.
- ``url_key``: the canonical URL (scheme, ``www.``, fragment, trailing slash
  and common tracking parameters dropped) when the metadata has one.
- ``token_hashes``: a 64-bit hash of every word of the normalised body,
  found and hashed on its UTF-8 bytes with numpy (no per-word Python loop);
  ``shingle_hashes``: 64-bit hashes of every run of ``shingle`` consecutive
  words, combined with numpy (no per-shingle loop).
- ``minhash``: a one-permutation MinHash with optimal densification
  (Shrivastava 2017): each shingle hash falls in one of ``num_perm`` bins and
  the bin keeps its smallest value; an empty bin borrows the value of the
  first non-empty bin along a fixed pseudo-random probe sequence. The
  fraction of equal positions in two signatures estimates the Jaccard
  similarity of the shingle sets, at the cost of one hash per shingle
  instead of ``num_perm``.

>>> from newsclean.core import Document
>>> config = DedupConfig()
>>> a = Document.from_text("Hà Nội mưa to suốt đêm qua, nhiều tuyến phố ngập sâu trong nước.", id="a")
>>> b = Document.from_text("HÀ NỘI  mưa to suốt đêm qua, nhiều tuyến phố ngập sâu trong nước.", id="b")
>>> sigs = compute_signatures([a, b], config)
>>> bool((sigs.exact[0] == sigs.exact[1]).all()), float(estimated_jaccard(sigs.minhash[0], sigs.minhash[1]))
(True, 1.0)
>>> normalize_text("  Bàn   BÁN\\tbạn ")
'bàn bán bạn'
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final
from urllib.parse import parse_qsl, urlencode, urlsplit

import numpy as np
import numpy.typing as npt
import xxhash
from attrs import field, frozen
from attrs.validators import ge, instance_of, le

from newsclean.core import Document, Label
from newsclean.errors import ConfigError

__all__ = [
    "PRESETS",
    "DedupConfig",
    "Signatures",
    "canonical_url",
    "compute_signatures",
    "concat",
    "document_date",
    "estimated_jaccard",
    "exact_key",
    "jaccard",
    "minhash",
    "normalize_text",
    "shingle_hashes",
    "sign_shards",
    "tokens",
    "url_key",
]

U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

EMPTY_BIN: Final = np.uint32(0xFFFFFFFF)
"""The value of a MinHash position no shingle reached (a document with no shingle has only these)."""

_PRIME1: Final = np.uint64(0x9E3779B185EBCA87)
_PRIME2: Final = np.uint64(0xC2B2AE3D27D4EB4F)
_PRIME3: Final = np.uint64(0x165667B19E3779F9)


# -- configuration -------------------------------------------------------------------


def _lsh_recall(similarity: float, bands: int, rows: int) -> float:
    return 1.0 - (1.0 - similarity**rows) ** bands


@frozen
class DedupConfig:
    """How documents are compared.

    Args:
        shingle: words per shingle; a document with fewer words is compared
            by its exact key only.
        num_perm: MinHash positions per signature (``bands * rows`` must
            not exceed it).
        bands: LSH bands; two documents become candidates when all ``rows``
            positions of one band agree.
        rows: positions per band.
        threshold: the true Jaccard similarity of shingle sets from which two
            documents are near duplicates.
        prefilter_margin: candidates whose *estimated* similarity is below
            ``threshold - prefilter_margin`` are not verified (with 256
            positions the estimate's standard deviation is at most 0.031,
            so 0.15 is about five of them); 1 verifies every candidate.
        max_bucket: a band bucket with more documents than this pairs each
            with its ``max_bucket`` nearest neighbours in a fixed content
            order instead of with all of them, so one huge bucket cannot
            make the candidate count quadratic.
        seed: seeds the token hash and the densification probes; signatures
            made with different seeds cannot be compared.
        use_url: documents with the same canonical URL are one story (the
            same page fetched twice, or updated): keep one of them.

    >>> DedupConfig.preset("reprint").threshold
    0.5
    >>> round(DedupConfig().recall_at(0.8), 3), round(DedupConfig().recall_at(0.5), 3)
    (0.997, 0.118)
    """

    shingle: int = field(default=5, validator=[instance_of(int), ge(1)])
    num_perm: int = field(default=256, validator=[instance_of(int), ge(8)])
    bands: int = field(default=32, validator=[instance_of(int), ge(1)])
    rows: int = field(default=8, validator=[instance_of(int), ge(1)])
    threshold: float = field(default=0.8, converter=float, validator=[ge(0.0), le(1.0)])
    prefilter_margin: float = field(default=0.15, converter=float, validator=[ge(0.0), le(1.0)])
    max_bucket: int = field(default=50, validator=[instance_of(int), ge(2)])
    seed: int = field(default=0, validator=[instance_of(int), ge(0)])
    use_url: bool = field(default=True, validator=instance_of(bool))

    def __attrs_post_init__(self) -> None:
        if self.bands * self.rows > self.num_perm:
            raise ConfigError(
                f"bands * rows = {self.bands * self.rows} exceeds num_perm = {self.num_perm}",
                "DedupConfig",
                "fewer bands or rows, or a larger num_perm",
            )

    @classmethod
    def preset(cls, name: str, **overrides: Any) -> DedupConfig:
        """A named configuration (``PRESETS``), with any field overridden."""
        if name not in PRESETS:
            raise ConfigError(f"unknown dedup preset {name!r}", "preset", f"one of: {', '.join(sorted(PRESETS))}")
        return cls(**{**PRESETS[name], **overrides})

    def recall_at(self, similarity: float) -> float:
        """The probability that two documents of this true similarity become LSH candidates."""
        return _lsh_recall(similarity, self.bands, self.rows)


PRESETS: dict[str, dict[str, Any]] = {
    # Copies of one page, light edits: Jaccard >= 0.8 over 5-word shingles.
    # 32 bands of 8 rows find a 0.8 pair with probability 0.997 and a 0.5 pair with 0.12.
    "default": {},
    # Wire copy reprinted across sites: each site trims, retitles and adds its own
    # lines, so copies share about half their 5-word shingles. 64 bands of 4 rows
    # find a 0.5 pair with probability 0.984 (a 0.2 pair with 0.1).
    "reprint": {"threshold": 0.5, "bands": 64, "rows": 4, "max_bucket": 100},
}
"""Named ``DedupConfig`` settings: ``default`` (near-identical copies) and ``reprint`` (cross-site wire copy)."""


# -- text ----------------------------------------------------------------------------

_SEPARATORS = re.compile(r"[\s!-/:-@\[-`{-~\u2000-\u207f]+")
# Unicode whitespace outside ASCII: its presence sends normalisation down the slow, general path.
_WIDE_SPACE = re.compile("[\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
_ASCII_SPACE = np.zeros(256, dtype=np.bool_)
_ASCII_SPACE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True
_SEPARATOR_BYTES = _ASCII_SPACE.copy()
_SEPARATOR_BYTES[[c for c in range(33, 127) if not chr(c).isalnum()]] = True


def normalize_text(text: str) -> str:
    """NFC, casefolded, every whitespace run one space, trimmed. Diacritics are kept."""
    # str.split() splits on exactly what \s matches, and is several times faster than a regex.
    return " ".join(_fold(text).split())


def tokens(normalized: str) -> list[str]:
    """The words of a normalised text: runs between whitespace, ASCII punctuation and general punctuation (U+2000-U+207F).

    Letters keep their tone marks; ``token_hashes`` hashes exactly these words.

    >>> tokens("hà nội, “mưa to”—ngập 2,5m.")
    ['hà', 'nội', 'mưa', 'to', 'ngập', '2', '5m']
    """
    return [w for w in _SEPARATORS.split(normalized) if w]


def document_body(doc: Document) -> str:
    """The text compared: the kept lines that are not the title (all kept lines of an uncleaned dump)."""
    return "\n".join(line.text for line in doc.lines if line.label is not Label.TITLE)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    if not unicodedata.is_normalized("NFC", text):  # casefold can decompose (rare)
        text = unicodedata.normalize("NFC", text)
    return text


def normalized_bytes(text: str) -> bytes:
    """``normalize_text(text)`` encoded as UTF-8.

    >>> normalized_bytes(" Bàn\t\tBÁN ") == normalize_text(" Bàn\t\tBÁN ").encode()
    True
    """
    return _normalized_batch([text])[0]


def _normalized_batch(texts: Sequence[str]) -> list[bytes]:
    """``normalized_bytes`` of several texts, the whitespace collapsed in one numpy pass over them all.

    Texts are joined by NUL; a text holding NUL or a non-ASCII space takes the general path alone.
    """
    folded = [_fold(t) for t in texts]
    out: list[bytes | None] = [None] * len(folded)
    simple = []
    for i, t in enumerate(folded):
        if "\x00" in t or _WIDE_SPACE.search(t):
            out[i] = " ".join(t.split()).encode("utf-8", "surrogatepass")
        else:
            simple.append(i)
    if simple:
        data = "\x00".join(folded[i] for i in simple).encode("utf-8", "surrogatepass")
        b = np.frombuffer(data, dtype=np.uint8)
        space = _ASCII_SPACE[b]
        if space.any():
            edge = b == 0
            # A space goes when the byte before it is a space or a text boundary, or the byte after is a boundary;
            # the rest (the first of each run) become one plain space.
            before = np.concatenate(([True], space[:-1] | edge[:-1]))
            after = np.concatenate((edge[1:], [True]))
            drop = space & (before | after)
            # A run at a text's end: its first space survives "before" but is followed by spaces, then the edge.
            kept = b[~drop]
            keep_space = _ASCII_SPACE[kept]
            nxt = np.concatenate((kept[1:] == 0, [True]))
            kept = kept[~(keep_space & nxt)].copy()
            kept[_ASCII_SPACE[kept]] = 32
            data = kept.tobytes()
        for i, part in zip(simple, data.split(b"\x00")):
            out[i] = part
    return [o if o is not None else b"" for o in out]


def exact_key(normalized: str | bytes) -> bytes:
    """The 128-bit xxh3 digest of a normalised body (16 bytes)."""
    data = normalized if isinstance(normalized, bytes) else normalized.encode("utf-8", "surrogatepass")
    return xxhash.xxh3_128_digest(data)


_TRACKING = re.compile(r"^(utm_|fbclid$|gclid$|ref$|ref_src$|cmpid$|ocid$)")


def canonical_url(url: str) -> str | None:
    """A URL reduced to what names the story: host without ``www.``, path without a trailing slash, real query.

    >>> canonical_url("https://www.Example.com/tin/a-1.html/?utm_source=x&id=3#top")
    'example.com/tin/a-1.html?id=3'
    >>> canonical_url("not a url") is None
    True
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if not host:
        return None
    host = host.removeprefix("www.")
    path = parts.path.rstrip("/")
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)))
    return host + path + (f"?{query}" if query else "")


URL_FIELDS: Final = ("canonical_url", "canonical", "url")
"""Metadata keys read for a document's URL, first found wins (``io.html`` writes ``canonical`` and ``url``;
JSONL records bring whatever fields they have)."""


def document_url(doc: Document) -> str | None:
    """The first URL in the metadata (``URL_FIELDS`` order), as given."""
    for key in URL_FIELDS:
        value = doc.metadata.get(key)
        if isinstance(value, str) and value.strip():
            return value
    return None


def url_key(doc: Document) -> str | None:
    """The canonical form of the document's URL (``canonical_url``), or None when it has none."""
    url = document_url(doc)
    return canonical_url(url) if url is not None else None


DATE_FIELDS: Final = ("date", "published", "published_at", "date_published", "datePublished", "timestamp")
"""Metadata keys read for a document's date, first found wins."""


def document_date(doc: Document) -> float:
    """The document's date as a POSIX timestamp (naive dates taken as UTC), ``inf`` when unknown.

    >>> document_date(Document(metadata={"published": "2024-11-23T18:16:00+07:00"}))
    1732360560.0
    >>> document_date(Document(metadata={"date": "yesterday"}))
    inf
    """
    for key in DATE_FIELDS:
        value = doc.metadata.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            return float(value)
        if isinstance(value, str) and value.strip():
            text = value.strip().replace("Z", "+00:00")
            try:
                when = dt.datetime.fromisoformat(text)
            except ValueError:
                continue
            if when.tzinfo is None:
                when = when.replace(tzinfo=dt.UTC)
            return when.timestamp()
    return math.inf


# -- hashing -------------------------------------------------------------------------


def _mix(h: U64) -> U64:
    # xxh64's avalanche: every input bit reaches every output bit.
    h ^= h >> np.uint64(33)
    h *= _PRIME2
    h ^= h >> np.uint64(29)
    h *= _PRIME3
    h ^= h >> np.uint64(32)
    return h


_BASE: Final = 0x100000001B3  # odd, so it has an inverse modulo 2^64
_BASE_INV: Final = pow(_BASE, -1, 1 << 64)
_powers_cache: list[tuple[U64, U64]] = []


def _powers(n: int) -> tuple[U64, U64]:
    """``BASE**k`` and ``BASE**-k`` modulo 2^64 for ``k < n`` (at least), grown by doubling."""
    if _powers_cache and _powers_cache[0][0].size >= n:
        return _powers_cache[0]
    size = max(n, 2 * (_powers_cache[0][0].size if _powers_cache else 4096))
    up = np.full(size, _BASE, dtype=np.uint64)
    up[0] = 1
    down = np.full(size, _BASE_INV, dtype=np.uint64)
    down[0] = 1
    pair = (np.cumprod(up, dtype=np.uint64), np.cumprod(down, dtype=np.uint64))
    _powers_cache[:] = [pair]
    return pair


def token_hashes(normalized: bytes, seed: int = 0) -> U64:
    """A 64-bit hash of every word (``tokens``) of a normalised UTF-8 text, in order, without a Python loop.

    Words are found on the bytes (whitespace, ASCII punctuation and the
    three-byte U+2000-U+207F punctuation separate them) and hashed by a
    polynomial over their bytes, from prefix sums, then mixed. A word's hash
    does not depend on where it stands, so texts can be hashed joined.

    >>> a = token_hashes("một hai, một".encode())
    >>> len(a), bool(a[0] == a[2]), bool(a[0] == a[1])
    (3, True, False)
    """
    return _tokenize(normalized, seed)[0]


def _tokenize(normalized: bytes, seed: int) -> tuple[U64, I64]:
    """Word hashes and each word's first byte offset."""
    b = np.frombuffer(normalized, dtype=np.uint8)
    n = b.size
    if n == 0:
        return np.zeros(0, np.uint64), np.zeros(0, np.int64)
    sep = _SEPARATOR_BYTES[b]
    if b"\xe2\x80" in normalized or b"\xe2\x81" in normalized:
        hit = np.flatnonzero((b[:-2] == 0xE2) & ((b[1:-1] & 0xFE) == 0x80))
        sep[hit] = sep[hit + 1] = sep[hit + 2] = True
    word = np.empty(n + 2, np.int8)
    word[0] = word[-1] = 0
    np.logical_not(sep, out=word[1:-1].view(np.bool_))
    edges = word[1:] - word[:-1]
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    up, down = _powers(n + 1)
    prefix = np.zeros(n + 1, np.uint64)
    np.cumsum((b.astype(np.uint64) + np.uint64(1)) * up[:n], out=prefix[1:])
    raw = (prefix[ends] - prefix[starts]) * down[starts]
    raw ^= np.uint64((seed * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & 0xFFFFFFFFFFFFFFFF)
    return _mix(raw), starts.astype(np.int64)


def shingle_hashes(words: U64 | Sequence[str], shingle: int, seed: int = 0) -> U64:
    """The 64-bit hashes of every run of ``shingle`` consecutive words (empty when there are fewer words).

    ``words`` is the word hashes of ``token_hashes``, or the words themselves.
    Order-sensitive (``a b`` and ``b a`` differ) and not deduplicated.

    >>> len(shingle_hashes("một hai ba bốn năm sáu".split(), 5))
    2
    >>> len(shingle_hashes(["một"], 5))
    0
    """
    if not isinstance(words, np.ndarray):
        words = token_hashes(" ".join(words).encode("utf-8", "surrogatepass"), seed)
    t = words
    n = t.size - shingle + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    h = t[:n].copy()
    for j in range(1, shingle):
        h *= _PRIME1
        h ^= t[j : j + n]
    return _mix(h)


@functools.cache
def _probes(num_perm: int, seed: int) -> npt.NDArray[np.intp]:
    """For each bin, every other bin in a fixed pseudo-random order: where an empty bin borrows from."""
    rng = np.random.default_rng([seed, num_perm, 0x5EED])
    probes = np.empty((num_perm, num_perm - 1), dtype=np.intp)
    for b in range(num_perm):
        order = rng.permutation(num_perm)
        probes[b] = order[order != b]
    probes.setflags(write=False)
    return probes


_FIRST_PROBES: Final = 24  # enough for nearly every empty bin; the rest look further


def _densify(sig: U32, probes: npt.NDArray[np.intp]) -> None:
    """Fill each row's empty bins from its first non-empty bin along the bin's probe order (in place)."""
    empty = sig == EMPTY_BIN
    if not empty.any():
        return
    full_rows = ~empty.all(axis=1)  # a row with no shingle stays empty
    rows, cols = np.nonzero(empty & full_rows[:, None])
    if rows.size == 0:
        return
    short = probes[:, :_FIRST_PROBES]
    candidates = short[cols]  # (k, probes)
    ok = ~empty[rows[:, None], candidates]
    first = ok.argmax(axis=1)
    found = ok[np.arange(rows.size), first]
    source = candidates[np.arange(rows.size), first]
    if not found.all():
        lost = np.flatnonzero(~found)
        deep = probes[cols[lost]]
        ok_deep = ~empty[rows[lost][:, None], deep]
        source[lost] = deep[np.arange(lost.size), ok_deep.argmax(axis=1)]
    sig[rows, cols] = sig[rows, source]


def minhash(hashes: Sequence[U64], num_perm: int = 256, seed: int = 0) -> U32:
    """The signatures of several shingle-hash arrays at once, one row each (``uint32``, shape ``(n, num_perm)``).

    A row of ``EMPTY_BIN`` means the document had no shingle.
    """
    n = len(hashes)
    if n == 0:
        return np.full((0, num_perm), EMPTY_BIN, dtype=np.uint32)
    sizes = np.fromiter((len(h) for h in hashes), dtype=np.int64, count=n)
    allh = np.concatenate(hashes) if n > 1 else np.asarray(hashes[0])
    return _minhash_flat(allh, np.repeat(np.arange(n, dtype=np.int64), sizes), n, num_perm, seed)


def _minhash_flat(allh: U64, doc: I64, n: int, num_perm: int, seed: int) -> U32:
    """``minhash`` of shingle hashes given flat, with the row each belongs to."""
    sig = np.full((n, num_perm), EMPTY_BIN, dtype=np.uint32)
    if allh.size == 0:
        return sig
    bins = ((allh >> np.uint64(32)) % np.uint64(num_perm)).astype(np.int64)
    values = (allh & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    np.minimum.at(sig.reshape(-1), doc * num_perm + bins, values)
    _densify(sig, _probes(num_perm, seed))
    return sig


def estimated_jaccard(a: U32, b: U32) -> float:
    """The fraction of equal positions of two signatures (0 when either document had no shingle)."""
    if a.size == 0 or (a == EMPTY_BIN).all() or (b == EMPTY_BIN).all():
        return 0.0
    return float(np.count_nonzero(a == b)) / a.size


def jaccard(a: U32 | U64, b: U32 | U64) -> float:
    """The Jaccard similarity of two sorted arrays of distinct values (1 when both are empty).

    >>> jaccard(np.array([1, 2, 3]), np.array([2, 3, 4]))
    0.5
    """
    if a.size == 0 and b.size == 0:
        return 1.0
    both = np.intersect1d(a, b, assume_unique=True).size
    return both / (a.size + b.size - both)


def _fold32(h: U64) -> U32:
    """A 32-bit set element from a 64-bit shingle hash (collisions: about n^2 / 2^33 per pair, negligible)."""
    out: U32 = ((h ^ (h >> np.uint64(32))) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    return out


# -- signatures of a shard -------------------------------------------------------------


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@frozen(eq=False)
class Signatures:
    """The signatures of a shard of documents, row ``i`` for the ``i``-th document.

    Args:
        ids: each document's id.
        exact: ``(n, 2)`` ``uint64``, the 128-bit hash of the normalised body;
            all zeros for an empty body (an empty page is nobody's copy).
        urls: each document's canonical URL key ("" when none).
        length: UTF-8 bytes of the normalised body (the kept copy is the longest).
        date: POSIX timestamp, ``inf`` when unknown.
        tiebreak: a 64-bit hash of the raw body, the last resort of the kept-copy order.
        minhash: ``(n, num_perm)`` ``uint32``; ``EMPTY_BIN`` rows for documents
            with fewer words than a shingle.
        offsets: ``(n + 1,)`` ``int64``; the shingle set of row ``i`` is
            ``shingles[offsets[i]:offsets[i + 1]]``.
        shingles: sorted distinct 32-bit shingle hashes, every row's in turn.
    """

    ids: tuple[str, ...] = field(converter=_strings)
    exact: U64
    urls: tuple[str, ...] = field(converter=_strings)
    length: I64
    date: F64
    tiebreak: U64
    minhash: U32
    offsets: I64
    shingles: U32

    def __len__(self) -> int:
        return len(self.ids)

    def shingle_set(self, i: int) -> U32:
        """The sorted distinct shingle hashes of row ``i``."""
        return self.shingles[self.offsets[i] : self.offsets[i + 1]]

    @property
    def has_shingles(self) -> npt.NDArray[np.bool_]:
        """Which rows have at least one shingle (the others are compared by exact key only)."""
        mask: npt.NDArray[np.bool_] = self.offsets[1:] > self.offsets[:-1]
        return mask

    @classmethod
    def empty(cls, num_perm: int) -> Signatures:
        """The signatures of no document."""
        return cls(
            ids=(),
            exact=np.zeros((0, 2), np.uint64),
            urls=(),
            length=np.zeros(0, np.int64),
            date=np.zeros(0, np.float64),
            tiebreak=np.zeros(0, np.uint64),
            minhash=np.zeros((0, num_perm), np.uint32),
            offsets=np.zeros(1, np.int64),
            shingles=np.zeros(0, np.uint32),
        )


def _sign_batch(docs: Sequence[Document], config: DedupConfig) -> Signatures:
    n = len(docs)
    ids: list[str] = []
    urls: list[str] = []
    bodies: list[str] = []
    exact = np.zeros((n, 2), np.uint64)
    length = np.zeros(n, np.int64)
    date = np.zeros(n, np.float64)
    tiebreak = np.zeros(n, np.uint64)
    for i, doc in enumerate(docs):
        if not isinstance(doc, Document):
            raise TypeError(f"expected a Document, got {type(doc).__name__}")
        body = document_body(doc)
        bodies.append(body)
        ids.append(doc.id)
        urls.append((url_key(doc) or "") if config.use_url else "")
        date[i] = document_date(doc)
        tiebreak[i] = xxhash.xxh3_64_intdigest(body.encode("utf-8", "surrogatepass"))
    norms = _normalized_batch(bodies)
    for i, norm in enumerate(norms):
        if norm:
            exact[i] = np.frombuffer(exact_key(norm), dtype=np.uint64)
        length[i] = len(norm)
    # The whole batch at once: joined by a space (a separator), words hashed together, then each
    # shingle kept only when its words all come from one document.
    words, starts = _tokenize(b" ".join(norms), config.seed)
    first_byte = np.zeros(n, np.int64)
    np.cumsum(length[:-1] + 1, out=first_byte[1:])
    word_doc = np.searchsorted(first_byte, starts, side="right") - 1
    k = config.shingle
    if words.size >= k:
        h = shingle_hashes(words, k)
        inside = word_doc[: h.size] == word_doc[k - 1 :]
        h, shingle_doc = h[inside], word_doc[: inside.size][inside]
    else:
        h, shingle_doc = np.zeros(0, np.uint64), np.zeros(0, np.int64)
    # Each document's distinct 32-bit shingles, sorted: one sort of (document, value) keys.
    keys = np.sort((shingle_doc.astype(np.uint64) << np.uint64(32)) | _fold32(h).astype(np.uint64))
    keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if keys.size else keys
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount((keys >> np.uint64(32)).astype(np.int64), minlength=n), out=offsets[1:])
    return Signatures(
        ids=ids,
        exact=exact,
        urls=urls,
        length=length,
        date=date,
        tiebreak=tiebreak,
        minhash=_minhash_flat(h, shingle_doc.astype(np.int64), n, config.num_perm, config.seed),
        offsets=offsets,
        shingles=(keys & np.uint64(0xFFFFFFFF)).astype(np.uint32),
    )


def sign_shards(docs: Iterable[Document], config: DedupConfig, batch: int = 512) -> Iterator[Signatures]:
    """Sign documents ``batch`` at a time, lazily: one ``Signatures`` per batch (concatenate with ``concat``)."""
    chunk: list[Document] = []
    for doc in docs:
        chunk.append(doc)
        if len(chunk) >= batch:
            yield _sign_batch(chunk, config)
            chunk = []
    if chunk:
        yield _sign_batch(chunk, config)


def compute_signatures(docs: Iterable[Document], config: DedupConfig | None = None) -> Signatures:
    """The signatures of a shard of documents (a pure function of each document and ``config``)."""
    config = config or DedupConfig()
    return concat(list(sign_shards(docs, config)), config.num_perm)


def concat(shards: Sequence[Signatures], num_perm: int | None = None) -> Signatures:
    """Shards' signatures one after the other, as if signed together (the merge of ``sign_shards``).

    Args:
        shards: the parts, in the order their rows should have.
        num_perm: the signature width, needed only when ``shards`` is empty.
    """
    if not shards:
        return Signatures.empty(num_perm or DedupConfig().num_perm)
    if len(shards) == 1:
        return shards[0]
    widths = {s.minhash.shape[1] for s in shards}
    if len(widths) > 1:
        raise ConfigError(f"shards have different signature widths {sorted(widths)}", "concat", "one DedupConfig for every shard")
    starts = np.cumsum([0] + [int(s.offsets[-1]) for s in shards[:-1]])
    offsets = np.concatenate([shards[0].offsets[:1]] + [s.offsets[1:] + start for s, start in zip(shards, starts)])
    return Signatures(
        ids=[i for s in shards for i in s.ids],
        exact=np.concatenate([s.exact for s in shards]),
        urls=[u for s in shards for u in s.urls],
        length=np.concatenate([s.length for s in shards]),
        date=np.concatenate([s.date for s in shards]),
        tiebreak=np.concatenate([s.tiebreak for s in shards]),
        minhash=np.concatenate([s.minhash for s in shards]),
        offsets=offsets.astype(np.int64),
        shingles=np.concatenate([s.shingles for s in shards]),
    )


def describe(config: DedupConfig) -> Mapping[str, Any]:
    """The config as plain data (for the on-disk state's ``meta.json``)."""
    return {
        "shingle": config.shingle,
        "num_perm": config.num_perm,
        "bands": config.bands,
        "rows": config.rows,
        "threshold": config.threshold,
        "prefilter_margin": config.prefilter_margin,
        "max_bucket": config.max_bucket,
        "seed": config.seed,
        "use_url": config.use_url,
    }
