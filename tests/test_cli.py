"""The command line, run as a user runs it: exit codes, exact error lines, outputs, and explain's every-line view."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
from pathlib import Path

import pytest
from clirun import run_newsclean

from newsclean import Document, Pipeline, Whitespace
from newsclean.cli import render_explain
from newsclean.core import split_lines

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED = SEEDS / "000_b6b45c68898d6961.txt"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run(
    *args: str | Path, cwd: Path | None = None, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return run_newsclean(*args, cwd=cwd, stdin=stdin, env=env)


def error_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("newsclean: error:")]


@pytest.fixture
def bad_files(tmp_path: Path) -> Path:
    (tmp_path / "vn.txt").write_bytes("Tiêu đê\u0300\nThân bài.".encode("cp1258"))
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "bad.toml").write_text('[[stage]]\nname = "whitespace"\ncolapse = true\n', encoding="utf-8")
    return tmp_path


# -- errors: one line, exit 2, no traceback ------------------------------------------


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["clean", "missing.txt"],
            "newsclean: error: file not found, missing.txt; try a path to an existing file, folder or glob pattern",
        ),
        (
            ["clean", "vn.txt"],
            (
                "newsclean: error: cannot decode byte 0xea at offset 2 as utf-8 (invalid continuation byte), vn.txt; "
                "try the file's real encoding, e.g. --encoding cp1258 (encoding='cp1258' from Python)"
            ),
        ),
        (
            ["clean", "empty.txt"],
            "newsclean: error: empty file, empty.txt; try leaving it out, or fetching the page again",
        ),
        (
            ["clean", "vn.txt", "--config", "bad.toml"],
            "newsclean: error: unknown option 'colapse', bad.toml: stage[0] 'whitespace'; try one of: collapse, drop_blank, invisible",
        ),
        (
            ["clean", "vn.txt", "--encoding", "nope"],
            "newsclean: error: not a text encoding: 'nope', --encoding; try a Python codec name such as utf-8, cp1258 or utf-16",
        ),
        (
            ["explain", "missing.txt"],
            "newsclean: error: file not found, missing.txt; try a path to an existing file, folder or glob pattern",
        ),
        (["clean"], "newsclean: error: the following arguments are required: INPUT; try 'newsclean clean --help'"),
        (
            ["clean", "vn.txt", "--format", "txt"],
            (
                "newsclean: error: --format txt writes one file per document: give the folder with -o FOLDER; "
                "try 'newsclean clean --help'"
            ),
        ),
        ([], "newsclean: error: the following arguments are required: COMMAND; try 'newsclean --help'"),
    ],
    ids=[
        "missing",
        "undecodable",
        "empty",
        "config-key",
        "encoding",
        "explain-missing",
        "no-input",
        "txt-no-out",
        "no-command",
    ],
)
def test_errors_are_one_line_and_exit_2(bad_files: Path, args: list[str], line: str) -> None:
    result = run(*args, cwd=bad_files)
    assert result.returncode == 2, result.stderr
    assert error_lines(result) == [line]
    assert result.stderr.strip() == line, "an error that stops the run is the only line said"
    assert result.stdout == ""


def test_encoding_option_reads_what_utf8_cannot(bad_files: Path) -> None:
    result = run("clean", "vn.txt", "--encoding", "cp1258", cwd=bad_files)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["text"].startswith("Tiêu đề")  # decoded as asked, then NFC by the mojibake stage


# -- clean -----------------------------------------------------------------------------


def test_clean_seeds_to_stdout() -> None:
    result = run("clean", SEEDS)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in records] == sorted(p.stem for p in SEEDS.glob("*.txt"))
    provenance = {"newsclean_version", "newsclean_config_hash"}
    assert all(set(r) == {"id", "title", "text"} | provenance and r["text"] for r in records)
    # Every record says how it was cleaned: the installed version and the default pipeline's config hash.
    import newsclean

    assert {r["newsclean_version"] for r in records} == {newsclean.__version__}
    assert {r["newsclean_config_hash"] for r in records} == {newsclean.default_pipeline().config_hash}
    assert result.stderr.splitlines()[-1].startswith("newsclean: cleaned 5 documents (")
    assert result.stderr.splitlines()[-1].endswith("; 0 inputs failed")


def test_one_bad_file_is_reported_skipped_and_counted(bad_files: Path) -> None:
    out = bad_files / "out.jsonl.gz"
    result = run("clean", SEEDS, "empty.txt", SEED, "-o", out, "--explain", cwd=bad_files)
    assert result.returncode == 1, result.stderr
    assert error_lines(result) == [
        "newsclean: error: empty file, empty.txt; try leaving it out, or fetching the page again"
    ]
    assert re.fullmatch(
        r"newsclean: cleaned 6 documents \(\d+ lines kept, \d+ removed, \d+ edited\); 1 input failed",
        result.stderr.splitlines()[-1],
    )
    records = [json.loads(line) for line in gzip.decompress(out.read_bytes()).decode("utf-8").splitlines()]
    assert len(records) == 6 and {"removed", "edits"} <= set(records[0])
    for record in records:
        raw = split_lines((SEEDS / f"{record['id']}.txt").read_text(encoding="utf-8"))
        assert len(record["text"].split("\n")) + len(record["removed"]) == len(raw)


def test_clean_to_a_folder_of_txt(tmp_path: Path) -> None:
    result = run("clean", SEEDS, "--format", "txt", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    written = sorted((tmp_path / "out").iterdir())
    assert [p.name for p in written] == sorted(p.name for p in SEEDS.glob("*.txt"))
    assert all(p.read_text(encoding="utf-8").strip() for p in written)
    assert result.stdout == ""


def test_clean_stdin() -> None:
    result = run("clean", "-", stdin="  Tiêu  đề \n\nThân bài.\n")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["id"] == "stdin" and "Thân bài." in record["text"] and "  " not in record["text"]


# -- explain ---------------------------------------------------------------------------


def test_explain_shows_every_raw_line_once_without_colour_when_piped() -> None:
    result = run("explain", SEED)
    assert result.returncode == 0, result.stderr
    assert not ANSI.search(result.stdout)
    lines = result.stdout.splitlines()
    assert lines[0] == SEED.name.removesuffix(".txt")
    raw = split_lines(SEED.read_text(encoding="utf-8"))
    rows = [re.match(r"\s*(\d+)  (kept|removed) (\w+)\s+(.*)$", line) for line in lines[1:]]
    rows = [row for row in rows if row]
    assert [int(row[1]) for row in rows] == list(range(len(raw)))
    assert max(raw, key=len) in result.stdout  # piped output is never cut
    assert lines[-3].startswith(f"total     {len(raw)} lines: ")
    assert lines[-2].startswith("by label  ") and lines[-1].startswith("by stage  ")


def test_explain_colour_only_when_asked_or_on_a_terminal() -> None:
    assert ANSI.search(run("explain", SEED, "--color", "always").stdout)
    assert not ANSI.search(run("explain", SEED, "--color", "auto", env={"NO_COLOR": "1"}).stdout)


def test_explain_cuts_rows_to_the_terminal_width_only_when_given_one() -> None:
    doc = Pipeline([Whitespace()])(Document.from_text("Tiêu đề\n" + "Thân bài rất dài. " * 20 + "\n\x1b[31m", id="a"))
    wide = render_explain(doc)
    assert "Thân bài rất dài. " * 20 in wide and "\\x1b[31m" in wide  # control characters are shown, not obeyed
    narrow = render_explain(doc, width=60, color=True)
    rows = ANSI.sub("", narrow).splitlines()[1:-3]
    assert max(map(len, rows)) == 60 and rows[1].endswith("…")


# -- score -----------------------------------------------------------------------------


def test_score_seeds() -> None:
    pytest.importorskip("newsclean.scoring")
    result = run("score", SEEDS)
    assert result.returncode in (0, 1), result.stderr
    assert result.stdout.strip() and not ANSI.search(result.stdout)
    verbose = run("score", SEEDS, "--verbose")
    assert verbose.returncode == result.returncode and len(verbose.stdout) >= len(result.stdout)
    missing = run("score", "no-such-dir")
    assert missing.returncode == 2
    assert error_lines(missing) == [
        "newsclean: error: folder not found, no-such-dir; try a folder of dumps (*.txt) with their gold *.labels.tsv"
    ]
