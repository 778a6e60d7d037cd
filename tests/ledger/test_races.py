"""Concurrent writes on one promise: each pair run at the same moment from two threads leaves a ledger that verifies.

Every trial commits a fresh promise, then two threads, each with its own session on the
committed database, start together at a barrier. Afterwards only the allowed outcomes
happened, `tracker verify`'s checks find nothing and the maintained totals equal a rebuild.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from factories import make_donor, make_item, make_recipient, money_line
from sqlmodel import Session

from tracker.core.errors import TrackerError
from tracker.db.engine import make_engine
from tracker.db.models import Contribution, JournalEvent, LedgerTotal
from tracker.ledger.service import (
    ContributionInput,
    advance_status,
    close_contribution,
    record_contribution,
    record_fulfilment,
    void_contribution,
)
from tracker.ledger.verify import run_checks
from tracker.totals.aggregates import rebuild_totals

DAY = date(2023, 2, 10)
TRIALS = 10
COLUMNS = ("dim", "dim_key", "bucket", "kind", "currency", "value_minor", "quantity_milli", "converted",
           "converted_minor", "unconverted_minor")  # fmt: skip

Write = Callable[[Session], Any]


@pytest.fixture
def engine_of_fresh(fresh_url: str) -> Iterator[sa.Engine]:
    made = make_engine(fresh_url, busy_seconds=30)
    with Session(made, expire_on_commit=False) as session:
        donor, recipient = make_donor(session), make_recipient(session)
        make_item(session)
        rebuild_totals(session)
        session.commit()
        assert (donor.id, recipient.id) == (1, 1)
    yield made
    made.dispose()


def pledge(engine: sa.Engine, status: str = "committed", amount: str = "10.00 USD") -> int:
    with Session(engine, expire_on_commit=False) as session:
        made = record_contribution(session, ContributionInput(1, 1, DAY, status, [money_line(amount)]), None)
        session.commit()
        return made.id  # type: ignore[return-value]


def call(write: Callable[..., Any], *args: Any) -> Write:
    """`write(session, *args)`, for a thread to run in its own session."""
    return lambda session: write(session, *args)


def fulfil(pledge_id: int, amount: str = "6.00 USD") -> Write:
    data = ContributionInput(1, 1, DAY, "paid", [money_line(amount)])
    return lambda session: record_fulfilment(session, pledge_id, data, None)


def run_at_once(engine: sa.Engine, *writes: Write) -> list[bool]:
    """Each write in its own thread and session, started together; True where it committed, False where refused."""
    barrier = threading.Barrier(len(writes))
    outcome: list[bool | BaseException] = [False] * len(writes)

    def run(index: int, write: Write) -> None:
        try:
            with Session(engine, expire_on_commit=False) as session:
                barrier.wait()
                try:
                    write(session)
                    session.commit()
                    outcome[index] = True
                except TrackerError:
                    session.rollback()
        except BaseException as error:  # reported to the test below
            outcome[index] = error

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(writes)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for result in outcome:
        if isinstance(result, BaseException):
            raise result
    return [bool(result) for result in outcome]


def table_rows(session: Session) -> list[tuple[Any, ...]]:
    table = LedgerTotal.__table__  # type: ignore[attr-defined]
    return sorted(tuple(row) for row in session.execute(sa.select(*(table.c[name] for name in COLUMNS))))


def assert_ledger_holds(engine: sa.Engine) -> None:
    with Session(engine, expire_on_commit=False) as session:
        assert run_checks(session) == []
        maintained = table_rows(session)
        rebuild_totals(session)
        assert table_rows(session) == maintained
        session.rollback()


def state(engine: sa.Engine, contribution_id: int) -> Contribution:
    with Session(engine, expire_on_commit=False) as session:
        found = session.get(Contribution, contribution_id)
        assert found is not None
        return found


def fulfilled_first(engine: sa.Engine, promise: int, action: str) -> bool:
    """Whether the fulfilment was journalled before `action` (the journal's lock is held until commit)."""
    with Session(engine) as session:
        fulfilment = session.execute(sa.select(Contribution.id).where(Contribution.fulfils_id == promise)).scalar_one()
        order = session.execute(
            sa.select(JournalEvent.object_id)
            .where(JournalEvent.object_id.in_([str(promise), str(fulfilment)]))  # type: ignore[attr-defined]
            .where(JournalEvent.action.in_(["contribution.recorded", action]))  # type: ignore[attr-defined]
            .order_by(JournalEvent.id)
        ).all()
    return [row[0] for row in order] == [str(promise), str(fulfilment), str(promise)]


def test_status_paid_and_a_fulfilment_never_both_succeed(engine_of_fresh: sa.Engine) -> None:
    for _ in range(TRIALS):
        promise = pledge(engine_of_fresh)
        paid = call(advance_status, promise, "paid", None, DAY)
        outcome = run_at_once(engine_of_fresh, paid, fulfil(promise))
        assert outcome in ([True, False], [False, True])  # paid in full and also fulfilled: counted twice
        assert state(engine_of_fresh, promise).status == ("paid" if outcome[0] else "committed")
    assert_ledger_holds(engine_of_fresh)


def test_a_void_and_a_fulfilment_never_both_succeed(engine_of_fresh: sa.Engine) -> None:
    for _ in range(TRIALS):
        promise = pledge(engine_of_fresh)
        void = call(void_contribution, promise, "entered twice", None)
        outcome = run_at_once(engine_of_fresh, void, fulfil(promise))
        assert outcome != [False, False]
        if outcome == [True, True]:  # allowed only in this order: a void promise is never fulfilled
            assert fulfilled_first(engine_of_fresh, promise, "contribution.voided")
    assert_ledger_holds(engine_of_fresh)


def test_a_close_and_a_fulfilment_never_both_succeed(engine_of_fresh: sa.Engine) -> None:
    for _ in range(TRIALS):
        promise = pledge(engine_of_fresh)
        close = call(close_contribution, promise, "the donor sends no more", None)
        outcome = run_at_once(engine_of_fresh, close, fulfil(promise))
        assert outcome != [False, False]
        if outcome == [True, True]:  # allowed only in this order: a closed promise is never fulfilled
            assert fulfilled_first(engine_of_fresh, promise, "contribution.closed")
    assert_ledger_holds(engine_of_fresh)


def test_two_fulfilments_both_count_and_the_totals_stay_true(engine_of_fresh: sa.Engine) -> None:
    for _ in range(TRIALS):
        promise = pledge(engine_of_fresh)
        assert run_at_once(engine_of_fresh, fulfil(promise), fulfil(promise)) == [True, True]
    assert_ledger_holds(engine_of_fresh)
    # By hand: ten pledges of 10.00, each fulfilled by 6.00 twice: 120.00 paid, nothing still pledged.
    with Session(engine_of_fresh, expire_on_commit=False) as session:
        rows = session.execute(
            sa.text("SELECT bucket, SUM(value_minor) FROM ledger_total WHERE dim = 'all' GROUP BY bucket")
        ).all()
    assert dict(rows).get("paid") == 12000
    assert not dict(rows).get("committed")


def test_voiding_a_fulfilment_beside_another_fulfilment_keeps_the_totals_true(engine_of_fresh: sa.Engine) -> None:
    for _ in range(TRIALS):
        promise = pledge(engine_of_fresh)
        first = fulfil(promise)
        with Session(engine_of_fresh, expire_on_commit=False) as session:
            first_id = first(session).id
            session.commit()
        void = call(void_contribution, first_id, "entered twice", None)
        assert run_at_once(engine_of_fresh, void, fulfil(promise, "3.00 USD")) == [True, True]
    assert_ledger_holds(engine_of_fresh)


def test_hundreds_of_mixed_writes_at_once_leave_a_ledger_that_verifies(engine_of_fresh: sa.Engine) -> None:
    """About 200 writes (record, fulfil, status, void, close) from 8 threads on a handful of promises."""
    promises = [pledge(engine_of_fresh, ("pledged", "committed")[i % 2]) for i in range(6)]
    done: dict[str, int] = {}
    known = list(promises)
    lock = threading.Lock()
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def worker(seed: int) -> None:
        chance = random.Random(seed)
        try:
            barrier.wait()
            for _ in range(25):
                target = chance.choice(promises)
                with lock:
                    anyone = chance.choice(known)
                action = chance.choice(("record", "fulfil", "fulfil", "status", "void", "close"))
                with Session(engine_of_fresh, expire_on_commit=False) as session:
                    try:
                        if action == "record":
                            data = ContributionInput(1, 1, DAY, chance.choice(("pledged", "committed")),
                                                     [money_line("10.00 USD")])  # fmt: skip
                            made = record_contribution(session, data, None)
                        elif action == "fulfil":
                            made = fulfil(target, f"{chance.randint(1, 7)}.00 USD")(session)
                        elif action == "status":
                            made = advance_status(session, target, chance.choice(("committed", "paid")), None, DAY)
                        elif action == "void":
                            made = void_contribution(session, anyone, "entered twice", None)
                        else:
                            made = close_contribution(session, target, "the donor sends no more", None)
                        session.commit()
                    except TrackerError:
                        session.rollback()
                        continue
                with lock:
                    done[action] = done.get(action, 0) + 1
                if action == "record":
                    with lock:
                        promises.append(made.id)  # type: ignore[arg-type]
                        known.append(made.id)  # type: ignore[arg-type]
                elif action == "fulfil":
                    with lock:
                        known.append(made.id)  # type: ignore[arg-type]
        except BaseException as error:  # reported to the test below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert set(done) == {"record", "fulfil", "status", "void", "close"}  # every kind of write got through
    assert_ledger_holds(engine_of_fresh)
