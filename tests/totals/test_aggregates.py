"""Maintained totals: after any sequence of ledger writes and rate changes they equal a full recomputation."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from factories import make_appeal, make_donor, make_item, make_recipient, money_line
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from tracker.core.errors import TrackerError
from tracker.core.money import Money
from tracker.demo import load_demo
from tracker.ledger.service import ContributionInput, LineInput, advance_status, record_contribution, void_contribution
from tracker.rates.service import record_rate
from tracker.totals import summing
from tracker.totals.aggregates import compute_totals, rebuild_totals, stored_totals
from tracker.totals.writes import totals_state

DAY0 = date(2023, 2, 6)
line = st.one_of(
    st.tuples(st.just("money"), st.sampled_from(("USD", "JPY", "KWD", "EUR")), st.integers(1, 10**8)),
    st.tuples(
        st.just("goods"),
        st.integers(0, 1),
        st.integers(1, 40),
        st.sampled_from(("USD", "KWD", None)),
        st.integers(1, 10**5),
    ),
)
step = st.one_of(
    st.tuples(st.just("record"), st.sampled_from(("pledged", "committed", "paid")),
              st.lists(line, min_size=1, max_size=3), st.integers(0, 2), st.integers(0, 20), st.integers(0, 2)),
    st.tuples(st.just("fulfil"), st.integers(0, 99), st.integers(1, 30)),
    st.tuples(st.just("advance"), st.integers(0, 99)),
    st.tuples(st.just("void"), st.integers(0, 99)),
    st.tuples(st.just("rate"), st.sampled_from(("JPY", "KWD", "EUR")), st.integers(0, 20), st.integers(1, 10**6)),
)  # fmt: skip


def nonzero(sums: dict) -> dict:
    return {k: v for k, v in sums.items() if not v.is_zero()}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=1, max_size=14))
def test_maintained_totals_equal_a_full_recomputation(session: Session, steps: list) -> None:
    savepoint = session.begin_nested()
    try:
        state = totals_state(session)
        donors = [make_donor(session, f"Donor {i}") for i in range(3)]
        recipient = make_recipient(session)
        appeals = [make_appeal(session, "A-1"), make_appeal(session, "A-2"), None]
        items = [make_item(session, "Tent"), make_item(session, "Rescuer", "person-day", "LOG")]
        made: list = []
        for action, *args in steps:
            try:
                if action == "record":
                    status, lines, donor, day, appeal = args
                    inputs = [
                        LineInput("money", amount=Money.from_minor(x[2], x[1]))
                        if x[0] == "money"
                        else LineInput("goods", item_id=items[x[1]].id, quantity=Decimal(x[2]),
                                       unit_value=Money.from_minor(x[4], x[3]) if x[3] else None)
                        for x in lines
                    ]  # fmt: skip
                    chosen = appeals[appeal]
                    data = ContributionInput(donors[donor].id, recipient.id, DAY0 + timedelta(days=day), status, inputs,
                                             appeal_id=chosen.id if chosen else None)  # fmt: skip
                    made.append(record_contribution(session, data, None))
                elif action == "fulfil" and made:
                    pledge = made[args[0] % len(made)]
                    data = ContributionInput(pledge.donor_id, recipient.id, DAY0 + timedelta(days=25), "paid",
                                             [money_line("5.00 USD")], fulfils_id=pledge.id)  # fmt: skip
                    made.append(record_contribution(session, data, None))
                elif action == "advance" and made:
                    target = made[args[0] % len(made)]
                    advance_status(session, target.id, "paid" if target.status == "committed" else "committed", None)
                elif action == "void" and made:
                    void_contribution(session, made[args[0] % len(made)].id, "test", None)
                elif action == "rate":
                    currency, day, rate = args
                    record_rate(
                        session, DAY0 + timedelta(days=day), currency, Decimal(rate) / 1000, "manual", "USD", None
                    )
            except TrackerError:
                pass  # refused writes (a fulfilment of a paid entry, a void twice…) change nothing
        recomputed = nonzero(compute_totals(session, state.reporting_currency, state.window_days))
        assert nonzero(stored_totals(session)) == recomputed
        rebuild_totals(session)
        assert nonzero(stored_totals(session)) == recomputed
    finally:
        savepoint.rollback()


def test_a_late_rate_converts_what_was_unconverted(session: Session) -> None:
    totals_state(session)
    contribution_day = date(2023, 2, 10)
    data = ContributionInput(make_donor(session).id, make_recipient(session).id, contribution_day, "paid",
                             [money_line("1000 JPY"), money_line("250.00 USD")])  # fmt: skip
    record_contribution(session, data, None)
    row = stored_totals(session)[("all", "", "paid", "money", "JPY")]
    assert (row.value_minor, row.converted, row.unconverted_minor) == (1000, Decimal(0), 1000)
    record_rate(
        session, date(2023, 2, 8), "JPY", Decimal("0.0075"), "manual", "USD", None
    )  # 2 days before: in the window
    row = stored_totals(session)[("all", "", "paid", "money", "JPY")]
    assert (row.value_minor, row.converted, row.unconverted_minor) == (1000, Decimal("7.5"), 0)
    usd = stored_totals(session)[("all", "", "paid", "money", "USD")]
    assert usd.converted == Decimal("250.00")


def test_a_write_after_a_rate_arrives_uses_it_though_the_rates_are_cached(session: Session) -> None:
    totals_state(session)
    on = date(2023, 2, 10)
    donor, recipient = make_donor(session).id, make_recipient(session).id
    record_contribution(session, ContributionInput(donor, recipient, on, "paid", [money_line("100.00 EUR")]), None)
    assert stored_totals(session)[("all", "", "paid", "money", "EUR")].unconverted_minor == 10000
    stamp = totals_state(session).rates_stamp
    record_rate(session, on, "EUR", Decimal("1.1"), "manual", "USD", None)  # USD: the tests' reporting currency
    assert totals_state(session).rates_stamp != stamp  # the writers' cached "no rate" is not read again
    record_contribution(session, ContributionInput(donor, recipient, on, "paid", [money_line("10.00 EUR")]), None)
    row = stored_totals(session)[("all", "", "paid", "money", "EUR")]
    assert (row.value_minor, row.converted, row.unconverted_minor) == (11000, Decimal("121"), 0)
    assert stored_totals(session)[("donor:sum", str(donor), "paid", "all", "")].converted == Decimal("121")
    state = totals_state(session)
    assert nonzero(compute_totals(session, state.reporting_currency, state.window_days)) == stored_totals(session)


def test_rows_a_status_move_or_a_void_brings_to_zero_are_removed(session: Session) -> None:
    totals_state(session)
    donor, recipient = make_donor(session).id, make_recipient(session).id
    data = ContributionInput(donor, recipient, date(2023, 2, 10), "pledged", [money_line("100.00 USD")])
    pledge = record_contribution(session, data, None)
    assert {key[2] for key in stored_totals(session)} == {"pledged"}
    advance_status(session, pledge.id, "paid", None)  # type: ignore[arg-type]
    assert {key[2] for key in stored_totals(session)} == {"paid"}  # no pledged rows left at zero
    void_contribution(session, pledge.id, "entered twice", None)  # type: ignore[arg-type]
    assert stored_totals(session) == {}


def test_a_rebuild_written_in_batches_stores_every_total(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rebuild adds its sums to the table whenever they pass a bound, as an import does: none lost at the seams."""
    load_demo(session)
    state = totals_state(session)
    recomputed = nonzero(compute_totals(session, state.reporting_currency, state.window_days))
    monkeypatch.setattr(summing, "FLUSH_AT", 7)
    assert rebuild_totals(session) == len(recomputed) > 7 * 10  # many batches, the last one partial
    assert nonzero(stored_totals(session)) == recomputed


def test_the_rounded_column_rounds_half_up_once_on_every_database(session: Session) -> None:
    import sqlalchemy as sa

    from tracker.db.models import LedgerTotal

    assert totals_state(session).reporting_currency == "USD"
    record_rate(session, date(2023, 2, 10), "EUR", "1.005", "manual", "USD", None)
    donor, recipient = make_donor(session), make_recipient(session)
    data = ContributionInput(donor.id, recipient.id, date(2023, 2, 10), "paid", [money_line("1.00 EUR")])  # type: ignore[arg-type]
    record_contribution(session, data, None)
    # 1.00 EUR × 1.005 = 1.005 USD exactly: half a cent, rounded up to 1.01 (a float rounded it half even, to 1.00).
    minor = session.execute(
        sa.select(LedgerTotal.converted_minor).where(
            LedgerTotal.dim == "all", LedgerTotal.bucket == "paid", LedgerTotal.currency == "EUR"
        )
    ).scalar_one()
    assert minor == 101
