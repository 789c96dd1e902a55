"""The TOML configuration reference, generated from the stages themselves so that it cannot go stale.

``python -m newsclean.docs`` writes ``docs/config.md``; ``python -m newsclean.docs --check``
exits 1 when the file differs from what the stages say now (the test suite runs the
same check). Each option's type, default and bounds come from the stage's attrs
fields and validators, its meaning from the ``Args:`` section of the stage's docstring.

>>> "| `drop_blank` | boolean | `true` |" in config_reference()
True
>>> docstring_args("Do it.\\n\\nArgs:\\n    a: the first\\n        and only.\\n    b: more.\\n")
{'a': 'the first and only.', 'b': 'more.'}
"""

from __future__ import annotations

import argparse
import enum
import importlib
import inspect
import json
import pkgutil
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from newsclean.pipeline import STAGES, default_pipeline
from newsclean.profiles import available_languages

__all__ = ["CONFIG_PATH", "config_reference", "docstring_args", "main", "stage_order"]

CONFIG_PATH = Path("docs") / "config.md"

_TYPES = {
    "bool": "boolean",
    "int": "integer",
    "float": "float",
    "str": "string",
    "frozenset[str]": "array of strings",
    "tuple[str, ...]": "array of strings",
}


def docstring_args(doc: str | None) -> dict[str, str]:
    """The ``Args:`` section of a Google-style docstring: each name and its text, joined onto one line."""
    if not doc:
        return {}
    lines = inspect.cleandoc(doc).splitlines()
    try:
        start = lines.index("Args:") + 1
    except ValueError:
        return {}
    args: dict[str, str] = {}
    current = None
    for line in lines[start:]:
        if not line.strip() or not line.startswith(" "):
            break
        match = re.match(r"^ {4}(\w+): ?(.*)$", line)
        if match:
            current = match.group(1)
            args[current] = match.group(2).strip()
        elif current is not None:
            args[current] = f"{args[current]} {line.strip()}".strip()
    return args


def _summary(doc: str | None) -> tuple[str, str]:
    """A class docstring's first paragraph and its ``Keeps:`` paragraph, each on one line."""
    if not doc:
        return "", ""
    paragraphs = [" ".join(p.split()) for p in inspect.cleandoc(doc).split("\n\n")]
    keeps = next((p.removeprefix("Keeps:").strip() for p in paragraphs if p.startswith("Keeps:")), "")
    return paragraphs[0], keeps


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (frozenset, set)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def _toml(value: Any) -> str:
    # The options are flat values; JSON's strings, numbers, booleans and arrays are valid TOML.
    return json.dumps(_plain(value), ensure_ascii=False)


def _default(field: Any) -> Any:
    default = field.default
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        return default.factory()
    return default


def _validators(validator: Any) -> list[Any]:
    if validator is None:
        return []
    inner = getattr(validator, "_validators", None)
    if inner is not None:  # attrs' and_(), which a list of validators becomes
        return [v for part in inner for v in _validators(part)]
    return [validator]


def _allowed(field: Any) -> str:
    """What values an option takes, from its validators, its enum converter, or its meaning."""
    parts = []
    converter = field.converter
    if isinstance(converter, type) and issubclass(converter, enum.Enum):
        parts.append("one of " + ", ".join(f"`{_toml(m.value)}`" for m in converter))
    for validator in _validators(field.validator):
        op, bound = getattr(validator, "compare_op", None), getattr(validator, "bound", None)
        if op is not None and bound is not None:
            parts.append(f"{op.replace('>=', '≥').replace('<=', '≤')} {bound}")
        options = getattr(validator, "options", None)
        if options is not None:
            parts.append("one of " + ", ".join(f"`{_toml(o)}`" for o in options))
    if field.name == "language":
        parts.append('`""` (the page\'s) or ' + ", ".join(f"`{code}`" for code in available_languages()))
    return "; ".join(parts)


def _type(field: Any) -> str:
    declared = field.type if isinstance(field.type, str) else getattr(field.type, "__name__", str(field.type))
    converter = field.converter
    if isinstance(converter, type) and issubclass(converter, enum.Enum):
        return "string"
    return _TYPES.get(declared, declared)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


# The packages whose modules define stages; all of their modules are imported, so the reference
# does not depend on which of them happened to be imported already.
STAGE_PACKAGES = ("newsclean.stages", "newsclean.corpus")


def _import_stage_modules() -> None:
    for package_name in STAGE_PACKAGES:
        try:
            package = importlib.import_module(package_name)
        except ModuleNotFoundError as exc:
            if exc.name != package_name:
                raise
            continue
        for module in pkgutil.iter_modules(package.__path__, package_name + "."):
            importlib.import_module(module.name)


def stage_order() -> list[str]:
    """Every stage newsclean ships: the default pipeline's order first, then the others by name.

    Stages registered from outside the package (a user's own) are not newsclean's to document.
    """
    _import_stage_modules()
    names = list(default_pipeline().names)
    own = {name for name, cls in STAGES.items() if cls.__module__.startswith("newsclean.")}
    return names + sorted(own - set(names))


def config_reference() -> str:
    """The text of ``docs/config.md``: every stage's options, with type, default, bounds and meaning."""
    default = default_pipeline()
    order = stage_order()
    out = [
        "# Configuration reference",
        "",
        "<!-- Generated by `python -m newsclean.docs` from the stages' fields and docstrings. Do not edit by hand:",
        "     change the stage, then run `python -m newsclean.docs`; tests/test_docs.py fails while this file is stale. -->",
        "",
        "A config file is TOML. It either names a language, which gives the default pipeline for that",
        "language profile, or lists the stages to run, in order, as `[[stage]]` tables: `name` picks the",
        "stage and every other key is one of its options. An option left out keeps its default. Unknown",
        "stages and options are rejected with the list of valid ones, and every error names the file and",
        "the stage (`ConfigError: my.toml: stage[2] 'captions': 'max_words' must be >= 1`).",
        "",
        "| top-level key | type | what it does |",
        "| --- | --- | --- |",
        '| `language` | string | with no `stage` tables: the default pipeline for this profile (`""` detects it per page) |',
        "| `stage` | array of tables | the stages in the order they run; each name at most once |",
        "",
        "Use a config with `newsclean clean --config my.toml ...` (every subcommand that cleans takes",
        '`--config`) or `Pipeline.from_toml("my.toml")`; `Pipeline.to_toml()` writes one back, with',
        "only the options that differ from their defaults.",
        "",
        "## The default pipeline, every option spelled out",
        "",
        "```toml",
    ]
    for stage in default.stages:
        out.append("[[stage]]")
        out.append(f'name = "{stage.name}"')
        for field in attrs.fields(type(stage)):
            if field.init:
                out.append(f"{field.name} = {_toml(getattr(stage, field.name))}")
        out.append("")
    out[-1] = "```"
    out += ["", "## Stages", ""]
    out.append("| stage | in the default pipeline | removes or does |")
    out.append("| --- | --- | --- |")
    for name in order:
        summary, _keeps = _summary(STAGES[name].__doc__)
        out.append(f"| [`{name}`](#{name}) | {'yes' if name in default.names else 'no'} | {_cell(summary)} |")
    for name in order:
        cls = STAGES[name]
        summary, keeps = _summary(cls.__doc__)
        help_ = docstring_args(cls.__doc__)
        out += ["", f'<a id="{name}"></a>', "", f"### `{name}`", ""]
        out.append(f"`{cls.__module__}.{cls.__qualname__}`: {summary}")
        if keeps:
            out += ["", f"Keeps: {keeps}"]
        fields = [f for f in attrs.fields(cls) if f.init]
        out.append("")
        if not fields:
            out.append("No options.")
            continue
        out.append("| option | type | default | allowed | what it does |")
        out.append("| --- | --- | --- | --- | --- |")
        for field in fields:
            out.append(
                f"| `{field.name}` | {_type(field)} | `{_cell(_toml(_default(field)))}` | {_cell(_allowed(field))} "
                f"| {_cell(help_.get(field.name, ''))} |"
            )
    return "\n".join(out) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Write (or with ``--check``, compare) the configuration reference."""
    parser = argparse.ArgumentParser(
        prog="python -m newsclean.docs", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument("path", nargs="?", default=str(CONFIG_PATH), help=f"the file to write (default: {CONFIG_PATH})")
    parser.add_argument("--check", action="store_true", help="exit 1 when the file is not what would be written")
    args = parser.parse_args(argv)
    path = Path(args.path)
    text = config_reference()
    if args.check:
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != text:
            print(f"{path} is stale; run: python -m newsclean.docs {path}", file=sys.stderr)
            return 1
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
