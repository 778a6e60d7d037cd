"""`tracker token`, run as a real process: the token is printed once, alone on the last line, and kept hashed."""

from __future__ import annotations

import hashlib
import subprocess

import clikit
from sqlmodel import Session, select

from tracker.db.engine import make_engine
from tracker.db.models import ApiToken


def run(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    return clikit.run(*args, url=url, TRACKER_PASSWORD="correct horse battery")


def test_create_list_and_revoke_a_token(fresh_url: str) -> None:
    assert run("user", "add", "clerk@example.org", "--role", "clerk", url=fresh_url).returncode == 0
    created = run("token", "create", "--user", "Clerk@Example.org", "--name", "warehouse", url=fresh_url)
    assert created.returncode == 0, created.stderr
    lines = created.stdout.strip().splitlines()
    assert lines[0] == "token 1 created for clerk@example.org; copy it now, it is not shown again:"
    secret = lines[-1]
    assert secret.startswith("trk_") and " " not in secret

    engine = make_engine(fresh_url)
    with Session(engine) as session:
        stored = session.exec(select(ApiToken)).one()
    engine.dispose()
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()

    listed = run("token", "list", "--user", "clerk@example.org", url=fresh_url)
    assert listed.returncode == 0
    rows = [line.split("\t") for line in listed.stdout.strip().splitlines()]
    assert rows[0] == ["id", "user", "name", "created", "last used", "revoked"]
    assert rows[1][:3] == ["1", "clerk@example.org", "warehouse"] and rows[1][4:] == ["-", "-"]
    assert secret not in listed.stdout

    revoked = run("token", "revoke", "1", url=fresh_url)
    assert revoked.returncode == 0 and revoked.stdout.strip() == "token 1 revoked"
    again = run("token", "revoke", "1", url=fresh_url)
    assert again.returncode == 1
    assert again.stderr.strip() == "error: token 1 is already revoked"


def test_a_token_for_nobody_is_one_readable_line(fresh_url: str) -> None:
    result = run("token", "create", "--user", "nobody@example.org", url=fresh_url)
    assert result.returncode == 1
    assert result.stderr.strip() == "error: user: no user with email nobody@example.org"
    assert "Traceback" not in result.stderr
