"""The per-donor statement on the demo ledger, against figures worked out by hand."""

from datetime import date
from decimal import Decimal

import pytest
from factories import make_contribution, money_line
from report_support import donor_named, in_manats, text
from sqlmodel import Session

from tracker.core.errors import Invalid
from tracker.demo import load_demo
from tracker.rates.convert import RateUsed
from tracker.reporting.reports.donor import donor_statement

__all__ = ["in_manats"]


def test_the_confederation_statement(session: Session) -> None:
    load_demo(session)
    statement = donor_statement(
        session, donor_named(session, "Azərbaycan Həmkarlar"), date(2023, 2, 1), date(2023, 2, 28)
    )
    assert [(e.number, e.value_date, e.status, e.fulfils) for e in statement.entries] == [
        ("C-2023-000001", date(2023, 2, 8), "pledged", None),
        ("C-2023-000002", date(2023, 2, 10), "paid", "C-2023-000001"),
        ("C-2023-000003", date(2023, 2, 14), "paid", None),
    ]
    houses = statement.entries[1].lines[0]
    assert (
        houses.item_name,
        houses.quantity,
        houses.unit,
        str(houses.unit_value),
        str(houses.value),
        houses.valuation,
    ) == (
        "Container house",
        Decimal("10"),
        "piece",
        "12000.00 AZN",
        "120000.00 AZN",
        "donor_declared",
    )
    assert str(statement.entries[2].lines[0].value) == "500000.00 AZN"
    assert {c: str(m) for c, m in statement.totals.paid.money.items()} == {"AZN": "500000.00 AZN"}
    assert {c: str(m) for c, m in statement.totals.paid.in_kind.items()} == {"AZN": "120000.00 AZN"}
    assert {c: str(m) for c, m in statement.totals.pledged.in_kind.items()} == {"AZN": "120000.00 AZN"}
    assert statement.corrections == []


def test_voided_entries_are_listed_as_corrections_and_counted_nowhere(session: Session) -> None:
    load_demo(session)
    statement = donor_statement(session, donor_named(session, "Caspian"), None, None)
    assert [e.number for e in statement.entries] == ["C-2023-000010"]
    assert [(e.number, e.void_reason) for e in statement.corrections] == [
        ("C-2023-000011", "Entered twice: the transfer of 12 February already covers it")
    ]
    assert {c: str(m) for c, m in statement.totals.paid.money.items()} == {"USD": "100000.00 USD"}


def test_the_period_limits_the_statement(session: Session) -> None:
    load_demo(session)
    statement = donor_statement(session, donor_named(session, "Благотворительный"), date(2023, 3, 1), date(2023, 3, 31))
    assert [e.number for e in statement.entries] == ["C-2023-000013"]  # the fulfilment; the pledge was in February
    assert {c: str(m) for c, m in statement.totals.paid.money.items()} == {"USD": "50000.00 USD"}
    assert statement.totals.pledged.is_empty()


def test_the_confederation_in_manats_and_in_dollars(session: Session, in_manats: None) -> None:
    load_demo(session)
    ahik = donor_named(session, "Azərbaycan Həmkarlar")
    statement = donor_statement(session, ahik, date(2023, 2, 1), date(2023, 2, 28))
    assert statement.currency == "AZN"
    assert text(statement.converted.paid.money) == "500000.00 AZN"
    assert text(statement.converted.paid.in_kind) == "120000.00 AZN"  # 10 houses × 12,000.00 AZN
    assert text(statement.converted.paid.total) == "620000.00 AZN"
    assert text(statement.converted.pledged.total) == "120000.00 AZN"  # the 10 houses still to come
    assert text(statement.converted.outstanding.total) == "120000.00 AZN"
    assert text(statement.converted.committed.total) == "0.00 AZN"
    assert statement.rates_used == ()  # everything was in manats already
    [houses] = statement.goods_and_services("paid")
    assert (houses.name, houses.quantity, houses.unit, [str(v) for v in houses.value], houses.bases) == (
        "Container house",
        Decimal("10"),
        "piece",
        ["120000.00 AZN"],
        ("donor_declared",),
    )
    assert [str(m) for m in statement.money("paid")] == ["500000.00 AZN"]
    assert [str(m) for m in statement.in_kind("outstanding")] == ["120000.00 AZN"]

    in_dollars = donor_statement(session, ahik, date(2023, 2, 1), date(2023, 2, 28), currency="USD")
    assert text(in_dollars.converted.paid.money) == "294117.65 USD"  # 500,000 / 1.70
    assert text(in_dollars.converted.paid.in_kind) == "70588.24 USD"  # 120,000 / 1.70
    # 620,000 / 1.70 = 364,705.882…: rounded once, not 294,117.65 + 70,588.24 = 364,705.89
    assert text(in_dollars.converted.paid.total) == "364705.88 USD"
    assert in_dollars.rates_used == (
        RateUsed("USD", date(2023, 2, 8), Decimal("1.7000"), "demo", "AZN"),
        RateUsed("USD", date(2023, 2, 10), Decimal("1.7000"), "demo", "AZN"),
        RateUsed("USD", date(2023, 2, 14), Decimal("1.7000"), "demo", "AZN"),
    )


def test_a_donor_giving_in_two_currencies_and_goods(session: Session, in_manats: None) -> None:
    load_demo(session)
    statement = donor_statement(session, donor_named(session, "Deutsche Nothilfe"), None, None)
    assert [str(m) for m in statement.money("paid")] == ["250000.00 EUR"]
    assert [str(m) for m in statement.in_kind("paid")] == ["25000.00 EUR"]  # 2,000 blankets × 12.50 EUR
    assert text(statement.converted.paid.money) == "455000.00 AZN"  # 250,000 × 1.82
    assert text(statement.converted.paid.in_kind) == "45500.00 AZN"
    assert text(statement.converted.funding.total) == "500500.00 AZN"
    [blankets] = statement.goods_and_services("paid")
    assert (blankets.quantity, blankets.unit, blankets.bases) == (Decimal("2000"), "piece", ("invoice",))


def test_an_amount_without_a_rate_is_listed_not_counted_as_zero(session: Session, in_manats: None) -> None:
    load_demo(session)
    caspian = donor_named(session, "Caspian")
    make_contribution(session, money_line("1000.00 GBP"), donor=caspian, on=date(2023, 2, 20))
    statement = donor_statement(session, caspian, None, None)
    assert text(statement.converted.paid.money) == "170000.00 AZN (+ unconverted 1000.00 GBP on 2023-02-20)"
    assert not statement.converted.complete


def test_a_period_that_ends_before_it_starts_is_refused(session: Session) -> None:
    load_demo(session)
    with pytest.raises(Invalid) as refused:
        donor_statement(session, donor_named(session, "Caspian"), date(2023, 3, 1), date(2023, 2, 1))
    assert refused.value.field == "to"
