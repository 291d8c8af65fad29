"""Open a report in headless Chromium and save a full-page screenshot.

Usage: python scripts/screenshot_report.py report.html shot.png

Needs Debian's ``chromium`` (``apt-get install chromium``). Prints the PNG path; exits 1 when
Chromium is missing or fails.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


def find_chromium() -> str | None:
    """Path of a Chromium binary, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def screenshot(html: Path, png: Path, *, width: int = 1200, height: int = 4000) -> Path:
    """Render ``html`` headless and write ``png``."""
    binary = find_chromium()
    if binary is None:
        raise FileNotFoundError("no chromium on PATH (apt-get install chromium)")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                binary,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                f"--screenshot={png.resolve()}",
                html.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    return png


if __name__ == "__main__":
    try:
        print(screenshot(Path(sys.argv[1]), Path(sys.argv[2])))
    except (FileNotFoundError, subprocess.SubprocessError) as exc:
        print(f"screenshot failed: {exc}", file=sys.stderr)
        sys.exit(1)
