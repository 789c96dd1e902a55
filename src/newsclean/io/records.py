"""What every writer puts in a record besides the text: removals, edits, provenance and the input fields kept.

A cleaned corpus should say how it was cleaned. ``provenance(pipeline)``
gives the two fields every writer adds when it knows the pipeline: the
newsclean version and ``Pipeline.config_hash``. Together they name the code
and the configuration; the hash alone is not enough, since options left at
their defaults are not part of the config.

>>> from newsclean import Pipeline, Whitespace
>>> sorted(provenance(Pipeline([Whitespace()])))
['newsclean_config_hash', 'newsclean_version']
>>> keep_fields("url, date")
('url', 'date')
>>> keep_fields(["text"])
Traceback (most recent call last):
...
newsclean.errors.ConfigError: cannot keep field 'text': the output has its own, keep_fields; try a field other than: edits, id, newsclean_config_hash, newsclean_version, removed, text, title
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from newsclean.core import Document
from newsclean.errors import ConfigError

if TYPE_CHECKING:
    from newsclean.pipeline import Pipeline

__all__ = [
    "ALL_FIELDS",
    "CONFIG_FIELD",
    "OUTPUT_FIELDS",
    "VERSION_FIELD",
    "edit_records",
    "keep_fields",
    "kept_values",
    "newsclean_version",
    "provenance",
    "removal_records",
]

VERSION_FIELD = "newsclean_version"
"""The record field holding the version of newsclean that cleaned it."""

CONFIG_FIELD = "newsclean_config_hash"
"""The record field holding ``Pipeline.config_hash`` of the pipeline that cleaned it."""

OUTPUT_FIELDS = frozenset({"id", "title", "text", "removed", "edits", VERSION_FIELD, CONFIG_FIELD})
"""The fields newsclean writes itself; an input field of the same name cannot be kept."""

ALL_FIELDS = "*"
"""``keep_fields`` value meaning every input field a document carries."""

INTERNAL_METADATA = frozenset({"lines", "parquet_row_group"})
"""Metadata newsclean's readers add for its own use (per-line HTML features, Parquet row groups), never kept by ``*``."""


def newsclean_version() -> str:
    """The installed newsclean's version (``"0.0.0+unknown"`` from a source tree that is not installed)."""
    from newsclean import __version__  # the package imports io lazily, so this import is not circular

    return __version__


def provenance(pipeline: Pipeline | None) -> dict[str, str]:
    """The fields that say how a record was cleaned: ``{}`` when the pipeline is not known.

    Args:
        pipeline: the pipeline the documents went through.
    """
    if pipeline is None:
        return {}
    return {VERSION_FIELD: newsclean_version(), CONFIG_FIELD: pipeline.config_hash}


def keep_fields(fields: str | Iterable[str] | None) -> tuple[str, ...]:
    """The input fields to copy into each record, checked: names, in order, without repeats.

    Args:
        fields: field names, or one string of names separated by commas;
            ``"*"`` keeps every field a document carries. ``None`` or empty
            keeps none.

    Raises:
        ConfigError: a name is empty or is one of the fields newsclean writes.
    """
    if fields is None:
        return ()
    names = fields.split(",") if isinstance(fields, str) else list(fields)
    out: list[str] = []
    for name in names:
        if not isinstance(name, str):
            raise ConfigError(f"field names must be strings, got {name!r}", "keep_fields", "a list of names")
        name = name.strip()
        if not name:
            if isinstance(fields, str) and fields.strip() == "":
                continue
            raise ConfigError("an empty field name", "keep_fields", "names separated by commas, e.g. url,date")
        if name in OUTPUT_FIELDS:
            other = ", ".join(sorted(OUTPUT_FIELDS))
            raise ConfigError(
                f"cannot keep field {name!r}: the output has its own", "keep_fields", f"a field other than: {other}"
            )
        if name not in out:
            out.append(name)
    if ALL_FIELDS in out and len(out) > 1:
        raise ConfigError(
            f"{ALL_FIELDS!r} keeps every field; it stands alone", "keep_fields", f"{ALL_FIELDS!r} or names"
        )
    return tuple(out)


def kept_values(doc: Document, fields: tuple[str, ...]) -> dict[str, Any]:
    """The values of the kept fields in a document's metadata.

    A named field the document lacks is ``None``, so every record has the
    same keys; with ``"*"`` only the fields present are returned (less
    newsclean's internal ones and any named like an output field).

    Args:
        doc: the document, as the reader and stages left it.
        fields: what ``keep_fields`` returned.

    >>> doc = Document.from_text("a", metadata={"url": "https://x.vn/1", "lines": []})
    >>> kept_values(doc, ("url", "date")), kept_values(doc, ("*",))
    ({'url': 'https://x.vn/1', 'date': None}, {'url': 'https://x.vn/1'})
    """
    if fields == (ALL_FIELDS,):
        return {
            key: value
            for key, value in doc.metadata.items()
            if key not in INTERNAL_METADATA and key not in OUTPUT_FIELDS
        }
    return {name: doc.metadata.get(name) for name in fields}


def removal_records(doc: Document) -> list[dict[str, Any]]:
    """Every removal as plain data: ``line`` (raw index), ``label``, ``stage``, ``rule``, ``evidence``, ``text``.

    Args:
        doc: the cleaned document.
    """
    return [
        {
            "line": r.line.index,
            "label": r.label.value,
            "stage": r.stage,
            "rule": r.rule,
            "evidence": r.evidence,
            "text": r.line.text,
        }
        for r in doc.removed
    ]


def edit_records(doc: Document) -> list[dict[str, Any]]:
    """Every edit as plain data: ``line`` (raw index), ``stage``, ``rule``, ``before``, ``after``, ``steps``.

    Args:
        doc: the cleaned document.
    """
    return [
        {
            "line": e.index,
            "stage": e.stage,
            "rule": e.rule,
            "before": e.before,
            "after": e.after,
            "steps": list(e.steps),
        }
        for e in doc.edits
    ]


def json_default(value: object) -> Any:
    """How a kept field that JSON has no type for is written: dates as ISO 8601, bytes as text, the rest as ``str``.

    Args:
        value: a value ``json.dumps`` refused (a Parquet timestamp, bytes).

    >>> import datetime, json
    >>> json.dumps({"d": datetime.date(2024, 5, 1)}, default=json_default)
    '{"d": "2024-05-01"}'
    """
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return isoformat()
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "backslashreplace")
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, Mapping):
        return dict(value)
    return str(value)
