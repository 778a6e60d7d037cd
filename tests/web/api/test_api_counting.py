"""The API's contributions list counts as the reports do: each line's `value` summed by status is the summary's figures.

Issue 14's ledger (`report_support.jica_ledger`): JICA commits 50,000,000 JPY and pays 30,000,000 JPY of it; a
confederation pledges 20 container houses at 12,000.00 AZN and delivers 10. By status and currency the values
are paid 30,000,000 JPY and 120,000.00 AZN, committed 20,000,000 JPY (outstanding), pledged 120,000.00 AZN
(10 houses outstanding) — the summary report's figures, which the API's own summary gives too.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from fastapi.testclient import TestClient
from report_support import BY_STATUS_ORIGINAL, jica_ledger
from sqlmodel import Session

Headers = dict[str, dict[str, str]]


def test_the_list_values_by_status_are_the_summarys(api: TestClient, auth: Headers, session: Session) -> None:
    made = jica_ledger(session)
    answer = api.get("/api/v1/contributions", headers=auth["viewer"])
    assert answer.status_code == 200, answer.text
    items = answer.json()["items"]
    summed: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for found in items:
        for line in found["lines"]:
            summed[(found["status"], line["value"]["currency"])] += Decimal(line["value"]["amount"])
    assert dict(summed) == BY_STATUS_ORIGINAL
    by_number = {found["number"]: found for found in items}
    commitment = by_number[made["commitment"].number]
    assert commitment["lines"][0]["value"] == {"amount": "20000000", "currency": "JPY"}
    assert commitment["lines"][0]["promised_value"] == {"amount": "50000000", "currency": "JPY"}
    assert commitment["lines"][0]["amount"] == {"amount": "50000000", "currency": "JPY"}  # what was recorded
    pledge = by_number[made["pledge"].number]["lines"][0]
    assert (pledge["quantity"], pledge["outstanding_quantity"], pledge["value"]["amount"]) == ("20", "10", "120000.00")
    assert by_number[made["payment"].number]["fulfils"] == made["commitment"].number
    assert by_number[made["delivery"].number]["fulfils"] == made["pledge"].number
    assert commitment["fulfils"] is None

    summary = api.get("/api/v1/reports/summary", headers=auth["viewer"]).json()
    assert [summary["converted"][name] for name in ("paid", "committed", "pledged")] == [
        {"amount": "504000.00", "currency": "AZN"},
        {"amount": "256000.00", "currency": "AZN"},
        {"amount": "120000.00", "currency": "AZN"},
    ]
    one = api.get(f"/api/v1/contributions/{made['commitment'].id}", headers=auth["viewer"]).json()
    assert one["lines"][0]["value"] == {"amount": "20000000", "currency": "JPY"}  # the same line, the same count
