"""The public API: ``newsclean.__all__`` is exactly what docs/api.md documents, and every stage is exported."""

from __future__ import annotations

import re
import types
from pathlib import Path

import newsclean
from newsclean.pipeline import STAGES

ROOT = Path(__file__).resolve().parent.parent
API_DOC = ROOT / "docs" / "api.md"

# A documented name is a heading of its own: "### `name`".
HEADING = re.compile(r"^#{2,4} `([A-Za-z_][A-Za-z0-9_]*)`\s*$", re.MULTILINE)


def documented_names() -> list[str]:
    return HEADING.findall(API_DOC.read_text(encoding="utf-8"))


def test_all_is_exactly_what_the_docs_document() -> None:
    documented = documented_names()
    assert len(documented) == len(set(documented)), "a name is documented twice in docs/api.md"
    exported = set(newsclean.__all__)
    assert sorted(exported - set(documented)) == [], "exported from newsclean but not documented in docs/api.md"
    assert sorted(set(documented) - exported) == [], "documented in docs/api.md but not in newsclean.__all__"


def test_every_public_name_of_the_package_is_in_all() -> None:
    # What `dir(newsclean)` shows that is neither private nor a submodule must be declared (httpx's test).
    public = {
        name
        for name, value in vars(newsclean).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType) and name != "annotations"
    }
    assert sorted(public - set(newsclean.__all__)) == []
    assert len(newsclean.__all__) == len(set(newsclean.__all__))
    for name in newsclean.__all__:
        assert hasattr(newsclean, name), f"newsclean.__all__ names {name!r}, which newsclean does not have"


def test_every_registered_stage_is_exported_by_its_class_name() -> None:
    assert STAGES, "no stage registered"
    for name, cls in STAGES.items():
        assert getattr(newsclean, cls.__name__, None) is cls, f"stage {name!r} ({cls.__name__}) is not exported"
        assert cls.__name__ in newsclean.__all__


def test_dedup_is_public_once_it_exists() -> None:
    # Corpus deduplication joins the API as newsclean.dedup; until then nothing may claim it.
    assert ("dedup" in newsclean.__all__) == hasattr(newsclean, "dedup")


def test_the_package_is_typed() -> None:
    assert (ROOT / "src" / "newsclean" / "py.typed").is_file()
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'newsclean = \[[^\]]*"py\.typed"', pyproject), "py.typed is not in the package data"
