"""Clean a Hugging Face ``datasets.Dataset`` with ``Dataset.map(..., batched=True)``.

One line with the default pipeline::

    from newsclean.integrations.hf import clean_batch

    cleaned = dataset.map(clean_batch, batched=True)

or a pipeline of your own, and dropping the rows left empty::

    cleaned = dataset.map(BatchCleaner(language="vi", drop_empty=True), batched=True)

The ``text`` column becomes the cleaned text, and each row gets
``newsclean_title``, ``newsclean_removed`` (the removals as a JSON string,
see ``newsclean.integrations.REMOVED_FIELD`` for why not a list of structs),
``newsclean_removed_lines``, ``newsclean_version`` and
``newsclean_config_hash``. Every other column is passed through, and is
given to the stages as the document's metadata (a ``language`` or ``title``
column is used). Nothing here imports ``datasets``: a batch is a plain dict
of lists, so the same function serves ``IterableDataset.map`` and any
other caller of that shape.

>>> from newsclean import Pipeline, Whitespace
>>> clean = BatchCleaner(Pipeline([Whitespace()]), drop_empty=True)
>>> out = clean({"id": ["a", "b"], "text": [" Tin \\n\\nBài.", " "], "url": ["u1", "u2"]})
>>> out["text"], out["url"], out["newsclean_removed_lines"]
(['Tin\\nBài.'], ['u1'], [1])
"""

from __future__ import annotations

import functools
from typing import Any

from newsclean.errors import ConfigError
from newsclean.integrations._common import (
    CONFIG_FIELD,
    REMOVED_FIELD,
    REMOVED_LINES_FIELD,
    TITLE_FIELD,
    VERSION_FIELD,
    clean_record,
    resolve_pipeline,
)
from newsclean.pipeline import Pipeline

__all__ = ["FIELDS", "BatchCleaner", "clean_batch"]

FIELDS = (TITLE_FIELD, REMOVED_FIELD, REMOVED_LINES_FIELD, VERSION_FIELD, CONFIG_FIELD)
"""The columns newsclean adds to each row."""


class BatchCleaner:
    """A function for ``Dataset.map(fn, batched=True)``: clean the text column of a batch.

    It returns every column of the batch (so that it can drop rows, which
    ``datasets`` allows only when all columns come back) plus newsclean's.
    Instances pickle, so ``num_proc`` works, and ``datasets`` can cache
    the result by their fingerprint.

    Args:
        pipeline: the stages to run (default: ``default_pipeline(language)``).
        language: the language profile of the default pipeline (None: detected per row).
        text_column: the column holding the raw dump.
        id_column: the column holding the id, used in errors (the row's
            position in the batch when absent).
        drop_empty: drop the rows whose cleaned text is empty.
    """

    def __init__(
        self,
        pipeline: Pipeline | None = None,
        *,
        language: str | None = None,
        text_column: str = "text",
        id_column: str = "id",
        drop_empty: bool = False,
    ) -> None:
        self.pipeline = resolve_pipeline(pipeline, language)
        self.text_column = text_column
        self.id_column = id_column
        self.drop_empty = drop_empty

    def __call__(self, batch: dict[str, list[Any]]) -> dict[str, list[Any]]:
        """Clean one batch (a dict of equally long column lists) and return the new columns.

        Args:
            batch: the batch ``datasets`` passes with ``batched=True``.
        """
        if self.text_column not in batch:
            columns = ", ".join(sorted(batch)) or "(none)"
            raise ConfigError(f"no {self.text_column!r} column", "BatchCleaner", f"text_column=, one of: {columns}")
        texts = batch[self.text_column]
        others = {name: values for name, values in batch.items() if name != self.text_column}
        # Every column is in every batch, even one whose rows were all dropped.
        out: dict[str, list[Any]] = {name: [] for name in (*batch, *FIELDS)}
        for i, text in enumerate(texts):
            row = {name: values[i] for name, values in others.items()}
            doc_id = row.get(self.id_column)
            cleaned, fields = clean_record(
                self.pipeline, "" if text is None else text, str(i if doc_id is None else doc_id), row
            )
            if self.drop_empty and not cleaned.text.strip():
                continue
            for name, value in row.items():
                out[name].append(value)
            out[self.text_column].append(cleaned.text)
            for name, value in fields.items():
                out[name].append(value)
        return out


@functools.cache
def _default_cleaner() -> BatchCleaner:
    return BatchCleaner()


def clean_batch(batch: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Clean the ``text`` column of a batch with the default pipeline: ``dataset.map(clean_batch, batched=True)``.

    Args:
        batch: the batch ``datasets`` passes with ``batched=True``.
    """
    return _default_cleaner()(batch)
