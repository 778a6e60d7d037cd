"""How export cells are written: plain decimals with the currency's own digits, ISO dates, codes as they are."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import IO

from tracker.core.money import Money
from tracker.reporting.reports.files import plain_amount, safe_cell


def plain(value: object) -> object:
    """A cell's value as CSV text shows it: money with its currency's digits, decimals without exponents."""
    if isinstance(value, Money):
        return plain_amount(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def write_csv_rows(out: IO[bytes], header_rows: Sequence[Sequence[object]], rows: Iterable[Sequence[object]]) -> int:
    """UTF-8 with a BOM, every cell neutralised against formulas, written row by row; returns the data rows written.

    The same cells as `tracker.reporting.reports.files.to_csv`, streamed: a large ledger never sits in memory as text.
    """
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        text.write("\ufeff")
        writer = csv.writer(text, lineterminator="\r\n")
        for header in header_rows:
            writer.writerow([safe_cell(cell) for cell in header])
        count = 0
        for row in rows:
            writer.writerow([safe_cell(plain(cell)) for cell in row])
            count += 1
        text.flush()
    finally:
        text.detach()  # the caller owns `out`
    return count


def iso(value: date | None) -> str:
    return value.isoformat() if value else ""
