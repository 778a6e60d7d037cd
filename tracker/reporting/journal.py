"""The journal as an auditor reads it: each event a sentence in the reader's language, names looked up a page at a time.

A sentence is a gettext template whose named fields come from the event itself: every key of
its `after` facts under its own name, every key of its `before` facts as `old_<key>`, plus the
names read from ids (`donor`, `recipient`, `appeal`, `fulfils`, `owner`), the contribution's
`number`, its `lines` as Money and quantities in their units, `changes` (field: before → after)
and the `object` the event is about. Teaching the journal a new action is one entry in ACTIONS;
an action without one is still shown, in a generic sentence, with its JSON one click away.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from sqlmodel import Session, select

from tracker.core.errors import Invalid
from tracker.core.formatting import format_date, format_money, format_number, format_quantity
from tracker.core.i18n import N_, gettext, pgettext
from tracker.core.money import CURRENCIES, Money, stored_quantity
from tracker.core.vocabulary import term
from tracker.db.models import ApiToken, Appeal, Contribution, Donor, Item, JournalEvent, Recipient, User
from tracker.ledger.lookups import Found, JournalFilters, journal_events, names

PER_PAGE = 50


class Said(NamedTuple):
    """How the journal names an action (in its filter) and tells one event of it (a template with named fields)."""

    name: str
    sentence: str


# TRANSLATORS: journal sentences. The {fields} are already written in the reader's language: {number} is a
# contribution number (C-2023-000008), {lines} its amounts and quantities, {donor}/{recipient} names,
# {old_status}/{status} status names, {changes} a list "field: before → after". No subject: the Who column says who.
ACTIONS: dict[str, Said] = {
    "contribution.recorded": Said(
        N_("contribution recorded"),
        N_("Recorded {number}: {lines} from {donor} to {recipient}, {status}, dated {value_date}"),
    ),
    "contribution.status_changed": Said(
        N_("contribution status changed"), N_("Moved {number} from {old_status} to {status}")
    ),
    "contribution.voided": Said(N_("contribution voided"), N_("Voided {number}, because: {reason}")),
    "donor.created": Said(N_("donor added"), N_("Added the donor {name}")),
    "donor.updated": Said(N_("donor changed"), N_("Changed the donor {object}: {changes}")),
    "donor.archived": Said(N_("donor archived"), N_("Archived the donor {object}")),
    "recipient.created": Said(N_("recipient added"), N_("Added the recipient {name}")),
    "recipient.updated": Said(N_("recipient changed"), N_("Changed the recipient {object}: {changes}")),
    "recipient.archived": Said(N_("recipient archived"), N_("Archived the recipient {object}")),
    "appeal.created": Said(N_("appeal added"), N_("Added the appeal {code} ({name})")),
    "appeal.updated": Said(N_("appeal changed"), N_("Changed the appeal {object}: {changes}")),
    "appeal.archived": Said(N_("appeal archived"), N_("Archived the appeal {object}")),
    "item.created": Said(N_("item added"), N_("Added the item {name}, counted in {unit}")),
    "item.updated": Said(N_("item changed"), N_("Changed the item {object}: {changes}")),
    "item.archived": Said(N_("item archived"), N_("Archived the item {object}")),
    "user.created": Said(N_("user added"), N_("Added the user {email} as {role}")),
    "user.role_changed": Said(N_("user role changed"), N_("Changed the role of {object} from {old_role} to {role}")),
    "user.deactivated": Said(N_("user deactivated"), N_("Deactivated the user {object}")),
    "api_token.created": Said(N_("API token created"), N_("Created the API token “{name}” for {owner}")),
    "api_token.revoked": Said(N_("API token revoked"), N_("Revoked API token {object}")),
    "rate.recorded": Said(
        N_("exchange rate recorded"), N_("Recorded the rate of {currency} on {rate_date}: {rate} {quote_currency}")
    ),
    "rate.corrected": Said(
        N_("exchange rate corrected"),
        N_("Corrected the rate of {currency} on {rate_date} from {old_rate} to {rate} {quote_currency}"),
    ),
    "rates.imported": Said(
        N_("exchange rates imported"),
        N_("Imported exchange rates ({source}) from {from} to {to}: added {added}, corrected {corrected}"),
    ),
    "settings.updated": Said(N_("settings changed"), N_("Changed the settings: {changes}")),
    "import.committed": Said(
        N_("file imported"), N_("Imported a file of {rows} rows: recorded {created}, skipped {skipped}")
    ),
    "acknowledgement.created": Said(
        N_("thank-you letter written"), N_("Wrote the thank-you letter {number} to {donor}")
    ),
}
# TRANSLATORS: a journal event of an action the journal has no sentence for; {action} is its code (item.merged).
GENERIC = N_("{action} on {object_kind} {object}")
# Facts worth a second sentence when an event has them and its own sentence does not say them.
NOTES: tuple[tuple[str, str], ...] = (
    # TRANSLATORS: after a journal sentence; {fulfils} is the number of the pledge or commitment fulfilled.
    ("fulfils", N_("It fulfils {fulfils}.")),
    ("appeal", N_("Appeal: {appeal}.")),
    ("reference", N_("Reference: {reference}.")),
)

# What an event is about, in words; the keys are the journal's object types (the object filter's choices).
OBJECT_KINDS: dict[str, Callable[[], str]] = {
    "contribution": lambda: pgettext("journal object", "contribution"),
    "donor": lambda: pgettext("journal object", "donor"),
    "recipient": lambda: pgettext("journal object", "recipient"),
    "appeal": lambda: pgettext("journal object", "appeal"),
    "item": lambda: pgettext("journal object", "item"),
    "user": lambda: pgettext("journal object", "user"),
    "api_token": lambda: pgettext("journal object", "API token"),
    "exchange_rate": lambda: pgettext("journal object", "exchange rate"),
    "import": lambda: pgettext("journal object", "import"),
    "acknowledgement": lambda: pgettext("journal object", "thank-you letter"),
    "settings": lambda: pgettext("journal object", "settings"),
}
# Fields a `changes` list names in words (others keep their stored name).
FIELD_NAMES: dict[str, str] = {
    "name": N_("Name"),
    "email": N_("Email"),
    "phone": N_("Phone"),
    "country": N_("Country"),
    "notes": N_("Notes"),
    "kind": N_("Kind"),
    "code": N_("Code"),
    "unit": N_("Unit"),
    "cluster": N_("Cluster"),
    "role": N_("Role"),
    "locale": N_("Language"),
    "target": N_("Target"),
    "organisation_name": N_("Organisation name"),
    "organisation_address": N_("Address"),
    "reporting_currency": N_("Reporting currency"),
    "default_locale": N_("Default language"),
    "rate_window_days": N_("Exchange-rate window (days)"),
}
# The vocabulary a coded value is named from, by field (a `kind` depends on what the event is about).
VOCABULARY_OF = {"status": "status", "role": "role", "cluster": "cluster", "unit": "unit", "valuation": "valuation"}
KIND_VOCABULARY = {"donor": "donor_kind", "recipient": "recipient_kind"}
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
