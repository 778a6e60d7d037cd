"""`tracker verify --anchor` prints the chain head; `--since` holds the journal to it; `tracker user password`."""

from __future__ import annotations

import re

from clikit import one_error_line, run


def test_verify_since_an_exported_chain_head(fresh_url: str) -> None:
    added = run("user", "add", "a@example.org", "--role", "admin", url=fresh_url, TRACKER_PASSWORD="long enough pass")
    assert added.returncode == 0, added.stderr
    head = run("verify", "--anchor", url=fresh_url).stdout.strip()
    assert re.fullmatch(r"1:[0-9a-f]{64}", head), head
    held = run("verify", "--since", head, url=fresh_url)
    assert held.returncode == 0, held.stdout
    assert held.stdout.splitlines()[-1].startswith(f"journal chain head: {head} ")
    other = "1:" + "0" * 64
    broken = run("verify", "--since", other, url=fresh_url)
    assert broken.returncode == 1
    assert broken.stdout.splitlines() == ["problem: journal event 1: its hash differs from the chain head's"]


def test_user_password_sets_a_new_one(fresh_url: str) -> None:
    run("user", "add", "a@example.org", url=fresh_url, TRACKER_PASSWORD="long enough pass")
    changed = run("user", "password", "A@example.org", url=fresh_url, TRACKER_PASSWORD="another long pass")
    assert changed.stdout.strip() == "password of a@example.org changed; their sessions have ended"
    assert one_error_line(run("user", "password", "b@example.org", url=fresh_url, TRACKER_PASSWORD="x" * 12)) == (
        "error: no user has the email b@example.org"
    )
    assert one_error_line(run("user", "password", "a@example.org", url=fresh_url, TRACKER_PASSWORD="short")) == (
        "error: password: at least 10 characters"
    )
