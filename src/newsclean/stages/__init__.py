"""The built-in stages, one module per family; importing this package registers them all.

``default_stages(language)`` is the recommended order for a language profile:
repair the text (before whitespace: a no-break space can be the tail of
broken UTF-8), find the title, remove what the named detectors recognise,
then let the main-content view remove what is left around the body.
"""

from __future__ import annotations

from typing import Any

from newsclean.stages.blocks import RecommendationBlocks
from newsclean.stages.bylines import Bylines
from newsclean.stages.captions import Captions, ImageMarkers
from newsclean.stages.comments import CommentSections
from newsclean.stages.content import MainContent
from newsclean.stages.language import DetectLanguage
from newsclean.stages.links import NearDuplicateLinks
from newsclean.stages.markup import MarkupBoxes
from newsclean.stages.slugs import SlugLines
from newsclean.stages.title import Title
from newsclean.stages.unicode import Mojibake, ToneStyle
from newsclean.stages.whitespace import Whitespace

__all__ = [
    "Bylines",
    "Captions",
    "CommentSections",
    "DetectLanguage",
    "ImageMarkers",
    "MainContent",
    "MarkupBoxes",
    "Mojibake",
    "NearDuplicateLinks",
    "RecommendationBlocks",
    "SlugLines",
    "Title",
    "ToneStyle",
    "Whitespace",
    "default_stages",
]


def default_stages(language: str | None = None) -> list[Any]:
    """The recommended stages, in order, for ``language`` (None: detected per page)."""
    return [
        Mojibake(),
        Whitespace(),
        DetectLanguage(language=language or ""),
        # Before the title is looked for: with the menus gone, the headline stands out.
        MarkupBoxes(),
        ImageMarkers(),
        Title(),
        SlugLines(),
        Bylines(),
        RecommendationBlocks(),
        CommentSections(),
        NearDuplicateLinks(),
        Captions(),
        MainContent(),
    ]
