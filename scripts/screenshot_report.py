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


def layout(html: Path, *, width: int = 1280) -> dict[str, int]:
    """Widths the page lays out to in a ``width``-pixel window: ``scroll`` (the document's
    scroll width; above ``width`` means the page overflows sideways) and ``widest`` (the
    widest element's right edge, outside scrolling boxes).

    Runs a copy of the page with a measuring script added; the report itself has none.
    """
    binary = find_chromium()
    if binary is None:
        raise FileNotFoundError("no chromium on PATH (apt-get install chromium)")
    probe = (
        "<script>window.addEventListener('load',()=>{let w=0;"
        "for(const e of document.querySelectorAll('body *')){"
        "if(e.closest('.scroll'))continue;w=Math.max(w,e.getBoundingClientRect().right);}"
        "document.body.setAttribute('data-layout',"
        "document.documentElement.scrollWidth+','+Math.ceil(w));});</script>"
    )
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "page.html"
        copy.write_text(html.read_text(encoding="utf-8").replace("</body>", probe + "</body>"))
        proc = subprocess.run(
            [
                binary,
                *FLAGS,
                f"--user-data-dir={tmp}/profile",
                f"--window-size={width},900",
                "--virtual-time-budget=5000",
                "--dump-dom",
                copy.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
            text=True,
        )
    import re

    found = re.search(r'data-layout="(\d+),(\d+)"', proc.stdout)
    if found is None:
        raise RuntimeError("the measuring script did not run")
    return {"scroll": int(found[1]), "widest": int(found[2])}


if __name__ == "__main__":
    try:
        print(screenshot(Path(sys.argv[1]), Path(sys.argv[2])))
    except (FileNotFoundError, subprocess.SubprocessError) as exc:
        print(f"screenshot failed: {exc}", file=sys.stderr)
        sys.exit(1)
