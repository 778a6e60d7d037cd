"""Every export counts as the reports do: the Value column summed by status is the summary's paid, committed, pledged.

The ledger (issue 14): JICA commits 50,000,000 JPY and pays 30,000,000 JPY of it; a confederation
pledges 20 container houses at 12,000.00 AZN and delivers 10. Rates as in the demo: 0.0128 AZN per yen.

    paid       30,000,000 JPY (384,000.00 AZN) + 10 houses 120,000.00 AZN  = 504,000.00 AZN
    committed  20,000,000 JPY outstanding                                  = 256,000.00 AZN
    pledged    10 houses outstanding, 120,000.00 AZN                       = 120,000.00 AZN
    funding    paid + committed                                            = 760,000.00 AZN

Counting each promise at its full value beside its payments would give 1,144,000.00 AZN of funding.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from decimal import Decimal

import hxl
import pytest
from openpyxl import load_workbook
from report_support import BY_STATUS_AZN, BY_STATUS_ORIGINAL, jica_ledger
from sqlmodel import Session

from tracker.core.money import Money
from tracker.db.models import Contribution
from tracker.ledger.filters import ContributionFilters
from tracker.reporting.exports.contributions import contributions_file
from tracker.reporting.reports.summary_totals import summary_report


@pytest.fixture
def jica(session: Session) -> dict[str, Contribution]:
    return jica_ledger(session)


def test_the_summary_counts_the_remainders(session: Session, jica: dict[str, Contribution]) -> None:
    figures = summary_report(session).figures
    assert {name: figures.bucket(name).total.total for name in BY_STATUS_AZN} == {
        name: Money(amount, "AZN") for name, amount in BY_STATUS_AZN.items()
    }
    assert figures.funding.total.total == Money(Decimal("760000.00"), "AZN")


def sums(rows: list[dict[str, str]], status: str, value: str, currency: str, converted: str) -> tuple[dict, dict]:
    original: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    azn: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        if row[value]:
            original[(row[status], row[currency])] += Decimal(row[value])
        if row[converted]:
            azn[row[status]] += Decimal(row[converted])
    return dict(original), dict(azn)


def test_csv_value_by_status_is_the_summary(session: Session, jica: dict[str, Contribution]) -> None:
    data = contributions_file(session, ContributionFilters(), "csv")
    table = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert sums(table, "Status", "Value", "Currency", "Converted value") == (BY_STATUS_ORIGINAL, BY_STATUS_AZN)
    shown = {row["Number"]: (row["Value"], row["Promised value"], row["Quantity"], row["Fulfils"]) for row in table}
    assert shown == {
        jica["commitment"].number: ("20000000", "50000000", "", ""),
        jica["payment"].number: ("30000000", "30000000", "", jica["commitment"].number),
        jica["pledge"].number: ("120000.00", "240000.00", "10", ""),
        jica["delivery"].number: ("120000.00", "120000.00", "10", jica["pledge"].number),
    }
    assert {row["Number"]: row["Promised quantity"] for row in table}[jica["pledge"].number] == "20"


def test_xlsx_value_by_status_is_the_summary(session: Session, jica: dict[str, Contribution]) -> None:
    sheet = load_workbook(io.BytesIO(contributions_file(session, ContributionFilters(), "xlsx"))).active
    assert sheet is not None
    heading, *cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    table = [
        {name: "" if value is None else str(value) for name, value in zip(heading, row, strict=True)} for row in cells
    ]
    original, azn = sums(table, "Status", "Value", "Currency", "Converted value")
    # a sheet's numbers are binary floats: compare them at the currency's digits
    assert {key: round(amount, 2) for key, amount in original.items()} == BY_STATUS_ORIGINAL
    assert {key: round(amount, 2) for key, amount in azn.items()} == BY_STATUS_AZN


def test_libhxl_sums_the_funding_as_fts_does(session: Session, jica: dict[str, Contribution]) -> None:
    data = contributions_file(session, ContributionFilters(), "hxl")
    source = hxl.data(io.BytesIO(data), hxl.InputOptions(encoding="utf-8-sig"))
    tags = [column.display_tag for column in source.columns]
    assert not [tag for tag in tags if tag.startswith("#value") and "quantity" in tag]  # quantities are no #value
    assert "#output+num" in tags and "#country+code+v_iso2" in tags and "#date+decision" in tags
    converted = tags.index("#value+total+c_azn")
    rows = list(source)
    funding = sum(
        (Decimal(row.values[converted]) for row in rows if row.get("#status") in ("paid", "commitment")), Decimal(0)
    )
    pledged = sum((Decimal(row.values[converted]) for row in rows if row.get("#status") == "pledge"), Decimal(0))
    assert (funding, pledged) == (Decimal("760000.00"), Decimal("120000.00"))
    payment = next(row for row in rows if row.get("#meta+fulfils") == jica["commitment"].number)
    assert (payment.get("#date"), payment.get("#date+decision")) == ("2023-03-01", "2023-02-10")
    houses = next(row for row in rows if row.get("#status") == "pledge")
    assert (houses.get("#output+num"), houses.get("#output+num+promised"), houses.get("#item+unit")) == (
        "10",
        "20",
        "piece",
    )
    assert (houses.get("#value+total"), houses.get("#value+promised")) == ("120000.00", "240000.00")
    report = hxl.validate(hxl.data(io.BytesIO(data), hxl.InputOptions(encoding="utf-8-sig")))
    assert (report["stats"]["error"], report["stats"]["warning"]) == (0, 0)
