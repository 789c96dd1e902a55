"""The Dask path on a real LocalCluster of two worker processes: the serial run's bytes, stats folded."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from newsclean import default_pipeline
from newsclean.bench import write_corpus
from newsclean.io import InputFailure, JsonlWriter, read_inputs
from newsclean.parallel import ShardStats, run_local

distributed = pytest.importorskip("distributed", reason="the dask extra: pip install 'newsclean[dask]'")
from newsclean.integrations.dask import run_dask  # noqa: E402

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture(scope="module")
def client() -> Iterator[distributed.Client]:
    # Two single-threaded worker processes, small and quick to start.
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, memory_limit="1GiB", dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_dask_output_is_the_serial_output(client: distributed.Client, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    write_corpus(corpus, 150_000, seed=2, seeds_dir=SEEDS)
    inputs: list[str | Path] = [SEEDS, corpus, tmp_path / "missing.txt"]
    pipeline = default_pipeline("vi")
    serial = tmp_path / "serial.jsonl"
    with JsonlWriter(serial) as writer:
        for item in read_inputs(inputs):
            if not isinstance(item, InputFailure):
                writer.write(pipeline.apply(item))

    out = tmp_path / "dask.jsonl"
    run = run_dask(inputs, out, pipeline, client=client, parts_dir=tmp_path / "parts", shard_size=25_000)
    assert out.read_bytes() == serial.read_bytes()
    assert len(run.results) > 4
    # The fold over the cluster gives what the local run adds up.
    local = run_local(inputs, tmp_path / "local.jsonl", pipeline, workers=1, shard_size=25_000)
    assert run.stats == local.stats != ShardStats()
    assert run.stats.failed == 1
    assert not (tmp_path / "parts").exists()

    # A rerun with the parts kept reuses them all.
    run_dask(inputs, out, pipeline, client=client, parts_dir=tmp_path / "parts2", shard_size=25_000, keep_parts=True)
    again = run_dask(inputs, out, pipeline, client=client, parts_dir=tmp_path / "parts2", shard_size=25_000)
    assert again.reused == len(again.results)
    assert out.read_bytes() == serial.read_bytes()
