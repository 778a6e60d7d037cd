"""The maintained totals table, kept by every write, equals a rebuild from scratch row for row: text and rounding too.

Every write moves the totals by a delta summed with `TotalSums`; a rebuild sums the whole
ledger with it. The stored rows (their exact text and their rounded minor units, written by
the database's upsert on a write and by Python on a rebuild) must come out identical.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from factories import make_appeal, make_donor, make_item, make_recipient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from tracker.core.errors import TrackerError
from tracker.core.money import Money
from tracker.db.models import LedgerTotal
from tracker.ledger.service import (
    ContributionInput,
    LineInput,
    advance_status,
    close_contribution,
    record_contribution,
    record_fulfilment,
    void_contribution,
)
from tracker.rates.service import record_rate
from tracker.totals.aggregates import rebuild_totals
from tracker.totals.writes import totals_state

DAY0 = date(2023, 2, 6)
COLUMNS = ("dim", "dim_key", "bucket", "kind", "currency", "value_minor", "quantity_milli", "converted",
           "converted_minor", "unconverted_minor")  # fmt: skip
money = st.tuples(st.just("money"), st.sampled_from(("USD", "JPY", "KWD", "EUR", "AZN")), st.integers(1, 10**9))
goods = st.tuples(
    st.just("goods"),
    st.integers(0, 1),  # which item
    st.integers(1, 4000),  # quantity in thousandths
    st.sampled_from(("USD", "KWD", "JPY", None)),
    st.integers(1, 10**6),  # unit value in minor units
)
step = st.one_of(
    st.tuples(st.just("record"), st.sampled_from(("pledged", "committed", "paid")),
              st.lists(st.one_of(money, goods), min_size=1, max_size=3), st.integers(0, 2), st.integers(0, 40),
              st.integers(0, 2)),
    st.tuples(st.just("fulfil"), st.integers(0, 99), st.one_of(money, goods), st.integers(0, 40)),
    # A status move dated some days on (before the value date: refused), or today (no date given).
    st.tuples(st.just("advance"), st.integers(0, 99), st.one_of(st.none(), st.integers(0, 60))),
    st.tuples(st.just("close"), st.integers(0, 99)),
    st.tuples(st.just("void"), st.integers(0, 99)),
    # A rate, or a correction of one (the same day and currency again); now and then one quoted in AZN,
    # or USD's own (the reporting currency's: every cross rate's divisor).
    st.tuples(st.just("rate"), st.sampled_from(("JPY", "KWD", "EUR", "AZN", "USD")), st.integers(0, 3),
              st.integers(1, 10**7), st.sampled_from(("USD", "USD", "AZN"))),
)  # fmt: skip


def table_rows(session: Session) -> list[tuple[Any, ...]]:
    table = LedgerTotal.__table__  # type: ignore[attr-defined]
    return sorted(tuple(row) for row in session.execute(sa.select(*(table.c[name] for name in COLUMNS))))


def line_input(drawn: tuple[Any, ...], items: list[Any]) -> LineInput:
    if drawn[0] == "money":
        return LineInput("money", amount=Money.from_minor(drawn[2], drawn[1]))
    _, item, milli, currency, unit_minor = drawn
    unit = Money.from_minor(unit_minor, currency) if currency else None
    return LineInput("goods", item_id=items[item].id, quantity=Decimal(milli).scaleb(-3), unit_value=unit)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=16))
def test_every_write_leaves_the_table_a_rebuild_writes(session: Session, steps: list[tuple[Any, ...]]) -> None:
    savepoint = session.begin_nested()
    try:
        assert totals_state(session).reporting_currency == "USD"
        donors = [make_donor(session, f"Donor {i}") for i in range(3)]
        recipient = make_recipient(session)
        appeals = [make_appeal(session, "A-1"), make_appeal(session, "A-2"), None]
        items = [make_item(session, "Tent"), make_item(session, "Rescuer", "person-day", "LOG")]
        made: list[Any] = []
        for action, *args in steps:
            try:
                if action == "record":
                    status, lines, donor, day, appeal = args
                    chosen = appeals[appeal]
                    data = ContributionInput(donors[donor].id, recipient.id, DAY0 + timedelta(days=day), status,
                                             [line_input(x, items) for x in lines],
                                             appeal_id=chosen.id if chosen else None)  # fmt: skip
                    made.append(record_contribution(session, data, None))
                elif action == "fulfil" and made:
                    pledge, drawn, day = made[args[0] % len(made)], args[1], args[2]
                    data = ContributionInput(pledge.donor_id, recipient.id, DAY0 + timedelta(days=day), "paid",
                                             [line_input(drawn, items)])  # fmt: skip
                    made.append(record_fulfilment(session, pledge.id, data, None))
                elif action == "advance" and made:
                    target, day = made[args[0] % len(made)], args[1]
                    on = None if day is None else DAY0 + timedelta(days=day)
                    advance_status(
                        session, target.id, "paid" if target.status == "committed" else "committed", None, on
                    )
                elif action == "close" and made:
                    close_contribution(session, made[args[0] % len(made)].id, "the donor sends no more", None)
                elif action == "void" and made:
                    void_contribution(session, made[args[0] % len(made)].id, "entered twice", None)
                elif action == "rate":
                    currency, day, rate, quote = args
                    if currency != quote:
                        record_rate(session, DAY0 + timedelta(days=day * 5), currency, Decimal(rate).scaleb(-4),
                                    "manual", quote, None)  # fmt: skip
            except TrackerError:
                pass  # refused writes (a fulfilment of a paid entry, a void twice…) change nothing
        session.expire_all()
        maintained = table_rows(session)
        rebuild_totals(session)
        assert table_rows(session) == maintained
    finally:
        savepoint.rollback()


def test_the_table_is_compared_in_full(session: Session) -> None:
    """The comparison sees the exact text and the rounded minor units, not only the integer figures."""
    totals_state(session)
    donor, recipient = make_donor(session), make_recipient(session)
    record_rate(session, DAY0, "EUR", Decimal("1.005"), "manual", "USD", None)
    lines = [LineInput("money", amount=Money.from_minor(100, "EUR"))]
    data = ContributionInput(donor.id, recipient.id, DAY0, "paid", lines)  # type: ignore[arg-type]
    record_contribution(session, data, None)
    rows = {row[:5]: row[5:] for row in table_rows(session)}
    # 1.00 EUR at 1.005 = 1.005 USD exactly, rounded half up once to 1.01.
    assert rows[("all", "", "paid", "money", "EUR")] == (100, 0, "1.005", 101, 0)
    assert rows[("donor:sum", str(donor.id), "paid", "all", "")] == (0, 0, "1.005", 101, 0)
