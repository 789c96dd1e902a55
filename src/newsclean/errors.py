"""The exceptions newsclean raises.

Every error the library raises on purpose derives from one root, so callers
can catch the whole family with one clause::

    NewscleanError
     ├── ConfigError (also ValueError)   a pipeline or stage configured wrongly
     └── InputError  (also OSError)      an input that cannot be read as text

Content never raises: odd text is data, and stages treat it as such.
Each error carries a ``hint``, the next step a person can take, which the
command line prints as ``newsclean: error: <what>, <where>; try <hint>``.
"""

from __future__ import annotations

__all__ = ["ConfigError", "InputError", "NewscleanError", "BYTES_ERROR_TEXT"]

# Modelled on ftfy's message: a stage given bytes says how to decode them
# instead of guessing an encoding behind the caller's back.
BYTES_ERROR_TEXT = (
    "newsclean works on str, not bytes: decode first, e.g. data.decode('utf-8'), "
    "or let newsclean.io.read_inputs() decode files for you (encoding=...)"
)


class NewscleanError(Exception):
    """Root of the errors newsclean raises on purpose.

    Args:
        what: what went wrong, in a few words.
        where: the file, config key or record concerned ("" when none).
        hint: the next step to try ("" when there is none worth saying).
    """

    def __init__(self, what: str, where: str = "", hint: str = "") -> None:
        self.what = what
        self.where = where
        self.hint = hint
        super().__init__(self.message())

    def message(self) -> str:
        """The one-line form ``<what>, <where>; try <hint>``."""
        text = self.what
        if self.where:
            text += f", {self.where}"
        if self.hint:
            text += f"; try {self.hint}"
        return text

    def __reduce__(self) -> tuple[type[NewscleanError], tuple[str, str, str]]:  # keep the three parts across processes
        return (type(self), (self.what, self.where, self.hint))


class ConfigError(NewscleanError, ValueError):
    """A pipeline, stage option or config file that cannot be used."""


class InputError(NewscleanError, OSError):
    """An input that is missing, empty, or cannot be decoded as text."""
