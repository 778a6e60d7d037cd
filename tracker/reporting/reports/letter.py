"""Acknowledgement letters: numbered thank-you letters that read the ledger as it stood when they were written.

A letter thanks a donor, in the donor's language, for what arrived in a period: cash
per currency and goods and services by quantity in their units. An estimated value is
shown only when the letter was made with `show_values` (off by default: describe, don't
attest), marked as an estimate with its basis. Pledges and commitments still to come are
mentioned apart.

A letter is computed from the contributions recorded on or before its cutoff (`as_of`,
the moment it was created) and not voided by then, each under the status it had then.
What it printed (the donor's and items' names as they were, the amounts, the heading) is
frozen at issue in `acknowledgement_print`, so renames and later corrections never alter
it (`letter_prints` reads it back). The letter's digest is the SHA-256 of that frozen
content; it is stored and journalled, so `tracker verify` can check it. No letter is
written for a period with nothing to thank for: nothing received and nothing promised.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.core.errors import Conflict, Invalid, NotFound
from tracker.core.money import Money, parse_money
from tracker.core.vocabulary import BUCKETS, OUTSTANDING, Bucket, Status
from tracker.db.columns import LOCALES, stored_id, utcnow
from tracker.db.dialect import transaction_lock
from tracker.db.journal import canonical_json, record_event, utc_text
from tracker.db.models import Acknowledgement, AcknowledgementPrint, Donor, User
from tracker.ledger.figures import Scope, contribution, figure_rows, fold, status_then
from tracker.reporting.reports.donor import check_period
from tracker.reporting.reports.items import (
    ItemFigure,
    item_figures,
    load_items,
    translated_names,
    valuation_bases,
)
from tracker.settings.current import effective_settings

# Any fixed number: the key of the PostgreSQL advisory lock that serialises letter numbers.
_NUMBER_LOCK = 0x6C65_7474


@dataclass(frozen=True)
class LetterData:
    """What a letter says; the same for the same letter number, always."""

    number: str
    donor_id: int
    donor_name: str
    date_from: date | None
    date_to: date | None
    language: str
    show_values: bool
    as_of: datetime
    contributions: int  # how many contributions had arrived (were paid) by the cutoff
    money: tuple[Money, ...]  # cash received, per currency
    goods_and_services: tuple[ItemFigure, ...]  # received; values only when show_values
    outstanding_money: tuple[Money, ...]  # pledged or committed, still to come
    outstanding_items: tuple[ItemFigure, ...]
    heading: tuple[str, str] | None = None  # who wrote it (organisation's name, address), as printed then
    replaces: str | None = None  # the number of the letter this one replaces and cancels

    @property
    def received_anything(self) -> bool:
        return bool(self.money or self.goods_and_services)

    @property
    def thanks_anything(self) -> bool:
        """Something arrived in the period, or something promised in it is still to come."""
        return self.received_anything or bool(self.outstanding_money or self.outstanding_items)

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.frozen().encode()).hexdigest()

    def content(self) -> dict[str, Any]:
        """The letter as plain values, in a fixed order."""

        def items(found: tuple[ItemFigure, ...]) -> list[dict[str, Any]]:
            return [
                {
                    "item": f.name,
                    "unit": f.unit,
                    "quantity": str(f.quantity),
                    "value": [str(v) for v in f.value],
                    "bases": list(f.bases),
                }
                for f in found
            ]

        found: dict[str, Any] = {
            "number": self.number,
            "donor": [self.donor_id, self.donor_name],
            "period": [self.date_from, self.date_to],
            "language": self.language,
            "show_values": self.show_values,
            "as_of": utc_text(self.as_of),
            "contributions": self.contributions,
            "money": [str(m) for m in self.money],
            "goods_and_services": items(self.goods_and_services),
            "outstanding_money": [str(m) for m in self.outstanding_money],
            "outstanding_items": items(self.outstanding_items),
        }
        # Letters written before their content was frozen had neither; their digests stay as they were.
        if self.heading is not None:
            found["heading"] = list(self.heading)
        if self.replaces is not None:
            found["replaces"] = self.replaces
        return found

    def frozen(self) -> str:
        """The content as stored at issue: canonical JSON, whose SHA-256 is the digest."""
        content = canonical_json(self.content())
        assert content is not None, "the content is a dict, so its JSON is text"
        return content


def create_letter(
    session: Session,
    donor: Donor,
    date_from: date | None,
    date_to: date | None,
    language: str | None = None,
    show_values: bool = False,
    user: User | None = None,
    heading: tuple[str, str] | None = None,
    replaces: Acknowledgement | None = None,
) -> Acknowledgement:
    """Number and record a new letter for a donor's contributions of a period, freeze what it prints, journal it.

    `language` defaults to the donor's own, then the organisation's default language. `show_values`
    is the setting "show estimated values in letters" (off by default). `heading` is the organisation's
    name and address printed on it (default: what the settings page saved). A letter that `replaces`
    another cancels it. A period with nothing to thank for gets no letter: Invalid, nothing stored.
    """
    check_period(date_from, date_to)
    language = language or donor.locale or effective_settings(session).default_locale
    if language not in LOCALES:
        raise Invalid("language", "must be one of {allowed}, got {value!r}", allowed=", ".join(LOCALES), value=language)
    if heading is None:
        settings = effective_settings(session)
        heading = (settings.organisation_name or "tracker", settings.organisation_address)
    transaction_lock(session, _NUMBER_LOCK)
    if replaces is not None:
        _check_replaceable(session, replaces, donor)
    now = utcnow()
    number = next_letter_number(session, now.year)
    data = compute_letter(session, number, donor, date_from, date_to, language, show_values, now)
    data = replace(data, heading=heading, replaces=replaces.number if replaces else None)
    if not data.thanks_anything:
        raise Invalid(
            "period",
            "nothing was received from {donor} in this period and nothing promised is still to come: "
            "there is nothing to thank for, so no letter is written",
            donor=donor.name,
        )
    letter = Acknowledgement(
        number=number,
        donor_id=stored_id(donor),
        date_from=date_from,
        date_to=date_to,
        language=language,
        show_values=show_values,
        created_at=now,
        created_by_id=user.id if user else None,
        as_of=now,
        digest=data.digest,
    )
    session.add(letter)
    session.flush()
    session.add(
        AcknowledgementPrint(
            acknowledgement_id=stored_id(letter), content=data.frozen(), replaces_id=replaces.id if replaces else None
        )
    )
    session.flush()
    record_event(
        session,
        action="acknowledgement.created",
        object_type="acknowledgement",
        object_id=letter.id,
        user_id=user.id if user else None,
        after={
            "number": number,
            "donor_id": donor.id,
            "date_from": date_from,
            "date_to": date_to,
            "language": language,
            "show_values": show_values,
            "as_of": utc_text(now),
            "digest": data.digest,
            "replaces": replaces.number if replaces else None,
        },
    )
    return letter


def _check_replaceable(session: Session, old: Acknowledgement, donor: Donor) -> None:
    """A replacement is written to the same donor, and a letter is replaced once."""
    if old.donor_id != donor.id:
        raise Invalid("replaces", "letter {number} was written to another donor", number=old.number)
    taken = session.exec(select(AcknowledgementPrint).where(AcknowledgementPrint.replaces_id == old.id)).first()
    if taken is not None:
        raise Conflict("letter {number} has already been replaced", number=old.number)


def find_letter(session: Session, number: str) -> Acknowledgement:
    found = session.exec(select(Acknowledgement).where(Acknowledgement.number == number.strip())).first()
    if found is None:
        raise NotFound("no letter numbered {number}", number=number)
    return found


def letter_data(session: Session, letter: Acknowledgement) -> LetterData:
    """What the letter printed: its frozen content, whatever was renamed, voided or recorded since.

    A letter written before contents were frozen (revision 0011) is regenerated from the ledger as it
    stood at its cutoff, with today's names.
    """
    printed = session.get(AcknowledgementPrint, letter.id)
    if printed is not None:
        return from_content(printed.content)
    return regenerated_letter(session, letter)


def from_content(content: str) -> LetterData:
    """A letter read back from its frozen content; `frozen()` of the result is that same text."""
    found = json.loads(content)

    def items(rows: list[dict[str, Any]]) -> tuple[ItemFigure, ...]:
        return tuple(
            ItemFigure(
                item_id=0,  # not printed: the name as printed is what the letter says
                name=row["item"],
                unit=row["unit"],
                cluster="",
                quantity=Decimal(row["quantity"]),
                value=tuple(parse_money(v) for v in row["value"]),
                bases=tuple(row["bases"]),
            )
            for row in rows
        )

    date_from, date_to = (date.fromisoformat(d) if d else None for d in found["period"])
    heading = found.get("heading")
    return LetterData(
        number=found["number"],
        donor_id=found["donor"][0],
        donor_name=found["donor"][1],
        date_from=date_from,
        date_to=date_to,
        language=found["language"],
        show_values=found["show_values"],
        as_of=datetime.fromisoformat(found["as_of"]),
        contributions=found["contributions"],
        money=tuple(parse_money(m) for m in found["money"]),
        goods_and_services=items(found["goods_and_services"]),
        outstanding_money=tuple(parse_money(m) for m in found["outstanding_money"]),
        outstanding_items=items(found["outstanding_items"]),
        heading=(heading[0], heading[1]) if heading is not None else None,
        replaces=found.get("replaces"),
    )


def regenerated_letter(session: Session, letter: Acknowledgement) -> LetterData:
    """A letter regenerated from the ledger as it stood at its cutoff, with today's names."""
    donor = session.get(Donor, letter.donor_id)
    assert donor is not None  # donors are never deleted
    return compute_letter(
        session,
        letter.number,
        donor,
        letter.date_from,
        letter.date_to,
        letter.language,
        letter.show_values,
        letter.as_of,
    )


def compute_letter(
    session: Session,
    number: str,
    donor: Donor,
    date_from: date | None,
    date_to: date | None,
    language: str,
    show_values: bool,
    as_of: datetime,
) -> LetterData:
    scope = Scope(donor_id=donor.id, date_from=date_from, date_to=date_to, as_of=as_of)
    totals = fold(figure_rows(session, scope))
    ids = {i for bucket in BUCKETS for i in totals.bucket(bucket).items}
    items, bases = load_items(session, ids), valuation_bases(session, scope)
    names = translated_names(session, ids, language)

    def described(bucket: str) -> tuple[ItemFigure, ...]:
        found = item_figures(totals.bucket(bucket), items, bases, names)
        return tuple(f if show_values else replace(f, value=()) for f in found)

    outstanding: dict[str, Money] = {}
    for bucket in OUTSTANDING:
        for code, amount in totals.bucket(bucket).money.items():
            outstanding[code] = outstanding[code] + amount if code in outstanding else amount
    return LetterData(
        number=number,
        donor_id=stored_id(donor),
        donor_name=donor.name,
        date_from=date_from,
        date_to=date_to,
        language=language,
        show_values=show_values,
        as_of=as_of,
        contributions=_paid_count(session, scope),
        money=tuple(totals.paid.money[c] for c in sorted(totals.paid.money)),
        goods_and_services=described(Bucket.PAID),
        outstanding_money=tuple(outstanding[c] for c in sorted(outstanding)),
        outstanding_items=_merged(described(Bucket.COMMITTED) + described(Bucket.PLEDGED)),
    )


def next_letter_number(session: Session, year: int) -> str:
    """L-2026-000001 onwards, per year of writing; callers hold the numbering lock on PostgreSQL."""
    prefix = f"L-{year}-"
    last = session.execute(
        sa.select(sa.func.max(Acknowledgement.number)).where(
            col(Acknowledgement.number).startswith(prefix, autoescape=True)
        )
    ).scalar()
    return f"{prefix}{int(last[len(prefix) :]) + 1 if last else 1:06d}"


def _paid_count(session: Session, scope: Scope) -> int:
    assert scope.as_of is not None
    then = status_then(scope.as_of)
    statement = (
        sa.select(sa.func.count())
        .select_from(contribution.join(then, then.c.id == contribution.c.id))
        .where(*scope.conditions(), then.c.status == Status.PAID)
    )
    return int(session.execute(statement).scalar_one())


def _merged(found: tuple[ItemFigure, ...]) -> tuple[ItemFigure, ...]:
    """Committed and pledged items as one list: quantities added per item, values per currency."""
    merged: dict[int, ItemFigure] = {}
    for figure in found:
        before = merged.get(figure.item_id)
        if before is None:
            merged[figure.item_id] = figure
            continue
        values = {v.currency: v for v in before.value}
        for v in figure.value:
            values[v.currency] = values[v.currency] + v if v.currency in values else v
        merged[figure.item_id] = replace(
            before,
            quantity=before.quantity + figure.quantity,
            value=tuple(values[c] for c in sorted(values)),
            bases=tuple(sorted(set(before.bases) | set(figure.bases))),
        )
    return tuple(sorted(merged.values(), key=lambda f: (f.name, f.item_id)))
