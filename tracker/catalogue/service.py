"""Donors, recipients, appeals and items: create, describe, correct the description, archive; never delete."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, SQLModel, col, func, select

from tracker.core.errors import Conflict, Invalid, NotFound, Plural
from tracker.core.fields import country_code, email_address, one_of, optional_text, required_text
from tracker.core.i18n import N_
from tracker.core.money import Money
from tracker.core.parsing import parse_id
from tracker.db.columns import CLUSTERS, DONOR_KINDS, LOCALES, RECIPIENT_KINDS, UNITS, stored_id
from tracker.db.dialect import is_unique_violation
from tracker.db.journal import record_event
from tracker.db.models import Appeal, Donor, Item, ItemName, Recipient, User

# The catalogue's kinds of row: each has an id, a name and the archived flag.
T = TypeVar("T", Donor, Recipient, Appeal, Item)
# One sentence per kind of row, so each translates whole.
DOES_NOT_EXIST = {
    "donor": N_("donor {id} does not exist"),
    "recipient": N_("recipient {id} does not exist"),
    "appeal": N_("appeal {id} does not exist"),
    "item": N_("item {id} does not exist"),
}
ALREADY_ARCHIVED = {
    "donor": N_("donor {id} is already archived"),
    "recipient": N_("recipient {id} is already archived"),
    "appeal": N_("appeal {id} is already archived"),
    "item": N_("item {id} is already archived"),
}


@dataclass(frozen=True)
class DonorInput:
    name: str
    kind: str
    country: str | None = None
    email: str | None = None
    phone: str | None = None
    locale: str | None = None
    notes: str = ""


@dataclass(frozen=True)
class RecipientInput:
    name: str
    kind: str = "organisation"
    country: str | None = None
    region: str | None = None
    notes: str = ""


@dataclass(frozen=True)
class AppealInput:
    code: str
    name: str
    start_date: date | None = None
    end_date: date | None = None
    target: Money | None = None
    glide: str | None = None


@dataclass(frozen=True)
class ItemInput:
    name: str
    unit: str
    cluster: str
    unit_value: Money | None = None
    names: Mapping[str, str] | None = None  # the name per language (az, tr, ru); None leaves them as they are


# The languages an item may be given a name in; the catalogue's own name is the English one and the fallback.
NAME_LANGUAGES = tuple(code for code in LOCALES if code != "en")


def create_donor(session: Session, data: DonorInput, user: User | None) -> Donor:
    donor = Donor(
        name=required_text(data.name, "name", 200),
        kind=one_of(data.kind, DONOR_KINDS, "kind"),
        country=country_code(data.country),
        email=email_address(data.email),
        phone=optional_text(data.phone, "phone", 50),
        locale=one_of(data.locale, LOCALES, "locale") if data.locale else None,
        notes=optional_text(data.notes, "notes", 4000) or "",
    )
    return _created(session, donor, user)


def create_recipient(session: Session, data: RecipientInput, user: User | None) -> Recipient:
    recipient = Recipient(
        name=required_text(data.name, "name", 200),
        kind=one_of(data.kind, RECIPIENT_KINDS, "kind"),
        country=country_code(data.country),
        region=optional_text(data.region, "region", 200),
        notes=optional_text(data.notes, "notes", 4000) or "",
    )
    return _created(session, recipient, user)


def create_appeal(session: Session, data: AppealInput, user: User | None) -> Appeal:
    code = required_text(data.code, "code", 32).upper()
    if session.exec(select(Appeal).where(Appeal.code == code)).first():
        raise Invalid("code", "an appeal with code {code} already exists", code=code)
    if data.start_date and data.end_date and data.end_date < data.start_date:
        raise Invalid("end_date", "ends before it starts")
    name = required_text(data.name, "name", 200)
    target = money_value(data.target, "target")
    appeal = Appeal(
        code=code,
        name=name,
        start_date=data.start_date,
        end_date=data.end_date,
        target_minor=target.minor if target else None,
        target_currency=target.currency if target else None,
        glide=optional_text(data.glide, "glide", 40),
    )
    return _created(session, appeal, user)


def create_item(session: Session, data: ItemInput, user: User | None) -> Item:
    name = required_text(data.name, "name", 200)
    # The exact match too: SQLite's lower() folds ASCII only, and the unique index is on the exact name.
    same = sa.or_(col(Item.name) == name, func.lower(Item.name) == name.lower())
    if session.exec(select(Item).where(same)).first():
        raise Invalid("name", "the catalogue already has an item named {name}", name=name)
    unit = required_text(data.unit, "unit", 30)
    if unit not in UNITS:
        raise Invalid("unit", "must be one of {allowed}, got {value!r}", allowed=", ".join(UNITS), value=unit)
    cluster = one_of(data.cluster, CLUSTERS, "cluster")
    unit_value = money_value(data.unit_value, "unit_value")
    names = checked_names(data.names or {})
    item = Item(
        name=name,
        unit=unit,
        cluster=cluster,
        unit_value_minor=unit_value.minor if unit_value else None,
        unit_value_currency=unit_value.currency if unit_value else None,
    )
    created = _created(session, item, user, {"names": names} if names else None)
    _write_names(session, stored_id(created), {}, names)
    return created


def update_donor(session: Session, donor_id: int, data: DonorInput, user: User | None) -> Donor:
    """Correct a donor's descriptive fields; their contributions stay as recorded."""
    donor = _get(session, Donor, donor_id)
    changes = {
        "name": required_text(data.name, "name", 200),
        "kind": one_of(data.kind, DONOR_KINDS, "kind"),
        "country": country_code(data.country),
        "email": email_address(data.email),
        "phone": optional_text(data.phone, "phone", 50),
        "locale": one_of(data.locale, LOCALES, "locale") if data.locale else None,
        "notes": optional_text(data.notes, "notes", 4000) or "",
    }
    return _updated(session, donor, changes, user)


def update_recipient(session: Session, recipient_id: int, data: RecipientInput, user: User | None) -> Recipient:
    recipient = _get(session, Recipient, recipient_id)
    changes = {
        "name": required_text(data.name, "name", 200),
        "kind": one_of(data.kind, RECIPIENT_KINDS, "kind"),
        "country": country_code(data.country),
        "region": optional_text(data.region, "region", 200),
        "notes": optional_text(data.notes, "notes", 4000) or "",
    }
    return _updated(session, recipient, changes, user)


def update_appeal(session: Session, appeal_id: int, data: AppealInput, user: User | None) -> Appeal:
    """Correct an appeal's name, dates, target and GLIDE number; its code is how others refer to it."""
    appeal = _get(session, Appeal, appeal_id)
    if data.start_date and data.end_date and data.end_date < data.start_date:
        raise Invalid("end_date", "ends before it starts")
    name = required_text(data.name, "name", 200)
    target = money_value(data.target, "target")
    changes = {
        "name": name,
        "start_date": data.start_date,
        "end_date": data.end_date,
        "target_minor": target.minor if target else None,
        "target_currency": target.currency if target else None,
        "glide": optional_text(data.glide, "glide", 40),
    }
    return _updated(session, appeal, changes, user)


def update_item(session: Session, item_id: int, data: ItemInput, user: User | None) -> Item:
    """Correct an item's name, cluster and default unit value; its unit stays, since quantities are counted in it."""
    item = _get(session, Item, item_id)
    name = required_text(data.name, "name", 200)
    clash = session.exec(select(Item).where(func.lower(Item.name) == name.lower(), Item.id != item_id)).first()
    if clash:
        raise Invalid("name", "the catalogue already has an item named {name}", name=name)
    cluster = one_of(data.cluster, CLUSTERS, "cluster")
    unit_value = money_value(data.unit_value, "unit_value")
    changes = {
        "name": name,
        "cluster": cluster,
        "unit_value_minor": unit_value.minor if unit_value else None,
        "unit_value_currency": unit_value.currency if unit_value else None,
    }
    if data.names is None:
        return _updated(session, item, changes, user)
    names, before = checked_names(data.names), item_names(session, {item_id}).get(item_id, {})
    _write_names(session, item_id, before, names)
    return _updated(session, item, changes, user, {"names": (before, names)} if names != before else None)


def checked_names(names: Mapping[str, str]) -> dict[str, str]:
    """An item's names per language as given, checked; a blank name is no name (the catalogue's is printed)."""
    found = {}
    for language, text in names.items():
        if language not in NAME_LANGUAGES:
            raise Invalid(
                "names",
                "must be one of {allowed}, got {value!r}",
                allowed=", ".join(NAME_LANGUAGES),
                value=language,
            )
        checked = optional_text(text, "names." + language, 200)
        if checked:
            found[language] = checked
    return dict(sorted(found.items()))


def item_names(session: Session, ids: set[int]) -> dict[int, dict[str, str]]:
    """Each item's names per language (only those it has), in one query."""
    if not ids:
        return {}
    found: dict[int, dict[str, str]] = {}
    statement = select(ItemName).where(col(ItemName.item_id).in_(ids)).order_by(col(ItemName.language))
    for row in session.exec(statement):
        found.setdefault(row.item_id, {})[row.language] = row.name
    return found


def _write_names(session: Session, item_id: int, before: Mapping[str, str], after: Mapping[str, str]) -> None:
    """Make the item's stored names per language `after`: the catalogue's description, not a recorded fact."""
    for language in before.keys() - after.keys():
        session.execute(sa.delete(ItemName).where(col(ItemName.item_id) == item_id, col(ItemName.language) == language))
    for language, name in after.items():
        if before.get(language) == name:
            continue
        found = session.get(ItemName, (item_id, language))
        if found is None:
            session.add(ItemName(item_id=item_id, language=language, name=name))
        else:
            found.name = name
            session.add(found)
    session.flush()


def donor_input(donor: Donor) -> DonorInput:
    """A donor's descriptive fields as they are, for a door that changes only some of them (PATCH)."""
    return DonorInput(donor.name, donor.kind, donor.country, donor.email, donor.phone, donor.locale, donor.notes)


def recipient_input(recipient: Recipient) -> RecipientInput:
    return RecipientInput(recipient.name, recipient.kind, recipient.country, recipient.region, recipient.notes)


def appeal_input(appeal: Appeal) -> AppealInput:
    target = (
        Money.from_minor(appeal.target_minor, appeal.target_currency)
        if appeal.target_minor is not None and appeal.target_currency is not None
        else None
    )
    return AppealInput(appeal.code, appeal.name, appeal.start_date, appeal.end_date, target, appeal.glide)


def item_input(item: Item) -> ItemInput:
    """An item's fields as they are; `names` None, so they stay unless a door gives them."""
    value = (
        Money.from_minor(item.unit_value_minor, item.unit_value_currency)
        if item.unit_value_minor is not None and item.unit_value_currency is not None
        else None
    )
    return ItemInput(item.name, item.unit, item.cluster, value)


def archive(session: Session, model: type[T], object_id: int, user: User | None) -> T:
    """Take a donor, recipient, appeal or item out of everyday lists; its history stays."""
    found = session.get(model, object_id)
    if found is None:
        raise NotFound(DOES_NOT_EXIST[_kind(model)], id=object_id)
    if found.archived:
        raise Conflict(ALREADY_ARCHIVED[_kind(model)], id=object_id)
    found.archived = True
    session.add(found)
    session.flush()
    record_event(
        session,
        action=f"{_kind(model)}.archived",
        object_type=_kind(model),
        object_id=object_id,
        user_id=user.id if user else None,
        before={"archived": False},
        after={"archived": True},
    )
    return found


def find_donor(session: Session, ref: str) -> Donor:
    """A donor by id or by exact name; an ambiguous name is an error, not a guess."""
    donor_id = parse_id(ref.strip())  # the one id rule: ASCII digits, within the database's range
    if donor_id is not None:
        donor = session.get(Donor, donor_id)
        if donor:
            return donor
    matches = session.exec(select(Donor).where(Donor.name == ref.strip())).all()
    if not matches:
        raise NotFound("no donor with id or name {ref!r}", ref=ref)
    if len(matches) > 1:
        ids = ", ".join(str(d.id) for d in matches)
        raise Conflict(
            Plural(
                "{count} donor is named {ref!r} (ids {ids}); give the id",
                "{count} donors are named {ref!r} (ids {ids}); give the id",
                len(matches),
            ),
            count=len(matches),
            ref=ref,
            ids=ids,
        )
    return matches[0]


def _kind(model: type[SQLModel]) -> str:
    """The table's name (donor, recipient, appeal, item): the kind in messages and in journal actions."""
    name = model.__tablename__
    assert isinstance(name, str), "SQLModel allows a declared_attr here; the catalogue's tables have plain names"
    return name


def _get(session: Session, model: type[T], object_id: int) -> T:
    found = session.get(model, object_id)
    if found is None:
        raise NotFound("{kind} {id} does not exist", kind=_kind(model), id=object_id)
    return found


def _updated(
    session: Session,
    row: T,
    changes: dict[str, Any],
    user: User | None,
    also: dict[str, tuple[Any, Any]] | None = None,
) -> T:
    """Apply the changed fields and journal them, before and after, with `also` (changes kept elsewhere: an
    item's names); no change, no event."""
    before = {key: getattr(row, key) for key, value in changes.items() if getattr(row, key) != value}
    if not before and not also:
        return row
    after = {key: changes[key] for key in before}
    for key in before:
        setattr(row, key, changes[key])
    for key, (was, now) in (also or {}).items():
        before[key], after[key] = was, now
    _flush(session, row)
    record_event(
        session,
        action=f"{_kind(type(row))}.updated",
        object_type=_kind(type(row)),
        object_id=row.id,
        user_id=user.id if user else None,
        before=before,
        after=after,
    )
    return row


def find_appeal(session: Session, ref: str) -> Appeal:
    """An appeal by id or by its code (TUR-EQ-2023)."""
    appeal_id = parse_id(ref.strip())
    if appeal_id is not None:
        appeal = session.get(Appeal, appeal_id)
        if appeal:
            return appeal
    found = session.exec(select(Appeal).where(Appeal.code == ref.strip())).first()
    if found is None:
        raise NotFound("no appeal with id or code {ref!r}", ref=ref)
    return found


def _flush(session: Session, row: SQLModel) -> None:
    """Write the row; a twin that a concurrent transaction committed since our check is a 409."""
    session.add(row)
    try:
        session.flush()
    except sa.exc.IntegrityError as error:
        # The check above saw no twin, but a concurrent transaction (PostgreSQL) committed one since:
        # the unique index refuses this row. The request is rolled back and answered 409, not 500.
        # Any other refusal (a CHECK, a foreign key) is a value the checks let through: a bug, not a
        # conflict, and it must not reach a client dressed as one.
        if not is_unique_violation(error):
            raise
        raise Conflict(
            "another {kind} with the same name or code was recorded at the same moment; reload and check",
            kind=_kind(type(row)),
        ) from error


def _created(session: Session, row: T, user: User | None, also: dict[str, Any] | None = None) -> T:
    _flush(session, row)
    record_event(
        session,
        action=f"{_kind(type(row))}.created",
        object_type=_kind(type(row)),
        object_id=row.id,
        user_id=user.id if user else None,
        after=row.model_dump(exclude={"id", "created_at"}) | (also or {}),
    )
    return row


def money_value(value: Money | None, field: str) -> Money | None:
    """A default unit value or a target as a door handed it over, through the one money check."""
    if value is None:
        return None
    return Money.of(value.amount, value.currency, field)
