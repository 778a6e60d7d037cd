"""Running the `tracker` command as a user does: a real process, its one error line read back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TRACKER = str(Path(sys.executable).parent / "tracker")


def run(*args: str, url: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "TRACKER_DATABASE_URL": url, **env}
    environment.pop("TRACKER_PASSWORD", None) if "TRACKER_PASSWORD" not in env else None
    return subprocess.run(
        [TRACKER, *args], env=environment, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]
