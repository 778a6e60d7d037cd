"""The rules every entry passes before the ledger records it: lines, values, quantities, references, dates, text.

Forms, the API, the CLI and the import all reach these through `tracker.ledger.service`'s use
cases, or call them directly (the import checks a row as a form entry is checked).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from tracker.core.errors import Invalid, Plural
from tracker.core.fields import optional_text
from tracker.core.i18n import N_
from tracker.core.money import MAX_AMOUNT, QUANTITY_PLACES, Money, minor_unit, round_half_up, to_decimal
from tracker.core.vocabulary import LineKind, Term, Valuation
from tracker.db.columns import LINE_KINDS, STATUSES, VALUATIONS
from tracker.db.models import Item

MAX_QUANTITY = Decimal("1e12")
# Messages about a row another one refers to, one sentence per kind of row so each translates whole.
NO_SUCH = {
    "donor": N_("no donor with id {id}"),
    "recipient": N_("no recipient with id {id}"),
    "appeal": N_("no appeal with id {id}"),
    "item": N_("no item with id {id}"),
}
ARCHIVED = {
    "donor": N_("donor {name} is archived"),
    "recipient": N_("recipient {name} is archived"),
    "appeal": N_("appeal {name} is archived"),
    "item": N_("item {name} is archived"),
}


@dataclass(frozen=True)
class LineInput:
    """One line as a front door hands it over: typed, but not yet checked against the ledger."""

    kind: str
    amount: Money | None = None
    item_id: int | None = None
    quantity: Decimal | str | None = None
    unit_value: Money | None = None
    valuation: str | None = None


@dataclass(frozen=True)
class RecordedLine:
    """A line ready to store: its value fixed once, at entry."""

    kind: str
    item_id: int | None
    quantity_milli: int | None
    unit_value: Money | None
    valuation: str
    value: Money | None


def check_line(session: Session, line: LineInput, where: str) -> RecordedLine:
    """One line checked and valued: money as given, in-kind as quantity × unit value, rounded once."""
    # Field names are joined with +, not f-strings: pybabel warns about every f-string inside Invalid(...).
    if line.kind not in LINE_KINDS:
        raise Invalid(
            where + ".kind", "must be one of {allowed}, got {value!r}", allowed=", ".join(LINE_KINDS), value=line.kind
        )
    if line.kind == LineKind.MONEY:
        if line.amount is None:
            raise Invalid(where + ".amount", "a money line needs an amount")
        if line.item_id is not None or line.quantity is not None or line.unit_value is not None:
            raise Invalid(where + ".kind", "a money line has an amount only, no item, quantity or unit value")
        amount = Money.of(line.amount.amount, line.amount.currency, where + ".amount")
        return RecordedLine(LineKind.MONEY, None, None, None, Valuation.NOT_VALUED, amount)

    kind = Term(line.kind, "line_kind")
    if line.item_id is None:
        # TRANSLATORS: {kind} is a line kind ("goods" or "service"), already translated.
        raise Invalid(where + ".item_id", "a {kind} line needs an item from the catalogue", kind=kind)
    require(session, Item, line.item_id, where + ".item_id")
    if line.amount is not None:
        raise Invalid(where + ".amount", "a {kind} line is valued by unit_value, not amount", kind=kind)
    if line.quantity is None:
        raise Invalid(where + ".quantity", "a {kind} line needs a quantity", kind=kind)
    quantity = check_quantity(line.quantity, where + ".quantity")
    valuation = line.valuation or (Valuation.DONOR_DECLARED if line.unit_value else Valuation.NOT_VALUED)
    if valuation not in VALUATIONS:
        raise Invalid(
            where + ".valuation",
            "must be one of {allowed}, got {value!r}",
            allowed=", ".join(VALUATIONS),
            value=valuation,
        )
    unit_value = value = None
    if line.unit_value is None:
        if valuation != Valuation.NOT_VALUED:
            raise Invalid(
                where + ".unit_value", "a valuation basis of {valuation} needs a unit value", valuation=valuation
            )
    else:
        unit_value = Money.of(line.unit_value.amount, line.unit_value.currency, where + ".unit_value")
        if valuation == Valuation.NOT_VALUED:
            raise Invalid(
                where + ".valuation", "a line with a unit value needs a valuation basis other than not_valued"
            )
        value = Money(round_half_up(quantity * unit_value.amount, unit_value.currency), unit_value.currency)
        if value.amount <= 0:
            raise Invalid(
                where + ".quantity",
                "the value {quantity} × {unit_value} rounds to zero",
                quantity=quantity,
                unit_value=unit_value,
            )
        if value.amount >= MAX_AMOUNT:
            raise Invalid(
                where + ".quantity",
                "the value {quantity} × {unit_value} is too large",
                quantity=quantity,
                unit_value=unit_value,
            )
    milli = int(quantity.scaleb(QUANTITY_PLACES).to_integral_exact())
    return RecordedLine(line.kind, line.item_id, milli, unit_value, valuation, value)


def check_quantity(value: object, field_name: str) -> Decimal:
    """A positive quantity with at most three decimal places."""
    quantity = to_decimal(value, field_name)
    if quantity <= 0:
        raise Invalid(field_name, "must be more than zero, got {number}", number=quantity)
    if quantity >= MAX_QUANTITY:
        raise Invalid(field_name, "{quantity} is too large", quantity=quantity)
    if quantity != quantity.quantize(minor_unit(QUANTITY_PLACES)):
        raise Invalid(
            field_name,
            Plural(
                "at most {places} decimal place, got {value}",
                "at most {places} decimal places, got {value}",
                QUANTITY_PLACES,
            ),
            places=QUANTITY_PLACES,
            value=value,
        )
    return quantity


def require(session: Session, model: type[Any], object_id: int, field_name: str) -> Any:
    """The donor, recipient, appeal or item a new entry refers to: it must exist and not be archived."""
    try:
        key = int(object_id)
    except (TypeError, ValueError):
        raise Invalid(field_name, "{value!r} is not an id", value=object_id) from None
    found = session.get(model, key)
    if found is None:
        raise Invalid(field_name, NO_SUCH[model.__tablename__], id=object_id)
    if getattr(found, "archived", False):
        raise Invalid(field_name, ARCHIVED[model.__tablename__], name=found.name)
    return found


def check_value_date(value_date: date) -> None:
    """A contribution's value date: not in the future (a day of slack), not before 1990."""
    if not isinstance(value_date, date):
        raise Invalid("value_date", "a date is required")
    # One day of slack: a clerk east of UTC may already be in tomorrow.
    if value_date > date.today() + timedelta(days=1):
        raise Invalid("value_date", "{date} is in the future", date=value_date.isoformat())
    if value_date.year < 1990:
        raise Invalid("value_date", "{date} is before 1990", date=value_date.isoformat())


def checked_text(value: str | None, field_name: str, limit: int) -> str:
    """A free-text field stripped ("" when blank), refused as `optional_text` refuses it."""
    return optional_text(value, field_name, limit) or ""


REFERENCE_LIMIT = 200
NOTES_LIMIT = 4000


def check_status(value: object) -> str:
    """A contribution's status on entry: one of the ledger's statuses."""
    if value not in STATUSES:
        raise Invalid("status", "must be one of {allowed}, got {value!r}", allowed=", ".join(STATUSES), value=value)
    return str(value)


def check_reference(value: str | None) -> str:
    return checked_text(value, "reference", REFERENCE_LIMIT)


def check_notes(value: str | None) -> str:
    return checked_text(value, "notes", NOTES_LIMIT)
