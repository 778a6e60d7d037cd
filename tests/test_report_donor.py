"""The per-donor statement on the demo ledger, against figures worked out by hand."""

from datetime import date
from decimal import Decimal

from sqlmodel import Session, select

from tracker.demo import load_demo
from tracker.models import Donor
from tracker.reports.donor import donor_statement


def donor_named(session: Session, prefix: str) -> Donor:
    return session.exec(select(Donor).where(Donor.name.startswith(prefix))).one()


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
