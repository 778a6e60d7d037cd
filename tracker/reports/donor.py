"""The per-donor statement as plain data: every contribution of a period, totals, in-kind by item, corrections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from tracker.errors import Invalid
from tracker.figures import LedgerTotals, Scope, ledger_totals
from tracker.models import Donor, Item
from tracker.reports.entries import EntryView, load_entries


@dataclass(frozen=True)
class DonorStatement:
    """What one donor gave in a period; voided entries are listed apart and counted nowhere."""

    donor: Donor
    date_from: date | None
    date_to: date | None
    entries: list[EntryView]
    corrections: list[EntryView]
    totals: LedgerTotals
    items: dict[int, Item]


def donor_statement(session: Session, donor: Donor, date_from: date | None, date_to: date | None) -> DonorStatement:
    """The statement for `donor` from `date_from` to `date_to` (value dates, both inclusive)."""
    if date_from and date_to and date_to < date_from:
        raise Invalid("to", "the period ends before it starts")
    scope = Scope(donor_id=donor.id, date_from=date_from, date_to=date_to)
    entries = load_entries(session, scope)
    totals = ledger_totals(session, scope)
    item_ids = {line.item_id for entry in entries for line in entry.lines if line.item_id is not None}
    items = {i.id: i for i in session.exec(select(Item).where(Item.id.in_(item_ids)))} if item_ids else {}  # type: ignore[union-attr]
    return DonorStatement(
        donor=donor,
        date_from=date_from,
        date_to=date_to,
        entries=[e for e in entries if not e.is_void],
        corrections=[e for e in entries if e.is_void],
        totals=totals,
        items=items,  # type: ignore[arg-type]
    )
