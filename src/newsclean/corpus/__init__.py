"""Corpus-level cleaning: deduplication (exact, same URL, MinHash near copies) and each site's repeated lines.

The one-call form is ``newsclean.dedup(docs)`` (``dedup.dedup``). Each step
is also a plain function over iterables and arrays, for running it in
several processes or on a cluster:

==========================  ===============================================  ==========================
step                        function                                         partition by
==========================  ===============================================  ==========================
sign                        ``sign_shards(docs, config)``,                   any split of the documents
                            ``compute_signatures``; join with ``concat``
band keys                   ``band_keys(sigs.minhash, config)``              rows (write column b to band b)
candidates                  ``band_candidates(keys_of_band_b, order, ...)``  band
                            then ``merge_pairs``
verify                      ``verify(sigs, pairs, config)``                  pairs
rank, groups, decide        ``priority_rank``, ``key_groups``, ``resolve``   (whole corpus, arrays only)
count lines                 ``LineStats.fit(kept_docs)``, merge with ``+``   any split of the kept copies
remove lines                ``RepeatedLines.from_stats(stats)`` (a stage)    documents
==========================  ===============================================  ==========================

On-disk state (``SignatureStore``, ``newsclean dedup --state DIR``), format 1::

    DIR/meta.json                {"format": 1, "config": {shingle, num_perm, bands, rows, threshold, ...},
                                  "rows": N, "complete": true}
    DIR/signatures/keys.jsonl    one JSON array [id, canonical URL or ""] per row, in input order
    DIR/signatures/exact.npy     (N, 2) uint64: xxh3-128 of the normalised body (0 for an empty body)
    DIR/signatures/length.npy    (N,) int64: UTF-8 bytes of the normalised body
    DIR/signatures/date.npy      (N,) float64: POSIX time, inf when unknown
    DIR/signatures/tiebreak.npy  (N,) uint64: xxh3-64 of the raw body
    DIR/signatures/minhash.npy   (N, num_perm) uint32: one-permutation MinHash, 0xFFFFFFFF = no shingle
    DIR/signatures/offsets.npy   (N + 1,) int64: row i's shingles are shingles[offsets[i]:offsets[i+1]]
    DIR/signatures/shingles.npy  (S,) uint32: each row's sorted distinct 32-bit shingle hashes
    DIR/bands/band-BBB.npy       (N,) uint64: band BBB's LSH key of every row
    DIR/plan.jsonl               one decision per row: {"id", "kept", "rule", "kept_id", "similarity",
                                  "cluster", "cluster_size"[, "via"]}
    DIR/lines.sqlite             lines(site, line, documents), sites(site, documents): LineStats.save

The ``.npy`` files are plain NumPy arrays (``numpy.load(path, mmap_mode="r")``
reads them without loading them); while signing, each shard is first
written under ``DIR/shards/NNNNNN/`` with the same names and joined at the end.
"""

from __future__ import annotations

from newsclean.corpus.cluster import Decision, Plan, components, key_groups, plan, priority_rank, resolve
from newsclean.corpus.dedup import (
    DEDUP_STAGE,
    DedupResult,
    SignatureStore,
    apply_decision,
    dedup,
    dedup_stream,
    mark_dropped,
    plan_from_store,
    sign_to_store,
)
from newsclean.corpus.lines import LineStats, RepeatedLines, line_key, site_of
from newsclean.corpus.lsh import (
    band_candidates,
    band_keys,
    candidate_pairs,
    estimated_similarities,
    merge_pairs,
    verify,
)
from newsclean.corpus.signatures import (
    PRESETS,
    DedupConfig,
    Signatures,
    canonical_url,
    compute_signatures,
    concat,
    estimated_jaccard,
    exact_key,
    jaccard,
    minhash,
    normalize_text,
    shingle_hashes,
    sign_shards,
    tokens,
    url_key,
)

__all__ = [
    "DEDUP_STAGE",
    "PRESETS",
    "Decision",
    "DedupConfig",
    "DedupResult",
    "LineStats",
    "Plan",
    "RepeatedLines",
    "SignatureStore",
    "Signatures",
    "apply_decision",
    "band_candidates",
    "band_keys",
    "candidate_pairs",
    "canonical_url",
    "components",
    "compute_signatures",
    "concat",
    "dedup",
    "dedup_stream",
    "estimated_jaccard",
    "estimated_similarities",
    "exact_key",
    "jaccard",
    "key_groups",
    "line_key",
    "mark_dropped",
    "merge_pairs",
    "minhash",
    "normalize_text",
    "plan",
    "plan_from_store",
    "priority_rank",
    "resolve",
    "shingle_hashes",
    "sign_shards",
    "sign_to_store",
    "site_of",
    "tokens",
    "url_key",
    "verify",
]
