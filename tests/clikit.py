"""Running the `tracker` command as a user does, and reading its one error line back.

`run` calls the command in this process through Typer's runner (the same `app`, arguments,
environment and exit code as a real process, ~2 s cheaper per call); `run_process` starts
a real process for what only a process shows (serving, start-up, a crash).
"""

from __future__ import annotations

import contextvars
import os
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

TRACKER = str(Path(sys.executable).parent / "tracker")


def run(*args: str, url: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The command's exit code, standard output and standard error, run in this process."""
    from tracker.cli.main import app
    from tracker.core.config import get_settings
    from tracker.db.engine import get_engine

    environment: dict[str, str | None] = {"TRACKER_DATABASE_URL": url, **env}
    environment.setdefault("TRACKER_PASSWORD", None)  # unset unless given, as for a real process
    _forget_settings(get_settings, get_engine)
    try:
        # The command's language and other context variables stay inside its own context.
        result = contextvars.copy_context().run(
            CliRunner().invoke, app, list(args), env=environment, catch_exceptions=True
        )
    finally:
        _forget_settings(get_settings, get_engine)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "Traceback (most recent call last):\n" + "".join(traceback.format_exception(result.exception))
    return subprocess.CompletedProcess([TRACKER, *args], result.exit_code, result.stdout, stderr)


def _forget_settings(get_settings: Any, get_engine: Any) -> None:
    """The settings and engine a process would read afresh from its environment."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()
    get_settings.cache_clear()


def run_process(*args: str, url: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The command run as a real process, as a user's shell runs it."""
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
