"""A pledge's or commitment's standing: promised, fulfilled, written off and outstanding, and what may be done next."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from tracker.core.vocabulary import BUCKETS, OPEN_STATUSES, Bucket, Status
from tracker.db.columns import stored_id
from tracker.db.models import Contribution, ContributionLine, Item
from tracker.ledger.figures import Figures, Scope, ledger_totals
from tracker.ledger.queries import CurrencyTotal
from tracker.ledger.service import StatusMove, live_fulfilments, status_history
from tracker.reporting.reports.items import ItemFigure, item_figures, load_items


@dataclass(frozen=True)
class PromiseStanding:
    """A promise's figures in original currencies: its lines in full, its live fulfilments, and what is left.

    What is left is outstanding while the promise is open and written off once it is closed
    (`tracker.ledger.figures` counts both); over-fulfilment shows as fulfilled beyond the
    promise, and outstanding never goes below zero."""

    promised: Figures
    fulfilled: Figures
    outstanding: Figures
    written_off: Figures
    fulfilments: list[Contribution]
    items: dict[int, Item] = field(default_factory=dict)

    def goods(self, figures: Figures) -> list[ItemFigure]:
        return item_figures(figures, self.items, {})


def promise_standing(session: Session, contribution: Contribution) -> PromiseStanding | None:
    """The standing of a pledge or commitment (None for anything else, and for one that ended paid)."""
    if contribution.status not in OPEN_STATUSES:
        return None
    contribution_id = stored_id(contribution)
    fulfilments = live_fulfilments(session, contribution_id)
    promised, fulfilled = Figures(), Figures()
    ids = [contribution_id, *(stored_id(f) for f in fulfilments)]
    lines = session.exec(select(ContributionLine).where(col(ContributionLine.contribution_id).in_(ids))).all()
    for line in lines:
        figures = promised if line.contribution_id == contribution_id else fulfilled
        figures.add(line.kind, line.item_id, line.currency, line.value_minor or 0, line.quantity_milli or 0)
    counted = ledger_totals(session, Scope(contribution_ids=(contribution_id,)))
    left = counted.bucket(contribution.status) if contribution.voided_at is None else Figures()
    item_ids = {line.item_id for line in lines if line.item_id is not None}
    return PromiseStanding(
        promised=promised,
        fulfilled=fulfilled,
        outstanding=Figures() if contribution.closed_at is not None else left,
        written_off=counted.bucket(Bucket.WRITTEN_OFF),
        fulfilments=fulfilments,
        items=load_items(session, item_ids),
    )


@dataclass(frozen=True)
class NextSteps:
    """What a clerk may still do with a contribution: only the actions that apply."""

    statuses: tuple[str, ...]  # the statuses it may move on to
    may_fulfil: bool
    may_close: bool
    may_void: bool
    earliest: date  # the first day a status move may take effect


def next_steps(session: Session, contribution: Contribution) -> NextSteps:
    """The actions that apply: none on a void or closed contribution; "paid" not on a partly fulfilled promise."""
    if contribution.voided_at is not None or contribution.closed_at is not None:
        return NextSteps((), False, False, False, contribution.value_date)
    is_open = contribution.status in OPEN_STATUSES
    fulfilled = is_open and bool(live_fulfilments(session, stored_id(contribution)))
    statuses: tuple[str, ...] = ()
    if contribution.status == Status.PLEDGED:
        statuses = (Status.COMMITTED,) if fulfilled else (Status.COMMITTED, Status.PAID)
    elif contribution.status == Status.COMMITTED and not fulfilled:
        statuses = (Status.PAID,)
    return NextSteps(
        statuses=statuses,
        may_fulfil=is_open,
        may_close=is_open,
        may_void=True,
        earliest=contribution.status_date or contribution.value_date,
    )


def history(session: Session, contribution: Contribution) -> list[StatusMove]:
    """The statuses it took, each with the day it took effect."""
    return status_history(session, contribution)


def party_totals(session: Session, scope: Scope) -> list[CurrencyTotal]:
    """Per currency (cash and in-kind value), paid in full and each promise only for what is left, as a donor's
    or recipient's page shows them: a pledge's fulfilments are paid, so its gross value would count them twice."""
    totals = ledger_totals(session, scope)
    found: dict[str, CurrencyTotal] = {}
    for bucket in BUCKETS:
        figures = totals.bucket(bucket)
        for part in (figures.money, figures.in_kind):
            for code, amount in part.items():
                total = found.setdefault(code, CurrencyTotal(code))
                total.by_status[bucket] = total.by_status[bucket] + amount if bucket in total.by_status else amount
    return [found[code] for code in sorted(found)]
