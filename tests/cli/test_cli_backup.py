"""`tracker db backup` while contributions are being recorded, then `tracker db restore` into a new database:
every contribution committed before the backup began is in the copy, and the copy verifies."""

from __future__ import annotations

import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

from clikit import one_error_line, run
from factories import make_donor, make_recipient, money_line
from sqlmodel import select

from tracker.db.engine import make_engine, session_scope
from tracker.db.models import Contribution
from tracker.ledger.service import ContributionInput, record_contribution


def numbers(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        with session_scope(engine) as session:
            return set(session.exec(select(Contribution.number)).all())
    finally:
        engine.dispose()


def test_a_backup_taken_while_writing_restores_every_committed_contribution(
    fresh_url: str, databases: Any, tmp_path: Path
) -> None:
    engine = make_engine(fresh_url)
    with session_scope(engine) as session:
        donor, recipient = make_donor(session).id, make_recipient(session).id
    committed: list[str] = []
    stop = threading.Event()

    def keep_recording() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            data = ContributionInput(donor, recipient, date(2023, 2, 10), "paid", [money_line(f"{n}.00 USD")])  # type: ignore[arg-type]
            with session_scope(engine) as session:
                number = record_contribution(session, data, None).number
            committed.append(number)  # only once its transaction has committed

    writer = threading.Thread(target=keep_recording)
    writer.start()
    try:
        while len(committed) < 20:
            time.sleep(0.01)
        before = set(committed)
        file = tmp_path / "tracker.backup"
        made = run("db", "backup", str(file), url=fresh_url)
        after = set(committed)
        time.sleep(0.2)  # still writing after the backup
    finally:
        stop.set()
        writer.join()
    engine.dispose()
    assert made.returncode == 0, made.stderr
    assert len(set(committed)) > len(after) > len(before) >= 20  # writes went on before, during and after

    copy = databases.new()
    restored = run("db", "restore", str(file), url=copy)
    assert restored.returncode == 0, restored.stderr
    found = numbers(copy)
    assert before <= found <= after  # every contribution committed before the backup; none from after it
    verified = run("verify", url=copy)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_restore_refuses_a_database_that_is_not_empty_and_backup_an_existing_file(
    fresh_url: str, tmp_path: Path
) -> None:
    file = tmp_path / "tracker.backup"
    assert run("db", "backup", str(file), url=fresh_url).returncode == 0
    assert "is not empty; restore into a new database" in one_error_line(run("db", "restore", str(file), url=fresh_url))
    assert one_error_line(run("db", "backup", str(file), url=fresh_url)) == (
        f"error: file: {file} exists already; name a new file"
    )
    assert one_error_line(run("db", "restore", str(tmp_path / "missing"), url=fresh_url)) == (
        f"error: file: {tmp_path / 'missing'} does not exist"
    )
