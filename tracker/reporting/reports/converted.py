"""Report figures converted into one currency: each bucket as cash, in-kind and both, every total rounded once.

A report's figure rows are grouped by value date first (`figure_rows(..., ("value_date", ...))`),
so each amount converts at its own value date's rate (`tracker.rates.convert`'s one rule). The
rates are loaded once per report (`Converter`), then every total — the headline, each
appeal, donor or month — is converted from its own exact sums with `convert_with`: never a
sum of rounded parts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from tracker.core.money import check_currency
from tracker.core.vocabulary import FUNDING, OUTSTANDING, Bucket, LineKind
from tracker.ledger.figures import FigureRow
from tracker.rates.convert import ConvertedTotal, RateBook, RateUsed, Unconverted, convert_with, load_rates
from tracker.settings.current import effective_settings


@dataclass(frozen=True)
class Split:
    """One figure as cash, as in-kind value, and both together (each converted and rounded on its own)."""

    money: ConvertedTotal
    in_kind: ConvertedTotal
    total: ConvertedTotal


@dataclass(frozen=True)
class ConvertedFigures:
    """Paid, committed and pledged (the last two as outstanding remainders), and written off, in one currency."""

    currency: str
    paid: Split
    committed: Split
    pledged: Split
    funding: Split  # paid + committed
    outstanding: Split  # committed + pledged
    written_off: Split  # what closed promises left outstanding

    def bucket(self, name: str) -> Split:
        """paid, committed, pledged, funding or outstanding."""
        splits: dict[str, Split] = {
            Bucket.PAID: self.paid,
            Bucket.COMMITTED: self.committed,
            Bucket.PLEDGED: self.pledged,
            Bucket.WRITTEN_OFF: self.written_off,
            Bucket.FUNDING: self.funding,
            Bucket.OUTSTANDING: self.outstanding,
        }
        return splits[name]

    @property
    def rates_used(self) -> tuple[RateUsed, ...]:
        used = {rate for split in self._counted() for rate in split.total.rates_used}
        return tuple(sorted(used))

    @property
    def unconverted(self) -> tuple[Unconverted, ...]:
        """Every amount left out for want of a rate (each bucket's total lists its cash and in-kind parts)."""
        return tuple(part for split in self._counted() for part in split.total.unconverted)

    def _counted(self) -> tuple[Split, ...]:
        return (self.paid, self.committed, self.pledged, self.written_off)

    @property
    def complete(self) -> bool:
        return not self.unconverted


class Converter:
    """The rates a report needs, loaded in one query, and conversions of its figure rows with them."""

    def __init__(
        self,
        session: Session,
        rows: Iterable[FigureRow],
        currency: str,
        window_days: int | None = None,
    ) -> None:
        self.currency = check_currency(currency, "currency")
        self.window_days = effective_settings(session).rate_window_days if window_days is None else window_days
        needed = {(row.currency, value_date(row)) for row in rows if row.currency}
        self.book: RateBook = load_rates(session, needed, self.currency, self.window_days)

    def total(self, rows: Iterable[FigureRow], buckets: tuple[str, ...], kinds: str = "all") -> ConvertedTotal:
        """The rows of these buckets (cash, in-kind or all) converted, rounded once."""
        sums: dict[tuple[str, date], int] = defaultdict(int)
        for row in rows:
            if row.bucket not in buckets or not row.currency or not _kind_matches(row.kind, kinds):
                continue
            sums[(row.currency, value_date(row))] += row.value_minor
        return convert_with(self.book, sums, self.currency)

    def split(self, rows: list[FigureRow], buckets: tuple[str, ...]) -> Split:
        return Split(
            money=self.total(rows, buckets, LineKind.MONEY),
            in_kind=self.total(rows, buckets, "in_kind"),
            total=self.total(rows, buckets),
        )

    def figures(self, rows: Iterable[FigureRow]) -> ConvertedFigures:
        """Every figure of a group of rows (the rows summed once per bucket and kind, then each total converted)."""
        parts: dict[tuple[str, bool], dict[tuple[str, date], int]] = defaultdict(lambda: defaultdict(int))
        for row in rows:
            if row.currency:
                parts[(row.bucket, row.kind == LineKind.MONEY)][(row.currency, value_date(row))] += row.value_minor

        def total(buckets: tuple[str, ...], kinds: tuple[bool, ...]) -> ConvertedTotal:
            sums: dict[tuple[str, date], int] = defaultdict(int)
            for bucket in buckets:
                for money in kinds:
                    for key, minor in parts.get((bucket, money), {}).items():
                        sums[key] += minor
            return convert_with(self.book, sums, self.currency)

        def split(buckets: tuple[str, ...]) -> Split:
            return Split(
                money=total(buckets, (True,)), in_kind=total(buckets, (False,)), total=total(buckets, (True, False))
            )

        return ConvertedFigures(
            currency=self.currency,
            paid=split((Bucket.PAID,)),
            committed=split((Bucket.COMMITTED,)),
            pledged=split((Bucket.PLEDGED,)),
            funding=split(FUNDING),
            outstanding=split(OUTSTANDING),
            written_off=split((Bucket.WRITTEN_OFF,)),
        )


def value_date(row: FigureRow) -> date:
    """Report rows are grouped by value date first."""
    found = row.value_date
    assert found is not None, "report figure rows must be grouped by value_date"
    return found


def _kind_matches(kind: str, kinds: str) -> bool:
    if kinds == LineKind.MONEY:
        return kind == LineKind.MONEY
    if kinds == "in_kind":
        return kind != LineKind.MONEY
    return True
