"""Deduplication on a generated corpus with near copies injected at known Jaccard similarity.

The corpus: ``--docs`` documents (default 100,000) on ``--sites`` sites. Each
document has its site's menu and footer lines, five teaser headlines from its
site's pool, and a body of 150 to 800 words drawn from the syllables of the
seed pages' body lines (``--seeds``, gold labels used), weighted by how often
they occur there. A ``--dup-rate`` share of the documents are copies of
another document of the corpus (its *original*): a tenth are the same page
again (case and spacing changed: exact copies), the rest have up to 3 % of
their words replaced, half of them in the same page frame and half on another
site (other menus and teasers), so the true Jaccard similarity of their 5-word
shingles spreads from about 0.4 to 1. The true similarity of every injected pair is measured on the
shingle sets afterwards, never assumed.

Steps, each timed in CPU seconds (``time.process_time``; docs/s per core is
documents / CPU seconds) and wall seconds:

- bare: ``normalize_text`` and ``str.split`` of every body, the cost of
  touching the text at all (the baseline the other steps are divided by);
- signatures: ``compute_signatures`` (keys, shingles, MinHash);
- lsh: ranks, key groups, band keys and candidate pairs;
- verify: true Jaccard of the candidates;
- cluster: ``resolve`` (greedy kept copies, clusters);
- lines: ``LineStats.fit`` over the kept copies and ``RepeatedLines`` on each.

Recall at J >= 0.8: the share of injected pairs (original, copy) of true
similarity >= 0.8 whose two documents end up in one cluster. Precision: the
share of dropped documents whose kept copy is of their own family (an
original and its copies); any other drop is a false positive. Peak memory is
``resource.getrusage(RUSAGE_SELF).ru_maxrss``.

    python benchmarks/dedup.py                         # 100,000 documents from ./seeds
    python benchmarks/dedup.py --docs 20000 --seeds seeds/ --json benchmarks/_work/dedup.json
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from newsclean.core import KEPT_LABELS, Document, Label
from newsclean.corpus import (
    DedupConfig,
    LineStats,
    RepeatedLines,
    candidate_pairs,
    compute_signatures,
    jaccard,
    key_groups,
    normalize_text,
    priority_rank,
    resolve,
    verify,
)

T = TypeVar("T")


def seed_vocabulary(folder: Path) -> tuple[list[str], list[str]]:
    """Body syllables (with repeats, so sampling follows their frequency) and boilerplate lines of the seeds."""
    syllables: list[str] = []
    furniture: list[str] = []
    for labels in sorted(folder.glob("*.labels.tsv")):
        for row in labels.read_text(encoding="utf-8").split("\n"):
            if "\t" not in row:
                continue
            label, text = row.split("\t", 1)
            if Label(label) in KEPT_LABELS:
                syllables += [w.strip(".,;:!?\"“”()") for w in text.split() if w.strip(".,;:!?\"“”()")]
            elif text.strip():
                furniture.append(text.strip())
    if not syllables:
        raise SystemExit(f"benchmarks/dedup.py: error: no gold-labelled seeds in {folder}; try --seeds seeds/")
    return syllables, furniture


def make_corpus(n: int, sites: int, dup_rate: float, seeds: Path, seed: int) -> tuple[list[Document], list[int]]:
    """The documents and, for each, the index of its original (-1 for an original)."""
    rng = random.Random(seed)
    syllables, furniture = seed_vocabulary(seeds)
    # Numbered variants widen the vocabulary (the seeds have a few thousand syllables),
    # so unrelated bodies share only as many shingles as real unrelated articles do.
    vocab = [f"{w}{rng.randrange(50)}" if rng.random() < 0.5 else w for w in syllables for _ in range(3)]
    site_menus = [[f"{rng.choice(furniture)} | {rng.randrange(1000)}" for _ in range(3)] for _ in range(sites)]
    site_teasers = [
        [" ".join(rng.choices(vocab, k=rng.randrange(8, 16))) for _ in range(30)] for _ in range(sites)
    ]
    bodies: list[list[str]] = []
    furniture_of: list[tuple[list[str], list[str]]] = []
    origin: list[int] = []
    docs: list[Document] = []
    for i in range(n):
        site = rng.randrange(sites)
        head, tail = [site_menus[site][0], site_menus[site][1]], ["Tin khác", *rng.sample(site_teasers[site], 5), site_menus[site][2]]
        if i > 100 and rng.random() < dup_rate:
            source = rng.randrange(i)
            while origin[source] >= 0:  # copy an original, so families are stars
                source = origin[source]
            body = list(bodies[source])
            kind = rng.random()
            if kind < 0.1:  # the same page again, case and spacing changed: an exact copy
                head, tail = furniture_of[source]
                paragraphs = ["  ".join(" ".join(body[k : k + 60]).upper().split(" ")) + "." for k in range(0, len(body), 60)]
            else:  # edited: a share of the words replaced; half on the same page of the same site, half on another site
                if kind < 0.55:
                    head, tail = furniture_of[source]
                rate = rng.uniform(0.0, 0.03)
                body = [f"{w}{rng.randrange(10**6)}" if rng.random() < rate else w for w in body]
                paragraphs = [" ".join(body[k : k + 60]) + "." for k in range(0, len(body), 60)]
            origin.append(source)
        else:
            body = rng.choices(vocab, k=int(min(800, max(150, rng.lognormvariate(5.8, 0.45)))))
            paragraphs = [" ".join(body[k : k + 60]) + "." for k in range(0, len(body), 60)]
            origin.append(-1)
        bodies.append(body)
        furniture_of.append((head, tail))
        docs.append(Document.from_text("\n".join([*head, *paragraphs, *tail]), id=f"site{site:03d}/{i:07d}"))
    return docs, origin


def timed(label: str, times: dict[str, tuple[float, float]], fn: Callable[[], T]) -> T:
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    times[label] = (time.process_time() - cpu, time.perf_counter() - wall)
    print(f"  {label}: {times[label][0]:.2f} s CPU, {times[label][1]:.2f} s wall", file=sys.stderr, flush=True)
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    config = DedupConfig.preset(args.preset)
    print(f"generating {args.docs} documents ...", file=sys.stderr, flush=True)
    docs, origin = make_corpus(args.docs, args.sites, args.dup_rate, Path(args.seeds), args.seed)
    n = len(docs)
    times: dict[str, tuple[float, float]] = {}

    def bare() -> int:
        return sum(len(normalize_text(d.text).split()) for d in docs)

    words = timed("bare", times, bare)
    sigs = timed("signatures", times, lambda: compute_signatures(docs, config))

    def lsh() -> tuple[Any, ...]:
        rank = priority_rank(sigs)
        group_pairs, leader = key_groups(sigs, rank, config)
        pairs = candidate_pairs(sigs, config, rank, eligible=leader == np.arange(n))
        return rank, group_pairs, leader, pairs

    rank, group_pairs, leader, pairs = timed("lsh", times, lsh)
    near, sims = timed("verify", times, lambda: verify(sigs, pairs, config))
    plan = timed("cluster", times, lambda: resolve(sigs, rank, group_pairs, leader, near, sims))

    def lines() -> int:
        keep = plan.kept.tolist()
        kept = [d for d, k in zip(docs, keep) if k]
        stage = RepeatedLines.from_stats(LineStats.fit(kept))
        return sum(len(stage(d).removed) for d in kept)

    repeated = timed("lines", times, lines)

    # Quality against the injected pairs, with their true similarity.
    family = np.array([i if o < 0 else o for i, o in enumerate(origin)])
    injected = [(o, i) for i, o in enumerate(origin) if o >= 0]
    true = np.array([jaccard(sigs.shingle_set(o), sigs.shingle_set(i)) for o, i in injected])
    together = np.array([plan.cluster[o] == plan.cluster[i] for o, i in injected])
    dropped = np.flatnonzero(~plan.kept)
    correct = family[dropped] == family[plan.target[dropped]]
    high = true >= 0.8
    bands = {}
    for low in (0.3, 0.5, 0.6, 0.7, 0.8, 0.9):
        up = {0.3: 0.5}.get(low, round(low + 0.1, 1))
        sel = (true >= low) & (true < up if up < 1.0 else true <= 1.0)
        bands[f"[{low}, {up}{']' if up >= 1.0 else ')'}"] = (int(sel.sum()), float(together[sel].mean()) if sel.any() else None)
    counts = Counter(plan.rule)
    near_total = sum(times[s][0] for s in ("signatures", "lsh", "verify", "cluster"))
    report = {
        "documents": n,
        "words": words,
        "preset": args.preset,
        "config": {k: getattr(config, k) for k in ("shingle", "num_perm", "bands", "rows", "threshold")},
        "injected_pairs": len(injected),
        "injected_at_0.8_or_more": int(high.sum()),
        "candidates": len(pairs),
        "verified_pairs": len(near),
        "dropped": {rule: counts[rule] for rule in ("exact-duplicate", "same-url", "near-duplicate")},
        "repeated_lines_removed": repeated,
        "recall_at_0.8": float(together[high].mean()) if high.any() else None,
        "recall_by_similarity": bands,
        "precision": float(correct.mean()) if dropped.size else None,
        "steps": {
            step: {"cpu_s": cpu, "wall_s": wall, "docs_per_s_per_core": n / cpu if cpu else None}
            for step, (cpu, wall) in times.items()
        },
        "near_dup_docs_per_s_per_core": n / near_total,
        "near_dup_cpu_over_bare": near_total / times["bare"][0],
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "python": platform.python_version(),
        "numpy": np.__version__,
    }
    return report


def render(r: dict[str, Any]) -> str:
    out = [
        f"corpus: {r['documents']:,} documents, {r['words']:,} words; {r['injected_pairs']:,} injected copies "
        f"({r['injected_at_0.8_or_more']:,} at true Jaccard >= 0.8); preset {r['preset']} {r['config']}",
        "",
        f"{'step':<12} {'CPU s':>8} {'wall s':>8} {'docs/s per core':>16}",
    ]
    for step, s in r["steps"].items():
        out.append(f"{step:<12} {s['cpu_s']:>8.2f} {s['wall_s']:>8.2f} {s['docs_per_s_per_core']:>16,.0f}")
    out += [
        f"{'near-dup':<12} (signatures + lsh + verify + cluster) {r['near_dup_docs_per_s_per_core']:,.0f} docs/s per core, "
        f"{r['near_dup_cpu_over_bare']:.1f}x the bare pass",
        "",
        f"candidates {r['candidates']:,}; verified pairs {r['verified_pairs']:,}; dropped {r['dropped']}; "
        f"repeated lines removed {r['repeated_lines_removed']:,}",
        f"recall at J >= 0.8: {r['recall_at_0.8']:.4f}; precision: {r['precision']:.4f}",
        "recall by true similarity: "
        + "; ".join(f"{k} {v[1]:.3f} (n={v[0]})" if v[1] is not None else f"{k} - (n=0)" for k, v in r["recall_by_similarity"].items()),
        f"peak memory (max RSS): {r['peak_rss_mb']:,.0f} MB",
    ]
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--docs", type=int, default=100_000, help="documents to generate (default: 100000)")
    parser.add_argument("--sites", type=int, default=50, help="sites (default: 50)")
    parser.add_argument("--dup-rate", type=float, default=0.2, help="share of documents that copy another (default: 0.2)")
    parser.add_argument("--seeds", default="seeds", help="folder of gold-labelled seed dumps (default: seeds)")
    parser.add_argument("--preset", default="default", help="dedup preset (default: default)")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the corpus (default: 0)")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    report = run(args)
    print(render(report))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
