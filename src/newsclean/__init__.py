"""newsclean: clean article text out of raw news-page dumps, and explain every removal.

>>> import newsclean
>>> doc = newsclean.clean("Tiêu đề\\n\\nThân bài.")
>>> doc.text
'Tiêu đề\\nThân bài.'
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError as _PackageNotFoundError
from importlib.metadata import version as _version

from newsclean.core import KEPT_LABELS, Document, Edit, Label, Line, Removal, split_lines
from newsclean.errors import ConfigError, InputError, NewscleanError
from newsclean.pipeline import STAGES, Pipeline, Stage, default_pipeline, register
from newsclean.corpus import DedupConfig, DedupResult, LineStats, RepeatedLines, dedup
from newsclean.stages import (
    Bylines,
    Captions,
    CommentSections,
    DetectLanguage,
    ImageMarkers,
    MainContent,
    MarkupBoxes,
    Mojibake,
    NearDuplicateLinks,
    RecommendationBlocks,
    SlugLines,
    Title,
    ToneStyle,
    Whitespace,
)

try:
    __version__ = _version("newsclean")
except _PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

# Every name here is documented in docs/api.md; tests/test_api.py fails when the two differ.
__all__ = [
    "KEPT_LABELS",
    "STAGES",
    "Bylines",
    "Captions",
    "CommentSections",
    "ConfigError",
    "DedupConfig",
    "DedupResult",
    "DetectLanguage",
    "Document",
    "Edit",
    "ImageMarkers",
    "InputError",
    "Label",
    "Line",
    "LineStats",
    "MainContent",
    "MarkupBoxes",
    "Mojibake",
    "NearDuplicateLinks",
    "NewscleanError",
    "Pipeline",
    "RecommendationBlocks",
    "Removal",
    "RepeatedLines",
    "SlugLines",
    "Stage",
    "Title",
    "ToneStyle",
    "Whitespace",
    "__version__",
    "clean",
    "dedup",
    "default_pipeline",
    "register",
    "split_lines",
]


def clean(text: str, language: str | None = None, id: str = "") -> Document:
    """Clean one page's dump with the default pipeline for ``language``."""
    return default_pipeline(language)(Document.from_text(text, id=id))
