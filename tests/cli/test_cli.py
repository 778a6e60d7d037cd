"""The command line, run as a real process: one readable line on bad input, never a traceback."""

import http.cookiejar
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from clikit import TRACKER, one_error_line, run, run_process


def test_help_lists_the_commands(fresh_url: str) -> None:
    result = run("--help", url=fresh_url)
    assert result.returncode == 0
    for command in ("serve", "demo", "db", "user", "verify", "rates"):
        assert command in result.stdout


def test_demo_is_idempotent_and_verifies(fresh_url: str) -> None:
    first = run("demo", url=fresh_url)
    assert first.returncode == 0, first.stderr
    assert "demo ledger loaded" in first.stdout
    assert "demo sign-in: demo@example.org / tracker-demo" in first.stdout
    again = run("demo", url=fresh_url)
    assert "demo ledger already present" in again.stdout
    verified = run("verify", url=fresh_url)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "every check passed" in verified.stdout


def test_user_add_takes_the_password_from_the_environment(fresh_url: str) -> None:
    created = run(
        "user", "add", "Admin@Example.org", "--role", "admin", url=fresh_url, TRACKER_PASSWORD="correct horse battery"
    )
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "user admin@example.org created with role admin"
    again = run(
        "user", "add", "admin@example.org", "--role", "admin", url=fresh_url, TRACKER_PASSWORD="correct horse battery"
    )
    assert one_error_line(again) == "error: email: a user with email admin@example.org already exists"


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (
            ("user", "add", "x@example.org", "--role", "owner"),
            {"TRACKER_PASSWORD": "long enough password"},
            "error: role: must be one of admin, clerk, viewer, got 'owner'",
        ),
        (("user", "add", "x@example.org"), {"TRACKER_PASSWORD": "short"}, "error: password: at least 10 characters"),
        (
            ("user", "add", "not-an-email"),
            {"TRACKER_PASSWORD": "long enough password"},
            "error: email: 'not-an-email' is not an email address",
        ),
        (
            ("user", "add", "x@example.org"),
            {},
            "error: set TRACKER_PASSWORD, or run this in a terminal to be asked for the password",
        ),
        (("demo",), {"TRACKER_ENV": "staging"}, "error: TRACKER_ENV: Input should be 'development' or 'production'"),
        (
            ("demo",),
            {"TRACKER_ENV": "production"},
            "error: settings: TRACKER_SECRET_KEY must be a random value of 32 characters or more in production, "
            "such as the output of: python -c 'import secrets; print(secrets.token_urlsafe(32))'",
        ),
        (
            ("demo",),
            {"TRACKER_REPORTING_CURRENCY": "XYZ"},
            "error: TRACKER_REPORTING_CURRENCY: 'XYZ' is not a current ISO 4217 currency code",
        ),
        (("db", "upgrade", "nonsense"), {}, "error: revision: Can't locate revision identified by 'nonsense'"),
        (("import", "missing.csv"), {}, "error: file: no such file: missing.csv"),
        (("import", "tests"), {}, "error: file: tests is a folder, not a file"),
    ],
)
def test_bad_input_prints_one_readable_line(
    fresh_url: str, args: tuple[str, ...], env: dict[str, str], message: str
) -> None:
    assert one_error_line(run(*args, url=fresh_url, **env)) == message


def test_an_unreachable_database_is_one_line_from_a_real_process() -> None:
    line = one_error_line(run_process("db", "upgrade", url="postgresql+psycopg://nobody@127.0.0.1:9/none"))
    assert line.startswith("error: cannot use the database:")


def test_serve_with_demo_serves_the_home_page(fresh_url: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {**os.environ, "TRACKER_DATABASE_URL": fresh_url}
    server = subprocess.Popen(
        [TRACKER, "serve", "--demo", "--port", str(port), "--workers", "1"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as health:
                    if health.status == 200:
                        assert health.headers.get("server") is None  # uvicorn's banner is off
                        assert health.headers["x-content-type-options"] == "nosniff"
                        break
            except (urllib.error.URLError, ConnectionError):
                pass
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            assert time.monotonic() < deadline, "the server did not start within a minute"
            time.sleep(0.2)
        # The home page needs a sign-in now: use the demo one, as a newcomer would.
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with browser.open(f"http://127.0.0.1:{port}/", timeout=10) as login:
            assert login.url.endswith("/login?next=%2F")
            token = re.search(r'name="csrf_token" value="([^"]+)"', login.read().decode()).group(1)
        form = {"email": "demo@example.org", "password": "tracker-demo", "csrf_token": token, "next": "/"}
        with browser.open(f"http://127.0.0.1:{port}/login", urllib.parse.urlencode(form).encode(), timeout=10) as home:
            assert home.status == 200
            assert "AZN500,000.00" in home.read().decode()
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "demo sign-in: demo@example.org / tracker-demo" in output


def test_commands_but_serve_have_the_process_to_themselves(
    fresh_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command may pause the collector (it serves nobody else); `serve --workers 1` serves from this very
    process, so it may not; and the dedication ends with the command (tests run many in one process)."""
    import gc

    import uvicorn
    from factories import make_donor
    from typer.testing import CliRunner

    from tracker.cli.main import app
    from tracker.core import bulk, config
    from tracker.db.engine import get_engine, make_engine, session_scope

    engine = make_engine(fresh_url)
    with session_scope(engine) as session:
        make_donor(session, "Kuwait Red Crescent")
    engine.dispose()
    monkeypatch.setenv("TRACKER_DATABASE_URL", fresh_url)
    config.get_settings.cache_clear()
    get_engine.cache_clear()
    paused: list[bool] = []
    monkeypatch.setattr(gc, "disable", lambda: paused.append(True))
    serving: list[bool] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: serving.append(bulk.may_switch_process_wide()))
    try:
        report = CliRunner().invoke(app, ["report", "donor", "Kuwait Red Crescent", "-o", str(tmp_path / "s.csv")])
        assert report.exit_code == 0, report.output
        assert paused and not bulk.may_switch_process_wide()
        served = CliRunner().invoke(app, ["serve", "--workers", "1"])
        assert served.exit_code == 0, served.output
        assert serving == [False]
    finally:
        get_engine.cache_clear()
        config.get_settings.cache_clear()


def test_importing_as_an_unknown_user_is_one_line(fresh_url: str, tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text("key,date,status,donor,recipient,kind,amount,currency\n")
    line = one_error_line(run("import", str(rows), "--user", "ghost@example.org", url=fresh_url))
    assert line == "error: user: no user with email ghost@example.org"


def test_setup_code_is_printed_only_while_no_user_exists(fresh_url: str) -> None:
    first = run("setup-code", url=fresh_url)
    assert first.returncode == 0, first.stderr
    code = re.search(r"setup code ([2-9A-Z]{5}-[2-9A-Z]{5})", first.stdout)
    assert code is not None, first.stdout
    run("user", "add", "admin@example.org", "--role", "admin", url=fresh_url, TRACKER_PASSWORD="correct horse battery")
    assert one_error_line(run("setup-code", url=fresh_url)) == (
        "error: setup is finished: a user exists already; sign in instead"
    )
