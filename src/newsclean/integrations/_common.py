"""What the integrations share: cleaning one text with its metadata, and the fields written back.

>>> from newsclean import Pipeline, Whitespace
>>> doc, fields = clean_record(Pipeline([Whitespace()]), " Tin \\n\\nBài.", "a", {"url": "u"})
>>> doc.text, fields[REMOVED_LINES_FIELD], json.loads(fields[REMOVED_FIELD])[0]["rule"]
('Tin\\nBài.', 1, 'empty')
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from newsclean.core import Document
from newsclean.io.records import CONFIG_FIELD, VERSION_FIELD, json_default, provenance, removal_records
from newsclean.pipeline import Pipeline, default_pipeline

__all__ = [
    "CONFIG_FIELD",
    "REMOVED_FIELD",
    "REMOVED_LINES_FIELD",
    "TITLE_FIELD",
    "VERSION_FIELD",
    "clean_record",
    "resolve_pipeline",
]

TITLE_FIELD = "newsclean_title"
"""The headline newsclean found ("" when none)."""

REMOVED_FIELD = "newsclean_removed"
"""Every removal as a JSON array of ``{line, label, stage, rule, evidence, text}`` (see ``io.records.removal_records``).

A JSON string, not a list of structs: datatrove's Parquet writer and
``datasets.map`` fix a column's type from the first document or batch, and a
first document with no removals would fix it to a list of nulls.
"""

REMOVED_LINES_FIELD = "newsclean_removed_lines"
"""How many lines were removed, for filtering without parsing ``newsclean_removed``."""


def resolve_pipeline(pipeline: Pipeline | None, language: str | None) -> Pipeline:
    """``pipeline``, or the default pipeline for ``language`` when it is None.

    Args:
        pipeline: a pipeline built by the caller.
        language: the profile of the default pipeline (None: detected per document).
    """
    if pipeline is not None:
        if language is not None:
            from newsclean.errors import ConfigError

            raise ConfigError("give a pipeline or a language, not both", "language", "default_pipeline(language)")
        return pipeline
    return default_pipeline(language)


def clean_record(
    pipeline: Pipeline, text: str, id: str, metadata: Mapping[str, Any]
) -> tuple[Document, dict[str, Any]]:
    """Clean one record's text; return the document and the fields to add to the record.

    The record's metadata goes into the Document, where stages read what
    they know (``language``, a markup ``title``).

    Args:
        pipeline: the stages to run.
        text: the raw dump.
        id: the record's id.
        metadata: the record's other fields.
    """
    doc = pipeline.apply(Document.from_text(text, id=id, metadata=metadata))
    fields: dict[str, Any] = {
        TITLE_FIELD: doc.title,
        REMOVED_FIELD: json.dumps(removal_records(doc), ensure_ascii=False, default=json_default),
        REMOVED_LINES_FIELD: len(doc.removed),
    }
    fields.update(provenance(pipeline))
    return doc, fields
