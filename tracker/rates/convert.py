"""Currency conversion: exact totals in a target currency, with the rates used and what could not be converted.

The rule (DESIGN.md invariants 3 and 6):

- An amount dated D in currency X converts at the rate in force on D, or else the latest
  earlier one at most `window_days` before D (default: the `TRACKER_RATE_WINDOW_DAYS`
  setting, 7). The reporting currency R is worth 1; an amount already in the target
  currency needs no rate.
- Into another target T: amount × rate(X) / rate(T), both rates found by the same rule
  for the same value date (triangulation through R).
- Products are exact; the whole total is computed as an exact fraction and rounded once
  to T's minor unit, halves away from zero (ROUND_HALF_UP). It is never a sum of rounded parts.
- An amount with no usable rate is listed as unconverted (currency, value date, amount)
  and left out of the converted figure, never counted as 0 and never dropped silently.
- Every total lists the rates it used: their own date, currency, rate and source.

Callers hand over sums of minor units grouped by (currency, value date), as SQL produces
them; rates are looked up in one query for all currencies and the dates they need.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Context, Decimal, Inexact, InvalidOperation, Rounded
from fractions import Fraction

from sqlmodel import Session

from tracker.core.money import Money, check_currency, minor_digits
from tracker.rates.reads import StoredRate, in_force
from tracker.rates.windows import in_force_for
from tracker.settings.current import effective_settings

# (currency, date) pairs looked up one by one at most (else whole spans are read): the bound parameters of
# the query (three a pair) stay well within SQLite's and PostgreSQL's limits.
MAX_PAIRS = 5000
# Sums of exact products; a rounding here would be a bug, so it raises instead.
EXACT = Context(prec=200, traps=[Inexact, Rounded, InvalidOperation])


@dataclass(frozen=True, slots=True, order=True)
class RateUsed:
    """A rate a total was converted with: its own date (on or before the value date) and source."""

    currency: str
    rate_date: date
    rate: Decimal
    source: str


@dataclass(frozen=True, slots=True)
class Unconverted:
    """An amount left out of a converted total because `missing_rate` had no rate in the window."""

    amount: Money
    value_date: date
    missing_rate: str


@dataclass(frozen=True, slots=True)
class ConvertedTotal:
    """A total in one currency, how much could not be converted, and the rates used."""

    total: Money
    unconverted: tuple[Unconverted, ...]
    rates_used: tuple[RateUsed, ...]
    reporting_currency: str
    window_days: int

    @property
    def currency(self) -> str:
        return self.total.currency

    @property
    def complete(self) -> bool:
        """True when every amount was converted."""
        return not self.unconverted

    def unconverted_totals(self) -> list[Money]:
        """What is missing from the total, summed per original currency."""
        sums: dict[str, Money] = {}
        for part in self.unconverted:
            code = part.amount.currency
            sums[code] = sums.get(code, Money.zero(code)) + part.amount
        return [sums[code] for code in sorted(sums)]


class RateBook:
    """Rates in force per currency, in date order, answering "the rate for D within the window"."""

    def __init__(self, rates: Mapping[str, list[StoredRate]], reporting_currency: str, window_days: int) -> None:
        self.reporting_currency = reporting_currency
        self.window = timedelta(days=window_days)
        self._rates = {currency: list(found) for currency, found in rates.items()}
        self._dates = {currency: [r.rate_date for r in found] for currency, found in self._rates.items()}
        self._found: dict[tuple[str, date], tuple[Decimal, RateUsed] | None] = {}

    def find(self, currency: str, on: date) -> StoredRate | None:
        """The rate of `on`, or the latest earlier one within the window; None when there is none."""
        return self._find(currency, on)

    def lookup(self, currency: str, on: date) -> tuple[Decimal, RateUsed] | None:
        """`find`'s rate and its RateUsed, remembered: a report converts the same (currency, date) in every total."""
        key = (currency, on)
        if key not in self._found:
            found = self._find(currency, on)
            used = RateUsed(found.currency, found.rate_date, found.rate, found.source) if found else None
            self._found[key] = (found.rate, used) if found and used else None
        return self._found[key]

    def _find(self, currency: str, on: date) -> StoredRate | None:
        dates = self._dates.get(currency, [])
        position = bisect.bisect_right(dates, on)
        if position == 0:
            return None
        found = self._rates[currency][position - 1]
        return found if on - found.rate_date <= self.window else None


def convert_sums(
    session: Session,
    sums: Iterable[tuple[str, date, int]],
    target: str,
    reporting_currency: str,
    window_days: int | None = None,
) -> ConvertedTotal:
    """Convert (currency, value date, minor units) sums into `target`, exactly, rounded once."""
    target = check_currency(target, "currency")
    reporting = check_currency(reporting_currency, "reporting_currency")
    window = effective_settings(session).rate_window_days if window_days is None else window_days
    grouped: dict[tuple[str, date], int] = defaultdict(int)
    for currency, value_date, minor in sums:
        grouped[(currency, value_date)] += int(minor)
    book = load_rates(session, grouped, target, reporting, window)
    return convert_with(book, grouped, target)


def convert_money(
    session: Session,
    money: Money,
    value_date: date,
    target: str,
    reporting_currency: str,
    window_days: int | None = None,
) -> ConvertedTotal:
    """One amount converted by the same rule as a total."""
    return convert_sums(session, [(money.currency, value_date, money.minor)], target, reporting_currency, window_days)


def rate_for(
    session: Session, currency: str, on: date, reporting_currency: str, window_days: int | None = None
) -> RateUsed | None:
    """The rate converting `currency` into the reporting currency for an amount dated `on`; None when missing.

    The reporting currency itself is worth 1 (source "par").
    """
    currency = check_currency(currency, "currency")
    reporting = check_currency(reporting_currency, "reporting_currency")
    if currency == reporting:
        return RateUsed(currency, on, Decimal(1), "par")
    window = effective_settings(session).rate_window_days if window_days is None else window_days
    found = RateBook(
        in_force(session, reporting, {currency: (on - timedelta(days=window), on)}), reporting, window
    ).find(currency, on)
    return RateUsed(currency, found.rate_date, found.rate, found.source) if found else None


def load_rates(
    session: Session, sums: Iterable[tuple[str, date]], target: str, reporting_currency: str, window_days: int
) -> RateBook:
    """Every rate the sums may need, in one query: for each (currency, value date), the rate its window gives.

    Not every day of the span between a currency's first and last date: a donor's thousand
    entries over three years need about a thousand rates, not all fifteen thousand. A very
    large set of dates (more than a query should carry) is read as spans instead.
    """
    pairs: set[tuple[str, date]] = set()
    for currency, value_date in sums:
        if currency == target:
            continue
        for needed in (currency, target):
            if needed != reporting_currency:
                pairs.add((needed, value_date))
    back = timedelta(days=window_days)
    if len(pairs) <= MAX_PAIRS:
        return RateBook(in_force_for(session, reporting_currency, pairs, window_days), reporting_currency, window_days)
    spans: dict[str, tuple[date, date]] = {}
    for currency, value_date in pairs:
        low, high = spans.get(currency, (value_date, value_date))
        spans[currency] = (min(low, value_date), max(high, value_date))
    spans = {currency: (low - back, high) for currency, (low, high) in spans.items()}
    return RateBook(in_force(session, reporting_currency, spans), reporting_currency, window_days)


def convert_with(book: RateBook, sums: Mapping[tuple[str, date], int], target: str) -> ConvertedTotal:
    """The conversion itself, given the rates: exact products, one exact fraction, one rounding."""
    reporting = book.reporting_currency
    # Terms are grouped by the target's rate (None: worth 1), so each group sums as exact decimals
    # and only one division per distinct target rate is needed.
    groups: dict[Decimal | None, Decimal] = defaultdict(Decimal)
    used: set[RateUsed] = set()
    missing: list[Unconverted] = []
    for (currency, value_date), minor in sorted(sums.items()):
        if minor == 0:
            continue
        value = Decimal(int(minor)).scaleb(-minor_digits(currency))
        if currency == target:
            groups[None] = EXACT.add(groups[None], value)
            continue
        from_rate, to_rate = Decimal(1), None
        lacking = None
        source = book.lookup(currency, value_date) if currency != reporting else None
        if currency != reporting and source is None:
            lacking = currency
        destination = book.lookup(target, value_date) if lacking is None and target != reporting else None
        if lacking is None and target != reporting and destination is None:
            lacking = target
        if lacking is not None:
            missing.append(Unconverted(Money(value, currency), value_date, lacking))
            continue
        if source is not None:
            from_rate = source[0]
            used.add(source[1])
        if destination is not None:
            to_rate = destination[0]
            used.add(destination[1])
        groups[to_rate] = EXACT.add(groups[to_rate], EXACT.multiply(value, from_rate))
    exact = _tree_sum([Fraction(total) / Fraction(rate or 1) for rate, total in groups.items()])
    return ConvertedTotal(
        total=Money(round_fraction(exact, target), target),
        unconverted=tuple(missing),
        rates_used=tuple(sorted(used)),
        reporting_currency=reporting,
        window_days=book.window.days,
    )


def round_fraction(value: Fraction, currency: str) -> Decimal:
    """An exact fraction rounded to the currency's minor unit, halves away from zero."""
    digits = minor_digits(currency)
    scaled = value * 10**digits
    magnitude = (2 * abs(scaled.numerator) + scaled.denominator) // (2 * scaled.denominator)
    minor = magnitude if scaled >= 0 else -magnitude
    return Decimal(minor).scaleb(-digits)


def _tree_sum(parts: list[Fraction]) -> Fraction:
    """Pairwise sum: exact, and fast even with thousands of different denominators."""
    if not parts:
        return Fraction(0)
    while len(parts) > 1:
        parts = [sum(parts[i : i + 2], Fraction(0)) for i in range(0, len(parts), 2)]
    return parts[0]
