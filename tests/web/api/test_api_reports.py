"""The report endpoints on the demo ledger (totals kept in AZN), against JSON written out by hand.

Rates (AZN per unit, every working day of Feb–Mar 2023): USD 1.70, EUR 1.82, TRY 0.0902,
JPY 0.0128, KWD 5.56. A weekend value date takes Friday's rate.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from report_support import donor_named
from sqlmodel import Session, select

from tracker.db.models import Appeal
from tracker.demo import load_demo

Headers = dict[str, dict[str, str]]


def azn(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "AZN"}


def usd(amount: str) -> dict[str, str]:
    return {"amount": amount, "currency": "USD"}


HOUSES = {"item": "Container house", "unit": "piece", "quantity": "10", "value": [azn("120000.00")]}
NOTHING: dict[str, list[Any]] = {"money": [], "in_kind_value": [], "items": []}


def without_ids(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: value for key, value in each.items() if key != "item_id"} for each in items]


@pytest.fixture
def demo(session: Session) -> None:
    load_demo(session)


def test_the_confederation_statement_in_manats(api: TestClient, auth: Headers, session: Session, demo: None) -> None:
    ahik = donor_named(session, "Azərbaycan Həmkarlar")
    answer = api.get(f"/api/v1/reports/donors/{ahik.id}?from=2023-02-01&to=2023-02-28", headers=auth["viewer"])
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["donor"] == {"id": str(ahik.id), "name": "Azərbaycan Həmkarlar İttifaqları Konfederasiyası (AHİK)"}
    assert (report["from"], report["to"], report["currency"], report["reporting_currency"]) == (
        "2023-02-01",
        "2023-02-28",
        "AZN",
        "AZN",
    )
    # 500,000.00 AZN wired on 14 February; 10 of the 20 pledged houses delivered on 10 February, 10 still to come.
    assert report["paid"]["money"] == [azn("500000.00")]
    assert report["paid"]["in_kind_value"] == [azn("120000.00")]
    assert without_ids(report["paid"]["items"]) == [HOUSES]
    assert report["committed"] == NOTHING
    assert report["pledged"]["money"] == []
    assert report["pledged"]["in_kind_value"] == [azn("120000.00")]
    assert without_ids(report["pledged"]["items"]) == [HOUSES]
    assert report["converted"] == {
        "currency": "AZN",
        "paid": azn("620000.00"),
        "committed": azn("0.00"),
        "pledged": azn("120000.00"),
        "written_off": azn("0.00"),  # nothing closed
        "unconverted": [],
    }
    assert report["rates_used"] == []  # all in manats already
    assert [(c["number"], c["date"], c["status"], c["fulfils"]) for c in report["contributions"]] == [
        ("C-2023-000001", "2023-02-08", "pledged", None),
        ("C-2023-000002", "2023-02-10", "paid", "C-2023-000001"),
        ("C-2023-000003", "2023-02-14", "paid", None),
    ]
    delivered, transfer = report["contributions"][1], report["contributions"][2]
    assert delivered["recipient"] == "Families left homeless, Kahramanmaraş"
    assert delivered["appeal"] == "TUR-EQ-2023"
    assert without_ids(delivered["lines"]) == [
        {
            "kind": "goods",
            "item": "Container house",
            "unit": "piece",
            "quantity": "10",
            "unit_value": azn("12000.00"),
            "value": azn("120000.00"),
            "valuation": "donor_declared",
        }
    ]
    assert transfer["reference"] == "AHİK bank transfer"
    assert transfer["lines"] == [
        {
            "kind": "money",
            "item": None,
            "item_id": None,
            "unit": None,
            "quantity": None,
            "unit_value": None,
            "value": azn("500000.00"),
            "valuation": "not_valued",
        }
    ]
    assert report["voided"] == []


def test_the_confederation_in_dollars_lists_the_rates_it_used(
    api: TestClient, auth: Headers, session: Session, demo: None
) -> None:
    ahik = donor_named(session, "Azərbaycan Həmkarlar")
    report = api.get(f"/api/v1/reports/donors/{ahik.id}?currency=usd", headers=auth["viewer"]).json()
    assert report["converted"] == {
        "currency": "USD",
        "paid": usd("364705.88"),  # 620,000 AZN / 1.70 = 364,705.882…
        "committed": usd("0.00"),
        "pledged": usd("70588.24"),  # 120,000 AZN / 1.70 = 70,588.235…
        "written_off": usd("0.00"),  # nothing closed
        "unconverted": [],
    }
    assert report["paid"]["money"] == [azn("500000.00")]  # the buckets stay in their own currencies
    assert report["rates_used"] == [
        {"date": day, "currency": "USD", "rate": "1.7", "source": "demo", "quote_currency": "AZN"}
        for day in ("2023-02-08", "2023-02-10", "2023-02-14")
    ]


def test_a_voided_contribution_is_listed_apart_and_in_no_figure(
    api: TestClient, auth: Headers, session: Session, demo: None
) -> None:
    caspian = donor_named(session, "Caspian")
    report = api.get(f"/api/v1/reports/donors/{caspian.id}", headers=auth["viewer"]).json()
    assert [c["number"] for c in report["contributions"]] == ["C-2023-000010"]
    assert [(c["number"], c["void_reason"]) for c in report["voided"]] == [
        ("C-2023-000011", "Entered twice: the transfer of 12 February already covers it")
    ]
    assert report["paid"]["money"] == [usd("100000.00")]  # not 110,000: the duplicate is void
    assert report["converted"]["paid"] == azn("170000.00")  # 100,000 USD × 1.70


def test_the_summary_of_the_whole_ledger(api: TestClient, auth: Headers, session: Session, demo: None) -> None:
    answer = api.get("/api/v1/reports/summary", headers=auth["viewer"])
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["paid"]["money"] == [
        azn("500000.00"),
        {"amount": "250000.00", "currency": "EUR"},
        {"amount": "75250.500", "currency": "KWD"},
        {"amount": "15000.00", "currency": "TRY"},
        usd("150000.00"),  # Caspian 100,000 + the Open Hearts fulfilment 50,000; the void 10,000 nowhere
    ]
    # houses 120,000 + doctors 300 × 150 = 45,000; blankets 2,000 × 12.50 EUR; tents 500 × 350 USD
    assert report["paid"]["in_kind_value"] == [
        azn("165000.00"),
        {"amount": "25000.00", "currency": "EUR"},
        usd("175000.00"),
    ]
    assert report["committed"]["money"] == [{"amount": "50000000", "currency": "JPY"}]
    assert report["pledged"]["money"] == [usd("150000.00")]  # 200,000 pledged, 50,000 of it arrived
    unvalued = {i["item"]: (i["quantity"], i["value"]) for i in report["paid"]["items"] if i["value"] is None}
    assert unvalued == {
        "Cargo flight": ("12", None),
        "Food parcel": ("1000", None),
        "Rescuer": ("2400", None),
        "Truck convoy": ("48", None),
    }
    assert report["converted"] == {
        "currency": "AZN",
        # 1,629,745.78 money (500,000 + 418,392.78 KWD + 455,000 EUR + 1,353 TRY + 255,000 USD) + 508,000.00 in kind
        "paid": azn("2137745.78"),
        "committed": azn("640000.00"),  # 50,000,000 JPY × 0.0128
        "pledged": azn("375000.00"),  # 150,000 USD × 1.70 + 10 houses
        "written_off": azn("0.00"),  # nothing closed
        "unconverted": [],
    }
    assert report["by_status"] == [
        {"status": "paid", "money": azn("1629745.78"), "in_kind_value": azn("508000.00"), "total": azn("2137745.78")},
        {"status": "committed", "money": azn("640000.00"), "in_kind_value": azn("0.00"), "total": azn("640000.00")},
        {"status": "pledged", "money": azn("255000.00"), "in_kind_value": azn("120000.00"), "total": azn("375000.00")},
        {"status": "written_off", "money": azn("0.00"), "in_kind_value": azn("0.00"), "total": azn("0.00")},
    ]
    assert [(d["name"][:20], d["paid"]["amount"], d["committed"]["amount"]) for d in report["by_donor"]] == [
        ("Japan International ", "0.00", "640000.00"),
        ("Azərbaycan Həmkarlar", "620000.00", "0.00"),
        ("Deutsche Nothilfe e.", "500500.00", "0.00"),
        ("Kuwait Red Crescent ", "418392.78", "0.00"),
        ("Government of the Re", "342500.00", "0.00"),
        ("Caspian Energy LLC", "170000.00", "0.00"),
        ("Благотворительный фо", "85000.00", "0.00"),
        ("Ayşe Yılmaz", "1353.00", "0.00"),
    ]
    syria = next(a for a in report["by_appeal"] if a["code"] == "SYR-EQ-2023")
    assert {key: syria[key] for key in ("name", "target", "target_converted", "covered", "paid", "pledged")} == {
        "name": "Syria earthquake 2023",
        "target": usd("1000000.00"),
        "target_converted": azn("1700000.00"),  # at the latest rate, 1.70
        "covered": "0.225",  # 382,500 of 1,700,000
        "paid": azn("382500.00"),  # 50,000 USD + 175,000 USD of tents, × 1.70
        "pledged": azn("255000.00"),
    }
    assert [(m["month"], m["paid"]["amount"]) for m in report["by_month"]] == [
        ("2023-02", "2052745.78"),
        ("2023-03", "85000.00"),  # the 50,000 USD that arrived on 10 March
    ]
    kwd = next(c for c in report["by_currency"] if c["currency"] == "KWD")
    assert kwd["paid"] == {
        "money": {"amount": "75250.500", "currency": "KWD"},
        "in_kind_value": {"amount": "0.000", "currency": "KWD"},
    }
    shelter = next(c for c in report["by_cluster"] if c["cluster"] == "SHL")
    assert shelter["paid"] == azn("463000.00")  # houses 120,000 + blankets 45,500 + tents 297,500
    assert {
        "date": "2023-02-20",
        "currency": "KWD",
        "rate": "5.56",
        "source": "demo",
        "quote_currency": "AZN",
    } in report["rates_used"]


def test_the_summary_lists_the_top_donors_and_sums_the_rest(api: TestClient, auth: Headers, demo: None) -> None:
    report = api.get("/api/v1/reports/summary?top=3", headers=auth["viewer"]).json()
    assert [d["name"][:20] for d in report["by_donor"]] == [
        "Japan International ",  # 640,000.00 committed
        "Azərbaycan Həmkarlar",  # 620,000.00 paid
        "Deutsche Nothilfe e.",  # 500,500.00 paid
    ]
    others = report["other_donors"]
    assert others["count"] == 5
    # Kuwait 418,392.78 + the government 342,500 + Caspian 170,000 + the fund 85,000 + Ayşe Yılmaz 1,353
    assert others["paid"] == azn("1017245.78")
    assert others["committed"] == azn("0.00")
    assert others["unconverted"] == []
    every = api.get("/api/v1/reports/summary?top=1000", headers=auth["viewer"]).json()
    assert len(every["by_donor"]) == 8
    assert every["other_donors"] is None


def test_the_summary_of_one_appeal_and_one_month(api: TestClient, auth: Headers, session: Session, demo: None) -> None:
    syria = session.exec(select(Appeal).where(Appeal.code == "SYR-EQ-2023")).one()
    answer = api.get(
        f"/api/v1/reports/summary?appeal_id={syria.id}&from=2023-03-01&to=2023-03-31", headers=auth["viewer"]
    )
    report = answer.json()
    assert report["appeal_id"] == str(syria.id)
    assert report["paid"]["money"] == [usd("50000.00")]
    assert report["converted"]["paid"] == azn("85000.00")
    assert report["committed"] == NOTHING
    assert [d["name"] for d in report["by_donor"]] == ["Благотворительный фонд «Открытые сердца»"]
    assert [(r["name"], r["paid"]) for r in report["by_recipient"]] == [("Syrian Arab Red Crescent", azn("85000.00"))]


@pytest.mark.parametrize(
    ("url", "status", "detail"),
    [
        ("/api/v1/reports/donors/999999", 404, "donor 999999 does not exist"),
        ("/api/v1/reports/donors/abc", 404, "donor abc does not exist"),
        ("/api/v1/reports/summary?appeal_id=999999", 404, "appeal 999999 does not exist"),
        (
            "/api/v1/reports/summary?from=2023-03-01&to=2023-02-01",
            422,
            [{"field": "to", "message": "the period ends before it starts"}],
        ),
        (
            "/api/v1/reports/summary?from=2023-02-30",
            422,
            [{"field": "from", "message": "2023-02-30 is not a real date"}],
        ),
        ("/api/v1/reports/summary?currency=XYZ", 422, None),
        ("/api/v1/reports/summary?top=1001", 422, "top"),
        ("/api/v1/reports/summary?top=-1", 422, "top"),
    ],
)
def test_bad_requests_are_refused_naming_the_field(
    api: TestClient, auth: Headers, url: str, status: int, detail: object
) -> None:
    answer = api.get(url, headers=auth["viewer"])
    assert answer.status_code == status, answer.text
    if isinstance(detail, str) and answer.status_code == 422:
        assert [problem["field"] for problem in answer.json()["detail"]] == [detail]
    elif detail is not None:
        assert answer.json()["detail"] == detail
    else:
        assert [problem["field"] for problem in answer.json()["detail"]] == ["currency"]


def test_reports_need_a_token(api: TestClient) -> None:
    assert api.get("/api/v1/reports/summary").status_code == 401


def test_after_the_reporting_currency_changes_the_summary_converts_through_the_rates_currency(
    api: TestClient, auth: Headers, session: Session
) -> None:
    from datetime import date

    from factories import make_contribution, money_line

    from tracker.rates.service import record_rate
    from tracker.settings.service import SettingsInput, update_settings

    update_settings(session, SettingsInput(reporting_currency="AZN"), None)
    on = date(2023, 2, 10)
    record_rate(session, on, "USD", "1.70", "cbar", "AZN", None)
    record_rate(session, on, "EUR", "1.82", "cbar", "AZN", None)
    make_contribution(session, money_line("1000.00 AZN"), on=on)
    make_contribution(session, money_line("300.00 EUR"), status="pledged", on=on)
    update_settings(session, SettingsInput(reporting_currency="USD"), None)
    report = api.get("/api/v1/reports/summary", headers=auth["viewer"]).json()
    assert report["converted"] == {
        "currency": "USD",
        "paid": usd("588.24"),  # 1,000 AZN / 1.70 = 588.235…
        "committed": usd("0.00"),
        "pledged": usd("321.18"),  # 300 EUR × 1.82 / 1.70 = 321.176…
        "written_off": usd("0.00"),  # nothing closed
        "unconverted": [],
    }
    assert sorted((r["currency"], r["rate"], r["quote_currency"]) for r in report["rates_used"]) == [
        ("EUR", "1.82", "AZN"),
        ("USD", "1.7", "AZN"),
    ]
