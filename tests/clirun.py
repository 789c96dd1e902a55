"""Run the real command line in a subprocess, as a user does: ``python -m newsclean ...``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run_newsclean(
    *args: str | Path,
    cwd: Path | None = None,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """The finished process, its stdout and stderr decoded as UTF-8; a failing status does not raise.

    ``NO_COLOR`` is dropped from the environment so tests that ask for colour get it;
    ``env`` adds or overrides variables.
    """
    environ = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"PYTHONUTF8": "1"} | (env or {})
    return subprocess.run(
        [sys.executable, "-m", "newsclean", *map(str, args)],
        check=False,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=cwd,
        input=stdin,
        env=environ,
        timeout=timeout,
    )
