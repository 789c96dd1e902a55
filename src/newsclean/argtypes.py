"""The argparse value types every ``newsclean`` command shares: counts, sizes and shares.

A type raises ``argparse.ArgumentTypeError``, which argparse turns into a
usage error naming the option (exit status 2):

>>> count("3"), positive("1"), size("64MB"), sizes("10MB,1GB"), share("0.5")
(3, 1, 64000000, [10000000, 1000000000], 0.5)
>>> positive("0")
Traceback (most recent call last):
argparse.ArgumentTypeError: must be at least 1: '0'
"""

from __future__ import annotations

import argparse

__all__ = ["count", "positive", "share", "size", "sizes"]


def count(value: str) -> int:
    """A whole number, 0 or more."""
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {value!r}")
    return n


def positive(value: str) -> int:
    """A whole number, 1 or more."""
    n = count(value)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value!r}")
    return n


def size(value: str) -> int:
    """A byte count such as ``64MB`` (see ``newsclean.parallel.parse_size``)."""
    from newsclean.parallel import parse_size  # the pool's module, loaded only by the commands that take a size

    try:
        return parse_size(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def sizes(value: str) -> list[int]:
    """A comma-separated list of sizes (``10MB,1GB``)."""
    return [size(part) for part in value.split(",")]


def share(value: str) -> float:
    """A number from 0 to 1."""
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0.0 <= x <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1: {value!r}")
    return x
