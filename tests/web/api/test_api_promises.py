"""A promise's life over the API: dated status moves, closing with a write-off, cross-currency fulfilments.

Rates and expected figures are written by hand; after every scenario the maintained totals equal a rebuild.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from factories import make_donor, make_item, make_recipient
from fastapi.testclient import TestClient
from sqlmodel import Session

from tracker.rates.service import record_rate
from tracker.settings.service import SettingsInput, update_settings
from tracker.totals.aggregates import totals_differences

Headers = dict[str, dict[str, str]]
URL = "/api/v1/contributions"


@pytest.fixture
def parties(session: Session) -> dict[str, str]:
    update_settings(session, SettingsInput(reporting_currency="AZN"), None)
    donor = make_donor(session, "Azərbaycan Həmkarlar İttifaqları Konfederasiyası")
    recipient = make_recipient(session, "Heydar Aliyev Foundation")
    houses = make_item(session, "Container house", "piece", "SHL")
    return {"donor": str(donor.id), "recipient": str(recipient.id), "houses": str(houses.id)}


def entry(parties: dict[str, str], on: str, status: str, *lines: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        "donor_id": parties["donor"],
        "recipient_id": parties["recipient"],
        "date": on,
        "status": status,
        "lines": list(lines),
        **more,
    }


def money(amount: str, currency: str) -> dict[str, Any]:
    return {"kind": "money", "amount": {"amount": amount, "currency": currency}}


def houses(parties: dict[str, str], quantity: str) -> dict[str, Any]:
    unit_value = {"amount": "12000", "currency": "AZN"}
    return {"kind": "goods", "item_id": parties["houses"], "quantity": quantity, "unit_value": unit_value}


def azn(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "AZN"}


def record(api: TestClient, auth: Headers, body: dict[str, Any]) -> str:
    made = api.post(URL, json=body, headers=auth["clerk"])
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def test_a_commitment_paid_in_march_counts_in_march_at_marchs_rate(
    api: TestClient, auth: Headers, session: Session, parties: dict[str, str]
) -> None:
    record_rate(session, date(2023, 2, 20), "USD", "1.70", "cbar", "AZN", None)
    record_rate(session, date(2023, 3, 10), "USD", "1.75", "cbar", "AZN", None)
    committed = record(api, auth, entry(parties, "2023-02-20", "committed", money("1000.00", "USD")))
    moved = api.post(f"{URL}/{committed}/status", json={"status": "paid", "date": "2023-03-10"}, headers=auth["clerk"])
    assert moved.status_code == 200, moved.text
    shown = api.get(f"{URL}/{committed}", headers=auth["viewer"]).json()
    assert shown["date"] == "2023-02-20"  # the decision date stays on the contribution
    assert shown["status_date"] == "2023-03-10"
    assert shown["status_history"] == [
        {"status": "committed", "date": "2023-02-20"},
        {"status": "paid", "date": "2023-03-10"},
    ]
    assert shown["outstanding"] is None  # paid now: no longer a promise

    summary = api.get("/api/v1/reports/summary", headers=auth["viewer"]).json()
    assert summary["converted"]["paid"] == azn("1750.00")  # 1,000 USD × 1.75 (10 March), not × 1.70
    assert summary["converted"]["committed"] == azn("0.00")
    assert [(m["month"], m["paid"]) for m in summary["by_month"]] == [("2023-03", azn("1750.00"))]
    donor = api.get(f"/api/v1/reports/donors/{parties['donor']}?from=2023-03-01&to=2023-03-31", headers=auth["viewer"])
    assert donor.json()["converted"]["paid"] == azn("1750.00")
    february = api.get(f"/api/v1/reports/donors/{parties['donor']}?to=2023-02-28", headers=auth["viewer"]).json()
    assert february["converted"]["paid"] == azn("0.00") and february["contributions"] == []
    in_march = api.get(f"{URL}?from=2023-03-01&to=2023-03-31", headers=auth["viewer"]).json()["items"]
    assert [item["id"] for item in in_march] == [committed]
    assert api.get(f"{URL}?to=2023-02-28", headers=auth["viewer"]).json()["items"] == []
    exported = api.get("/api/v1/exports/contributions?from=2023-03-01", headers=auth["viewer"])
    rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [(r["Value date"], r["Converted value"], r["Exchange rate"], r["Rate date"]) for r in rows] == [
        ("2023-02-20", "1750.00", "1.75", "2023-03-10")
    ]
    assert totals_differences(session) == []


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ("2023-02-19", "2023-02-19 is before C-2023-000001's value date, 2023-02-20"),
        ((date.today() + timedelta(days=2)).isoformat(), f"{date.today() + timedelta(days=2)} is in the future"),
    ],
)
def test_a_status_move_before_the_value_date_or_in_the_future_is_refused_naming_date(
    api: TestClient, auth: Headers, session: Session, parties: dict[str, str], when: str, message: str
) -> None:
    pledge = record(api, auth, entry(parties, "2023-02-20", "pledged", money("1000.00", "USD")))
    refused = api.post(f"{URL}/{pledge}/status", json={"status": "committed", "date": when}, headers=auth["clerk"])
    assert refused.status_code == 422
    assert refused.json() == {"detail": [{"field": "date", "message": message}]}
    assert api.get(f"{URL}/{pledge}", headers=auth["viewer"]).json()["status"] == "pledged"


def test_a_status_move_without_a_date_takes_effect_today(
    api: TestClient, auth: Headers, session: Session, parties: dict[str, str]
) -> None:
    pledge = record(api, auth, entry(parties, "2023-02-20", "pledged", money("1000.00", "AZN")))
    moved = api.post(f"{URL}/{pledge}/status", json={"status": "committed"}, headers=auth["clerk"])
    assert moved.json()["status_date"] == date.today().isoformat()


def test_a_pledge_of_20_houses_with_16_delivered_and_closed_writes_off_4(
    api: TestClient, auth: Headers, session: Session, parties: dict[str, str]
) -> None:
    pledge = record(api, auth, entry(parties, "2023-02-08", "pledged", houses(parties, "20")))
    delivered = api.post(
        f"{URL}/{pledge}/fulfilments",
        json={"date": "2023-02-20", "lines": [houses(parties, "16")]},
        headers=auth["clerk"],
    )
    assert delivered.status_code == 201, delivered.text
    assert delivered.json()["fulfils"] == "C-2023-000001"
    assert totals_differences(session) == []
    closed = api.post(f"{URL}/{pledge}/close", json={"reason": "the donor sends no more"}, headers=auth["clerk"])
    assert closed.status_code == 200, closed.text
    shown = closed.json()
    assert shown["closed"] is True and shown["close_reason"] == "the donor sends no more"
    # 4 houses of 20 left, valued 20 × 12,000 × 4 / 20 = 48,000 AZN.
    four = [{"item": "Container house", "item_id": parties["houses"], "unit": "piece", "quantity": "4",
             "value": [azn("48000.00")]}]  # fmt: skip
    assert shown["written_off"] == {"money": [], "in_kind_value": [azn("48000.00")], "items": four}
    assert shown["outstanding"] == {"money": [], "in_kind_value": [], "items": []}
    assert shown["fulfilled"]["items"][0]["quantity"] == "16"
    assert shown["promised"]["items"][0]["quantity"] == "20"

    report = api.get("/api/v1/reports/summary", headers=auth["viewer"]).json()
    assert report["paid"]["items"][0]["quantity"] == "16"
    assert report["pledged"] == {"money": [], "in_kind_value": [], "items": []}
    assert report["written_off"]["items"] == four
    assert report["converted"]["written_off"] == azn("48000.00")
    assert report["converted"]["pledged"] == azn("0.00")
    assert report["converted"]["paid"] == azn("192000.00")  # 16 × 12,000
    assert totals_differences(session) == []

    for path, body in (("close", {"reason": "again"}), ("void", {"reason": "oops"}), ("status", {"status": "paid"})):
        again = api.post(f"{URL}/{pledge}/{path}", json=body, headers=auth["clerk"])
        assert again.status_code == 409, (path, again.text)
    more = api.post(
        f"{URL}/{pledge}/fulfilments",
        json={"date": "2023-02-21", "lines": [houses(parties, "4")]},
        headers=auth["clerk"],
    )
    assert more.status_code == 422
    assert more.json()["detail"][0]["field"] == "contribution_id"
    assert totals_differences(session) == []


def test_only_a_promise_is_closed_and_with_a_reason(
    api: TestClient, auth: Headers, session: Session, parties: dict[str, str]
) -> None:
    paid = record(api, auth, entry(parties, "2023-02-08", "paid", money("100.00", "AZN")))
    refused = api.post(f"{URL}/{paid}/close", json={"reason": "why not"}, headers=auth["clerk"])
    assert refused.status_code == 409
    assert refused.json() == {"detail": "C-2023-000001 is paid; only a pledge or commitment is closed"}
    pledge = record(api, auth, entry(parties, "2023-02-08", "pledged", money("100.00", "AZN")))
    blank = api.post(f"{URL}/{pledge}/close", json={"reason": "  "}, headers=auth["clerk"])
    assert blank.status_code == 422 and blank.json()["detail"][0]["field"] == "reason"


def test_a_usd_fulfilment_reduces_a_euro_pledge_by_its_value_at_its_own_dates_rate(
    api: TestClient, auth: Headers, session: Session, parties: dict[str, str]
) -> None:
    # Rates stored in manats: on 10 March 1 USD = 1.70 AZN and 1 EUR = 1.82 AZN, so 100 USD is
    # 100 × 1.70 / 1.82 = 93.4065… EUR, rounded once to 93.41 EUR; 500 − 93.41 = 406.59 EUR outstanding.
    record_rate(session, date(2023, 3, 10), "USD", "1.70", "cbar", "AZN", None)
    record_rate(session, date(2023, 3, 10), "EUR", "1.82", "cbar", "AZN", None)
    pledge = record(api, auth, entry(parties, "2023-02-16", "pledged", money("500.00", "EUR")))
    paid = api.post(
        f"{URL}/{pledge}/fulfilments",
        json={"date": "2023-03-10", "lines": [money("100.00", "USD")]},
        headers=auth["clerk"],
    )
    assert paid.status_code == 201, paid.text
    shown = api.get(f"{URL}/{pledge}", headers=auth["viewer"]).json()
    assert shown["outstanding"]["money"] == [{"amount": "406.59", "currency": "EUR"}]
    assert shown["fulfilled"]["money"] == [{"amount": "100.00", "currency": "USD"}]
    report = api.get("/api/v1/reports/summary", headers=auth["viewer"]).json()
    assert report["pledged"]["money"] == [{"amount": "406.59", "currency": "EUR"}]
    assert totals_differences(session) == []

    # Over-fulfilled: 600 USD is 560.44 EUR, past the 406.59 left: nothing is outstanding, never below zero.
    more = api.post(
        f"{URL}/{pledge}/fulfilments",
        json={"date": "2023-03-10", "lines": [money("600.00", "USD")]},
        headers=auth["clerk"],
    )
    assert more.status_code == 201, more.text
    shown = api.get(f"{URL}/{pledge}", headers=auth["viewer"]).json()
    assert shown["outstanding"]["money"] == []
    assert shown["fulfilled"]["money"] == [{"amount": "700.00", "currency": "USD"}]
    assert totals_differences(session) == []


def test_a_fulfilment_in_another_currency_without_a_rate_is_refused_naming_the_rate(
    api: TestClient, auth: Headers, session: Session, parties: dict[str, str]
) -> None:
    record_rate(session, date(2023, 3, 10), "EUR", "1.82", "cbar", "AZN", None)
    pledge = record(api, auth, entry(parties, "2023-02-16", "pledged", money("500.00", "EUR")))
    refused = api.post(
        f"{URL}/{pledge}/fulfilments",
        json={"date": "2023-03-10", "lines": [money("100.00", "USD")]},
        headers=auth["clerk"],
    )
    assert refused.status_code == 422
    assert refused.json() == {
        "detail": [
            {
                "field": "lines[0].amount",
                "message": "no exchange rate of USD in force on 2023-03-10: record it to convert 100.00 USD into EUR",
            }
        ]
    }
    assert len(api.get(URL, headers=auth["viewer"]).json()["items"]) == 1


def test_overdue_promises_are_listed_apart(
    api: TestClient, auth: Headers, session: Session, parties: dict[str, str]
) -> None:
    yesterday, tomorrow = date.today() - timedelta(days=1), date.today() + timedelta(days=1)
    late = record(api, auth, entry(parties, "2023-02-08", "pledged", money("10.00", "AZN"), due_date=str(yesterday)))
    record(api, auth, entry(parties, "2023-02-08", "committed", money("20.00", "AZN"), due_date=str(tomorrow)))
    closed = record(api, auth, entry(parties, "2023-02-08", "pledged", money("30.00", "AZN"), due_date=str(yesterday)))
    api.post(f"{URL}/{closed}/close", json={"reason": "given up"}, headers=auth["clerk"])
    record(api, auth, entry(parties, "2023-02-08", "paid", money("40.00", "AZN")))
    found = api.get(f"{URL}?status=overdue", headers=auth["viewer"]).json()["items"]
    assert [item["id"] for item in found] == [late]
    assert found[0]["due_date"] == yesterday.isoformat()
    paid_due = api.post(URL, json=entry(parties, "2023-02-08", "paid", money("1", "AZN"), due_date="2023-03-01"),
                        headers=auth["clerk"])  # fmt: skip
    assert paid_due.status_code == 422
    assert paid_due.json() == {
        "detail": [{"field": "due_date", "message": "only a pledge or commitment has a due date"}]
    }
