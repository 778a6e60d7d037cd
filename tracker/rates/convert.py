"""Currency conversion: the one rate in force, and exact totals in a target currency with the rates used.

The rule (DESIGN.md invariants 3 and 6), answered by `rate_in_force` (plain, the oracle) and
`RateBook.in_force` (batched, for every total, report, export and the maintained totals):

- The rate of currency C into target T for an amount dated D: C is worth 1 of itself. Else
  through a base currency B the rates are stored in ("B per unit"): rate_B(C) / rate_B(T),
  where B itself is worth 1 and each other leg is the stored rate of D, or else the latest
  earlier one at most `window_days` before D (default: the `TRACKER_RATE_WINDOW_DAYS`
  setting, 7). Bases are tried in order: T (a rate stored in the target: direct), C (the
  inverse: AZN into USD is 1 / rate_AZN(USD)), then the other currencies rates are stored
  in, alphabetically; the first with both legs in force wins. So after the reporting
  currency moves from AZN to USD, rates stored as AZN per unit still convert everything.
- A rate that is not a stored one (an inverse or a cross rate) is the quotient carried to
  `CROSS_DIGITS` significant digits, rounded half up: one decimal rate per (C, D, T), so a
  report and the maintained totals multiply by the same rate and agree to the minor unit.
- Products are exact; a whole total is summed exactly and rounded once to T's minor unit,
  halves away from zero (ROUND_HALF_UP). It is never a sum of rounded parts.
- An amount with no rate in force is listed as unconverted (currency, value date, amount)
  and left out of the converted figure, never counted as 0 and never dropped silently.
- Every total lists the stored rates it used: their own date, currency, rate, source and
  the currency they are quoted in.

Callers hand over sums of minor units grouped by (currency, value date), as SQL produces
them; rates are looked up in one query for all currencies and the dates they need.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal, Inexact, InvalidOperation, Rounded
from fractions import Fraction

import sqlalchemy as sa
from sqlmodel import Session, col

from tracker.core.money import Money, check_currency, minor_digits
from tracker.db.models import ExchangeRate
from tracker.rates.reads import StoredRate, in_force
from tracker.rates.windows import in_force_for
from tracker.settings.current import effective_settings

# (currency, date) pairs looked up one by one at most (else whole spans are read): the bound parameters of
# the query (three a pair) stay well within SQLite's and PostgreSQL's limits.
MAX_PAIRS = 5000
# Sums of exact products; a rounding here would be a bug, so it raises instead.
EXACT = Context(prec=200, traps=[Inexact, Rounded, InvalidOperation])
# A cross or inverse rate: far past a stored rate's own 20 significant digits, so even a total of
# 10^15 is off by less than a millionth of a minor unit from the exact quotient's.
CROSS_DIGITS = 30
CROSS = Context(prec=CROSS_DIGITS, rounding=ROUND_HALF_UP, traps=[InvalidOperation])
# For a figure without a value date (an appeal's target): the latest rate, however old.
ANY_AGE = 36525


@dataclass(frozen=True, slots=True, order=True)
class RateUsed:
    """A stored rate a total was converted with: its own date (on or before the value date), source and quote."""

    currency: str
    rate_date: date
    rate: Decimal
    source: str
    quote_currency: str = ""


@dataclass(frozen=True, slots=True)
class InForce:
    """The rate in force for `currency` on `value_date` into `target`, and the stored rates it comes from."""

    currency: str
    target: str
    value_date: date
    rate: Decimal  # target units per unit of currency
    legs: tuple[RateUsed, ...]  # empty: the currency is the target (par)

    @property
    def rate_date(self) -> date:
        """The date of the oldest stored rate it rests on (the value date itself at par)."""
        return min((leg.rate_date for leg in self.legs), default=self.value_date)

    def times(self, amount: Decimal) -> Decimal:
        """An amount converted, exactly (not rounded)."""
        return EXACT.multiply(amount, self.rate)


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
    reporting_currency: str  # the currency the rates used are quoted in (the target when none or several)
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


def quoted_in(rates: Iterable[RateUsed], default: str) -> str:
    """The currency these rates are quoted in ("so many of it per unit"), when they share one; else `default`."""
    quotes = {rate.quote_currency for rate in rates}
    return quotes.pop() if len(quotes) == 1 else default


def bases(currency: str, target: str, quotes: Iterable[str]) -> list[str]:
    """The currencies a conversion may go through, in the order they are tried."""
    rest = sorted(set(quotes) - {currency, target})
    return [target, currency, *rest]


def cross(currency: str, target: str, on: date, up: StoredRate | None, down: StoredRate | None) -> InForce:
    """The rate of `currency` in `target` from its legs through one base (None: the leg is the base, worth 1)."""
    legs = tuple(sorted(_used(leg) for leg in (up, down) if leg is not None))
    numerator = up.rate if up is not None else Decimal(1)
    rate = numerator if down is None else CROSS.divide(numerator, down.rate)
    return InForce(currency, target, on, rate, legs)


def par(currency: str, on: date) -> InForce:
    return InForce(currency, currency, on, Decimal(1), ())


def rate_in_force(
    session: Session, currency: str, on: date, target: str, window_days: int | None = None
) -> InForce | None:
    """The rate in force for an amount in `currency` dated `on`, into `target`; None when there is none (never 0).

    The rule written out plainly, a query per leg: the test oracle of `RateBook.in_force`,
    and the answer for a single figure.
    """
    currency = check_currency(currency, "currency")
    target = check_currency(target, "currency")
    if currency == target:
        return par(currency, on)
    window = effective_settings(session).rate_window_days if window_days is None else window_days
    # The currencies the two are quoted in within the window (the index on (currency, rate_date) finds them):
    # a base with no rate of either there could not carry the conversion anyway.
    quotes = session.execute(
        sa.select(col(ExchangeRate.quote_currency))
        .where(
            col(ExchangeRate.currency).in_((currency, target)),
            col(ExchangeRate.rate_date).between(on - timedelta(days=window), on),
        )
        .distinct()
    ).scalars()
    for base in bases(currency, target, quotes):
        up = None if currency == base else _stored(session, currency, base, on, window)
        down = None if target == base else _stored(session, target, base, on, window)
        if (up is not None or currency == base) and (down is not None or target == base):
            return cross(currency, target, on, up, down)
    return None


def _stored(session: Session, currency: str, quote: str, on: date, window: int) -> StoredRate | None:
    """The stored rate of `on`, or the latest earlier one within the window (its latest version)."""
    row = session.execute(
        sa.select(ExchangeRate)
        .where(
            col(ExchangeRate.currency) == currency,
            col(ExchangeRate.quote_currency) == quote,
            col(ExchangeRate.rate_date) <= on,
            col(ExchangeRate.rate_date) >= on - timedelta(days=window),
        )
        .order_by(col(ExchangeRate.rate_date).desc(), col(ExchangeRate.id).desc())
        .limit(1)
    ).scalar_one_or_none()
    return StoredRate(row.rate_date, row.currency, Decimal(row.rate), row.source, row.quote_currency) if row else None


def _used(rate: StoredRate) -> RateUsed:
    return RateUsed(rate.currency, rate.rate_date, rate.rate, rate.source, rate.quote_currency)


class RateBook:
    """Stored rates read in advance, answering `in_force` by the same rule as `rate_in_force`."""

    def __init__(self, rates: Iterable[StoredRate], window_days: int) -> None:
        self.window = timedelta(days=window_days)
        series: dict[tuple[str, str], dict[date, StoredRate]] = defaultdict(dict)
        for rate in rates:  # versions in force, one a (currency, quote, date)
            series[(rate.currency, rate.quote_currency)][rate.rate_date] = rate
        self._rates = {key: [found[d] for d in sorted(found)] for key, found in series.items()}
        self._dates = {key: [r.rate_date for r in found] for key, found in self._rates.items()}
        self._quotes = sorted({quote for _, quote in self._rates})
        self._bases: dict[tuple[str, str], list[str]] = {}
        self._found: dict[tuple[str, date, str], InForce | None] = {}

    @property
    def window_days(self) -> int:
        return self.window.days

    def leg(self, currency: str, quote: str, on: date) -> StoredRate | None:
        """The stored rate of `on` in `quote`, or the latest earlier one within the window."""
        dates = self._dates.get((currency, quote), [])
        position = bisect.bisect_right(dates, on)
        if position == 0:
            return None
        found = self._rates[(currency, quote)][position - 1]
        return found if on - found.rate_date <= self.window else None

    def in_force(self, currency: str, on: date, target: str) -> InForce | None:
        """The rate in force for `currency` on `on` into `target`, remembered; None when there is none."""
        key = (currency, on, target)
        if key not in self._found:
            self._found[key] = self._in_force(currency, on, target)
        return self._found[key]

    def _in_force(self, currency: str, on: date, target: str) -> InForce | None:
        if currency == target:
            return par(currency, on)
        tried = self._bases.get((currency, target))
        if tried is None:
            tried = self._bases[(currency, target)] = bases(currency, target, self._quotes)
        for base in tried:
            up = None if currency == base else self.leg(currency, base, on)
            down = None if target == base else self.leg(target, base, on)
            if (up is not None or currency == base) and (down is not None or target == base):
                return cross(currency, target, on, up, down)
        return None

    def lacking(self, currency: str, on: date) -> bool:
        """Whether `currency` has no rate of its own in force on `on` (and is no currency rates are stored in)."""
        return currency not in self._quotes and not any(self.leg(currency, q, on) for q in self._quotes)


def convert_sums(
    session: Session, sums: Iterable[tuple[str, date, int]], target: str, window_days: int | None = None
) -> ConvertedTotal:
    """Convert (currency, value date, minor units) sums into `target`, exactly, rounded once."""
    target = check_currency(target, "currency")
    window = effective_settings(session).rate_window_days if window_days is None else window_days
    grouped: dict[tuple[str, date], int] = defaultdict(int)
    for currency, value_date, minor in sums:
        grouped[(currency, value_date)] += int(minor)
    return convert_with(load_rates(session, grouped, target, window), grouped, target)


def convert_money(
    session: Session, money: Money, value_date: date, target: str, window_days: int | None = None
) -> ConvertedTotal:
    """One amount converted by the same rule as a total."""
    return convert_sums(session, [(money.currency, value_date, money.minor)], target, window_days)


def load_rates(
    session: Session, sums: Iterable[tuple[str, date]], target: str | Collection[str], window_days: int
) -> RateBook:
    """Every stored rate the sums may need, in whatever currency it is quoted, in one query.

    For each (currency, value date), the rates its window gives, of the currency and of the
    target(s). Not every day of the span between a currency's first and last date: a donor's
    thousand entries over three years need about a thousand rates, not all fifteen thousand.
    A very large set of dates (more than a query should carry) is read as spans instead.
    """
    targets = {target} if isinstance(target, str) else set(target)
    pairs: set[tuple[str, date]] = set()
    for currency, value_date in sums:
        for needed in {currency, *targets}:
            pairs.add((needed, value_date))
    back = timedelta(days=window_days)
    if len(pairs) <= MAX_PAIRS:
        return RateBook(in_force_for(session, pairs, window_days), window_days)
    spans: dict[str, tuple[date, date]] = {}
    for currency, value_date in pairs:
        low, high = spans.get(currency, (value_date, value_date))
        spans[currency] = (min(low, value_date), max(high, value_date))
    spans = {currency: (low - back, high) for currency, (low, high) in spans.items()}
    return RateBook((r for found in in_force(session, None, spans).values() for r in found), window_days)


def convert_with(book: RateBook, sums: Mapping[tuple[str, date], int], target: str) -> ConvertedTotal:
    """The conversion itself, given the rates: exact products, one exact sum, one rounding."""
    total = Decimal(0)
    used: set[RateUsed] = set()
    missing: list[Unconverted] = []
    for (currency, value_date), minor in sorted(sums.items()):
        if minor == 0:
            continue
        value = Decimal(int(minor)).scaleb(-minor_digits(currency))
        found = book.in_force(currency, value_date, target)
        if found is None:
            lacking = currency if book.lacking(currency, value_date) else target
            missing.append(Unconverted(Money(value, currency), value_date, lacking))
            continue
        used.update(found.legs)
        total = EXACT.add(total, found.times(value))
    return ConvertedTotal(
        total=Money(round_fraction(Fraction(total), target), target),
        unconverted=tuple(missing),
        rates_used=tuple(sorted(used)),
        reporting_currency=quoted_in(used, target),
        window_days=book.window_days,
    )


def round_fraction(value: Fraction, currency: str) -> Decimal:
    """An exact fraction rounded to the currency's minor unit, halves away from zero."""
    digits = minor_digits(currency)
    scaled = value * 10**digits
    magnitude = (2 * abs(scaled.numerator) + scaled.denominator) // (2 * scaled.denominator)
    minor = magnitude if scaled >= 0 else -magnitude
    return Decimal(minor).scaleb(-digits)
