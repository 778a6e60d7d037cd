"""The contribution form: reading what a clerk typed into a `ContributionInput`, with every error by field.

Field names follow the ledger's own error fields (`lines[0].amount`,
`lines[0].unit_value.currency`), so an error from a service lands beside the
input it is about. Empty line slots are skipped; the ledger counts only filled
lines, so its `lines[k]` is mapped back to the slot the clerk sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from sqlmodel import Session
from starlette.datastructures import FormData

from tracker.catalogue.service import DonorInput, RecipientInput, create_donor, create_recipient
from tracker.core.errors import Invalid
from tracker.core.i18n import _
from tracker.core.money import Money
from tracker.core.parsing import parse_amount, typed_date
from tracker.core.vocabulary import LineKind, Status, Valuation
from tracker.db.columns import STATUSES
from tracker.db.models import Donor, Item, Recipient, User
from tracker.db.text import folded
from tracker.ledger.lookups import match_parties
from tracker.ledger.service import ContributionInput, LineInput
from tracker.web.pagekit import Errors, optional_date, optional_id
from tracker.web.pagekit import field as text_of

LINE_FIELDS = (
    "kind",
    "amount",
    "amount.currency",
    "item_id",
    "quantity",
    "unit_value",
    "unit_value.currency",
    "valuation",
)
HEADER_FIELDS = (
    "submission", "fulfils_id", "donor", "donor_id", "new_donor_name", "new_donor_kind", "new_donor_country",
    "recipient", "recipient_id", "new_recipient_name", "new_recipient_kind", "appeal_id", "value_date", "status",
    "reference", "notes", "due_date",
)  # fmt: skip
MAX_SLOTS = 50
LEDGER_LINE = re.compile(r"^lines\[(\d+)\](.*)$")


@dataclass
class EntryValues:
    """Everything typed, as text, to put back into the form."""

    header: dict[str, str]
    lines: list[dict[str, str]]

    @classmethod
    def blank(cls, today: date, currency: str, locale: str, lines: int = 1) -> EntryValues:
        header = dict.fromkeys(HEADER_FIELDS, "")
        header.update(value_date=typed_date(today, locale), status=Status.PAID)  # as the clerk types it
        return cls(header, [blank_line(currency) for _ in range(lines)])

    @classmethod
    def read(cls, form: FormData) -> EntryValues:
        header = {name: text_of(form, name) for name in HEADER_FIELDS}
        count = min(_int(text_of(form, "line_count"), 1), MAX_SLOTS)
        lines = [{name: text_of(form, f"lines[{i}].{name}") for name in LINE_FIELDS} for i in range(count)]
        return cls(header, lines or [blank_line("")])


def blank_line(currency: str, kind: str = LineKind.MONEY) -> dict[str, str]:
    line = dict.fromkeys(LINE_FIELDS, "")
    line.update({"kind": kind, "amount.currency": currency, "unit_value.currency": currency})
    return line


def is_empty(line: dict[str, str]) -> bool:
    return not any(line[name] for name in ("amount", "item_id", "quantity", "unit_value"))


@dataclass
class Party:
    """A donor or recipient as the form resolved it: chosen, to be created, or still open."""

    chosen: Any = None
    create: Any = None
    candidates: list[Any] = field(default_factory=list)


@dataclass
class Entry:
    """The form read and checked: the input for the ledger, or the errors to show."""

    data: ContributionInput | None
    errors: Errors
    donor: Party
    recipient: Party
    slots: list[int]


def check_entry(session: Session, values: EntryValues, locale: str, items: dict[int, Item]) -> Entry:
    """Every field checked at once, so the clerk sees all that is wrong in one go."""
    h = values.header
    errors: Errors = {}
    fulfils_id = _collect(errors, lambda: optional_id(h, "fulfils_id"))
    donor = Party() if fulfils_id else _party(session, Donor, "donor", h, errors)
    recipient = _party(session, Recipient, "recipient", h, errors)
    appeal_id = _collect(errors, lambda: optional_id(h, "appeal_id"))
    value_date = _collect(errors, lambda: optional_date(h["value_date"], "value_date", locale))
    if value_date is None and "value_date" not in errors:
        errors["value_date"] = _("a date is required")
    due_date = _collect(errors, lambda: optional_date(h.get("due_date", ""), "due_date", locale))
    if h["status"] not in STATUSES:
        errors["status"] = _("choose a status")
    lines, slots = [], []
    for slot, line in enumerate(values.lines):
        if is_empty(line):
            continue
        parsed = _collect(errors, lambda slot=slot, line=line: _line(slot, line, locale, items))
        if parsed is not None:
            lines.append(parsed)
        slots.append(slot)
    if not slots:
        errors["lines[0].amount"] = _("a contribution needs at least one line")
    if errors:
        return Entry(None, errors, donor, recipient, slots)
    data = ContributionInput(
        donor_id=donor.chosen.id if donor.chosen else 0,
        recipient_id=recipient.chosen.id if recipient.chosen else 0,
        value_date=value_date,
        status=h["status"],
        lines=lines,
        appeal_id=appeal_id,
        reference=h["reference"],
        notes=h["notes"],
        fulfils_id=fulfils_id,
        due_date=due_date,
    )
    return Entry(data, errors, donor, recipient, slots)


def create_parties(session: Session, entry: Entry, user: User | None) -> ContributionInput:
    """Create the donor or recipient typed into "add a new one", in the contribution's own transaction."""
    assert entry.data is not None
    changes: dict[str, int] = {}
    if entry.donor.create is not None:
        changes["donor_id"] = _prefixed("new_donor_", lambda: create_donor(session, entry.donor.create, user)).id
    if entry.recipient.create is not None:
        made = _prefixed("new_recipient_", lambda: create_recipient(session, entry.recipient.create, user))
        changes["recipient_id"] = made.id
    return ContributionInput(**{**entry.data.__dict__, **changes})


def slot_field(error_field: str, slots: list[int]) -> str:
    """The form field of a ledger error: `lines[k]` counts filled lines, the form counts slots."""
    found = LEDGER_LINE.match(error_field)
    if not found or int(found.group(1)) >= len(slots):
        return {"donor_id": "donor", "recipient_id": "recipient", "lines": "lines[0].amount"}.get(
            error_field, error_field
        )
    return f"lines[{slots[int(found.group(1))]}]{found.group(2)}"


PartyRow = TypeVar("PartyRow", Donor, Recipient)


def _party(session: Session, model: type[PartyRow], prefix: str, h: dict[str, str], errors: Errors) -> Party:
    new_name = h[f"new_{prefix}_name"]
    if new_name:
        if model is Donor:
            kind = h["new_donor_kind"] or "organisation"
            return Party(create=DonorInput(name=new_name, kind=kind, country=h["new_donor_country"] or None))
        return Party(create=RecipientInput(name=new_name, kind=h["new_recipient_kind"] or "organisation"))
    typed, chosen_id = h[prefix], _int(h[f"{prefix}_id"], 0)
    chosen = session.get(model, chosen_id) if chosen_id else None
    if chosen is not None and not chosen.archived and folded(typed) in folded(chosen.name):
        return Party(chosen=chosen)
    if not typed:
        errors[prefix] = _("type part of a name and choose one")
        return Party()
    found = match_parties(session, model, typed, limit=20)
    exact = [row for row in found if folded(row.name) == folded(typed)]
    if len(exact) == 1 or len(found) == 1:
        return Party(chosen=(exact or found)[0])
    if not found:
        errors[prefix] = _("nothing matches “{text}”; check the spelling, or add a new one below").format(text=typed)
        return Party()
    errors[prefix] = _("{count} match “{text}”; choose one").format(count=len(found), text=typed)
    return Party(candidates=found)


def _line(slot: int, line: dict[str, str], locale: str, items: dict[int, Item]) -> LineInput:
    where = f"lines[{slot}]"
    kind = line["kind"]
    if kind == LineKind.MONEY:
        amount = parse_amount(line["amount"], locale, f"{where}.amount")
        return LineInput(LineKind.MONEY, amount=Money.of(amount, line["amount.currency"], f"{where}.amount"))
    if kind not in (LineKind.GOODS, LineKind.SERVICE):
        raise Invalid(f"{where}.kind", "choose money, goods or service")
    item_id = optional_id(line, "item_id")
    item = items.get(item_id) if item_id is not None else None
    if item is None:
        raise Invalid(f"{where}.item_id", "choose an item from the catalogue")
    quantity = parse_amount(line["quantity"], locale, f"{where}.quantity")
    valuation = (line["valuation"] or None) if kind == LineKind.GOODS else None
    unit_value = None
    if line["unit_value"]:
        number = parse_amount(line["unit_value"], locale, f"{where}.unit_value")
        unit_value = Money.of(number, line["unit_value.currency"], f"{where}.unit_value")
    elif kind == LineKind.GOODS and valuation != Valuation.NOT_VALUED and item.unit_value_minor is not None:
        # A blank unit value takes the item's default, as the form shows it.
        unit_value = Money.from_minor(item.unit_value_minor, item.unit_value_currency)  # type: ignore[arg-type]
    return LineInput(kind, item_id=item.id, quantity=quantity, unit_value=unit_value, valuation=valuation)


def _collect(errors: Errors, read: Any) -> Any:
    try:
        return read()
    except Invalid as exc:
        errors.setdefault(exc.field, exc.rule)
        return None


def _prefixed(prefix: str, make: Any) -> Any:
    """Errors about a party being created belong to its "new_..." fields."""
    try:
        return make()
    except Invalid as exc:
        raise Invalid(prefix + exc.field, exc.template, **exc.params) from None


def _int(text: str, default: int) -> int:
    return int(text) if text.isdecimal() and len(text) < 10 else default
