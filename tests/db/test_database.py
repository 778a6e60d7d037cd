"""Database settings and transactions: SQLite pragmas, atomic writes, numbers under concurrency."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
import sqlalchemy as sa
from factories import make_donor, make_recipient, money_line
from sqlmodel import Session, func, select

from tracker.catalogue.service import ItemInput, create_item
from tracker.core.errors import Conflict, Invalid
from tracker.db.engine import make_engine, session_scope
from tracker.db.models import Contribution, ContributionLine, Donor, Item, JournalEvent
from tracker.ledger.service import ContributionInput, LineInput, record_contribution


def test_sqlite_runs_with_wal_full_sync_foreign_keys_and_a_busy_timeout(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    with engine.connect() as conn:
        values = [
            conn.exec_driver_sql(f"PRAGMA {name}").scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        ]
    engine.dispose()
    assert values == ["wal", 2, 1, 10000]  # synchronous 2 = FULL


def test_a_failed_write_leaves_nothing_behind(fresh_url: str) -> None:
    engine = make_engine(fresh_url)
    with session_scope(engine) as session:
        donor, recipient = make_donor(session), make_recipient(session)
        ids = donor.id, recipient.id
    bad_second_line = LineInput("money", amount=None)
    with pytest.raises(Invalid), session_scope(engine) as session:
        good = ContributionInput(ids[0], ids[1], date(2023, 2, 10), "paid", [money_line("10.00 USD")])
        record_contribution(session, good, None)  # flushed, with its journal event…
        bad = ContributionInput(ids[0], ids[1], date(2023, 2, 10), "paid", [money_line("10.00 USD"), bad_second_line])
        record_contribution(session, bad, None)  # …then this fails, and the whole unit of work rolls back
    with Session(engine) as session:
        counts = [
            session.exec(select(func.count()).select_from(m)).one()
            for m in (Contribution, ContributionLine, JournalEvent)
        ]
    engine.dispose()
    assert counts == [0, 0, 2]  # only the donor's and the recipient's creation events, committed earlier


def test_concurrent_writers_get_distinct_numbers(fresh_url: str) -> None:
    engine = make_engine(fresh_url)
    with session_scope(engine) as session:
        ids = make_donor(session).id, make_recipient(session).id

    def record_one(_: int) -> str:
        with session_scope(engine) as session:
            data = ContributionInput(ids[0], ids[1], date(2023, 2, 10), "paid", [money_line("1.00 USD")])
            return record_contribution(session, data, None).number

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(record_one, range(40)))
    with Session(engine) as session:
        stored = session.exec(select(func.count()).select_from(Contribution)).one()
        problems = session.execute(sa.text("SELECT count(*) FROM journal_event")).scalar_one()
    engine.dispose()
    assert stored == 40
    assert sorted(numbers) == [f"C-2023-{n:06d}" for n in range(1, 41)]
    assert problems == 42  # 40 contributions + donor + recipient, one chain


def test_journal_chain_holds_after_concurrent_writes(fresh_url: str) -> None:
    from tracker.db.journal import verify_chain

    engine = make_engine(fresh_url)

    def add_donor(n: int) -> None:
        with session_scope(engine) as session:
            make_donor(session, f"Donor {n}")

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(add_donor, range(30)))
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Donor)).one() == 30
        assert list(verify_chain(session)) == []
    engine.dispose()


def test_two_simultaneous_creates_of_one_item_name_end_in_one_item_and_a_clear_refusal(fresh_url: str) -> None:
    """The second transaction's check runs before the first commits; the unique index decides, and the loser
    gets a Conflict (PostgreSQL) or, where writers queue at BEGIN (SQLite), the ordinary duplicate-name refusal."""
    engine = make_engine(fresh_url)
    first_flushed, first_may_commit = threading.Event(), threading.Event()

    def first() -> None:
        with session_scope(engine) as session:
            create_item(session, ItemInput(name="Winter tent", unit="piece", cluster="SHL"), None)
            first_flushed.set()
            first_may_commit.wait(10)

    def second() -> Exception | None:
        first_flushed.wait(10)
        try:
            with session_scope(engine) as session:
                create_item(session, ItemInput(name="Winter tent", unit="piece", cluster="SHL"), None)
        except (Conflict, Invalid) as refusal:
            return refusal
        return None

    with ThreadPoolExecutor(max_workers=2) as pool:
        done_first = pool.submit(first)
        outcome = pool.submit(second)
        time.sleep(0.5)  # the second is now waiting: on the unique index (PostgreSQL) or at BEGIN (SQLite)
        first_may_commit.set()
        done_first.result()
        refusal = outcome.result()
    with Session(engine) as session:
        names = session.exec(select(Item.name)).all()
    engine.dispose()
    assert names == ["Winter tent"]
    assert isinstance(refusal, Invalid if fresh_url.startswith("sqlite") else Conflict)
