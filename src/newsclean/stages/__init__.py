"""The built-in stages, one module per family; importing this package registers them all.

``default_stages(language)`` is the recommended order for a language profile.
"""

from __future__ import annotations

from typing import Any

from newsclean.stages.whitespace import Whitespace

__all__ = ["Whitespace", "default_stages"]


def default_stages(language: str | None = None) -> list[Any]:
    """The recommended stages, in order, for ``language`` (None: any)."""
    return [Whitespace()]
