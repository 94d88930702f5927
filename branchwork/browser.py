"""Helpers for the browser tests: find a Chromium, launch it headless, save screenshots.

The system Chromium (Debian's `chromium` package) is used where it exists; otherwise Playwright's
own download, if the user has run `playwright install chromium`. With neither, browser tests skip.
"""

import os
import shutil
from pathlib import Path

ARTIFACTS = Path(os.environ.get("BRANCHWORK_TEST_ARTIFACTS", Path(__file__).resolve().parent.parent / "test-artifacts"))
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def system_chromium() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def screenshot_path(name: str) -> Path:
    folder = ARTIFACTS / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"
