"""newsclean: clean article text out of raw news-page dumps, and explain every removal.

>>> import newsclean
>>> doc = newsclean.clean("Tiêu đề\\n\\nThân bài.")
>>> doc.text
'Tiêu đề\\nThân bài.'
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from newsclean.core import KEPT_LABELS, Document, Edit, Label, Line, Removal, split_lines
from newsclean.errors import ConfigError, InputError, NewscleanError
from newsclean.pipeline import STAGES, Pipeline, default_pipeline, register
from newsclean.stages import Whitespace

try:
    __version__ = version("newsclean")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"

__all__ = [
    "KEPT_LABELS",
    "STAGES",
    "ConfigError",
    "Document",
    "Edit",
    "InputError",
    "Label",
    "Line",
    "NewscleanError",
    "Pipeline",
    "Removal",
    "Whitespace",
    "__version__",
    "clean",
    "default_pipeline",
    "register",
    "split_lines",
]


def clean(text: str, language: str | None = None, id: str = "") -> Document:
    """Clean one page's dump with the default pipeline for ``language``."""
    return default_pipeline(language)(Document.from_text(text, id=id))
