"""``newsclean bench``, run as a user runs it: every figure printed, the outputs compared, clear errors."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from clirun import run_newsclean

from newsclean.bench import SeedError, write_corpus

ROOT = Path(__file__).resolve().parent.parent


def bench(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return run_newsclean("bench", *args, cwd=cwd, timeout=300)


def test_bench_prints_every_pass_and_the_ratios(tmp_path: Path) -> None:
    result = bench("--size", "400KB", "--workers", "2", "--json", tmp_path / "figures.json")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for row in ("bare read -> split -> write", "clean, 1 worker", "clean, 2 workers", "title", "write"):
        assert re.search(rf"^{re.escape(row)}\s+\d+\.\d+\s+\d+\.\d\s+\d+", out, re.MULTILINE), row
    assert "same output bytes: yes" in out
    assert re.search(r"speed-up 1 -> 2 workers: \d+\.\d\dx", out)
    assert re.search(r"machine ceiling now: \d+\.\d\dx for 2 processes", out)
    assert re.search(r"CPU seconds: 1 worker \d+\.\d\d, 2 workers \d+\.\d\d", out)
    assert re.search(r"peak memory  this process \d+ MB; largest worker [1-9]\d* MB", out)
    figures = json.loads((tmp_path / "figures.json").read_text(encoding="utf-8"))
    assert figures["bytes"] >= 400_000 and figures["pages"] > 10 and figures["same_output"] is True


def test_memory_check_runs_each_size_in_its_own_process() -> None:
    result = bench("--memory-check", "--sizes", "200KB,600KB", "--workers", "2")
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines() if re.match(r"\s+\d+\.\d\s+\d+", line)]
    assert [float(r[0]) for r in rows] == pytest.approx([0.2, 0.6], abs=0.05)
    assert all(float(r[4]) > 0 and float(r[5]) > 0 for r in rows)
    assert re.search(
        r"peak memory from 0\.2 MB to 0\.6 MB of input \(x3\): this process x\d\.\d\d, largest worker x\d\.\d\d",
        result.stdout,
    )


def test_without_seeds_the_error_says_where_to_run(tmp_path: Path) -> None:
    result = bench("--size", "100KB", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "newsclean: error: no seed dumps (*.txt with *.labels.tsv), seeds; try running from the repository root "
        "(which has seeds/), or naming the folder with --seeds\n"
    )


def test_a_given_corpus_is_timed_as_it_is(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    pages, size = write_corpus(corpus, 150_000, seed=3, seeds_dir=ROOT / "seeds")
    result = bench("--corpus", corpus, "--workers", "2", "--quick", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"{corpus}: {size / 1e6:.1f} MB, {pages} pages" in result.stdout
    assert "clean, 1 worker" not in result.stdout  # --quick: the N-worker run alone


def test_generation_is_deterministic_and_a_prefix(tmp_path: Path) -> None:
    write_corpus(tmp_path / "a.jsonl", 50_000, seed=5, seeds_dir=ROOT / "seeds")
    write_corpus(tmp_path / "b.jsonl", 100_000, seed=5, seeds_dir=ROOT / "seeds")
    a, b = (tmp_path / "a.jsonl").read_bytes(), (tmp_path / "b.jsonl").read_bytes()
    assert b.startswith(a) and len(b) > len(a)
    with pytest.raises(SeedError, match="no seed dumps"):
        write_corpus(tmp_path / "c.jsonl", 10, seeds_dir=tmp_path)
