"""The dashboard as plain data, read from the maintained totals (never by scanning the ledger).

Figures are in the reporting currency the totals are kept in, each converted at its
own value date's rate and rounded once; what had no rate is shown beside them as
unconverted, per original currency. "Funding" is committed + paid (the FTS
convention); pledges are shown apart, as outstanding remainders.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.core.money import Money, minor_digits, round_half_up
from tracker.core.vocabulary import FUNDING, Bucket, LineKind
from tracker.db.columns import stored_id
from tracker.db.models import Appeal, Contribution, Donor, Item, LedgerTotal, Recipient
from tracker.ledger.figures import LedgerTotals, Scope
from tracker.ledger.filters import overdue
from tracker.ledger.service import ContributionRow, recent_contributions
from tracker.rates.convert import ANY_AGE, EXACT, InForce, rate_in_force
from tracker.totals.aggregates import computed_rows
from tracker.totals.summing import appeal_key
from tracker.totals.writes import totals_state

table = LedgerTotal.__table__  # type: ignore[attr-defined]
TOP = 10


@dataclass(frozen=True)
class Converted:
    """A figure in the reporting currency, rounded once, and what could not be converted."""

    total: Money
    unconverted: tuple[Money, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.unconverted


@dataclass
class Tally:
    """Exact running sums of totals rows, turned into a `Converted` at the end."""

    converted: Decimal = field(default_factory=Decimal)
    unconverted: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, row: Mapping) -> None:
        self.converted = EXACT.add(self.converted, Decimal(row["converted"]))
        if row["unconverted_minor"]:
            self.unconverted[row["currency"]] += row["unconverted_minor"]

    def result(self, currency: str) -> Converted:
        rounded = self.converted.quantize(Decimal(1).scaleb(-minor_digits(currency)), rounding=ROUND_HALF_UP)
        missing = tuple(Money.from_minor(m, c) for c, m in sorted(self.unconverted.items()) if m)
        return Converted(Money(rounded, currency), missing)


class StoredTotals:
    """The maintained totals, read with SQL: what the dashboard uses when no period is chosen."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def select(self, dim: str, key: str | None = None, prefix: str | None = None) -> list[dict]:
        statement = sa.select(table).where(table.c.dim == dim)
        if key is not None:
            statement = statement.where(table.c.dim_key == key)
        if prefix is not None:
            statement = statement.where(table.c.dim_key.startswith(prefix, autoescape=True))
        return [dict(row) for row in self.session.execute(statement).mappings()]

    def top(self, sum_dim: str, prefix: str | None, limit: int | None) -> list[str]:
        """The keys with the most funding, ordered in SQL from the collapsed rows (a few per key)."""
        total = sa.func.sum(table.c.converted_minor)
        statement = (
            sa.select(table.c.dim_key)
            # kind = 'all', written out: SQLite uses the partial index ix_ledger_total_ranking only for a literal.
            .where(table.c.dim == sum_dim, table.c.kind == sa.literal_column("'all'"), table.c.bucket.in_(FUNDING))
            .group_by(table.c.dim_key)
            .order_by(total.desc(), table.c.dim_key)
        )
        if prefix is not None:
            statement = statement.where(table.c.dim_key.startswith(prefix, autoescape=True))
        if limit is not None:
            statement = statement.limit(limit)
        return [row[0] for row in self.session.execute(statement)]

    def select_keys(self, dim: str, keys: list[str], unconverted_only: bool = False) -> list[dict]:
        found: list[dict] = []
        for start in range(0, len(keys), 500):
            statement = sa.select(table).where(table.c.dim == dim, table.c.dim_key.in_(keys[start : start + 500]))
            if unconverted_only:
                statement = statement.where(table.c.unconverted_minor != 0)
            found.extend(dict(row) for row in self.session.execute(statement).mappings())
        return found


class PeriodTotals:
    """The same totals computed from the entries of one period (their value dates), for a period filter.

    Its cost grows with the entries in the period, not with the whole ledger (value dates are indexed).
    """

    def __init__(self, session: Session, scope: Scope, reporting: str, window_days: int) -> None:
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.pairs: set[tuple[str, date]] = set()  # the (currency, value date) of every value counted
        for row in computed_rows(session, reporting, window_days, scope=scope, pairs=self.pairs):
            self.rows[row.dim].append(row._asdict())

    def select(self, dim: str, key: str | None = None, prefix: str | None = None) -> list[dict]:
        return [
            row
            for row in self.rows.get(dim, [])
            if (key is None or row["dim_key"] == key) and (prefix is None or row["dim_key"].startswith(prefix))
        ]

    def top(self, sum_dim: str, prefix: str | None, limit: int | None) -> list[str]:
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for row in self.select(sum_dim, prefix=prefix):
            if row["bucket"] in FUNDING:
                totals[row["dim_key"]] += Decimal(row["converted"])
        ordered = sorted(totals, key=lambda k: (-totals[k], k))
        return ordered[:limit] if limit is not None else ordered

    def select_keys(self, dim: str, keys: list[str], unconverted_only: bool = False) -> list[dict]:
        wanted = set(keys)
        return [
            row
            for row in self.rows.get(dim, [])
            if row["dim_key"] in wanted and (row["unconverted_minor"] or not unconverted_only)
        ]


Source = StoredTotals | PeriodTotals


@dataclass(frozen=True)
class Ranked:
    """One donor, recipient or cluster with its funding."""

    key: str
    label: str
    funding: Converted


@dataclass(frozen=True)
class AppealProgress:
    """An appeal's funding against its target; the target converted at the latest rate in force, however old."""

    appeal: Appeal
    funding: Converted
    target: Money | None
    target_in_reporting: Money | None
    target_rate: InForce | None
    covered: Decimal | None  # a fraction: 0.479 is 47.9 %


@dataclass(frozen=True)
class ItemFigure:
    item: Item
    paid_milli: int
    outstanding_milli: int
    paid_value: tuple[Money, ...]


@dataclass(frozen=True)
class MonthPoint:
    month: str  # YYYY-MM
    paid: Converted
    committed: Converted


@dataclass(frozen=True)
class Dashboard:
    reporting_currency: str
    appeal: Appeal | None
    paid_money: Converted
    paid_in_kind: Converted
    committed: Converted
    pledged: Converted
    funding: Converted
    written_off: Converted  # what closed promises left outstanding: never funding, shown apart
    overdue: int  # pledges and commitments past their due date, still open
    by_currency: dict[str, dict[str, Money]]  # bucket → currency → original money and in-kind value
    items: list[ItemFigure]
    appeals: list[AppealProgress]
    top_donors: list[Ranked]
    other_donors: Converted
    by_recipient: list[Ranked]
    by_cluster: list[Ranked]
    timeline: list[MonthPoint]
    recent: list[ContributionRow]
    totals: LedgerTotals  # per bucket, in original currencies, with items in their units
    item_names: dict[int, Item]


def overdue_count(session: Session, appeal: Appeal | None, today: date) -> int:
    """How many pledges and commitments (of the appeal) are past their due date and still open."""
    statement = sa.select(sa.func.count()).select_from(Contribution).where(overdue(today))
    if appeal is not None:
        statement = statement.where(col(Contribution.appeal_id) == appeal.id)
    return int(session.execute(statement).scalar_one())


def dashboard(
    session: Session,
    appeal: Appeal | None = None,
    today: date | None = None,
    period: tuple[date | None, date | None] = (None, None),
) -> Dashboard:
    """Everything the dashboard shows, for the whole ledger or one appeal, for all time or a period."""
    state = totals_state(session)
    reporting = state.reporting_currency
    scope = appeal_key(appeal.id) if appeal else None
    source: Source = StoredTotals(session)
    if period != (None, None):
        window = Scope(appeal_id=appeal.id if appeal else None, date_from=period[0], date_to=period[1])
        source = PeriodTotals(session, window, reporting, state.window_days)
    headline = source.select("appeal" if scope else "all", scope or "")
    # Keyed by bucket and whether money (True) or in kind; Bucket.FUNDING sums paid and committed.
    tallies: dict[object, Tally] = defaultdict(Tally)
    by_currency: dict[str, dict[str, Money]] = defaultdict(dict)
    for row in headline:
        tallies[(row["bucket"], row["kind"] == LineKind.MONEY)].add(row)
        if row["bucket"] in FUNDING:
            tallies[Bucket.FUNDING].add(row)
        if row["currency"]:
            found = by_currency[row["bucket"]]
            money = Money.from_minor(row["value_minor"], row["currency"])
            found[row["currency"]] = found[row["currency"]] + money if row["currency"] in found else money

    def merged(*names: object) -> Converted:
        tally = Tally()
        for name in names:
            tally.converted = EXACT.add(tally.converted, tallies[name].converted)
            for currency, minor in tallies[name].unconverted.items():
                tally.unconverted[currency] += minor
        return tally.result(reporting)

    donors, shown = _ranked(session, source, "donor", scope, reporting, TOP)
    totals, item_names = _original_totals(session, source, headline, scope)
    return Dashboard(
        reporting_currency=reporting,
        appeal=appeal,
        paid_money=tallies[(Bucket.PAID, True)].result(reporting),
        paid_in_kind=tallies[(Bucket.PAID, False)].result(reporting),
        committed=merged((Bucket.COMMITTED, True), (Bucket.COMMITTED, False)),
        pledged=merged((Bucket.PLEDGED, True), (Bucket.PLEDGED, False)),
        funding=tallies[Bucket.FUNDING].result(reporting),
        written_off=merged((Bucket.WRITTEN_OFF, True), (Bucket.WRITTEN_OFF, False)),
        overdue=overdue_count(session, appeal, today or date.today()),
        by_currency={bucket: dict(sorted(found.items())) for bucket, found in by_currency.items()},
        items=_items(session, source, scope),
        appeals=_appeals(session, source, appeal, reporting, today or date.today()),
        top_donors=donors,
        other_donors=_rest(tallies[Bucket.FUNDING], shown, reporting),
        by_recipient=_ranked(session, source, "recipient", scope, reporting, TOP)[0],
        by_cluster=_ranked(session, source, "cluster", scope, reporting)[0],
        timeline=_timeline(source, scope, reporting),
        recent=recent_contributions(session, 10, appeal_id=appeal.id if appeal else None),
        totals=totals,
        item_names=item_names,
    )


def _original_totals(
    session: Session, source: Source, headline: list[dict], scope: str | None
) -> tuple[LedgerTotals, dict[int, Item]]:
    """The buckets in original currencies: money and in-kind value from the headline rows, items from theirs."""
    totals = LedgerTotals()
    for row in headline:
        if row["kind"] == LineKind.MONEY:
            totals.bucket(row["bucket"]).add(LineKind.MONEY, None, row["currency"], row["value_minor"], 0)
    name, prefix = _scoped("item", scope)
    for row in source.select(name, prefix=prefix):
        item_id = int(row["dim_key"][len(prefix) :] if prefix else row["dim_key"])
        currency = row["currency"] or None
        totals.bucket(row["bucket"]).add(row["kind"], item_id, currency, row["value_minor"], row["quantity_milli"])
    ids = sorted({i for bucket in (totals.paid, totals.committed, totals.pledged) for i in bucket.items})
    items = {stored_id(i): i for i in session.exec(select(Item).where(col(Item.id).in_(ids)))} if ids else {}
    return totals, items


def _scoped(dim: str, scope: str | None) -> tuple[str, str | None]:
    """The dimension to read and the key prefix for it: 'donor', or 'appeal_donor' with '12/'."""
    return (f"appeal_{dim}", f"{scope}/") if scope else (dim, None)


def _ranked(
    session: Session, source: Source, dim: str, scope: str | None, reporting: str, limit: int | None = None
) -> tuple[list[Ranked], Tally]:
    """The keys of a dimension with the most funding, each summed exactly and rounded once; and their exact sum."""
    name, prefix = _scoped(dim, scope)
    keys = source.top(f"{name}:sum", prefix, limit)
    tallies: dict[str, Tally] = {key: Tally() for key in keys}
    together = Tally()
    # The converted sums from the collapsed rows (two a key); from the rows per currency only what had no rate.
    for row in source.select_keys(f"{name}:sum", keys):
        if row["bucket"] in FUNDING:
            tallies[row["dim_key"]].add(row)
            together.add(row)
    for row in source.select_keys(name, keys, unconverted_only=True):
        if row["bucket"] in FUNDING:
            tallies[row["dim_key"]].add({**row, "converted": "0"})
            together.add({**row, "converted": "0"})
    short = {key: key[len(prefix) :] if prefix else key for key in keys}
    labels = _labels(session, dim, list(short.values()))
    ranked = [
        Ranked(short[key], labels.get(short[key], short[key]), tally.result(reporting))
        for key, tally in tallies.items()
    ]
    return sorted(ranked, key=lambda r: (-r.funding.total.amount, r.label)), together


def _rest(funding: Tally, shown: Tally, reporting: str) -> Converted:
    """What the donors not shown gave: all funding less the shown donors', exactly, rounded once."""
    rest = Tally(EXACT.subtract(funding.converted, shown.converted))
    for currency, minor in funding.unconverted.items():
        rest.unconverted[currency] = minor - shown.unconverted.get(currency, 0)
    return rest.result(reporting)


def _labels(session: Session, dim: str, keys: list[str]) -> dict[str, str]:
    ids = [int(k) for k in keys if k.isdecimal()]
    if dim == "donor" and ids:
        rows = session.execute(sa.select(col(Donor.id), col(Donor.name)).where(col(Donor.id).in_(ids)))
        return {str(i): n for i, n in rows}
    if dim == "recipient" and ids:
        rows = session.execute(sa.select(col(Recipient.id), col(Recipient.name)).where(col(Recipient.id).in_(ids)))
        return {str(i): n for i, n in rows}
    return {}


def _items(session: Session, source: Source, scope: str | None) -> list[ItemFigure]:
    name, prefix = _scoped("item", scope)
    paid: dict[int, int] = defaultdict(int)
    outstanding: dict[int, int] = defaultdict(int)
    values: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in source.select(name, prefix=prefix):
        item_id = int(row["dim_key"][len(prefix) :] if prefix else row["dim_key"])
        if row["bucket"] == Bucket.PAID:
            paid[item_id] += row["quantity_milli"]
            if row["currency"]:
                values[item_id][row["currency"]] += row["value_minor"]
        else:
            outstanding[item_id] += row["quantity_milli"]
    ids = sorted(set(paid) | set(outstanding))
    items = {i.id: i for i in session.exec(select(Item).where(col(Item.id).in_(ids)))} if ids else {}
    found = [
        ItemFigure(
            items[i],
            paid[i],
            outstanding[i],
            tuple(Money.from_minor(m, c) for c, m in sorted(values[i].items())),
        )
        for i in ids
    ]
    return sorted(found, key=lambda f: (-f.paid_milli, f.item.name))


def _appeals(
    session: Session, source: Source, only: Appeal | None, reporting: str, today: date
) -> list[AppealProgress]:
    statement = select(Appeal).where(Appeal.archived == False)  # noqa: E712 - SQL, not Python
    appeals = [only] if only else list(session.exec(statement.order_by(Appeal.code)).all())
    tallies: dict[str, Tally] = defaultdict(Tally)
    for row in source.select("appeal:sum"):
        if row["bucket"] in FUNDING:
            tallies[row["dim_key"]].add(row)
    found = []
    for appeal in appeals:
        funding = tallies[appeal_key(appeal.id)].result(reporting)
        target = (  # a target has both parts or neither (a check constraint)
            Money.from_minor(appeal.target_minor, appeal.target_currency)
            if appeal.target_minor and appeal.target_currency
            else None
        )
        rate = in_reporting = covered = None
        if target is not None and target.currency == reporting:
            in_reporting = target
        elif target is not None:
            rate = rate_in_force(session, target.currency, today, reporting, ANY_AGE)
            if rate is not None:
                in_reporting = Money(round_half_up(rate.times(target.amount), reporting), reporting)
        if in_reporting is not None:
            covered = funding.total.amount / in_reporting.amount
        found.append(AppealProgress(appeal, funding, target, in_reporting, rate, covered))
    return found


def _timeline(source: Source, scope: str | None, reporting: str) -> list[MonthPoint]:
    name, prefix = _scoped("month", scope)
    tallies: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for row in source.select(f"{name}:sum", prefix=prefix):
        month = row["dim_key"][len(prefix) :] if prefix else row["dim_key"]
        if row["bucket"] in FUNDING:
            tallies[(month, row["bucket"])].add(row)
    months = sorted({month for month, _ in tallies})
    return [
        MonthPoint(m, tallies[(m, Bucket.PAID)].result(reporting), tallies[(m, Bucket.COMMITTED)].result(reporting))
        for m in months
    ]
