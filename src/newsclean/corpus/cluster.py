"""From signatures to decisions: which documents are copies of which, and which copy is kept.

1. ``priority_rank``: every row's place in the kept-copy order: the longest
   normalised body first, then the earliest date (unknown dates last), then
   the smallest id, then a hash of the raw body. The order depends only on
   the documents, never on where they sit in the input or which shard they
   came in, so two runs over the same corpus keep the same copies.
2. ``key_groups``: rows with the same exact key (normalised body) or the
   same canonical URL are one *group*; its first row in priority order is
   its representative and the others are dropped (``exact-duplicate``,
   ``same-url``).
3. Representatives are compared by LSH and true Jaccard (``lsh``).
4. ``resolve``: over the verified pairs, representatives are taken in
   priority order; one with a verified pair to an already kept row is
   dropped as its ``near-duplicate``, any other is kept. So every dropped
   document has a kept document it is at least ``threshold`` similar to (or
   identical to, or shares a URL with): the only copy of a text is never
   dropped. A *cluster* is a connected set of rows (by keys and verified
   pairs), named by its first row in priority order.

>>> from newsclean.core import Document
>>> from newsclean.corpus.signatures import compute_signatures, DedupConfig
>>> text = " ".join(f"word{i}" for i in range(40))
>>> docs = [Document.from_text(text, id="b"), Document.from_text(text + " more", id="a"),
...         Document.from_text(text.upper(), id="c")]
>>> p = plan(compute_signatures(docs), DedupConfig())
>>> [(d.id, d.kept, d.rule, d.kept_id) for d in p.decisions()]
[('b', False, 'near-duplicate', 'a'), ('a', True, '', 'a'), ('c', False, 'exact-duplicate', 'a')]
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt
from attrs import frozen

from newsclean.corpus.lsh import candidate_pairs, verify
from newsclean.corpus.signatures import DedupConfig, Signatures, jaccard

__all__ = ["Decision", "Plan", "components", "key_groups", "plan", "priority_rank", "resolve"]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

KEPT = ""
EXACT = "exact-duplicate"
SAME_URL = "same-url"
NEAR = "near-duplicate"
RULES = (EXACT, SAME_URL, NEAR)
"""The rules of a whole-document removal, stable ids fit for counting."""


def priority_rank(sigs: Signatures) -> I64:
    """Each row's position in the kept-copy order (0 = kept first): longest, earliest, smallest id, raw-text hash."""
    n = len(sigs)
    if n == 0:
        return np.zeros(0, np.int64)
    _, id_rank = np.unique(np.array(sigs.ids, dtype=object), return_inverse=True)
    order = np.lexsort((sigs.tiebreak, id_rank.reshape(-1), sigs.date, -sigs.length))
    rank = np.empty(n, np.int64)
    rank[order] = np.arange(n, dtype=np.int64)
    return rank


def components(n: int, pairs: I64, rank: I64) -> I64:
    """For each row, the row of least rank connected to it through ``pairs`` (its component's leader).

    Hooking and pointer jumping over arrays, in rank space; O(pairs · log n).
    """
    parent = np.arange(n, dtype=np.int64)  # in rank space: parent[r] is a rank
    if len(pairs):
        a_all, b_all = rank[pairs[:, 0]], rank[pairs[:, 1]]
        while True:
            a, b = parent[a_all], parent[b_all]
            differ = a != b
            if not differ.any():
                break
            a, b = a[differ], b[differ]
            low, high = np.minimum(a, b), np.maximum(a, b)
            np.minimum.at(parent, high, low)
            while True:  # compress every path to its root
                nxt = parent[parent]
                if np.array_equal(nxt, parent):
                    break
                parent = nxt
    by_rank = np.empty(n, np.int64)
    by_rank[rank] = np.arange(n, dtype=np.int64)  # rank -> row
    leader: I64 = by_rank[parent[rank]]
    return leader


def _same_key_pairs(keys: npt.NDArray[np.void] | npt.NDArray[np.object_], take: Bool, rank: I64) -> I64:
    rows = np.flatnonzero(take)
    if rows.size < 2:
        return np.zeros((0, 2), np.int64)
    _, inverse = np.unique(keys[rows], return_inverse=True)
    inverse = inverse.reshape(-1)
    # Each member paired with its group's first member in rank order (a star is enough to connect).
    order = np.lexsort((rank[rows], inverse))
    g = inverse[order]
    first = np.concatenate(([True], g[1:] != g[:-1]))
    head = np.maximum.accumulate(np.where(first, np.arange(g.size), 0))
    members = rows[order]
    pairs = np.stack((members[head], members), axis=1)[~first]
    return pairs.astype(np.int64)


def key_groups(sigs: Signatures, rank: I64, config: DedupConfig) -> tuple[I64, I64]:
    """Rows joined by the same exact key or canonical URL: ``(pairs, leader)``.

    ``pairs`` connect each row to its group's first row (for each key);
    ``leader[i]`` is the group's representative (its first row in priority
    order); a row is a representative when ``leader[i] == i``.
    """
    n = len(sigs)
    exact = np.ascontiguousarray(sigs.exact).view(np.dtype((np.void, 16))).reshape(-1)
    parts = [_same_key_pairs(exact, sigs.length > 0, rank)]
    if config.use_url:
        urls = np.array(sigs.urls, dtype=object)
        parts.append(_same_key_pairs(urls, urls != "", rank))
    pairs = np.concatenate(parts) if parts else np.zeros((0, 2), np.int64)
    return pairs, components(n, pairs, rank)


@frozen
class Decision:
    """What became of one document.

    Args:
        index: its row.
        id: its id.
        kept: whether it is kept.
        rule: ``""`` when kept, else ``exact-duplicate``, ``same-url`` or ``near-duplicate``.
        kept_id: the id of the kept document it is a copy of (its own id when kept).
        kept_index: that document's row.
        similarity: true Jaccard similarity to the kept document (1.0 for itself
            and exact copies; ``nan`` when one of the two has no shingle).
        cluster: the id of the cluster's first document in priority order.
        cluster_size: documents in the cluster.
        via: for a copy of a dropped representative, that representative's id ("" otherwise).
    """

    index: int
    id: str
    kept: bool
    rule: str
    kept_id: str
    kept_index: int
    similarity: float
    cluster: str
    cluster_size: int
    via: str = ""

    def evidence(self) -> str:
        """A sentence for a person: the rule, the kept copy, the similarity and the cluster."""
        if self.kept:
            return f"kept copy of cluster {self.cluster!r} ({self.cluster_size} documents)"
        how = {EXACT: "same normalised text as", SAME_URL: "same canonical URL as", NEAR: "near copy of"}[self.rule]
        sim = "" if math.isnan(self.similarity) else f", Jaccard {self.similarity:.2f}"
        via = f" (via {self.via!r})" if self.via else ""
        return f"{how} kept {self.kept_id!r}{via}{sim}; cluster {self.cluster!r} of {self.cluster_size}"

    def as_record(self) -> dict[str, object]:
        """The decision as plain JSON-able data."""
        return {
            "kept": self.kept,
            "rule": self.rule or None,
            "kept_id": self.kept_id,
            "similarity": None if math.isnan(self.similarity) else round(self.similarity, 4),
            "cluster": self.cluster,
            "cluster_size": self.cluster_size,
            **({"via": self.via} if self.via else {}),
        }


@frozen(eq=False)
class Plan:
    """The decision for every row of a corpus's signatures, as arrays.

    Args:
        ids: each row's document id.
        target: ``-1`` for a kept row, else the row of the kept copy.
        rule: the rule per row (``""`` for kept ones).
        similarity: Jaccard similarity to the kept copy (1 for kept rows).
        cluster: each row's cluster leader (a row).
        via: the dropped representative a row was grouped under, or ``-1``.
        size: the size of each row's cluster.
    """

    ids: tuple[str, ...]
    target: I64
    rule: tuple[str, ...]
    similarity: F64
    cluster: I64
    via: I64
    size: I64

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def kept(self) -> Bool:
        """Which rows are kept."""
        mask: Bool = self.target < 0
        return mask

    def decision(self, i: int) -> Decision:
        """The decision about row ``i``."""
        kept = bool(self.target[i] < 0)
        k = i if kept else int(self.target[i])
        leader = int(self.cluster[i])
        via = int(self.via[i])
        return Decision(
            index=i,
            id=self.ids[i],
            kept=kept,
            rule=self.rule[i],
            kept_id=self.ids[k],
            kept_index=k,
            similarity=float(self.similarity[i]),
            cluster=self.ids[leader],
            cluster_size=int(self.size[i]),
            via=self.ids[via] if via >= 0 else "",
        )

    def decisions(self) -> Iterator[Decision]:
        """Every row's decision, in row order."""
        for i in range(len(self)):
            yield self.decision(i)

    def counts(self) -> dict[str, int]:
        """How many rows each rule dropped, and how many were kept."""
        out = {"kept": int(self.kept.sum())}
        for rule in RULES:
            out[rule] = sum(1 for r in self.rule if r == rule)
        return out


def _similarity(sigs: Signatures, i: int, j: int) -> float:
    if i == j or bool((sigs.exact[i] == sigs.exact[j]).all()) and sigs.length[i] > 0:
        return 1.0
    a, b = sigs.shingle_set(i), sigs.shingle_set(j)
    if a.size == 0 or b.size == 0:
        return math.nan
    return jaccard(a, b)


def resolve(sigs: Signatures, rank: I64, group_pairs: I64, group_leader: I64, near_pairs: I64, near_sims: F64) -> Plan:
    """Decide every row from its group and the verified near-duplicate pairs between representatives."""
    n = len(sigs)
    target = np.full(n, -1, np.int64)
    similarity = np.ones(n, np.float64)
    rule = [KEPT] * n
    via = np.full(n, -1, np.int64)

    # Representatives, greedily in priority order over the verified pairs.
    adjacency: dict[int, list[tuple[int, float]]] = {}
    for (i, j), s in zip(near_pairs.tolist(), near_sims.tolist()):
        adjacency.setdefault(i, []).append((j, s))
        adjacency.setdefault(j, []).append((i, s))
    for v in sorted(adjacency, key=lambda r: int(rank[r])):
        best: tuple[float, int, int] | None = None  # (-similarity, rank, row) of the best kept neighbour
        for u, s in adjacency[v]:
            if rank[u] < rank[v] and target[u] < 0:
                option = (-s, int(rank[u]), u)
                if best is None or option < best:
                    best = option
        if best is not None:
            target[v] = best[2]
            similarity[v] = -best[0]
            rule[v] = NEAR

    # The other members of each group follow their representative's kept copy.
    for i in np.flatnonzero(group_leader != np.arange(n)).tolist():
        rep = int(group_leader[i])
        kept = rep if target[rep] < 0 else int(target[rep])
        target[i] = kept
        same_text = bool((sigs.exact[i] == sigs.exact[rep]).all()) and sigs.length[i] > 0
        rule[i] = EXACT if same_text else SAME_URL
        if kept != rep:
            via[i] = rep
        similarity[i] = similarity[rep] if same_text else _similarity(sigs, i, kept)

    cluster = components(n, np.concatenate((group_pairs, near_pairs)) if len(near_pairs) else group_pairs, rank)
    size = np.bincount(cluster, minlength=n).astype(np.int64)[cluster] if n else np.zeros(0, np.int64)
    return Plan(
        ids=sigs.ids, target=target, rule=tuple(rule), similarity=similarity, cluster=cluster, via=via, size=size
    )


def plan(sigs: Signatures, config: DedupConfig) -> Plan:
    """Every step at once: rank, group by keys, LSH candidates among representatives, verify, resolve."""
    rank = priority_rank(sigs)
    group_pairs, leader = key_groups(sigs, rank, config)
    reps = leader == np.arange(len(sigs))
    pairs = candidate_pairs(sigs, config, rank, eligible=reps)
    near, sims = verify(sigs, pairs, config)
    return resolve(sigs, rank, group_pairs, leader, near, sims)
