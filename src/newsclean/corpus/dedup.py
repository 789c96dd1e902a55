"""Deduplicate a corpus: drop copies of a document, keep one, then drop the lines each site repeats.

``dedup(docs)`` runs everything in memory and returns every document in
input order: the kept ones with their repeated lines removed, the dropped
ones with every line removed (label ``duplicate``, stage ``dedup``, rule
``exact-duplicate``, ``same-url`` or ``near-duplicate``, evidence naming the
kept copy, the similarity and the cluster). Each document's
``metadata["dedup"]`` holds its decision as plain data.

>>> from newsclean.core import Document
>>> story = " ".join(f"câu{i}" for i in range(60))
>>> docs = [Document.from_text(f"Tiêu đề A\\n{story}", id="a"),
...         Document.from_text(f"Tiêu đề B\\n{story} thêm", id="b"),
...         Document.from_text("Một bài khác hẳn, ngắn.", id="c")]
>>> result = dedup(docs, boilerplate=False)
>>> [doc.id for doc in result.kept], [doc.id for doc in result.dropped]
(['b', 'c'], ['a'])
>>> print(result.dropped[0].explain().splitlines()[0])
line 0 duplicate <- dedup/near-duplicate: near copy of kept 'b', Jaccard 0.89; cluster 'b' of 2

For corpora larger than memory, ``SignatureStore`` keeps the signatures
on disk and the command line (``newsclean dedup --state DIR``) reads the
inputs three times (sign, count lines of kept copies, write); see
``newsclean.corpus`` for the on-disk format.
"""

from __future__ import annotations

import itertools
import json
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from attrs import evolve, field, frozen

from newsclean.core import Document, Label, Removal
from newsclean.corpus.cluster import Decision, Plan, key_groups, priority_rank, resolve
from newsclean.corpus.cluster import plan as plan_of
from newsclean.corpus.lines import LineStats, RepeatedLines
from newsclean.corpus.lsh import band_candidates, band_keys, merge_pairs, verify
from newsclean.corpus.signatures import DedupConfig, Signatures, compute_signatures, describe, sign_shards
from newsclean.errors import InputError

__all__ = [
    "DEDUP_STAGE",
    "DedupResult",
    "SignatureStore",
    "dedup",
    "dedup_stream",
    "mark_dropped",
    "plan_from_store",
]

DEDUP_STAGE = "dedup"
"""The stage name on whole-document removals."""

FORMAT_VERSION = 1


def mark_dropped(doc: Document, decision: Decision) -> Document:
    """``doc`` with every kept line removed as a duplicate, and its decision in ``metadata["dedup"]``."""
    evidence = decision.evidence()
    removals = [Removal(line, DEDUP_STAGE, Label.DUPLICATE, decision.rule, evidence) for line in doc.lines]
    out = doc.remove(removals) if removals else doc
    return evolve(out, metadata={**doc.metadata, "dedup": decision.as_record()})


def _mark_kept(doc: Document, decision: Decision) -> Document:
    return evolve(doc, metadata={**doc.metadata, "dedup": decision.as_record()})


def apply_decision(doc: Document, decision: Decision, stage: RepeatedLines | None = None) -> Document:
    """One document after deduplication: dropped whole, or kept with its repeated lines removed."""
    if not decision.kept:
        return mark_dropped(doc, decision)
    if stage is not None:
        doc = stage(doc)
    return _mark_kept(doc, decision)


@frozen
class DedupResult:
    """What ``dedup`` did.

    Args:
        documents: every input document, in input order, after deduplication.
        plan: the decision per document (row ``i`` is ``documents[i]``).
        line_stats: the repeated-line counts over the kept copies (empty
            when ``boilerplate`` was off).
    """

    documents: list[Document]
    plan: Plan = field(eq=False)
    line_stats: LineStats

    @property
    def kept(self) -> list[Document]:
        """The kept documents, in input order."""
        return [doc for doc, keep in zip(self.documents, self.plan.kept.tolist()) if keep]

    @property
    def dropped(self) -> list[Document]:
        """The dropped documents (every line removed, the reason in each removal), in input order."""
        return [doc for doc, keep in zip(self.documents, self.plan.kept.tolist()) if not keep]

    def counts(self) -> dict[str, int]:
        """Documents kept and dropped by each rule, and lines removed as repeated."""
        out = self.plan.counts()
        out["repeated-line"] = sum(1 for d in self.documents for r in d.removed if r.stage == RepeatedLines.name)
        return out


def dedup(
    docs: Iterable[Document],
    config: DedupConfig | str | None = None,
    *,
    boilerplate: bool = True,
    min_count: int = 3,
    min_share: float = 0.0,
    site_field: str = "site",
    id_separator: str = "/",
) -> DedupResult:
    """Deduplicate ``docs`` in memory: exact, same-URL and near copies, then each site's repeated lines.

    Args:
        docs: the documents (cleaned or raw); read once and held in memory.
        config: a ``DedupConfig``, a preset name (``"default"``, ``"reprint"``), or None for the default.
        boilerplate: also remove lines repeated across a site's kept documents (``RepeatedLines``).
        min_count: see ``RepeatedLines``.
        min_share: see ``RepeatedLines``.
        site_field: see ``newsclean.corpus.site_of``.
        id_separator: see ``newsclean.corpus.site_of``.
    """
    if isinstance(config, str):
        config = DedupConfig.preset(config)
    config = config or DedupConfig()
    docs = list(docs)
    sigs = compute_signatures(docs, config)
    plan = plan_of(sigs, config)
    stats = LineStats()
    stage = None
    if boilerplate:
        keep = plan.kept.tolist()
        stats = LineStats.fit(
            (d for d, k in zip(docs, keep) if k), site_field=site_field, id_separator=id_separator
        )
        stage = RepeatedLines.from_stats(
            stats, min_count=min_count, min_share=min_share, site_field=site_field, id_separator=id_separator)
    out = [apply_decision(doc, plan.decision(i), stage) for i, doc in enumerate(docs)]
    return DedupResult(documents=out, plan=plan, line_stats=stats)


# -- on disk ---------------------------------------------------------------------------

_ARRAYS = ("exact", "length", "date", "tiebreak", "minhash", "offsets", "shingles")


class SignatureStore:
    """Signatures, band keys, the plan and the line counts of a corpus, in a folder.

    See ``newsclean.corpus`` for the layout. Writing is shard by shard
    (``add``), so memory holds one shard; ``finish`` joins the shards into
    single memory-mapped arrays and writes the band keys one file per band.

    Args:
        folder: the state folder; created if missing, emptied by ``reset``.
        config: the settings the signatures are made with; a store made
            with other settings is refused.
    """

    def __init__(self, folder: str | Path, config: DedupConfig) -> None:
        self.folder = Path(folder)
        self.config = config
        self._shards = 0

    def reset(self) -> None:
        """Remove what an earlier run left, and write ``meta.json``."""
        if self.folder.exists() and not self.folder.is_dir():
            raise InputError("the state path is a file", str(self.folder), "--state with a folder name")
        for name in ("shards", "signatures", "bands"):
            shutil.rmtree(self.folder / name, ignore_errors=True)
        for name in ("plan.jsonl", "lines.sqlite", "meta.json"):
            (self.folder / name).unlink(missing_ok=True)
        (self.folder / "shards").mkdir(parents=True)
        self._write_meta(rows=0, done=False)

    def _write_meta(self, rows: int, done: bool) -> None:
        meta = {"format": FORMAT_VERSION, "config": dict(describe(self.config)), "rows": rows, "complete": done}
        (self.folder / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")

    def add(self, sigs: Signatures) -> None:
        """Write one shard's signatures (rows after every earlier shard's)."""
        where = self.folder / "shards" / f"{self._shards:06d}"
        where.mkdir(parents=True)
        for name in _ARRAYS:
            np.save(where / f"{name}.npy", getattr(sigs, name))
        with open(where / "keys.jsonl", "w", encoding="utf-8", errors="surrogatepass") as f:
            f.writelines(json.dumps([doc_id, url], ensure_ascii=False) + "\n" for doc_id, url in zip(sigs.ids, sigs.urls))
        self._shards += 1

    def finish(self) -> Signatures:
        """Join the shards into ``signatures/*.npy``, write ``bands/band-NNN.npy``, return them memory-mapped."""
        shards = sorted((self.folder / "shards").iterdir())
        parts = [{name: np.load(s / f"{name}.npy", mmap_mode="r") for name in _ARRAYS} for s in shards]
        out = self.folder / "signatures"
        out.mkdir(parents=True, exist_ok=True)
        rows = sum(p["length"].shape[0] for p in parts)
        # Offsets continue from shard to shard.
        offsets = np.lib.format.open_memmap(out / "offsets.npy", mode="w+", dtype=np.int64, shape=(rows + 1,))
        offsets[0], row, base = 0, 0, 0
        for p in parts:
            n = p["length"].shape[0]
            offsets[row + 1 : row + n + 1] = p["offsets"][1:] + base
            row, base = row + n, base + int(p["offsets"][-1])
        offsets.flush()
        for name in ("exact", "length", "date", "tiebreak", "minhash", "shingles"):
            first = parts[0][name] if parts else getattr(Signatures.empty(self.config.num_perm), name)
            total = sum(p[name].shape[0] for p in parts)
            target = np.lib.format.open_memmap(
                out / f"{name}.npy", mode="w+", dtype=first.dtype, shape=(total, *first.shape[1:])
            )
            at = 0
            for p in parts:
                target[at : at + p[name].shape[0]] = p[name]
                at += p[name].shape[0]
            target.flush()
            del target
        with open(out / "keys.jsonl", "w", encoding="utf-8", errors="surrogatepass") as f:
            f.writelines((s / "keys.jsonl").read_text(encoding="utf-8", errors="surrogatepass") for s in shards)
        del parts
        shutil.rmtree(self.folder / "shards")
        sigs = self.load()
        self._write_bands(sigs)
        self._write_meta(rows=len(sigs), done=True)
        return sigs

    def _write_bands(self, sigs: Signatures, chunk: int = 65536) -> None:
        bands = self.folder / "bands"
        bands.mkdir(exist_ok=True)
        files = [
            np.lib.format.open_memmap(bands / f"band-{b:03d}.npy", mode="w+", dtype=np.uint64, shape=(len(sigs),))
            for b in range(self.config.bands)
        ]
        for start in range(0, len(sigs), chunk):
            keys = band_keys(np.asarray(sigs.minhash[start : start + chunk]), self.config)
            for b, f in enumerate(files):
                f[start : start + chunk] = keys[:, b]
        for f in files:
            f.flush()

    def load(self) -> Signatures:
        """The joined signatures, big arrays memory-mapped."""
        where = self.folder / "signatures"
        if not where.is_dir():
            raise InputError("no signatures in the state folder", str(self.folder), "running the signing pass first")
        ids, urls = [], []
        with open(where / "keys.jsonl", encoding="utf-8", errors="surrogatepass") as f:
            for line in f:
                doc_id, url = json.loads(line)
                ids.append(doc_id)
                urls.append(url)
        arrays = {name: np.load(where / f"{name}.npy", mmap_mode="r") for name in _ARRAYS}
        return Signatures(ids=ids, urls=urls, **arrays)

    def band(self, b: int) -> npt.NDArray[np.uint64]:
        """Band ``b``'s key for every row (memory-mapped)."""
        keys: npt.NDArray[np.uint64] = np.load(self.folder / "bands" / f"band-{b:03d}.npy", mmap_mode="r")
        return keys

    def save_plan(self, plan: Plan) -> None:
        """Write ``plan.jsonl``: one decision per row, in row order."""
        with open(self.folder / "plan.jsonl", "w", encoding="utf-8", errors="surrogatepass") as f:
            f.writelines(json.dumps({"id": d.id, **d.as_record()}, ensure_ascii=False) + "\n" for d in plan.decisions())

    @property
    def lines_path(self) -> Path:
        """The sqlite file of line counts (``LineStats.save``)."""
        return self.folder / "lines.sqlite"


def plan_from_store(store: SignatureStore, sigs: Signatures) -> Plan:
    """The plan of a corpus whose signatures are in ``store``: candidates read band by band from the band files."""
    config = store.config
    rank = priority_rank(sigs)
    group_pairs, leader = key_groups(sigs, rank, config)
    take = (leader == np.arange(len(sigs))) & sigs.has_shingles
    rows = np.flatnonzero(take).astype(np.int64)
    pairs = merge_pairs(
        band_candidates(np.asarray(store.band(b))[rows], rank[rows], config.max_bucket, rows) for b in range(config.bands)
    )
    near, sims = verify(sigs, pairs, config)
    return resolve(sigs, rank, group_pairs, leader, near, sims)


def sign_to_store(docs: Iterable[Document], store: SignatureStore, batch: int = 2048) -> Signatures:
    """Sign ``docs`` shard by shard into ``store`` and return the joined, memory-mapped signatures."""
    store.reset()
    for shard in sign_shards(docs, store.config, batch=batch):
        store.add(shard)
    return store.finish()


def iter_applied(docs: Iterable[Document], plan: Plan, stage: RepeatedLines | None = None) -> Iterator[Document]:
    """Documents in the order they were signed, each with its decision applied.

    Raises:
        InputError: the documents are not the ones the plan was made from
            (an input changed between two reads).
    """
    n = len(plan)
    for i, doc in enumerate(docs):
        if i >= n or doc.id != plan.ids[i]:
            raise _changed()
        yield apply_decision(doc, plan.decision(i), stage)


def _changed() -> InputError:
    return InputError("the inputs changed between two reads", "dedup --state", "inputs that stay the same during the run")


def dedup_stream(
    read: Callable[[], Iterable[Document]],
    store: SignatureStore,
    *,
    boilerplate: bool = True,
    min_count: int = 3,
    min_share: float = 0.0,
    site_field: str = "site",
    id_separator: str = "/",
    batch: int = 10_000,
) -> Iterator[Document]:
    """``dedup`` for corpora larger than memory: the state in ``store``, the inputs read three times.

    ``read()`` must give the same documents in the same order each time it is
    called: once to sign them (signatures to disk, shard by shard), once to
    count the lines of the kept copies (``batch`` documents at a time, added
    to ``lines.sqlite``), once to apply the decisions, lazily.
    """
    sigs = sign_to_store(read(), store)
    plan = plan_from_store(store, sigs)
    store.save_plan(plan)
    stage = None
    if boilerplate:
        keep = plan.kept
        kept = (doc for i, doc in enumerate(read()) if i < len(keep) and keep[i])
        while chunk := list(itertools.islice(kept, batch)):
            LineStats.fit(chunk, site_field=site_field, id_separator=id_separator).save(store.lines_path)
        stats = LineStats.load(store.lines_path, min_count=min_count) if store.lines_path.exists() else LineStats()
        stage = RepeatedLines.from_stats(
            stats, min_count=min_count, min_share=min_share, site_field=site_field, id_separator=id_separator
        )
    count = 0
    for doc in iter_applied(read(), plan, stage):
        count += 1
        yield doc
    if count != len(plan):
        raise _changed()


def config_for(preset: str, **overrides: Any) -> DedupConfig:
    """A preset with the options the caller set (``None`` values ignored)."""
    return DedupConfig.preset(preset, **{k: v for k, v in overrides.items() if v is not None})
