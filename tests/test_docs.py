"""The README is the front door: every setting and every command it promises must be real."""

import re
import subprocess
import sys
import zipfile
from pathlib import Path

from tracker.core.config import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    documented = set(re.findall(r"`(TRACKER_[A-Z_]+)`", README))
    settings = {f"TRACKER_{name.upper()}" for name in Settings.model_fields}
    assert settings <= documented, f"undocumented: {sorted(settings - documented)}"


def test_the_quick_start_is_two_commands_that_exist() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.+?)\n```", quick_start)
    assert commands == [
        "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/tracker serve --demo",
        "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && .venv/bin/pytest -n 2",
    ]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ".venv/bin/pytest -n 2\n" in ci  # the README's test command, on each database


def test_the_wheel_carries_templates_and_migrations(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("tracker-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    migrations = {n for n in names if n.startswith("tracker/migrations/versions/") and n.endswith(".py")}
    expected = {
        "tracker/templates/base.html",
        "tracker/templates/home.html",
        "tracker/migrations/env.py",
        "tracker/cli/main.py",
        "tracker/core/money.py",
        "tracker/locale/az/LC_MESSAGES/messages.po",
        "tracker/locale/tr/LC_MESSAGES/messages.po",
        "tracker/locale/ru/LC_MESSAGES/messages.po",
    }
    assert expected <= names
    assert len(migrations) == len(list((ROOT / "migrations" / "versions").glob("*.py")))
