"""Cleaning on a process pool: shards cover the input exactly, the output is the serial run's bytes,
a crashed worker's shard is retried or reported, and a rerun resumes from the finished parts."""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from attrs import frozen
from clirun import run_newsclean
from hypothesis import example, given
from hypothesis import strategies as st

from newsclean import STAGES, Document, Pipeline, Whitespace, default_pipeline, register
from newsclean.bench import write_corpus
from newsclean.io import InputFailure, JsonlWriter, read_inputs, read_jsonl
from newsclean.parallel import (
    Job,
    ReadOptions,
    Shard,
    ShardsFailed,
    ShardStats,
    auto_shard_size,
    clean_shard,
    map_shards,
    merge_parts,
    plan_shards,
    pool_map,
    read_shard,
    run_local,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
POISON = "POISON-PILL"


@frozen
class CrashOnPoison:
    """Test-only: the worker process dies (``os._exit``) on a page holding POISON while ``flag`` exists.

    With ``once``, the flag is removed first, so the shard's second attempt succeeds.
    """

    name: ClassVar[str] = "test_crash_on_poison"
    flag: str = ""
    once: bool = False

    def __call__(self, doc: Document) -> Document:
        if any(POISON in line.text for line in doc.lines) and os.path.exists(self.flag):
            if self.once:
                os.remove(self.flag)
            os._exit(3)
        return doc


@pytest.fixture
def crash_stage() -> Iterator[type[CrashOnPoison]]:
    register(CrashOnPoison)
    yield CrashOnPoison
    STAGES.pop(CrashOnPoison.name)  # the contract suite covers the library's stages only


def serial(inputs: list[str | Path], pipeline: Pipeline, out: Path, explain: bool = False) -> bytes:
    """The in-process reference: read_inputs -> pipeline -> JsonlWriter, as ``clean --workers 1`` does."""
    with JsonlWriter(out, explain=explain) as writer:
        for item in read_inputs(inputs):
            if not isinstance(item, InputFailure):
                writer.write(pipeline.apply(item))
    return out.read_bytes()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "corpus.jsonl"
    write_corpus(path, 200_000, seed=1, seeds_dir=SEEDS)
    return path


def poisoned(corpus: Path, tmp_path: Path) -> Path:
    """The corpus with one page, in the middle, holding the poison."""
    lines = corpus.read_bytes().splitlines(keepends=True)
    middle = len(lines) // 2
    record = json.loads(lines[middle])
    record["text"] += "\n" + POISON
    lines[middle] = (json.dumps(record, ensure_ascii=False) + "\n").encode()
    path = tmp_path / "poisoned.jsonl"
    path.write_bytes(b"".join(lines))
    return path


# -- planning ---------------------------------------------------------------------

records = st.lists(
    st.one_of(
        st.builds(lambda i, t: json.dumps({"id": i, "text": t}, ensure_ascii=False), st.text(max_size=5), st.text()),
        st.builds(lambda t: json.dumps({"text": t}), st.text(max_size=20)),  # no id: FILE:LINE
        st.sampled_from(["", "  ", "not json", "[1]", '{"id": "x"}']),  # blank lines and failures
    ),
    min_size=1,
    max_size=30,
)


@given(records, st.integers(1, 400), st.booleans())
@example(["", "", '{"id": "a", "text": "b"}'], 1, False)
def test_ranges_read_exactly_what_the_whole_file_reads(
    tmp_path_factory: pytest.TempPathFactory, lines: list[str], size: int, bom: bool
) -> None:
    path = tmp_path_factory.mktemp("plan") / "c.jsonl"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + "\n".join(lines).encode("utf-8", "surrogatepass") + b"\n")
    shards = list(plan_shards([path], shard_size=size))
    ranges = [(s.pieces[0].start, s.pieces[0].end) for s in shards]
    # Consecutive, covering the file, each starting after a line feed.
    assert ranges[0][0] == 0 and ranges[-1][1] in (None, path.stat().st_size)
    data = path.read_bytes()
    for (_, end), (start, _) in zip(ranges, ranges[1:], strict=False):
        assert end == start and data[start - 1 : start] == b"\n"

    def seen(items: Iterator[Document | InputFailure]) -> list[tuple[str, str]]:
        return [
            ("fail", i.error.message()) if isinstance(i, InputFailure) else (i.id, i.text)
            for i in items
            if not (isinstance(i, InputFailure) and i.error.what == "empty file")
        ]

    whole = seen(read_jsonl(path))
    sharded = seen(item for shard in shards for item in read_shard(shard, ReadOptions()))
    assert sharded == whole


def test_small_files_are_grouped_in_input_order(tmp_path: Path) -> None:
    shards = list(plan_shards([SEEDS, tmp_path / "missing.txt"], shard_size=10_000))
    paths = [p.path for s in shards for p in s.pieces]
    assert paths == [*(str(p) for p in sorted(SEEDS.glob("*.txt"))), str(tmp_path / "missing.txt")]
    assert 1 < len(shards) < len(paths)
    assert [s.index for s in shards] == list(range(len(shards)))


def test_auto_shard_size_gives_several_shards_per_worker() -> None:
    assert auto_shard_size(100 * 2**20, 2) == 100 * 2**20 // 16
    assert auto_shard_size(1, 8) == 1 << 20


def test_stdin_is_refused_with_a_hint() -> None:
    with pytest.raises(Exception, match="standard input cannot be cut into shards"):
        list(plan_shards(["-"], shard_size=10))


# -- stats -------------------------------------------------------------------------


@given(st.lists(st.text(max_size=40), max_size=8), st.integers(0, 8))
def test_stats_fold_in_any_grouping(texts: list[str], cut: int) -> None:
    docs = [Whitespace()(Document.from_text(t)) for t in texts]
    one = [ShardStats.of(d) for d in docs]
    left = sum(one[:cut], ShardStats()) + sum(one[cut:], ShardStats())
    assert left == sum(one, ShardStats())
    total = sum(one, ShardStats())
    assert total.documents == len(docs)
    assert total.removed == sum(len(d.removed) for d in docs) == sum(total.removed_by.values())
    assert ShardStats.from_dict(json.loads(json.dumps(total.to_dict()))) == total


# -- same bytes as the serial run ----------------------------------------------------


@pytest.mark.parametrize("explain", [False, True])
def test_pool_output_is_the_serial_output(corpus: Path, tmp_path: Path, explain: bool) -> None:
    pipeline = default_pipeline("vi")
    inputs: list[str | Path] = [SEEDS, corpus, tmp_path / "missing.txt"]
    expected = serial(inputs, pipeline, tmp_path / "serial.jsonl", explain)
    run = run_local(inputs, tmp_path / "out.jsonl", pipeline, workers=2, shard_size=30_000, explain=explain)
    assert len(run.results) > 4
    assert (tmp_path / "out.jsonl").read_bytes() == expected
    assert run.stats.documents == expected.count(b"\n")
    assert run.stats.failed == 1 and "missing.txt" in run.stats.errors[0]
    assert not (tmp_path / "out.jsonl.parts").exists()


def test_gzip_output_holds_the_same_records(corpus: Path, tmp_path: Path) -> None:
    import gzip

    pipeline = Pipeline([Whitespace()])
    run_local([corpus], tmp_path / "out.jsonl.gz", pipeline, workers=2, shard_size=50_000)
    assert gzip.decompress((tmp_path / "out.jsonl.gz").read_bytes()) == serial([corpus], pipeline, tmp_path / "s.jsonl")


# -- crashes -----------------------------------------------------------------------------


def test_a_crashed_worker_is_retried(
    corpus: Path, tmp_path: Path, crash_stage: type[CrashOnPoison]
) -> None:
    source = poisoned(corpus, tmp_path)
    flag = tmp_path / "crash-once"
    flag.touch()
    pipeline = Pipeline([crash_stage(flag=str(flag), once=True), Whitespace()])
    events: list[str] = []
    run = run_local([source], tmp_path / "out.jsonl", pipeline, workers=2, shard_size=30_000, on_event=events.append)
    assert len(events) == 1 and "the worker died (exit code 3); trying again (2 of 2)" in events[0]
    assert not flag.exists()
    assert (tmp_path / "out.jsonl").read_bytes() == serial([source], pipeline, tmp_path / "serial.jsonl")
    assert run.stats.documents == source.read_bytes().count(b"\n")


def test_a_shard_that_always_crashes_is_reported_and_a_rerun_resumes(
    corpus: Path, tmp_path: Path, crash_stage: type[CrashOnPoison]
) -> None:
    source = poisoned(corpus, tmp_path)
    flag = tmp_path / "crash-always"
    flag.touch()
    pipeline = Pipeline([crash_stage(flag=str(flag)), Whitespace()])
    out = tmp_path / "out.jsonl"
    events: list[str] = []
    with pytest.raises(ShardsFailed) as failed:
        run_local([source], out, pipeline, workers=2, shard_size=30_000, retries=2, on_event=events.append)
    assert "failed 3 times: the worker died (exit code 3)" in str(failed.value)
    assert len(events) == 2
    assert not out.exists()  # no output with a shard missing
    parts = tmp_path / "out.jsonl.parts"
    shards = list(plan_shards([source], shard_size=30_000))
    done = sorted(parts.glob("*.done"))
    assert len(done) == len(shards) - 1
    before = {p.name: p.stat().st_mtime_ns for p in parts.glob("*.jsonl")}

    flag.unlink()  # the same config, now able to finish
    run = run_local([source], out, pipeline, workers=2, shard_size=30_000, keep_parts=True)
    assert run.reused == len(shards) - 1
    assert {p.name: p.stat().st_mtime_ns for p in parts.glob("*.jsonl") if p.name in before} == before
    assert out.read_bytes() == serial([source], pipeline, tmp_path / "serial.jsonl")

    # Another config must not reuse those parts.
    other = Pipeline([crash_stage(flag=str(flag)), Whitespace(collapse=False)])
    run = run_local([source], out, other, workers=2, shard_size=30_000, keep_parts=True)
    assert run.reused == 0
    assert out.read_bytes() == serial([source], other, tmp_path / "serial2.jsonl")
    # ...and the same config again reuses every part.
    assert run_local([source], out, other, workers=2, shard_size=30_000).reused == len(shards)


def test_a_changed_input_file_is_cleaned_again(tmp_path: Path) -> None:
    page = tmp_path / "a.txt"
    page.write_text("Tiêu đề\n  Thân  bài.", encoding="utf-8")
    job = Job(Pipeline([Whitespace()]), parts_dir=tmp_path / "parts")
    [shard] = plan_shards([page], shard_size=1000)
    assert not clean_shard(shard, job).reused
    assert clean_shard(shard, job).reused
    page.write_text("Tiêu đề khác\nThân bài.", encoding="utf-8")
    [shard] = plan_shards([page], shard_size=1000)
    assert not clean_shard(shard, job).reused
    merge_parts(job, [shard], tmp_path / "out.jsonl")
    assert "Tiêu đề khác" in (tmp_path / "out.jsonl").read_text(encoding="utf-8")


def test_a_raising_stage_is_reported_with_its_traceback(tmp_path: Path) -> None:
    page = tmp_path / "a.jsonl"
    page.write_text('{"id": "a", "text": "x"}\n' * 3, encoding="utf-8")
    job = Job(Pipeline([Whitespace()]), parts_dir=tmp_path / "parts", read=ReadOptions(text_field="text"))
    bad = Job(Pipeline([Whitespace()]), parts_dir=tmp_path / "parts", writer_options={"explain": 1})
    shards = list(plan_shards([page], shard_size=10))
    assert len(map_shards(shards, job, 2).results) == len(shards)
    run = map_shards(shards, bad, 2, retries=0)  # JsonlWriter gets explain twice: a TypeError in the worker
    assert len(run.failures) == len(shards)
    assert "TypeError" in run.failures[0].reason and "Traceback" in run.failures[0].detail


# -- the command line -----------------------------------------------------------------


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return run_newsclean(*args)


def test_cli_workers_write_the_serial_bytes(corpus: Path, tmp_path: Path) -> None:
    inputs = [SEEDS, corpus, tmp_path / "missing.txt"]
    one = cli("clean", *inputs, "--workers", "1", "-o", tmp_path / "one.jsonl")
    two = cli("clean", *inputs, "--workers", "2", "--shard-size", "20KB", "-o", tmp_path / "two.jsonl")
    piped = cli("clean", *inputs, "--workers", "2", "--shard-size", "20KB")
    assert one.returncode == two.returncode == piped.returncode == 1  # the missing file
    assert (tmp_path / "two.jsonl").read_bytes() == (tmp_path / "one.jsonl").read_bytes()
    assert piped.stdout.encode() == (tmp_path / "one.jsonl").read_bytes()
    assert two.stderr == one.stderr == piped.stderr
    assert "1 input failed" in one.stderr


def test_cli_rejects_zero_workers() -> None:
    result = cli("clean", SEEDS, "--workers", "0")
    assert result.returncode == 2
    assert result.stderr.startswith("newsclean: error: argument --workers: must be at least 1")


def test_cli_retries_must_be_a_count(corpus: Path, tmp_path: Path) -> None:
    result = cli("clean", SEEDS, "--workers", "2", "--retries", "-1")
    assert result.returncode == 2
    assert result.stderr.startswith("newsclean: error: argument --retries: must be 0 or more")
    # No worker dies here, so no retry is used: the serial bytes, with or without retries to spare.
    none = cli("clean", SEEDS, corpus, "--workers", "2", "--shard-size", "20KB", "--retries", "0", "-o", tmp_path / "a.jsonl")
    one = cli("clean", SEEDS, corpus, "--workers", "1", "-o", tmp_path / "b.jsonl")
    assert none.returncode == one.returncode == 0
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()


def count_words(shard: Shard, options: ReadOptions) -> Counter[str]:
    """A shard's word counts: a corpus statistic fitted per shard, as dedup fits its line statistics."""
    counts: Counter[str] = Counter()
    for item in read_shard(shard, options):
        if isinstance(item, Document):
            counts.update(word for line in item.lines for word in line.text.split())
    return counts


def test_pool_map_runs_any_function_and_its_results_fold(corpus: Path) -> None:
    shards = list(plan_shards([SEEDS, corpus], shard_size=40_000))
    done = pool_map(count_words, shards, ReadOptions(), 2)
    assert len(done.results) == len(shards) > 3 and not done.failures
    expected: Counter[str] = Counter()
    for item in read_inputs([SEEDS, corpus]):
        if isinstance(item, Document):
            expected.update(word for line in item.lines for word in line.text.split())
    assert sum(done.results, Counter()) == expected
    assert done.results[0] == count_words(shards[0], ReadOptions())  # in shard order


def test_every_finished_shard_is_reported_once_as_it_finishes(corpus: Path, tmp_path: Path) -> None:
    # What a progress bar counts: one call per shard, with the shard's own result.
    shards = list(plan_shards([SEEDS, corpus], shard_size=40_000))
    seen: list[tuple[int, Counter[str]]] = []
    done = pool_map(count_words, shards, ReadOptions(), 2, on_done=lambda shard, words: seen.append((shard.index, words)))
    assert sorted(index for index, _ in seen) == [shard.index for shard in shards]
    assert dict(seen) == {shard.index: words for shard, words in zip(shards, done.results)}
    finished: list[int] = []
    out = tmp_path / "out.jsonl"
    run_local([SEEDS, corpus], out, default_pipeline("vi"), workers=1, shard_size=40_000, on_done=lambda _s, r: finished.append(r.index))
    assert finished == [shard.index for shard in shards]  # in order when cleaned in this process


def test_cli_resumes_an_interrupted_run(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    # What an interrupted `clean --workers 2` leaves: every part but one, with its marker.
    run_local([corpus], out, default_pipeline(), workers=2, shard_size=20_000, keep_parts=True, provenance=True)
    expected = out.read_bytes()
    out.unlink()
    parts = tmp_path / "out.jsonl.parts"
    shards = len(list(parts.glob("*.done")))
    (parts / "part-000002.jsonl").unlink()
    result = cli("clean", corpus, "--workers", "2", "--shard-size", "20KB", "-o", out)
    assert result.returncode == 0, result.stderr
    assert f"newsclean: reused {shards - 1} finished shards of {shards} from {parts}\n" in result.stderr
    assert out.read_bytes() == expected
    assert not parts.exists()
