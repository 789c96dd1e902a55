"""Every code example in docs/*.md and README.md runs, and the generated config reference is current.

The conventions (also stated at the top of docs/index.md):

- The blocks of one page run in order, like a notebook: ```python blocks share one namespace,
  and every block of the page runs in the same fresh temporary folder, which holds a copy of
  ``seeds/``.
- In a ```console block, a line starting with ``$ `` is a command and the lines under it its
  output (not compared). A command that starts with ``newsclean`` or ``python -m newsclean``
  is run there by bash and must exit 0; other commands (``pip install``) are not run.
- In ```sh, ```bash and ```shell blocks every line is a command; the ``newsclean`` ones are
  parsed by the real argument parser, not run (they name files the reader has, not us).
- ```python no-run and ```console no-run blocks are only checked: Python is compiled, commands
  are parsed.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from newsclean import STAGES, Pipeline, default_pipeline
from newsclean.cli import UsageError, build_parser
from newsclean.docs import config_reference

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SEEDS = ROOT / "seeds"
FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
SHELLS = frozenset({"sh", "bash", "shell"})
OPERATORS = frozenset({"&&", "||", "|", ";", ">", ">>", "<", "2>", "2>&1"})


def pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md")) + [ROOT / "README.md"]


def blocks(path: Path) -> list[tuple[int, str, set[str], str]]:
    """Every fenced block of a page: (line of its first code line, language, flags, code)."""
    text = path.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        info = match.group(1).split()
        language = info[0].lower() if info else ""
        line = text.count("\n", 0, match.start(2)) + 1
        found.append((line, language, set(info[1:]), match.group(2)))
    return found


def newsclean_argv(command: str) -> list[list[str]] | None:
    """The newsclean argument lists of a shell command line (one per ``&&``-joined part), or None for none."""
    try:
        words = shlex.split(command, comments=True)
    except ValueError as exc:
        raise AssertionError(f"not a valid command line: {command!r} ({exc})") from None
    parts: list[list[str]] = [[]]
    for word in words:
        if word in OPERATORS:
            parts.append([])
        else:
            parts[-1].append(word)
    found = []
    for part in parts:
        if part[:1] == ["newsclean"]:
            found.append(part[1:])
        elif part[:3] == ["python", "-m", "newsclean"]:
            found.append(part[3:])
    return found or None


def check_parses(argv: list[str], where: str) -> None:
    try:
        build_parser().parse_args(argv)
    except UsageError as exc:
        raise AssertionError(f"{where}: newsclean {' '.join(argv)}: {exc}") from None
    except SystemExit as exc:  # --help, --version
        assert exc.code in (0, None), where


def run_command(command: str, cwd: Path, where: str) -> None:
    # `python` and `newsclean` are this interpreter's, whatever PATH says.
    bin_dir = cwd / ".bin"
    bin_dir.mkdir(exist_ok=True)
    python = bin_dir / "python"
    if not python.exists():
        python.symlink_to(sys.executable)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env["PYTHONUTF8"] = "1"
    env.pop("NO_COLOR", None)
    result = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command}"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"{where}: `{command}` exited {result.returncode}:\n{result.stderr[-3000:]}"


def run_page(path: Path, cwd: Path) -> int:
    """Run every block of a page in order in ``cwd``; return how many blocks were checked."""
    namespace: dict[str, object] = {"__name__": "__docs__"}
    checked = 0
    rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    for line, language, flags, code in blocks(path):
        where = f"{rel}:{line}"
        no_run = "no-run" in flags
        if language == "python":
            # Pad so a traceback's line numbers are the page's.
            compiled = compile("\n" * (line - 1) + code, str(rel), "exec")
            if not no_run:
                previous = Path.cwd()
                os.chdir(cwd)
                try:
                    exec(compiled, namespace)  # noqa: S102 - the docs' own examples
                finally:
                    os.chdir(previous)
            checked += 1
        elif language == "console":
            for command in (c[2:] for c in code.splitlines() if c.startswith("$ ")):
                argvs = newsclean_argv(command)
                if argvs is None:
                    continue
                for argv in argvs:
                    check_parses(argv, where)
                if not no_run:
                    run_command(command, cwd, where)
                checked += 1
        elif language in SHELLS:
            for command in code.splitlines():
                for argv in newsclean_argv(command) or ():
                    check_parses(argv, where)
                    checked += 1
    return checked


@pytest.mark.parametrize("path", pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_examples_run(path: Path, tmp_path: Path) -> None:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    registered = dict(STAGES)
    try:
        run_page(path, tmp_path)
    finally:
        # A page may register a stage of its own; the rest of the suite must not see it.
        STAGES.clear()
        STAGES.update(registered)


def test_every_page_has_been_looked_at() -> None:
    # The fence pattern finds the blocks a reader sees: a page's fences pair up.
    for path in pages():
        text = path.read_text(encoding="utf-8")
        fences = len(re.findall(r"^```", text, flags=re.MULTILINE))
        assert fences == 2 * len(blocks(path)), f"{path}: an unclosed or nested ``` fence"


def test_the_runner_catches_a_failing_example(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```python\nx = 1\n```\n\n```python\nassert x == 2, 'x is 1'\n```\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="x is 1"):
        run_page(page.resolve(), tmp_path)
    page.write_text("```console\n$ python -m newsclean clean nope.txt\n```\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="exited 2"):
        run_page(page, tmp_path)
    page.write_text("```sh\npython -m newsclean clean --no-such-option x\n```\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="unrecognized arguments"):
        run_page(page, tmp_path)
    page.write_text(
        "```python no-run\nopen('missing.txt')\n```\n\n```console no-run\n$ newsclean explain missing.txt\n```\n"
    )
    assert run_page(page, tmp_path) == 2


def test_config_reference_is_current() -> None:
    current = (DOCS / "config.md").read_text(encoding="utf-8")
    assert current == config_reference(), "docs/config.md is stale: run `python -m newsclean.docs`"


def test_config_reference_default_pipeline_is_the_default() -> None:
    text = (DOCS / "config.md").read_text(encoding="utf-8")
    toml = text.split("```toml\n", 1)[1].split("```", 1)[0]
    assert Pipeline.from_config(tomllib.loads(toml)) == default_pipeline()


def test_index_links_every_page() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)", index))
    for path in sorted(DOCS.rglob("*.md")):
        rel = path.relative_to(DOCS).as_posix()
        assert rel == "index.md" or rel in linked, f"docs/index.md does not link {rel}"


def test_local_links_resolve() -> None:
    for path in pages():
        text = re.sub(r"`[^`\n]*`", "", FENCE.sub("", path.read_text(encoding="utf-8")))  # code is not a link
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue
            file = (path.parent / target.split("#", 1)[0]).resolve()
            assert file.exists(), f"{path.relative_to(ROOT)} links to {target}, which does not exist"
