"""newsclean inside other people's pipelines: a datatrove step and a ``datasets.map`` function.

Each integration lives in its own module and imports its library only there,
so ``import newsclean`` never needs them:

- ``newsclean.integrations.datatrove``: ``NewscleanStep``, a datatrove
  ``PipelineStep`` (``pip install 'newsclean[datatrove]'``);
- ``newsclean.integrations.hf``: ``clean_batch`` and ``BatchCleaner`` for
  ``datasets.Dataset.map(..., batched=True)`` (``pip install 'newsclean[hf]'``).

Both write the same fields, named so they never clash with a column or
metadata key the data already has (see ``clean_record``).
"""

from __future__ import annotations

from newsclean.integrations._common import (
    CONFIG_FIELD,
    REMOVED_FIELD,
    REMOVED_LINES_FIELD,
    TITLE_FIELD,
    VERSION_FIELD,
    clean_record,
)

__all__ = [
    "CONFIG_FIELD",
    "REMOVED_FIELD",
    "REMOVED_LINES_FIELD",
    "TITLE_FIELD",
    "VERSION_FIELD",
    "clean_record",
]
