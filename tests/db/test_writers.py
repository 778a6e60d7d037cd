"""SQLite writers queue on `<database>-writer`: held from BEGIN IMMEDIATE to COMMIT or ROLLBACK, never by readers."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

import sqlalchemy as sa

from tracker.db.engine import make_engine, reading
from tracker.db.writers import lock_path


def is_held(path: str) -> bool:
    """Whether some writer holds the lock file now (a descriptor of our own tries it without waiting)."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)
    return False


def ledger(tmp_path: Path) -> tuple[sa.Engine, str]:
    url = f"sqlite:///{tmp_path / 'queue.db'}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE entry (id INTEGER PRIMARY KEY, amount_minor INTEGER NOT NULL)")
    return engine, str(tmp_path / "queue.db-writer")


def test_the_lock_file_sits_beside_the_database_file_and_an_in_memory_one_has_none(tmp_path: Path) -> None:
    assert lock_path(f"sqlite:///{tmp_path / 'a.db'}") == f"{tmp_path / 'a.db'}-writer"
    assert lock_path("sqlite://") is None
    assert lock_path("sqlite:///:memory:") is None


def test_a_writer_holds_the_lock_until_its_commit_has_returned(tmp_path: Path) -> None:
    engine, path = ledger(tmp_path)
    assert not is_held(path)
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO entry (amount_minor) VALUES (12550)")
        assert is_held(path)
    assert not is_held(path)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT amount_minor FROM entry").scalar_one() == 12550
    engine.dispose()


def test_a_writer_that_rolls_back_lets_the_lock_go_too(tmp_path: Path) -> None:
    engine, path = ledger(tmp_path)
    conn = engine.connect()
    transaction = conn.begin()
    conn.exec_driver_sql("INSERT INTO entry (amount_minor) VALUES (1)")
    assert is_held(path)
    transaction.rollback()
    assert not is_held(path)
    conn.close()
    engine.dispose()


def test_a_reader_never_takes_the_lock_nor_waits_for_it(tmp_path: Path) -> None:
    engine, path = ledger(tmp_path)
    with engine.begin() as writer:
        writer.exec_driver_sql("INSERT INTO entry (amount_minor) VALUES (700)")
        with reading(engine).connect() as reader:
            reader.begin()
            assert reader.exec_driver_sql("SELECT count(*) FROM entry").scalar_one() == 0  # its snapshot
        assert is_held(path)  # still the writer's
    with reading(engine).begin() as reader:
        assert not is_held(path)
        assert reader.exec_driver_sql("SELECT sum(amount_minor) FROM entry").scalar_one() == 700
    engine.dispose()


def test_a_second_engine_writes_once_the_first_has_committed_and_both_rows_are_kept(tmp_path: Path) -> None:
    first, path = ledger(tmp_path)
    second = make_engine(f"sqlite:///{tmp_path / 'queue.db'}")  # another process would have one of its own
    order: list[str] = []
    inside = threading.Event()

    def later_writer() -> None:
        inside.wait()
        with second.begin() as conn:
            order.append("second began")
            conn.exec_driver_sql("INSERT INTO entry (amount_minor) VALUES (200)")

    thread = threading.Thread(target=later_writer)
    thread.start()
    with first.begin() as conn:
        conn.exec_driver_sql("INSERT INTO entry (amount_minor) VALUES (100)")
        inside.set()
        thread.join(timeout=0.3)  # it waits on the lock file meanwhile
        order.append("first commits")
    thread.join(timeout=30)
    assert order == ["first commits", "second began"]
    with first.connect() as conn:
        assert conn.exec_driver_sql("SELECT sum(amount_minor) FROM entry").scalar_one() == 300
    assert not is_held(path)
    first.dispose()
    second.dispose()


def test_an_invalidated_connection_lets_the_lock_go(tmp_path: Path) -> None:
    engine, path = ledger(tmp_path)
    conn = engine.connect()
    conn.begin()
    conn.exec_driver_sql("INSERT INTO entry (amount_minor) VALUES (5)")
    assert is_held(path)
    conn.invalidate()  # as after a lost connection: closed without a ROLLBACK through the dialect
    assert not is_held(path)
    conn.close()
    with engine.connect() as fresh:
        assert fresh.exec_driver_sql("SELECT count(*) FROM entry").scalar_one() == 0
    engine.dispose()
