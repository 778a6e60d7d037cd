"""An XLSX sheet's cells read from its XML with openpyxl's public names: exact numbers, dates in either epoch,
booleans and formula text as the import's text."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from tracker.importing.files import read_rows

HEADER = ["date", "status", "donor", "recipient", "kind", "amount", "currency", "notes"]


def rows_of(epoch: datetime | None, *values: object) -> list[dict[str, object]]:
    book = Workbook()
    if epoch is not None:
        book.epoch = epoch
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(list(values))
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return [row.cells for row in read_rows(data)]


def test_a_date_a_number_and_a_boolean_are_read_as_the_file_stores_them() -> None:
    cells = rows_of(None, datetime(2023, 2, 10), "paid", "A", "B", "money", Decimal("10.10"), "USD", True)
    assert cells == [
        {
            "date": date(2023, 2, 10),
            "status": "paid",
            "donor": "A",
            "recipient": "B",
            "kind": "money",
            "amount": Decimal("10.1"),  # the file stores 10.1
            "currency": "USD",
            "notes": "true",
        }
    ]


def test_a_date_in_a_1904_workbook_is_the_same_day() -> None:
    cells = rows_of(CALENDAR_MAC_1904, datetime(2023, 2, 10), "paid", "A", "B", "money", 10, "USD", None)
    assert cells[0]["date"] == date(2023, 2, 10)
