"""The Pipeline: stages in order, the registry of stages by name, and configuration.

A stage is a frozen attrs class with a class-level ``name`` and a
``__call__(doc) -> Document``; ``@register`` puts it in ``STAGES`` so a
config file can name it. A Pipeline is built the same way from Python and
from TOML, and the two compare equal:

>>> from newsclean.stages.whitespace import Whitespace
>>> pipe = Pipeline([Whitespace()])
>>> Pipeline.from_config(pipe.to_config()) == pipe
True
>>> pipe("  Title \\n\\nBody.").text
'Title\\nBody.'
"""

from __future__ import annotations

import enum
import hashlib
import json
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar, overload, runtime_checkable

import attrs
from attrs import field, frozen

from newsclean.core import Document
from newsclean.errors import BYTES_ERROR_TEXT, ConfigError

__all__ = ["STAGES", "Pipeline", "Stage", "as_document", "default_pipeline", "register"]


@runtime_checkable
class Stage(Protocol):
    """What every stage is: a named, picklable callable from Document to Document."""

    name: ClassVar[str]

    def __call__(self, doc: Document) -> Document: ...


STAGES: dict[str, type] = {}
"""Every registered stage class by its ``name`` (filled as stage modules are imported)."""

S = TypeVar("S", bound=type)


def register(cls: S) -> S:
    """Class decorator: make a stage known to configs by its ``name``.

    Apply it outside ``@frozen`` so the class registered is the final one.
    """
    name = cls.__dict__.get("name")
    if not isinstance(name, str) or not name:
        raise TypeError(f"{cls.__name__} needs a class attribute name = 'snake_case_name'")
    if name in STAGES and STAGES[name].__qualname__ != cls.__qualname__:
        raise TypeError(f"stage name {name!r} is taken by {STAGES[name].__qualname__}")
    STAGES[name] = cls
    return cls


def _load_stages() -> None:
    # Importing the package registers the built-in stages; done on demand so
    # that this module can be imported by the stages themselves.
    import newsclean.stages  # noqa: F401


def as_document(value: object) -> Document:
    """A Document from a Document or a str; bytes are refused with how to decode them."""
    if isinstance(value, Document):
        return value
    if isinstance(value, str):
        return Document.from_text(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError(BYTES_ERROR_TEXT)
    raise TypeError(f"expected a Document or str, got {type(value).__name__}")


# -- config values -----------------------------------------------------------


def _to_plain(value: Any) -> Any:
    """A stage option as TOML can hold it: sets sorted into lists, enums as values."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (frozenset, set)):
        return sorted(_to_plain(v) for v in value)
    if isinstance(value, (tuple, list)):
        return [_to_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _to_plain(v) for k, v in value.items()}
    if attrs.has(type(value)):
        return {f.name: _to_plain(getattr(value, f.name)) for f in attrs.fields(type(value)) if f.init}
    return value


def stage_options(stage: Any) -> dict[str, Any]:
    """The options of a stage that differ from its defaults, as plain values."""
    try:
        default = type(stage)()
    except TypeError:  # a stage with required options: write them all
        default = None
    return {
        f.name: _to_plain(getattr(stage, f.name))
        for f in attrs.fields(type(stage))
        if f.init and (default is None or getattr(stage, f.name) != getattr(default, f.name))
    }


def build_stage(spec: Mapping[str, Any], where: str = "stage") -> Any:
    """A stage from its config table ``{"name": ..., **options}``; errors say where and what is valid."""
    _load_stages()
    if not isinstance(spec, Mapping):
        raise ConfigError(f"a stage must be a table, got {type(spec).__name__}", where, "[[stage]] name = \"...\"")
    options = dict(spec)
    name = options.pop("name", None)
    if name not in STAGES:
        known = ", ".join(sorted(STAGES))
        what = "a stage needs a name" if name is None else f"unknown stage {name!r}"
        raise ConfigError(what, where, f"one of: {known}")
    cls = STAGES[name]
    where = f"{where} {name!r}"
    valid = {f.name for f in attrs.fields(cls) if f.init}
    unknown = sorted(set(options) - valid)
    if unknown:
        raise ConfigError(
            f"unknown option {unknown[0]!r}", where, f"one of: {', '.join(sorted(valid)) or '(this stage takes none)'}"
        )
    try:
        return cls(**options)
    except (TypeError, ValueError) as exc:
        raise ConfigError(str(exc), where, "the stage's docs for its options") from exc


# -- the pipeline ------------------------------------------------------------


def _stage_tuple(stages: Iterable[Any]) -> tuple[Any, ...]:
    stages = tuple(stages)
    for i, stage in enumerate(stages):
        if not callable(stage) or not isinstance(getattr(type(stage), "name", None), str):
            raise ConfigError(f"not a stage: {stage!r}", f"stage[{i}]", "a registered stage, e.g. newsclean.STAGES")
    names = [s.name for s in stages]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(f"stage {dupes[0]!r} appears twice", "pipeline", "one instance per stage name")
    return stages


@frozen
class Pipeline:
    """Stages applied in order to each document.

    Call it on a Document or a str to get a Document, or on an iterable of
    them to get a lazy iterator (memory does not grow with the corpus).

    Args:
        stages: the stages, in the order they run; each name at most once.
    """

    stages: tuple[Any, ...] = field(converter=_stage_tuple)

    # A str is also an iterable of str; the first overload wins, as the runtime check below does.
    @overload
    def __call__(self, docs: Document | str) -> Document: ...  # type: ignore[overload-overlap]
    @overload
    def __call__(self, docs: Iterable[Document | str]) -> Iterator[Document]: ...

    def __call__(self, docs: Any) -> Any:
        if isinstance(docs, (Document, str, bytes, bytearray, memoryview)):
            return self.apply(as_document(docs))
        return (self.apply(as_document(d)) for d in docs)

    def apply(self, doc: Document) -> Document:
        """Run every stage on one document."""
        for stage in self.stages:
            doc = stage(doc)
        return doc

    @property
    def names(self) -> tuple[str, ...]:
        """The stage names, in order."""
        return tuple(s.name for s in self.stages)

    def __getitem__(self, name: str) -> Any:
        for stage in self.stages:
            if stage.name == name:
                return stage
        raise KeyError(f"no stage {name!r} in this pipeline; it has: {', '.join(self.names)}")

    def __len__(self) -> int:
        return len(self.stages)

    def replace(self, stage_name: str, **options: Any) -> Pipeline:
        """A copy with one stage's options changed (``pipe.replace("whitespace", drop_blank=False)``)."""
        stage = self[stage_name]
        valid = {f.name for f in attrs.fields(type(stage)) if f.init}
        unknown = sorted(set(options) - valid)
        if unknown:
            raise ConfigError(f"unknown option {unknown[0]!r}", f"stage {stage_name!r}", f"one of: {', '.join(sorted(valid))}")
        try:
            new = attrs.evolve(stage, **options)
        except (TypeError, ValueError) as exc:
            raise ConfigError(str(exc), f"stage {stage_name!r}", "the stage's docs for its options") from exc
        return Pipeline(new if s is stage else s for s in self.stages)

    # -- configuration -----------------------------------------------------

    def to_config(self) -> dict[str, Any]:
        """The pipeline as plain data (``{"stage": [{"name": ..., **options}, ...]}``), fit for TOML."""
        return {"stage": [{"name": s.name, **stage_options(s)} for s in self.stages]}

    def to_toml(self) -> str:
        """The pipeline as a TOML document that ``from_toml`` reads back."""
        return _dump_toml(self.to_config())

    @property
    def config_hash(self) -> str:
        """A stable id of this configuration: ``"sha256:"`` and the hex digest of ``to_config()`` as canonical JSON.

        Equal pipelines have equal hashes, in any process and on any machine;
        a changed option, stage or stage order changes it. Options left at
        their defaults are not part of the config, so the hash names a
        configuration of one newsclean version: outputs record both.

        >>> from newsclean.stages.whitespace import Whitespace
        >>> Pipeline([Whitespace()]).config_hash == Pipeline([Whitespace()]).config_hash
        True
        >>> Pipeline([Whitespace()]).config_hash == Pipeline([Whitespace(collapse=False)]).config_hash
        False
        """
        canonical = json.dumps(self.to_config(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return "sha256:" + hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()

    @classmethod
    def from_config(cls, config: Mapping[str, Any], source: str = "config") -> Pipeline:
        """A pipeline from plain data as written by ``to_config``.

        ``{"language": "vi"}`` alone gives ``default_pipeline("vi")``.
        """
        if not isinstance(config, Mapping):
            raise ConfigError(f"a config must be a table, got {type(config).__name__}", source)
        unknown = sorted(set(config) - {"stage", "language"})
        if unknown:
            raise ConfigError(f"unknown key {unknown[0]!r}", source, "one of: language, stage")
        if "stage" not in config:
            return default_pipeline(config.get("language"))
        specs = config["stage"]
        if not isinstance(specs, list):
            raise ConfigError("'stage' must be an array of tables", source, "[[stage]] blocks")
        return cls(build_stage(spec, f"{source}: stage[{i}]") for i, spec in enumerate(specs))

    @classmethod
    def from_toml(cls, path: str | Path) -> Pipeline:
        """A pipeline from a TOML file of ``[[stage]]`` tables (see ``to_toml``)."""
        path = Path(path)
        try:
            config = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError("config file not found", str(path), "a path to an existing .toml file") from None
        except OSError as exc:
            raise ConfigError(f"cannot read config ({exc.strerror or exc})", str(path), "a readable .toml file") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"config is not valid TOML ({exc})", str(path), "fixing the syntax") from None
        return cls.from_config(config, source=str(path))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        escaped = "".join(c if c.isprintable() or c == " " else f"\\u{ord(c):04x}" for c in escaped)
        return f'"{escaped}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _toml_key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() and key.isascii() else _toml_value(key)


def _dump_toml(config: Mapping[str, Any]) -> str:
    # The config is flat (an array of tables of plain values), so a small
    # writer is enough and avoids a dependency for the write direction.
    out = []
    for spec in config["stage"]:
        out.append("[[stage]]")
        out += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in spec.items()]
        out.append("")
    return "\n".join(out)


def default_pipeline(language: str | None = None) -> Pipeline:
    """The recommended stages for a language profile (``None``: detect per document).

    >>> default_pipeline("vi").names[:2]
    ('mojibake', 'whitespace')
    """
    _load_stages()
    from newsclean.stages import default_stages

    return Pipeline(default_stages(language))
