"""Shared helpers for the report tests: the demo ledger kept in manats, and figures as text."""

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest
from factories import goods_line, make_contribution, make_donor, make_item, make_recipient, money_line
from sqlmodel import Session, select

from tracker.core import config
from tracker.db.models import Contribution, Donor
from tracker.rates.convert import ConvertedTotal
from tracker.rates.service import record_rate
from tracker.settings.service import SettingsInput, update_settings

# Issue 14's ledger: JICA commits 50,000,000 JPY and pays 30,000,000 JPY of it; a confederation pledges
# 20 container houses at 12,000.00 AZN and delivers 10; 0.0128 AZN per yen. Each promise counts for its remainder.
COMMITTED_ON, PAID_ON = date(2023, 2, 10), date(2023, 3, 1)
BY_STATUS_ORIGINAL = {
    ("paid", "JPY"): Decimal("30000000"),
    ("paid", "AZN"): Decimal("120000.00"),
    ("committed", "JPY"): Decimal("20000000"),
    ("pledged", "AZN"): Decimal("120000.00"),
}
BY_STATUS_AZN = {"paid": Decimal("504000.00"), "committed": Decimal("256000.00"), "pledged": Decimal("120000.00")}


@pytest.fixture
def in_manats(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The demo's rates are the central bank's AZN rates: run with AZN as the reporting currency."""
    monkeypatch.setenv("TRACKER_REPORTING_CURRENCY", "AZN")
    config.get_settings.cache_clear()
    yield
    config.get_settings.cache_clear()


def text(converted: ConvertedTotal) -> str:
    missing = ", ".join(f"{part.amount} on {part.value_date}" for part in converted.unconverted)
    return str(converted.total) + (f" (+ unconverted {missing})" if missing else "")


def donor_named(session: Session, prefix: str) -> Donor:
    return session.exec(select(Donor).where(Donor.name.startswith(prefix))).one()


def jica_ledger(session: Session) -> dict[str, Contribution]:
    """Issue 14's ledger, reported in manats (the test modules' docstrings work its figures out by hand)."""
    update_settings(session, SettingsInput(reporting_currency="AZN"), None)
    for on in (COMMITTED_ON, PAID_ON):
        record_rate(session, on, "JPY", "0.0128", "CBAR", "AZN", None)
    agency = make_donor(session, "Japan International Cooperation Agency", "government")
    confederation = make_donor(session, "AHİK")
    afad = make_recipient(session, "AFAD")
    house = make_item(session, "Container house")
    commitment = make_contribution(
        session, money_line("50000000 JPY"), donor=agency, recipient=afad, status="committed", on=COMMITTED_ON
    )
    payment = make_contribution(
        session, money_line("30000000 JPY"), donor=agency, recipient=afad, on=PAID_ON, fulfils=commitment
    )
    pledge = make_contribution(
        session,
        goods_line(house, "20", "12000.00 AZN", "donor_declared"),
        donor=confederation,
        recipient=afad,
        status="pledged",
        on=COMMITTED_ON,
    )
    delivery = make_contribution(
        session,
        goods_line(house, "10", "12000.00 AZN", "donor_declared"),
        donor=confederation,
        recipient=afad,
        on=PAID_ON,
        fulfils=pledge,
    )
    return {"commitment": commitment, "payment": payment, "pledge": pledge, "delivery": delivery}
