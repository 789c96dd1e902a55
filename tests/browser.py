"""A real headless browser for the report's tests: Debian's chromium, run as a subprocess.

The tests skip when no chromium is found, unless NEWSCLEAN_REQUIRE_BROWSER is
set (CI sets it), in which case they fail. ``python tests/browser.py`` writes
docs/report.png, the seeds' report as a browser shows it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 120


def find_chromium() -> str | None:
    """The browser's path: $NEWSCLEAN_CHROMIUM, else the first of CANDIDATES on PATH, else None."""
    forced = os.environ.get("NEWSCLEAN_CHROMIUM")
    if forced:
        return forced if Path(forced).is_file() else None
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def require_chromium() -> str:
    """The browser's path; skips the test when there is none, or fails when NEWSCLEAN_REQUIRE_BROWSER is set."""
    found = find_chromium()
    if found is not None:
        return found
    if os.environ.get("NEWSCLEAN_REQUIRE_BROWSER"):
        pytest.fail("NEWSCLEAN_REQUIRE_BROWSER is set but no chromium was found (apt-get install chromium)")
    pytest.skip("no chromium found (apt-get install chromium); set NEWSCLEAN_REQUIRE_BROWSER=1 to fail instead")


def _run(browser: str, page: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="newsclean-chromium-") as profile:
        return subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-extensions",
                f"--user-data-dir={profile}",
                *extra,
                page.resolve().as_uri(),
            ],
            check=False,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=TIMEOUT,
            env={**os.environ, "HOME": profile},
        )


def dump_dom(browser: str, page: Path) -> str:
    """The page's DOM after it loaded (and after any script on it ran), serialised by the browser."""
    result = _run(browser, page, "--dump-dom")
    if result.returncode != 0 or "<html" not in result.stdout:
        raise AssertionError(f"chromium --dump-dom failed ({result.returncode}): {result.stderr[-2000:]}")
    return result.stdout


def screenshot(browser: str, page: Path, out: Path, size: tuple[int, int] = (1400, 1800)) -> Path:
    """A PNG of the page at ``size`` (width, height) pixels."""
    result = _run(
        browser, page, f"--screenshot={out.resolve()}", f"--window-size={size[0]},{size[1]}", "--hide-scrollbars"
    )
    if result.returncode != 0 or not out.is_file():
        raise AssertionError(f"chromium --screenshot failed ({result.returncode}): {result.stderr[-2000:]}")
    return out


def png_size(path: Path) -> tuple[int, int]:
    """A PNG's width and height, from its IHDR chunk."""
    data = path.read_bytes()[:24]
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise AssertionError(f"{path} is not a PNG")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def main() -> int:
    """Write docs/report.png from the seeds' report."""
    root = Path(__file__).resolve().parent.parent
    browser = find_chromium()
    if browser is None:
        print("no chromium found (apt-get install chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        subprocess.run([sys.executable, "-m", "newsclean", "report", "seeds", "-o", str(page)], check=True, cwd=root)
        screenshot(browser, page, root / "docs" / "report.png", (1400, 1900))
    print(root / "docs" / "report.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
