"""A datatrove step that cleans each document's text with a newsclean Pipeline.

Needs datatrove (``pip install 'newsclean[datatrove]'``). One line in a
datatrove pipeline::

    from newsclean.integrations.datatrove import NewscleanStep

    pipeline = [JsonlReader("dumps/"), NewscleanStep(language="vi"), JsonlWriter("cleaned/")]

Each document's ``text`` becomes the cleaned text. Its ``metadata`` gets
``newsclean_title``, ``newsclean_removed`` (the removals as a JSON array:
``line``, ``label``, ``stage``, ``rule``, ``evidence``, ``text``),
``newsclean_removed_lines``, ``newsclean_version`` and
``newsclean_config_hash``. A document left with no text is dropped.

The stats count, as datatrove's filters do: ``total``, ``forwarded``,
``dropped`` and ``dropped_empty``; ``lines_kept`` and ``lines_removed``
(per document); and for every rule that fired
``removed_{stage}/{rule}``, the lines it removed per document that had any.
``doc_len`` of what is forwarded comes from ``update_doc_stats``.

>>> from datatrove.data import Document as DatatroveDocument
>>> from newsclean import Pipeline, Whitespace
>>> step = NewscleanStep(Pipeline([Whitespace()]))
>>> docs = [DatatroveDocument(text=" Tin \\n\\nBài.", id="a"), DatatroveDocument(text=" \\n", id="b")]
>>> [(d.id, d.text, d.metadata["newsclean_removed_lines"]) for d in step.run(iter(docs))]
[('a', 'Tin\\nBài.', 1)]
>>> step.stats["dropped_empty"].total, step.stats["removed_whitespace/empty"].total
(1, 3)
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep
from datatrove.utils.typeshelper import StatHints

from newsclean.integrations._common import clean_record, resolve_pipeline
from newsclean.pipeline import Pipeline

__all__ = ["NewscleanStep"]


class NewscleanStep(PipelineStep):  # type: ignore[misc]  # datatrove ships no type hints: its base class is Any here
    """Clean every document's text with a newsclean Pipeline; drop the ones left empty.

    Args:
        pipeline: the stages to run (default: ``default_pipeline(language)``).
        language: the language profile of the default pipeline (None:
            detected per document, or taken from ``metadata["language"]``).
        drop_empty: drop a document whose cleaned text is empty (counted as
            ``dropped_empty``); with False it is forwarded with ``text == ""``.
    """

    name = "📰 newsclean"
    type = "✂️ - FORMAT"

    def __init__(
        self, pipeline: Pipeline | None = None, *, language: str | None = None, drop_empty: bool = True
    ) -> None:
        super().__init__()
        self.pipeline = resolve_pipeline(pipeline, language)
        self.drop_empty = drop_empty

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        """Clean and forward each document of ``data`` (a generator of datatrove Documents).

        Args:
            data: the documents from the previous step.
            rank: this task's rank (unused: every document is cleaned).
            world_size: the number of tasks (unused).
        """
        if data is None:
            return
        for document in data:
            self.stat_update(StatHints.total)
            with self.track_time():
                cleaned, fields = clean_record(self.pipeline, document.text, str(document.id), document.metadata)
            self._count(cleaned.removed, len(cleaned.lines))
            if self.drop_empty and not cleaned.text.strip():
                self.stat_update(StatHints.dropped, "dropped_empty")
                continue
            document.text = cleaned.text
            document.metadata.update(fields)
            self.stat_update(StatHints.forwarded)
            self.update_doc_stats(document)
            yield document

    def _count(self, removed: tuple[Any, ...], kept: int) -> None:
        self.stat_update("lines_kept", value=kept)
        self.stat_update("lines_removed", value=len(removed))
        for (stage, rule), n in Counter((r.stage, r.rule) for r in removed).items():
            self.stat_update(f"removed_{stage}/{rule}", value=n)
