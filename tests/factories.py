"""Small factories for tests: each test states only what matters to it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel import Session

from tracker.catalogue.service import (
    AppealInput,
    DonorInput,
    ItemInput,
    RecipientInput,
    create_appeal,
    create_donor,
    create_item,
    create_recipient,
)
from tracker.core.money import parse_money
from tracker.db.models import Appeal, Contribution, Donor, Item, Recipient
from tracker.ledger.service import ContributionInput, LineInput, record_contribution


def make_donor(session: Session, name: str = "Test donor", kind: str = "organisation", **kw: object) -> Donor:
    return create_donor(session, DonorInput(name=name, kind=kind, **kw), None)  # type: ignore[arg-type]


def make_recipient(session: Session, name: str = "Test recipient", kind: str = "organisation") -> Recipient:
    return create_recipient(session, RecipientInput(name=name, kind=kind), None)


def make_appeal(session: Session, code: str = "TEST-2023", target: str | None = None) -> Appeal:
    money = parse_money(target) if target else None
    return create_appeal(session, AppealInput(code=code, name=f"Appeal {code}", target=money), None)


def make_item(session: Session, name: str = "Container house", unit: str = "piece", cluster: str = "SHL") -> Item:
    return create_item(session, ItemInput(name=name, unit=unit, cluster=cluster), None)


def money_line(amount: str) -> LineInput:
    return LineInput(kind="money", amount=parse_money(amount))


def goods_line(item: Item, quantity: str, unit_value: str | None = None, valuation: str | None = None) -> LineInput:
    value = parse_money(unit_value) if unit_value else None
    return LineInput("goods", item_id=item.id, quantity=Decimal(quantity), unit_value=value, valuation=valuation)


def make_contribution(
    session: Session,
    *lines: LineInput,
    donor: Donor | None = None,
    recipient: Recipient | None = None,
    status: str = "paid",
    on: date = date(2023, 2, 10),
    fulfils: Contribution | None = None,
    appeal: Appeal | None = None,
) -> Contribution:
    donor = donor or make_donor(session)
    recipient = recipient or make_recipient(session)
    data = ContributionInput(
        donor_id=donor.id,  # type: ignore[arg-type]
        recipient_id=recipient.id,  # type: ignore[arg-type]
        value_date=on,
        status=status,
        lines=list(lines) or [money_line("100.00 USD")],
        appeal_id=appeal.id if appeal else None,
        fulfils_id=fulfils.id if fulfils else None,
    )
    return record_contribution(session, data, None)
