"""Type hints: the package passes ``mypy --strict`` (configured in pyproject.toml), and users' code is checked against it."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed")

# The modules users build on: none of them may be excused from --strict in pyproject.toml.
PUBLIC = (
    "newsclean",
    "newsclean.core",
    "newsclean.errors",
    "newsclean.pipeline",
    "newsclean.io",
    "newsclean.io.base",
    "newsclean.io.inputs",
    "newsclean.io.jsonl",
    "newsclean.io.parquet",
    "newsclean.io.records",
    "newsclean.io.text",
    "newsclean.integrations",
    "newsclean.integrations.datatrove",
    "newsclean.integrations.hf",
)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mypy_cache")


def mypy(*args: str | Path, cwd: Path, cache_dir: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "mypy", "--cache-dir", str(cache_dir), "--no-color-output", *map(str, args)]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def test_the_package_passes_mypy_strict(cache_dir: Path) -> None:
    # `mypy` alone reads [tool.mypy] (strict = true, files = src/newsclean) from pyproject.toml, as CI and editors do.
    result = mypy("--strict", cwd=ROOT, cache_dir=cache_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Success: no issues found")


def test_no_public_module_is_excused() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert config["strict"] is True
    excused = {
        module
        for override in config.get("overrides", [])
        if override.get("ignore_errors")
        for module in ([override["module"]] if isinstance(override["module"], str) else override["module"])
    }
    assert excused.isdisjoint(PUBLIC)
    assert not any(module.endswith("*") and "newsclean" in module for module in excused), "excuse modules one by one"


def test_users_code_is_checked_against_the_hints(tmp_path: Path, cache_dir: Path) -> None:
    # Outside the repository, as a user's project: the installed package's py.typed makes mypy use its hints.
    good = tmp_path / "good.py"
    good.write_text(
        textwrap.dedent(
            """
            import newsclean
            from newsclean.integrations.hf import BatchCleaner
            from newsclean.io import InputFailure, JsonlWriter, read_inputs

            doc: newsclean.Document = newsclean.clean("Tin\\nBài.", language="vi")
            pipe = newsclean.Pipeline([newsclean.Whitespace()])
            docs: list[newsclean.Document] = list(pipe(["a", "b"]))
            digest: str = pipe.config_hash
            removed: list[newsclean.Removal] = list(doc.removed)
            batch: dict[str, list[object]] = BatchCleaner(pipe)({"text": ["a"]})
            items = [item for item in read_inputs("x.jsonl") if not isinstance(item, InputFailure)]
            first: newsclean.Document = items[0]
            """
        ),
        encoding="utf-8",
    )
    bad = tmp_path / "bad.py"
    bad.write_text("import newsclean\n\nlength: int = newsclean.clean('x').text\n", encoding="utf-8")

    ok = mypy("--strict", good, cwd=tmp_path, cache_dir=cache_dir)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    wrong = mypy("--strict", bad, cwd=tmp_path, cache_dir=cache_dir)
    assert wrong.returncode == 1
    assert (
        'bad.py:3: error: Incompatible types in assignment (expression has type "str", variable has type "int")'
        in wrong.stdout
    )
