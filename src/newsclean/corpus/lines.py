"""Lines a site repeats on every page (menus, teaser headlines, footers): counted over a corpus, then removed.

This is a fit-then-apply pair. ``LineStats.fit(docs)`` counts, per site, in
how many documents each normalised line appears (each document counted
once per line); the result is a frozen value, and two of them merge with
``+`` (a fold: counts add), so shards or workers can count separately.
``RepeatedLines.from_stats(stats)`` is then a pure stage: it removes a kept line that
appears in at least ``min_count`` documents of the page's own site.

Count over *cluster representatives*, one document per cluster (the kept
copies of ``newsclean.dedup``): a story reprinted twenty times would
otherwise make its own paragraphs look like furniture. Since clusters are
disjoint, representatives counted in different shards add up exactly.

A page's *site* (``site_of``) is, first found:

1. the metadata field ``site_field`` (default ``"site"``) when the reader
   brought one (a JSONL ``"site"`` field lands there);
2. the host of its URL (``canonical_url``, ``canonical`` or ``url`` metadata),
   lowercased, ``www.`` dropped;
3. the part of its id before the first ``id_separator`` (default ``"/"``:
   ids like ``"vnexpress/2024/123"`` give ``"vnexpress"``);
4. ``""``: every page with none of these is taken to come from one site
   (a folder of dumps from one site, like ``seeds/``).

The title is never removed this way: a line labelled ``title``, or equal to
the page's markup title, stays even when other pages of the site list it as
a teaser.

>>> from newsclean.core import Document
>>> menu = "Trang chủ | Thời sự | Thể thao"
>>> docs = [Document.from_text(f"Tin số {i}\\n{menu}\\nNội dung riêng {i}.", id=f"s/{i}") for i in range(4)]
>>> stats = LineStats.fit(docs)
>>> stats.count("s", menu), stats.count("s", "Nội dung riêng 1."), stats.documents["s"]
(4, 1, 4)
>>> doc = RepeatedLines.from_stats(stats)(docs[0])
>>> doc.text
'Tin số 0\\nNội dung riêng 0.'
>>> print(doc.explain())
line 1 boilerplate <- repeated_lines/repeated-line: in 4 of 4 documents of site 's' (at least 3)
"""

from __future__ import annotations

import math
import sqlite3
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar, Self
from urllib.parse import urlsplit

import xxhash
from attrs import field, frozen
from attrs.validators import ge, instance_of, le

from newsclean.core import Document, Label, Removal
from newsclean.corpus.signatures import URL_FIELDS, normalize_text
from newsclean.errors import InputError
from newsclean.pipeline import as_document, register

__all__ = ["LineStats", "RepeatedLines", "line_key", "site_of"]

TITLE_FIELDS = ("title", "og_title")
"""Metadata keys holding the page's own title (``io.html`` writes both)."""


def line_key(text: str) -> int:
    """The 64-bit key of a line: xxh3 of its normalised text (NFC, casefold, spaces collapsed); 0 for a blank line.

    >>> line_key("Tin  KHÁC") == line_key("tin khác")
    True
    """
    norm = normalize_text(text)
    return xxhash.xxh3_64_intdigest(norm.encode("utf-8", "surrogatepass")) if norm else 0


def site_of(doc: Document, site_field: str = "site", id_separator: str = "/") -> str:
    """The site a document belongs to: its ``site_field``, its URL's host, its id's prefix, else ``""``.

    >>> site_of(Document(id="x", metadata={"url": "https://www.Báo.vn/a/b.html"}))
    'báo.vn'
    >>> site_of(Document(id="vnexpress/2024/1")), site_of(Document(id="000_b6b4"))
    ('vnexpress', '')
    """
    value = doc.metadata.get(site_field) if site_field else None
    if isinstance(value, str) and value.strip():
        return value.strip()
    for key in URL_FIELDS:
        url = doc.metadata.get(key)
        if isinstance(url, str) and url.strip():
            try:
                host = urlsplit(url.strip()).hostname
            except ValueError:
                host = None
            if host:
                return host.lower().removeprefix("www.")
    if id_separator and id_separator in doc.id:
        return doc.id.split(id_separator, 1)[0]
    return ""


def _key(value: Any) -> int:
    # A config holds keys as strings: a decimal number is a line key, any other text is the line itself.
    if isinstance(value, int):
        return value
    text = str(value)
    return int(text) if text.isdecimal() and text.isascii() else line_key(text)


def _counts(value: Mapping[Any, Mapping[Any, Any]]) -> dict[str, dict[int, int]]:
    out: dict[str, dict[int, int]] = {}
    for site, lines in value.items():
        mine = out.setdefault(str(site), {})
        for k, n in lines.items():
            key = _key(k)
            mine[key] = mine.get(key, 0) + int(n)
    return out


def _documents(value: Mapping[Any, Any]) -> dict[str, int]:
    return {str(site): int(n) for site, n in value.items()}


@frozen
class LineStats:
    """Per site: how many counted documents there are, and in how many of them each line appears.

    Build it with ``fit``; merge with ``+``. Read it with ``count``.

    Args:
        counts: site -> line key (``line_key``) -> documents with that line.
        documents: site -> documents counted.
    """

    counts: dict[str, dict[int, int]] = field(factory=dict, converter=_counts, hash=False)
    documents: dict[str, int] = field(factory=dict, converter=_documents, hash=False)

    @classmethod
    def fit(cls, docs: Iterable[Document], *, site_field: str = "site", id_separator: str = "/") -> LineStats:
        """Count the kept lines of ``docs`` (one per cluster), each line once per document.

        Args:
            docs: the documents to count, typically the kept copies after deduplication.
            site_field: see ``site_of``.
            id_separator: see ``site_of``.
        """
        counts: dict[str, Counter[int]] = {}
        documents: Counter[str] = Counter()
        for doc in docs:
            doc = as_document(doc)
            site = site_of(doc, site_field, id_separator)
            documents[site] += 1
            keys = {line_key(line.text) for line in doc.lines if line.text}
            keys.discard(0)
            counts.setdefault(site, Counter()).update(keys)
        return cls(counts={s: dict(c) for s, c in counts.items()}, documents=dict(documents))

    def __add__(self, other: LineStats) -> LineStats:
        """The stats of both corpora (their documents must be different clusters)."""
        if not isinstance(other, LineStats):
            return NotImplemented
        counts = {site: dict(lines) for site, lines in self.counts.items()}
        for site, lines in other.counts.items():
            mine = counts.setdefault(site, {})
            for key, n in lines.items():
                mine[key] = mine.get(key, 0) + n
        documents = dict(self.documents)
        for site, n in other.documents.items():
            documents[site] = documents.get(site, 0) + n
        return LineStats(counts=counts, documents=documents)

    def count(self, site: str, text: str) -> int:
        """In how many counted documents of ``site`` the line ``text`` appears."""
        return self.counts.get(site, {}).get(line_key(text), 0)

    def pruned(self, min_count: int) -> LineStats:
        """Only the lines counted at least ``min_count`` times: small enough to ship to workers.

        A pruned value no longer merges exactly (a line below the cut in
        each part can reach it in the sum), so prune after the last merge.
        """
        return LineStats(
            counts={s: {k: n for k, n in lines.items() if n >= min_count} for s, lines in self.counts.items()},
            documents=self.documents,
        )

    def repeated(self, min_count: int) -> int:
        """How many (site, line) pairs reach ``min_count``."""
        return sum(1 for lines in self.counts.values() for n in lines.values() if n >= min_count)

    # -- on disk: sqlite ----------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        """Add these counts to the sqlite file at ``path`` (created if missing): saving shards into one file merges them.

        Tables: ``lines(site TEXT, line INTEGER, documents INTEGER, PRIMARY KEY (site, line))``
        with ``line`` the signed 64-bit form of ``line_key``, and
        ``sites(site TEXT PRIMARY KEY, documents INTEGER)``.
        """
        with sqlite3.connect(str(path)) as db:
            _schema(db)
            db.executemany(
                "INSERT INTO lines VALUES (?, ?, ?) ON CONFLICT (site, line) DO UPDATE SET documents = documents + excluded.documents",
                ((site, _signed(k), n) for site, lines in self.counts.items() for k, n in lines.items()),
            )
            db.executemany(
                "INSERT INTO sites VALUES (?, ?) ON CONFLICT (site) DO UPDATE SET documents = documents + excluded.documents",
                self.documents.items(),
            )
        db.close()

    @classmethod
    def load(cls, path: str | Path, min_count: int = 1) -> Self:
        """The counts in a sqlite file written by ``save``, only lines counted at least ``min_count`` times."""
        if not Path(path).is_file():
            raise InputError("line counts not found", str(path), "a file written by LineStats.save")
        with sqlite3.connect(str(path)) as db:
            counts: dict[str, dict[int, int]] = {}
            for site, key, n in db.execute("SELECT site, line, documents FROM lines WHERE documents >= ?", (min_count,)):
                counts.setdefault(site, {})[key & 0xFFFFFFFFFFFFFFFF] = n
            documents = dict(db.execute("SELECT site, documents FROM sites").fetchall())
        db.close()
        return cls(counts=counts, documents=documents)


def _signed(key: int) -> int:
    return key - (1 << 64) if key >= 1 << 63 else key


def _schema(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE IF NOT EXISTS lines (site TEXT, line INTEGER, documents INTEGER, PRIMARY KEY (site, line))")
    db.execute("CREATE TABLE IF NOT EXISTS sites (site TEXT PRIMARY KEY, documents INTEGER)")


@register
@frozen
class RepeatedLines:
    """Remove lines that many pages of the same site repeat (menus, teaser headlines, footers), by corpus counts.

    A kept line is removed, labelled ``boilerplate`` with rule
    ``repeated-line``, when the counts have it in at least ``min_count``
    documents of the page's site and in at least ``min_share`` of them.
    Build it with ``RepeatedLines.from_stats(LineStats.fit(kept_docs))``;
    the counts are its fields, so it pickles and round-trips through a
    config like every stage.

    Keeps: the page's title (a line labelled ``title`` or equal to its markup
    title), lines of sites the counts never saw, and every line when the
    counts are empty (the default).

    Args:
        counts: ``LineStats.counts``: site -> line key -> documents with the line. In a
            config file a key may also be the line's text (any key that is not a decimal
            number), so a hand-written list of a site's furniture reads as such.
        documents: ``LineStats.documents``: site -> documents counted.
        min_count: documents of the site a line must appear in.
        min_share: fraction of the site's counted documents it must appear in
            (0 to 1; on a site of many pages, a share guards the body of a
            story told in a few of them).
        site_field: see ``site_of``.
        id_separator: see ``site_of``.

    >>> from newsclean.core import Document
    >>> pages = [Document.from_text(f"Bài {i}\\nĐọc nhiều\\nThân bài {i}.") for i in range(3)]
    >>> stage = RepeatedLines.from_stats(LineStats.fit(pages), min_count=3)
    >>> [r.line.text for r in stage(pages[1]).removed]
    ['Đọc nhiều']
    """

    name: ClassVar[str] = "repeated_lines"
    counts: dict[str, dict[int, int]] = field(factory=dict, converter=_counts, hash=False)
    documents: dict[str, int] = field(factory=dict, converter=_documents, hash=False)
    min_count: int = field(default=3, validator=[instance_of(int), ge(1)])
    min_share: float = field(default=0.0, converter=float, validator=[ge(0.0), le(1.0)])
    site_field: str = field(default="site", validator=instance_of(str))
    id_separator: str = field(default="/", validator=instance_of(str))

    @classmethod
    def from_stats(cls, stats: LineStats, **options: Any) -> RepeatedLines:
        """The stage that applies ``stats``, with any other option."""
        return cls(counts=stats.counts, documents=stats.documents, **options)

    @property
    def stats(self) -> LineStats:
        """The counts as a ``LineStats``."""
        return LineStats(counts=self.counts, documents=self.documents)

    def __call__(self, doc: Document) -> Document:
        doc = as_document(doc)
        site = site_of(doc, self.site_field, self.id_separator)
        lines = self.counts.get(site)
        if not lines:
            return doc
        total = self.documents.get(site, 0)
        need = max(self.min_count, math.ceil(self.min_share * total))
        titles = {line_key(t) for f in TITLE_FIELDS if isinstance(t := doc.metadata.get(f), str)}
        removals = []
        for line in doc.lines:
            if line.label is Label.TITLE or not line.text:
                continue
            key = line_key(line.text)
            n = lines.get(key, 0)
            if n >= need and key not in titles:
                evidence = f"in {n} of {total} documents of site {site!r} (at least {need})"
                removals.append(Removal(line, self.name, Label.BOILERPLATE, "repeated-line", evidence))
        return doc.remove(removals)
