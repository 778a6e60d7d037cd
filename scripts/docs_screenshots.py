"""Retakes the docs' screenshots: runs the first-hour browser test and copies its pictures into docs/images/."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TAKEN = ROOT / "test-output" / "screenshots" / "first-hour"  # where tests/browser/test_first_hour.py saves them
IMAGES = ROOT / "docs" / "images"
CHOSEN = ("dashboard", "entry-form", "entry-recorded", "pledge-moved-on", "statement", "letter")


def main() -> None:
    shutil.rmtree(TAKEN, ignore_errors=True)  # never copy a picture left over from an earlier run
    env = {**os.environ, "TRACKER_TEST_REQUIRE_BROWSER": "1"}  # a missing Chromium fails instead of skipping
    env.pop("TRACKER_TEST_DATABASE_URL", None)  # on SQLite, as the quick start runs
    test = [sys.executable, "-m", "pytest", "tests/browser/test_first_hour.py", "-q", "-p", "no:cacheprovider"]
    if subprocess.run(test, cwd=ROOT, env=env, check=False).returncode != 0:  # noqa: S603 - our own tests
        sys.exit("the first-hour browser test failed; docs/images/ is unchanged")
    IMAGES.mkdir(parents=True, exist_ok=True)
    for name in CHOSEN:
        shutil.copyfile(TAKEN / f"{name}.png", IMAGES / f"{name}.png")
        print(f"docs/images/{name}.png")


if __name__ == "__main__":
    main()
