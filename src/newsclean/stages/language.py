"""Language: tell which profile a page is in, once, for the stages after it."""

from __future__ import annotations

from typing import ClassVar

from attrs import evolve, field, frozen
from attrs.validators import instance_of

from newsclean.core import Document
from newsclean.pipeline import as_document, register
from newsclean.profiles import available_languages, detect_language

__all__ = ["DetectLanguage"]


def _known_or_empty(instance: object, attribute: object, value: str) -> None:
    if value and value not in available_languages():
        raise ValueError(f"'language' must be one of {', '.join(available_languages())} or empty (got {value!r})")


@register
@frozen
class DetectLanguage:
    """Record the page's language in ``metadata["language"]`` so later stages pick its profile.

    Keeps: every line (it only annotates); a language the reader already set.

    Args:
        language: force this language ("" detects it from the page's stopwords).

    >>> DetectLanguage()(Document.from_text("Theo đó, các cấp công đoàn đã tổ chức nhiều hoạt động.")).metadata
    {'language': 'vi'}
    """

    name: ClassVar[str] = "language"
    language: str = field(default="", validator=[instance_of(str), _known_or_empty])

    def __call__(self, doc: Document) -> Document:
        doc = as_document(doc)
        current = doc.metadata.get("language")
        if self.language:
            found = self.language
        elif isinstance(current, str) and current in available_languages():
            return doc
        else:
            found = detect_language(line.text for line in doc.lines) or ""
        if current == found:
            return doc
        return evolve(doc, metadata={**doc.metadata, "language": found})
