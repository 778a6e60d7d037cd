"""The README and docs/ are the front door: every setting, command, page and link they promise must be real."""

import re
import subprocess
import sys
import zipfile
from pathlib import Path

from tracker.core.config import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = ROOT / "docs"


def settings_table(page: str) -> dict[str, str]:
    """The first column of the configuration page's table of variables, with each row."""
    rows = re.findall(r"(?m)^\| `(TRACKER_[A-Z0-9_]+)` \|(.*)$", page)
    return {name: row for name, row in rows}


def test_every_setting_is_documented_in_the_configuration_table() -> None:
    table = settings_table((DOCS / "configuration.md").read_text(encoding="utf-8"))
    settings = {f"TRACKER_{name.upper()}" for name in Settings.model_fields}
    assert settings <= set(table), f"undocumented: {sorted(settings - set(table))}"


def test_the_configuration_table_is_read_as_rows_of_the_table() -> None:
    page = "| variable | default | meaning |\n| --- | --- | --- |\n| `TRACKER_ENV` | `development` | which |\n"
    page += "A sentence that names `TRACKER_SECRET_KEY` outside the table.\n"
    assert set(settings_table(page)) == {"TRACKER_ENV"}  # a setting only mentioned in prose is not documented


def test_the_readme_is_under_8_kb() -> None:
    assert len(README.encode("utf-8")) < 8 * 1024


def test_the_readme_shows_the_dashboard_and_links_only_to_files_that_exist() -> None:
    assert "![The dashboard of the demo ledger](docs/images/dashboard.png)" in README
    targets = re.findall(r"\]\(((?!https?:)[^)#\s]+)(?:#[^)]*)?\)", README)
    assert "docs/going-live.md" in targets and "docs/configuration.md" in targets
    missing = [target for target in targets if not (ROOT / target).is_file()]
    assert not missing, f"README links to missing files: {missing}"


def test_every_docs_page_is_in_the_site_navigation() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    in_nav = set(re.findall(r"(?m)^  - [^:]+: (\S+\.md)$", config))
    pages = {page.name for page in DOCS.glob("*.md")}
    assert pages == in_nav
    assert {"first-hour.md", "going-live.md", "ledger.md", "configuration.md", "api.md"} <= pages


def test_the_documentation_site_is_built_strictly_in_ci_after_the_lints() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert ".venv/bin/mkdocs build --strict" in ci
    build = ci.index(".venv/bin/mkdocs build --strict")
    assert ci.index(".venv/bin/lint-imports") < build < ci.index(".venv/bin/pytest")
    assert "--group dev" in ci  # mkdocs-material comes with the dev dependency group
    assert '"mkdocs-material' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def test_the_first_hour_shows_the_screenshots_it_promises() -> None:
    page = (DOCS / "first-hour.md").read_text(encoding="utf-8")
    images = re.findall(r"\]\((images/[^)]+\.png)\)", page)
    assert {"images/dashboard.png", "images/entry-form.png", "images/pledge-moved-on.png"} <= set(images)
    assert {"images/statement.png", "images/letter.png"} <= set(images)
    for image in images:
        assert (DOCS / image).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", image
    assert "scripts/docs_screenshots.py" in page and (ROOT / "scripts" / "docs_screenshots.py").is_file()
    taken = (ROOT / "tests" / "browser" / "test_first_hour.py").read_text(encoding="utf-8")
    assert all(f'"{Path(image).stem}"' in taken for image in images)  # each picture is one the browser test takes


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
