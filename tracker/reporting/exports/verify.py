"""`tracker verify`'s check of the exports: each format written from the ledger, read back and re-summed by status.

Each contributions export (CSV, XLSX, HXL) is written whole, as a user would download it,
then read back as a user would read it: the `Value` column (HXL: `#value+total`) summed per
status and currency must equal the summary report's figures in original currencies — paid,
committed and pledged, the last two as outstanding remainders — to the minor unit. This sits
in reporting, above the ledger's own checks (`tracker.ledger.verify`); the CLI runs both.
An XLSX longer than a sheet cannot be written and is not checked.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import IO

from openpyxl import load_workbook
from sqlmodel import Session

from tracker.core.errors import Invalid
from tracker.core.i18n import gettext
from tracker.core.money import round_half_up
from tracker.core.vocabulary import BUCKETS
from tracker.ledger.figures import ledger_totals
from tracker.ledger.filters import ContributionFilters
from tracker.reporting.exports.contributions import export_contributions
from tracker.reporting.exports.hxl import FTS_STATUS

Sums = dict[tuple[str, str], Decimal]  # (status, currency) -> amount
SPOOL = 8 * 1024 * 1024  # bytes an export is held in memory before it spills to a temporary file
FROM_FTS = {word: status for status, word in FTS_STATUS.items()}


def summary_sums(session: Session) -> Sums:
    """The summary's figures per status and currency: money and in-kind value together, zeros left out."""
    totals = ledger_totals(session)
    found: Sums = defaultdict(Decimal)
    for bucket in BUCKETS:
        figures = totals.bucket(bucket)
        for part in (figures.money, figures.in_kind):
            for currency, money in part.items():
                found[(str(bucket), currency)] += money.amount
    return {key: amount for key, amount in found.items() if amount}


def _csv_table(out: IO[bytes], headings: int) -> Iterator[list[str]]:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    try:
        reader = csv.reader(text)
        for _skipped in range(headings):
            next(reader, None)
        yield from reader
    finally:
        text.detach()


def _summed(rows: Iterator[tuple[object, object, object]], status_of: Callable[[str], str]) -> Sums:
    found: Sums = defaultdict(Decimal)
    for status, value, currency in rows:
        if value is None or value == "" or not currency:
            continue
        # a sheet's number is a binary float: its shortest text, at the currency's digits, is the amount written
        amount = round_half_up(Decimal(str(value)), str(currency))
        found[(status_of(str(status)), str(currency))] += amount
    return {key: amount for key, amount in found.items() if amount}


def _read_csv(out: IO[bytes]) -> Sums:
    rows = _csv_table(out, 0)
    heading = next(rows)
    at = [heading.index(name) for name in ("Status", "Value", "Currency")]
    return _summed(((row[at[0]], row[at[1]], row[at[2]]) for row in rows), str)


def _read_xlsx(out: IO[bytes]) -> Sums:
    sheet = load_workbook(out, read_only=True).active
    assert sheet is not None
    rows = sheet.iter_rows(values_only=True)
    heading = list(next(rows))
    at = [heading.index(name) for name in ("Status", "Value", "Currency")]
    return _summed(((row[at[0]], row[at[1]], row[at[2]]) for row in rows), str)


def _read_hxl(out: IO[bytes]) -> Sums:
    rows = _csv_table(out, 1)
    tags = next(rows)
    at = [tags.index(tag) for tag in ("#status+text", "#value+total", "#currency+code")]
    return _summed(((row[at[0]], row[at[1]], row[at[2]]) for row in rows), lambda word: FROM_FTS[word])


READERS: dict[str, Callable[[IO[bytes]], Sums]] = {"csv": _read_csv, "xlsx": _read_xlsx, "hxl": _read_hxl}


def export_sums(session: Session, fmt: str) -> Sums:
    """The whole contributions export in `fmt`, written and read back: its value column summed by status."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL) as spool:
        export_contributions(session, ContributionFilters(), fmt, spool)
        spool.seek(0)
        return READERS[fmt](spool)


def exports_sum_to_the_summary(session: Session) -> list[str]:
    """Each export format's value column, summed by status and currency, equals the summary's figures."""
    expected = summary_sums(session)
    problems: list[str] = []
    for fmt in READERS:
        try:
            found = export_sums(session, fmt)
        except Invalid:
            continue  # an XLSX longer than a sheet is refused, not written: nothing to re-sum
        for status, currency in sorted(set(expected) | set(found)):
            want, got = expected.get((status, currency), Decimal(0)), found.get((status, currency), Decimal(0))
            if want != got:
                problems.append(
                    gettext("{format} export: {status} {currency} sums to {found}; the summary says {expected}").format(
                        format=fmt.upper(), status=status, currency=currency, found=got, expected=want
                    )
                )
    return problems


EXPORT_CHECKS: tuple[Callable[[Session], list[str]], ...] = (exports_sum_to_the_summary,)


def run_export_checks(session: Session) -> list[str]:
    """Every problem the export checks find; an empty list means every export counts as the summary does."""
    return [problem for check in EXPORT_CHECKS for problem in check(session)]
