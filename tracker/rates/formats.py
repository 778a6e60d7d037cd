"""Exchange-rate files read into rates in the reporting currency: CBAR and ECB publications and a plain CSV.

Expressing a file in the reporting currency R (a rate = R units per 1 unit of a currency):

- CBAR (AZN per unit): when R is AZN, rate(X) = value/nominal; otherwise through CBAR's
  own R rate of the same day: rate(X) = cbar[X] / cbar[R], and AZN itself = 1 / cbar[R].
- ECB (units per 1 EUR): when R is EUR, rate(X) = 1 / ecb[X]; otherwise, when the file
  lists R: rate(X) = ecb[R] / ecb[X], and EUR itself = ecb[R]. ECB never lists AZN, so ECB
  rates cannot be expressed in AZN; such an import is refused. Days on which the file
  lacks R are skipped and counted.

Precision: multiplications are exact; each derived rate takes one division, carried to
12 significant digits, halves rounded up (``ROUND_HALF_UP``). A figure the file publishes
per one unit is kept exactly as published. Only currencies in
``tracker.core.money.CURRENCIES`` are kept; rows for other ISO codes (XDR, withdrawn codes in
the ECB history) are skipped and counted; a code ISO never had refuses the file unless skipped.
XML is read with defusedxml: no DTDs, no entities.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal, Inexact, InvalidOperation, Rounded

from tracker.core.errors import Invalid, Phrase
from tracker.rates.publications import Quote, Sheet, check_file_size, detect_source, read_sheet

DIVISION_DIGITS = 12
DIVISION = Context(prec=DIVISION_DIGITS, rounding=ROUND_HALF_UP)
# Products of published figures must not lose a digit; a rounding here is a bug, so it raises.
EXACT = Context(prec=80, traps=[Inexact, Rounded, InvalidOperation])


@dataclass(frozen=True, slots=True)
class RateRow:
    """A rate ready to record: reporting-currency units per 1 unit of `currency` on `rate_date`."""

    rate_date: date
    currency: str
    rate: Decimal
    where: str | Phrase


@dataclass(frozen=True, slots=True)
class RateFile:
    """A file expressed in one reporting currency; `skipped` counts rows that are not kept."""

    source: str
    quote_currency: str
    rows: tuple[RateRow, ...]
    skipped: int


def parse_rate_file(data: bytes, source: str | None, reporting_currency: str, skip_unknown: bool = False) -> RateFile:
    """Read a CBAR, ECB or plain CSV file (detected when `source` is None) into rates in the reporting currency.

    A code that is no ISO 4217 code refuses the file unless `skip_unknown` (publications.is_kept).
    """
    check_file_size(len(data))
    return express_in(read_sheet(data, source or detect_source(data), skip_unknown), reporting_currency)


def express_in(sheet: Sheet, reporting_currency: str) -> RateFile:
    """The sheet's rates as reporting-currency units per 1 unit (the rules in this module's docstring)."""
    if sheet.quoting == "reporting":
        rows = tuple(RateRow(q.rate_date, q.currency, q.value, q.where) for q in sheet.quotes)
        return RateFile(sheet.source, reporting_currency, rows, sheet.skipped)
    assert sheet.base is not None
    by_day: dict[date, list[Quote]] = defaultdict(list)
    for quote in sheet.quotes:
        by_day[quote.rate_date].append(quote)
    rows_out: list[RateRow] = []
    skipped = sheet.skipped
    for day in sorted(by_day):
        quotes = by_day[day]
        expressed = _express_day(sheet, quotes, reporting_currency)
        if expressed is None:
            skipped += len(quotes)
        else:
            rows_out.extend(expressed)
    if not rows_out and sheet.quotes:
        raise Invalid(
            "file",
            "{source} rates cannot be expressed in {currency}: the file has no {currency} rate",
            source=sheet.source.upper(),
            currency=reporting_currency,
        )
    return RateFile(sheet.source, reporting_currency, tuple(rows_out), skipped)


def _express_day(sheet: Sheet, quotes: list[Quote], reporting: str) -> list[RateRow] | None:
    """One day's rates in the reporting currency, or None when the day lacks the cross rate."""
    base = sheet.base
    assert base is not None
    direct = sheet.quoting == "direct"
    if reporting == base:
        if direct:
            return [RateRow(q.rate_date, q.currency, _per_unit(q), q.where) for q in quotes]
        return [RateRow(q.rate_date, q.currency, _divide(Decimal(1), q.value), q.where) for q in quotes]
    cross = next((q for q in quotes if q.currency == reporting), None)
    if cross is None:
        return None
    rows = []
    for q in quotes:
        if q.currency == reporting:
            continue
        if direct:  # (value_X / units_X) / (value_R / units_R)
            rate = _divide(_times(q.value, Decimal(cross.units)), _times(Decimal(q.units), cross.value))
        else:  # R per base / X per base
            rate = _divide(cross.value, q.value)
        rows.append(RateRow(q.rate_date, q.currency, rate, q.where))
    base_rate = _divide(Decimal(cross.units), cross.value) if direct else cross.value
    rows.append(RateRow(cross.rate_date, base, base_rate, cross.where))
    return rows


def _per_unit(quote: Quote) -> Decimal:
    return quote.value if quote.units == 1 else _divide(quote.value, Decimal(quote.units))


def _divide(dividend: Decimal, divisor: Decimal) -> Decimal:
    return DIVISION.divide(dividend, divisor)


def _times(left: Decimal, right: Decimal) -> Decimal:
    return EXACT.multiply(left, right)


# --- reading the files -------------------------------------------------------------------------
