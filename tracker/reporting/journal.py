"""The journal as an auditor reads it: each event a sentence in the reader's language, names looked up a page at a time.

A sentence (`journal_words.ACTIONS`) is a gettext template whose named fields come from
the event itself: every key of its `after` facts under its own name, every key of its
`before` facts as `old_<key>`, plus the names read from ids (`donor`, `recipient`, `appeal`,
`fulfils`, `owner`), the contribution's `number`, its `lines` as Money and quantities in
their units, `changes` (field: before → after) and the `object` the event is about.
Teaching the journal a new action is one entry in `ACTIONS`;
an action without one is still shown, in a generic sentence, with its JSON one click away.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlmodel import Session, select

from tracker.core.errors import Invalid
from tracker.core.formatting import format_date, format_money, format_number, format_quantity
from tracker.core.i18n import gettext
from tracker.core.money import CURRENCIES, Money, stored_quantity
from tracker.core.vocabulary import term
from tracker.db.models import ApiToken, Appeal, Contribution, Donor, Item, JournalEvent, Recipient, User
from tracker.ledger.lookups import Found, JournalFilters, journal_events, names
from tracker.reporting.journal_words import (
    ACTIONS,
    FIELD_NAMES,
    GENERIC,
    KIND_VOCABULARY,
    NOTES,
    OBJECT_KINDS,
    VOCABULARY_OF,
)

PER_PAGE = 50


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_NO_VALUE = "—"


@dataclass(frozen=True)
class Entry:
    """One event as the page shows it: who, what in words, about what, and the event's JSON."""

    event: JournalEvent
    who: str
    action_name: str
    sentence: str
    object_kind: str
    object_label: str
    raw: str


@dataclass(frozen=True)
class Names:
    """The rows a page of events names, read in one query per table."""

    contributions: dict[int, Contribution]
    donors: dict[int, Donor]
    recipients: dict[int, Recipient]
    appeals: dict[int, Appeal]
    items: dict[int, Item]
    users: dict[int, User]
    tokens: dict[int, ApiToken]


@dataclass(frozen=True)
class JournalPage:
    found: Found[JournalEvent]
    entries: list[Entry]


def read_journal(session: Session, filters: JournalFilters, page: int = 1) -> JournalPage:
    """A page of the journal, newest first, each event told in the current language."""
    found = journal_events(session, filters, page, PER_PAGE)
    return JournalPage(found, tell(session, found.rows))


def tell(session: Session, events: list[JournalEvent]) -> list[Entry]:
    """The events as entries, with every name they mention read in one batch."""
    facts = [(_parsed(event.before), _parsed(event.after)) for event in events]
    known = load_names(session, events, facts)
    return [entry(event, before, after, known) for event, (before, after) in zip(events, facts, strict=True)]


def for_number(session: Session, filters: JournalFilters, number: str) -> JournalFilters:
    """The filters narrowed to the events of the contribution with this number (C-2023-000008)."""
    wanted = number.strip().upper()
    found = session.exec(select(Contribution.id).where(Contribution.number == wanted)).first()
    if found is None:
        raise Invalid("number", "no contribution is numbered {number}", number=number.strip())
    return JournalFilters(
        user_id=filters.user_id,
        action=filters.action,
        date_from=filters.date_from,
        date_to=filters.date_to,
        object_type="contribution",
        object_id=str(found),
    )


def action_name(action: str) -> str:
    """An action's name in the current language; an action without a sentence keeps its code."""
    said = ACTIONS.get(action)
    return gettext(said.name) if said else action


def object_kind_name(kind: str) -> str:
    known = OBJECT_KINDS.get(kind)
    return known() if known else kind


def load_names(
    session: Session, events: list[JournalEvent], facts: list[tuple[dict[str, Any], dict[str, Any]]]
) -> Names:
    """Every contribution, party, appeal, item, user and token the events name: one query per table."""
    wanted: dict[str, set[int]] = {
        kind: set() for kind in ("contribution", "donor", "recipient", "appeal", "item", "user", "api_token")
    }
    for event, (before, after) in zip(events, facts, strict=True):
        if event.user_id is not None:
            wanted["user"].add(event.user_id)
        if event.object_type in wanted:
            _add(wanted[event.object_type], event.object_id)
        for found in (before, after):
            _add(wanted["donor"], found.get("donor_id"))
            _add(wanted["recipient"], found.get("recipient_id"))
            _add(wanted["appeal"], found.get("appeal_id"))
            _add(wanted["contribution"], found.get("fulfils_id"))
            if event.object_type == "api_token":
                _add(wanted["user"], found.get("user_id"))
            for line in found.get("lines") or []:
                if isinstance(line, dict):
                    _add(wanted["item"], line.get("item_id"))
    return Names(
        names(session, Contribution, wanted["contribution"]),
        names(session, Donor, wanted["donor"]),
        names(session, Recipient, wanted["recipient"]),
        names(session, Appeal, wanted["appeal"]),
        names(session, Item, wanted["item"]),
        names(session, User, wanted["user"]),
        names(session, ApiToken, wanted["api_token"]),
    )


def entry(event: JournalEvent, before: dict[str, Any], after: dict[str, Any], known: Names) -> Entry:
    """One event told: its sentence from ACTIONS (or the generic one), its actor and object named."""
    label = object_label(event, known, after)
    kind = object_kind_name(event.object_type)
    fields = _Fields(object=label, object_kind=kind, action=event.action)
    for key, value in before.items():
        fields["old_" + key] = _shown(key, value, event.object_type)
    for key, value in after.items():
        fields[key] = _shown(key, value, event.object_type)
    facts = {**before, **after}
    fields.update(_names(facts, event.object_type, known))
    if "lines" in after:
        fields["lines"] = _lines(after["lines"], known)
    if before and after and not set(after) - set(before) - _CURRENCY_KEYS:
        fields["changes"] = _changes(before, after, event.object_type, _object_row(event, known))
    if event.object_type == "contribution":
        fields.setdefault("number", label)
    said = ACTIONS.get(event.action)
    template = said.sentence if said else GENERIC
    sentence = _sentence(template, fields)
    notes = [
        _sentence(note, fields)
        for key, note in NOTES
        if key in fields and fields[key] != _NO_VALUE and "{" + key + "}" not in template
    ]
    if notes:
        sentence = " ".join([sentence if sentence.endswith((".", "!", "?", "…")) else sentence + ".", *notes])
    return Entry(event, _who(event.user_id, known), action_name(event.action), sentence, kind, label, _raw(event))


def object_label(event: JournalEvent, known: Names, after: dict[str, Any]) -> str:
    """What the event is about, by the name people know it by: a contribution's number, a donor's name."""
    row = _object_row(event, known)
    if isinstance(row, Contribution):
        return row.number
    if isinstance(row, Appeal):
        return row.code
    if isinstance(row, User):
        return row.email
    if isinstance(row, Donor | Recipient | Item):
        return row.name
    if isinstance(row, ApiToken) and row.name:
        return "“" + row.name + "”"
    if isinstance(after.get("number"), str):  # a letter's own number (L-2026-000001)
        return str(after["number"])
    return event.object_id


def _object_row(event: JournalEvent, known: Names) -> object:
    tables: dict[str, dict[int, Any]] = {
        "contribution": known.contributions,
        "donor": known.donors,
        "recipient": known.recipients,
        "appeal": known.appeals,
        "item": known.items,
        "user": known.users,
        "api_token": known.tokens,
    }
    table = tables.get(event.object_type)
    number = _id(event.object_id)
    return table.get(number) if table is not None and number is not None else None


class _Fields(dict[str, str]):
    """A sentence's fields; one the event lacks reads as a dash instead of failing the page."""

    def __missing__(self, key: str) -> str:
        return _NO_VALUE


def _sentence(template: str, fields: _Fields) -> str:
    translated = gettext(template)
    try:
        return translated.format_map(fields)
    except (ValueError, IndexError, AttributeError):  # a translation with a broken placeholder: the source is safe
        return template.format_map(fields)


_CURRENCY_KEYS = {"target_currency", "unit_value_currency"}


def _names(facts: dict[str, Any], object_type: str, known: Names) -> dict[str, str]:
    """The names behind the ids among the facts."""
    found: dict[str, str] = {}
    for key, table, field in (
        ("donor_id", known.donors, "name"),
        ("recipient_id", known.recipients, "name"),
        ("appeal_id", known.appeals, "code"),
        ("fulfils_id", known.contributions, "number"),
    ):
        number = _id(facts.get(key))
        if number is not None:
            row = table.get(number)
            found[key.removesuffix("_id")] = getattr(row, field) if row is not None else "#" + str(number)
    owner = _id(facts.get("user_id")) if object_type == "api_token" else None
    if owner is not None:
        found["owner"] = known.users[owner].email if owner in known.users else "#" + str(owner)
    return found


def _lines(lines: Iterable[Any], known: Names) -> str:
    """A contribution's lines in words: Money for money, a quantity in its unit of a named item for goods."""
    told = []
    for line in lines:
        if not isinstance(line, dict):
            continue
        value = _money(line.get("value_minor"), line.get("currency"))
        item = known.items.get(_id(line.get("item_id")) or 0)
        milli = line.get("quantity_milli")
        if item is None or not isinstance(milli, int):
            told.append(value or _NO_VALUE)
            continue
        quantity = format_quantity(stored_quantity(milli), item.unit)
        if value:
            told.append(
                gettext("{quantity} of {item}, valued at {value}").format(
                    quantity=quantity, item=item.name, value=value
                )
            )
        else:
            told.append(gettext("{quantity} of {item}").format(quantity=quantity, item=item.name))
    return "; ".join(told) or _NO_VALUE


def _changes(before: dict[str, Any], after: dict[str, Any], object_type: str, row: object) -> str:
    """Each changed field, before and after: `Email: a@x.org → b@x.org`; an amount in minor units as Money."""
    told = []
    for key in sorted(after):
        if key in _CURRENCY_KEYS and key.replace("_currency", "_minor") in after:
            continue
        shown_before, shown_after = (_shown(key, facts.get(key), object_type) for facts in (before, after))
        if key.endswith("_minor"):
            currency_key = key.replace("_minor", "_currency")
            currency = after.get(currency_key) or before.get(currency_key) or getattr(row, currency_key, None)
            shown_before = _money(before.get(key), before.get(currency_key) or currency) or _NO_VALUE
            shown_after = _money(after.get(key), currency) or _NO_VALUE
            key = key.removesuffix("_minor")
        field = FIELD_NAMES.get(key)
        told.append(
            gettext("{field}: {before} → {after}").format(
                field=gettext(field) if field else key, before=shown_before, after=shown_after
            )
        )
    return "; ".join(told)


def _shown(key: str, value: Any, object_type: str) -> str:
    """One fact in words: a coded value by its name, a date in the locale, an id-free rest as written."""
    if value is None or value == "":
        return _NO_VALUE
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, str):
        vocabulary = KIND_VOCABULARY.get(object_type) if key == "kind" else VOCABULARY_OF.get(key)
        if vocabulary:
            return term(value, vocabulary)
        if _ISO_DATE.fullmatch(value):
            return format_date(date.fromisoformat(value))
        if key in ("rate", "old_rate"):
            return _decimal(value)
        return value
    if isinstance(value, int):
        return format_number(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _decimal(text: str) -> str:
    try:
        return format_number(Decimal(text))
    except InvalidOperation:
        return text


def _money(minor: Any, currency: Any) -> str:
    if not isinstance(minor, int) or isinstance(minor, bool) or currency not in CURRENCIES:
        return ""
    return format_money(Money.from_minor(minor, currency))


def _who(user_id: int | None, known: Names) -> str:
    if user_id is None:
        return gettext("system")
    user = known.users.get(user_id)
    if user is None:
        return "#" + str(user_id)
    return user.name or user.email


def _raw(event: JournalEvent) -> str:
    """The event as stored, indented: what the sentence was told from."""
    body = {
        "id": event.id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "user_id": event.user_id,
        "before": _parsed_any(event.before),
        "after": _parsed_any(event.after),
        "hash": event.hash,
    }
    return json.dumps(body, ensure_ascii=False, indent=2)


def _parsed_any(text: str | None) -> Any:
    return json.loads(text) if text else None


def _parsed(text: str | None) -> dict[str, Any]:
    """An event's facts as a dict (facts that are not an object are kept only in the raw JSON)."""
    value = _parsed_any(text)
    return value if isinstance(value, dict) else {}


def _id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def _add(ids: set[int], value: Any) -> None:
    number = _id(value)
    if number is not None:
        ids.add(number)


def known_object_types() -> list[tuple[str, str]]:
    """The object filter's choices: each object type and its name in the current language."""
    return [(kind, name()) for kind, name in OBJECT_KINDS.items()]


def action_choices(actions: Iterable[str]) -> list[tuple[str, str]]:
    """The action filter's choices: each recorded action code and its name, sorted by name."""
    return sorted(((code, action_name(code)) for code in actions), key=lambda choice: choice[1].casefold())
