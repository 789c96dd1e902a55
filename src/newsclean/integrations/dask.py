"""newsclean on a Dask cluster: the shards of ``newsclean.parallel`` as a ``dask.bag``, stats folded, parts merged.

``pip install 'newsclean[dask]'`` (``dask[bag]`` and ``distributed``). The
work is the same as ``newsclean clean --workers N``, with Dask's scheduler in
place of the local pool:

- ``plan_shards`` cuts the inputs into shards (file names and byte ranges,
  never documents) on the client;
- ``clean_bag`` maps ``clean_shard`` over a bag of them: each task reads its
  shard, cleans it with the pipeline (shipped once per worker, as one graph
  key) and writes its part file and done marker;
- ``ShardStats`` of every shard are folded (``Bag.fold``) into the run's;
- ``merge_parts`` concatenates the parts in shard order on the client.

Workers, client and the parts folder must see the same file system (one
machine, or NFS/Lustre/a mounted bucket on a cluster); the output is then
the same bytes as a run in one process. A shard whose worker dies is
rescheduled by Dask (up to ``distributed.scheduler.allowed-failures``); a
rerun finds finished parts by their done markers and skips them.

With a ``distributed.Client`` in ``client`` (or made the default by
creating one), tasks run on its cluster; without one, on Dask's local
threads (fine for trying, slow for real: the stages are pure Python).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import dask.bag as db
from dask.base import compute
from dask.delayed import delayed

from newsclean.parallel import (
    Job,
    ReadOptions,
    RunResult,
    Shard,
    ShardResult,
    ShardsFailed,
    ShardStats,
    clean_shard,
    merge_parts,
    plan_shards,
)
from newsclean.pipeline import Pipeline

__all__ = ["clean_bag", "fold_stats", "run_dask"]


def _add_result(total: ShardStats, result: ShardResult) -> ShardStats:
    return total + result.stats


def _add_stats(a: ShardStats, b: ShardStats) -> ShardStats:
    return a + b


def clean_bag(shards: Sequence[Shard], job: Job) -> db.Bag:
    """A bag of ``ShardResult``: ``clean_shard`` mapped over the shards, one partition per shard.

    Args:
        shards: from ``plan_shards``, in order.
        job: the pipeline and options; it becomes one graph key, sent to each worker once.
    """
    from_sequence: Any = db.from_sequence  # dask.bag is untyped
    bag: Any = from_sequence(list(shards), npartitions=max(1, len(shards)))
    mapped: db.Bag = bag.map(clean_shard, delayed(job, traverse=False))
    return mapped


def fold_stats(results: db.Bag) -> Any:
    """The shards' stats added up by ``Bag.fold``: a Dask item that computes to one ``ShardStats``.

    Args:
        results: a bag of ``ShardResult`` (``clean_bag``).
    """
    fold: Any = results.fold  # dask.bag is untyped
    return fold(_add_result, _add_stats, initial=ShardStats())


def _workers(client: Any) -> int:
    if client is None:
        return 1
    return max(1, len(client.scheduler_info().get("workers", {})))


def run_dask(
    inputs: Sequence[str | Path],
    output: str | Path | None,
    pipeline: Pipeline,
    *,
    parts_dir: str | Path,
    client: Any = None,
    explain: bool = False,
    read: ReadOptions | None = None,
    shard_size: int | None = None,
    retries: int = 1,
    keep_parts: bool = False,
) -> RunResult:
    """Clean the inputs on Dask and merge the parts into ``output`` (in shard order: the serial run's bytes).

    Args:
        inputs: files, folders and glob patterns, on a file system the workers see.
        output: the JSONL file (``.gz`` compressed) to write; ``None`` leaves
            the parts (``parts_dir/part-*.jsonl``, in order) as the output.
        pipeline: the pipeline.
        parts_dir: where parts and done markers go, seen by every worker.
        client: a ``distributed.Client``; ``None`` uses Dask's default scheduler.
        explain: write every removal and edit.
        read: how inputs are read.
        shard_size: bytes per shard (default: about 8 shards per worker, 1 to 64 MiB).
        retries: extra attempts for a shard whose task raised.
        keep_parts: leave the parts folder after merging.
    """
    read = read or ReadOptions()
    plan = list(plan_shards(inputs, shard_size=shard_size, workers=_workers(client), options=read))
    job = Job(pipeline, parts_dir=str(parts_dir), explain=explain, read=read)
    results = clean_bag(plan, job)
    stats = fold_stats(results)
    if client is not None:
        futures = client.compute([results, stats], retries=retries)
        done, total = client.gather(futures)
    else:
        done, total = compute(results, stats)  # type: ignore[no-untyped-call]
    run = RunResult(tuple(sorted(done, key=lambda r: r.index)), ())
    if len(run.results) != len(plan) or total != run.stats:  # never a silent loss
        missing = sorted({s.index for s in plan} - {r.index for r in run.results})
        raise ShardsFailed(f"shards {missing} came back without a result", str(parts_dir), "running again to resume")
    if output is not None:
        merge_parts(job, plan, output)
        if not keep_parts:
            shutil.rmtree(parts_dir, ignore_errors=True)
    return run
