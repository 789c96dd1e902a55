"""Locality-sensitive hashing: band keys, candidate pairs, and their verification by true Jaccard.

Each step is a plain function over arrays, so the work can be partitioned:
``band_keys`` of a shard is a pure function of its signatures (rows may be
written out partitioned by band), ``band_candidates`` needs only one band's
keys of the whole corpus, and ``verify`` needs only the two rows of a pair.

Rows are named by their position in the corpus (``int64``); ``order`` is a
per-row key that does not depend on where a row sits (its rank in the
kept-copy order, see ``cluster.priority_rank``), so that capping a huge bucket
picks the same pairs however the corpus was ordered or split.

>>> import numpy as np
>>> keys = np.array([7, 3, 7, 7, 3, 9], dtype=np.uint64)
>>> sorted(map(tuple, band_candidates(keys, order=np.arange(6), max_bucket=10).tolist()))
[(0, 2), (0, 3), (1, 4), (2, 3)]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt

from newsclean.corpus.signatures import EMPTY_BIN, DedupConfig, Signatures, jaccard

__all__ = ["band_candidates", "band_keys", "candidate_pairs", "estimated_similarities", "merge_pairs", "verify"]

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
F64 = npt.NDArray[np.float64]

_M1 = np.uint64(0xFF51AFD7ED558CCD)
_M2 = np.uint64(0xC4CEB9FE1A85EC53)


def band_keys(minhash: npt.NDArray[np.uint32], config: DedupConfig) -> U64:
    """One 64-bit key per band per row, shape ``(n, bands)``: equal keys mean equal band values (up to 2^-64).

    A pure function of each row, so shards can compute theirs independently
    and write column ``b`` to band ``b``'s partition.
    """
    n = minhash.shape[0]
    used = minhash[:, : config.bands * config.rows].astype(np.uint64).reshape(n, config.bands, config.rows)
    key = np.broadcast_to(np.arange(config.bands, dtype=np.uint64) * _M2, (n, config.bands)).copy()
    for r in range(config.rows):
        key ^= used[:, :, r]
        key *= _M1
        key ^= key >> np.uint64(29)
    return key


def band_candidates(keys: U64, order: I64 | npt.NDArray[np.intp], max_bucket: int, rows: I64 | None = None) -> I64:
    """The pairs of rows sharing a key in one band, shape ``(m, 2)``, each pair ``(i, j)`` with ``order[i] < order[j]``.

    Args:
        keys: the band's key of each row taken part.
        order: a content-derived key per row (a total order, independent of
            input order): bucket members are sorted by it.
        max_bucket: a bucket of more rows pairs each row only with the
            ``max_bucket - 1`` rows after it in ``order``, so the count stays
            linear in its size.
        rows: the row number of each key (default: ``0 .. len(keys) - 1``).
    """
    n = keys.size
    if rows is None:
        rows = np.arange(n, dtype=np.int64)
    if n < 2:
        return np.zeros((0, 2), np.int64)
    sort = np.lexsort((np.asarray(order), keys))
    k = keys[sort]
    starts = np.flatnonzero(np.concatenate(([True], k[1:] != k[:-1])))
    sizes = np.diff(np.concatenate((starts, [n])))
    multi = sizes >= 2
    starts, sizes = starts[multi], sizes[multi]
    if starts.size == 0:
        return np.zeros((0, 2), np.int64)
    members = rows[sort]
    out: list[I64] = []
    # For every offset d, pair each member with the member d places after it in the same bucket.
    reach = int(min(sizes.max(), max_bucket)) - 1
    for d in range(1, reach + 1):
        fits = sizes > d
        if not fits.any():
            break
        s, z = starts[fits], sizes[fits]
        total = int((z - d).sum())
        first = np.repeat(s, z - d) + (np.arange(total) - np.repeat(np.cumsum(z - d) - (z - d), z - d))
        out.append(np.stack((members[first], members[first + d]), axis=1))
    return np.concatenate(out).astype(np.int64)


def merge_pairs(parts: Iterable[I64]) -> I64:
    """Pairs from every band (or every partition) as one sorted array without repeats."""
    arrays = [p for p in parts if p.size]
    if not arrays:
        return np.zeros((0, 2), np.int64)
    both = np.concatenate(arrays)
    return np.unique(both, axis=0)


def candidate_pairs(sigs: Signatures, config: DedupConfig, order: I64, eligible: npt.NDArray[np.bool_] | None = None) -> I64:
    """Candidate pairs over all bands, among the rows with shingles (and ``eligible``, when given)."""
    take = sigs.has_shingles if eligible is None else sigs.has_shingles & eligible
    rows = np.flatnonzero(take).astype(np.int64)
    if rows.size < 2:
        return np.zeros((0, 2), np.int64)
    keys = band_keys(sigs.minhash[rows], config)
    return merge_pairs(
        band_candidates(np.ascontiguousarray(keys[:, b]), order[rows], config.max_bucket, rows)
        for b in range(config.bands)
    )


def estimated_similarities(minhash: npt.NDArray[np.uint32], pairs: I64, chunk: int = 65536) -> F64:
    """The MinHash estimate of each pair's Jaccard similarity, vectorised."""
    out = np.zeros(len(pairs), np.float64)
    for start in range(0, len(pairs), chunk):
        p = pairs[start : start + chunk]
        a, b = minhash[p[:, 0]], minhash[p[:, 1]]
        out[start : start + chunk] = ((a == b) & (a != EMPTY_BIN)).mean(axis=1)
    return out


def verify(sigs: Signatures, pairs: I64, config: DedupConfig) -> tuple[I64, F64]:
    """The candidate pairs whose true Jaccard similarity reaches ``config.threshold``, with that similarity.

    Pairs whose MinHash estimate is below ``threshold - prefilter_margin`` are
    dropped unverified (they are many times the estimate's deviation away).
    """
    if len(pairs) == 0:
        return np.zeros((0, 2), np.int64), np.zeros(0, np.float64)
    estimate = estimated_similarities(sigs.minhash, pairs)
    pairs = pairs[estimate >= config.threshold - config.prefilter_margin]
    sims = np.fromiter(
        (jaccard(sigs.shingle_set(int(i)), sigs.shingle_set(int(j))) for i, j in pairs), dtype=np.float64, count=len(pairs)
    )
    keep = sims >= config.threshold
    return pairs[keep], sims[keep]


def pair_similarity(sigs: Signatures, pairs: Sequence[tuple[int, int]]) -> list[float]:
    """The true Jaccard similarity of each pair of rows."""
    return [jaccard(sigs.shingle_set(i), sigs.shingle_set(j)) for i, j in pairs]
