"""The catalogue's services: money of items and appeals passes the one money check, whichever door sent it."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from factories import make_appeal, make_donor, make_item
from sqlmodel import Session, func, select

from tracker.catalogue.service import (
    AppealInput,
    ItemInput,
    create_appeal,
    create_item,
    find_appeal,
    find_donor,
    update_appeal,
    update_item,
)
from tracker.core.errors import Invalid, NotFound
from tracker.core.money import Money
from tracker.db.dialect import is_unique_violation
from tracker.db.models import Appeal, Item, JournalEvent

LIMIT = "1,000,000,000,000,000"
# Money as a door hands it over, not yet checked: (amount, currency, field suffix, message), written by hand.
BAD_MONEY = [
    ("0.275", "USD", "", "USD has 2 decimal places, got 0.275"),
    ("0", "USD", "", "must be more than zero, got 0"),
    ("-5", "USD", "", "must be more than zero, got -5"),
    ("0.4", "JPY", "", "JPY has no minor units, got 0.4"),
    ("0.0004", "KWD", "", "KWD has 3 decimal places, got 0.0004"),
    ("99999999999999999999", "USD", "", f"99999999999999999999 is too large (the limit is {LIMIT})"),
    ("1000000000000000", "USD", "", f"1000000000000000 is too large (the limit is {LIMIT})"),
    ("NaN", "USD", "", "NaN is not a finite number"),
    ("10", "AZM", ".currency", "'AZM' is not a current ISO 4217 currency code"),
]


def unchecked(amount: str, currency: str) -> Money:
    return Money(Decimal(amount), currency)


def count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


@pytest.mark.parametrize(("amount", "currency", "suffix", "message"), BAD_MONEY)
def test_an_item_unit_value_is_checked_by_create_item(
    session: Session, amount: str, currency: str, suffix: str, message: str
) -> None:
    with pytest.raises(Invalid) as refused:
        create_item(session, ItemInput("Tent", "piece", "SHL", unchecked(amount, currency)), None)
    assert (refused.value.field, refused.value.rule) == ("unit_value" + suffix, message)
    assert count(session, Item) == 0
    assert count(session, JournalEvent) == 0


@pytest.mark.parametrize(("amount", "currency", "suffix", "message"), BAD_MONEY)
def test_an_appeal_target_is_checked_by_create_appeal(
    session: Session, amount: str, currency: str, suffix: str, message: str
) -> None:
    with pytest.raises(Invalid) as refused:
        create_appeal(session, AppealInput("TUR-EQ-2023", "Türkiye", target=unchecked(amount, currency)), None)
    assert (refused.value.field, refused.value.rule) == ("target" + suffix, message)
    assert count(session, Appeal) == 0


@pytest.mark.parametrize(("amount", "currency", "suffix", "message"), BAD_MONEY)
def test_corrections_pass_the_same_money_check(
    session: Session, amount: str, currency: str, suffix: str, message: str
) -> None:
    item, appeal = make_item(session, "Tent"), make_appeal(session, "TUR-EQ-2023", "5000000.00 AZN")
    with pytest.raises(Invalid) as refused:
        update_item(session, item.id, ItemInput("Tent", "piece", "SHL", unchecked(amount, currency)), None)
    assert (refused.value.field, refused.value.rule) == ("unit_value" + suffix, message)
    with pytest.raises(Invalid) as refused:
        correction = AppealInput("TUR-EQ-2023", "Türkiye", target=unchecked(amount, currency))
        update_appeal(session, appeal.id, correction, None)
    assert (refused.value.field, refused.value.rule) == ("target" + suffix, message)
    session.expire_all()
    stored = session.get(Item, item.id), session.get(Appeal, appeal.id)
    assert (stored[0].unit_value_minor, stored[0].unit_value_currency) == (None, None)
    assert (stored[1].target_minor, stored[1].target_currency) == (500000000, "AZN")


def test_trailing_zeros_within_the_currency_are_stored_exactly(session: Session) -> None:
    item = create_item(session, ItemInput("Tent", "piece", "SHL", unchecked("12.500", "KWD")), None)
    assert (item.unit_value_minor, item.unit_value_currency) == (12500, "KWD")
    appeal = create_appeal(session, AppealInput("X", "X", target=unchecked("1000000.000", "JPY")), None)
    assert (appeal.target_minor, appeal.target_currency) == (1000000, "JPY")


def test_only_a_uniqueness_violation_counts_as_a_conflict(session: Session) -> None:
    make_item(session, "Tent")
    twin = Item(name="Tent", unit="piece", cluster="SHL")
    zero = Item(name="Blanket", unit="piece", cluster="SHL", unit_value_minor=0, unit_value_currency="USD")
    for row, unique in ((twin, True), (zero, False)):
        with pytest.raises(sa.exc.IntegrityError) as failed, session.begin_nested():
            session.add(row)
            session.flush()
        assert is_unique_violation(failed.value) is unique


def test_a_donor_or_appeal_is_found_by_an_id_in_ascii_digits_only(session: Session) -> None:
    """The CLI's `tracker report donor REF` once took '١' (an Arabic-Indic one) as id 1, and an id past the
    database's range as a number to look up; the one id rule refuses both, and the name is tried instead."""
    donor = make_donor(session, "Kuwait Red Crescent")
    appeal = make_appeal(session, "TUR-EQ-2023")
    assert find_donor(session, str(donor.id)) == donor
    assert find_appeal(session, f" {appeal.id} ") == appeal
    for ref in ("\u0661" * len(str(donor.id)), "99999999999999999999"):
        with pytest.raises(NotFound):
            find_donor(session, ref)
        with pytest.raises(NotFound):
            find_appeal(session, ref)
