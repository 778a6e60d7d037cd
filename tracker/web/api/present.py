"""Rows as the API shows them: ids as strings, money with the currency's digits, times in UTC."""

from __future__ import annotations

from datetime import datetime

from tracker.accounts.tokens import as_utc
from tracker.core.money import Money
from tracker.core.vocabulary import LineKind
from tracker.db.models import Appeal, Contribution, ContributionLine, Donor, Item, Recipient
from tracker.ledger.outstanding import LineRemainder
from tracker.reporting.lists import ContributionWithLines
from tracker.web.api.schemas import (
    AppealPublic,
    ContributionPublic,
    DonorPublic,
    ItemPublic,
    LinePublic,
    MoneyPublic,
    RecipientPublic,
    quantity_text,
)


def opaque(value: int | None) -> str | None:
    return None if value is None else str(value)


def utc(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


def donor(row: Donor) -> DonorPublic:
    return DonorPublic(
        id=str(row.id),
        name=row.name,
        kind=row.kind,
        country=row.country,
        email=row.email,
        phone=row.phone,
        locale=row.locale,
        notes=row.notes,
        archived=row.archived,
        created_at=as_utc(row.created_at),
    )


def recipient(row: Recipient) -> RecipientPublic:
    return RecipientPublic(
        id=str(row.id),
        name=row.name,
        kind=row.kind,
        country=row.country,
        region=row.region,
        notes=row.notes,
        archived=row.archived,
        created_at=as_utc(row.created_at),
    )


def appeal(row: Appeal) -> AppealPublic:
    return AppealPublic(
        id=str(row.id),
        code=row.code,
        name=row.name,
        start_date=row.start_date,
        end_date=row.end_date,
        target=MoneyPublic.from_minor(row.target_minor, row.target_currency),
        glide=row.glide,
        archived=row.archived,
        created_at=as_utc(row.created_at),
    )


def item(row: Item, names: dict[str, str] | None = None) -> ItemPublic:
    """An item; `names` its names per language (catalogue.item_names), none when not given."""
    return ItemPublic(
        id=str(row.id),
        name=row.name,
        names=names or {},
        unit=row.unit,
        cluster=row.cluster,
        unit_value=MoneyPublic.from_minor(row.unit_value_minor, row.unit_value_currency),
        archived=row.archived,
        created_at=as_utc(row.created_at),
    )


def line(row: ContributionLine, left: LineRemainder | None = None) -> LinePublic:
    """A line; `left` is its remainder when it belongs to a live pledge or commitment that something fulfils."""
    promised = MoneyPublic.from_minor(row.value_minor, row.currency)
    value = promised if left is None else MoneyPublic.from_minor(left.value_minor, row.currency)
    return LinePublic(
        kind=row.kind,
        amount=promised if row.kind == LineKind.MONEY else None,
        item_id=opaque(row.item_id),
        quantity=quantity_text(row.quantity_milli),
        unit_value=MoneyPublic.from_minor(row.unit_value_minor, row.currency),
        valuation=row.valuation,
        value=value,
        promised_value=promised,
        outstanding_quantity=quantity_text(left.quantity_milli) if left is not None else None,
    )


def contribution(found: ContributionWithLines) -> ContributionPublic:
    row: Contribution = found.contribution
    return ContributionPublic(
        id=str(row.id),
        number=row.number,
        donor_id=str(row.donor_id),
        recipient_id=str(row.recipient_id),
        appeal_id=opaque(row.appeal_id),
        date=row.value_date,
        status=row.status,
        void=row.voided_at is not None,
        voided_at=utc(row.voided_at),
        void_reason=row.void_reason,
        reference=row.reference,
        notes=row.notes,
        fulfils_id=opaque(row.fulfils_id),
        fulfils=found.fulfils,
        recorded_at=as_utc(row.recorded_at),
        lines=[line(each, found.remainders.get(each.position)) for each in found.lines],
        status_date=row.status_date or row.value_date,
        due_date=row.due_date,
        closed=row.closed_at is not None,
        close_reason=row.close_reason,
    )


def money(value: Money | None) -> MoneyPublic | None:
    return MoneyPublic.of(value)
