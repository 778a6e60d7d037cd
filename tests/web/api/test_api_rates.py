"""The rates endpoints: an admin records and corrects rates in the reporting currency (USD here); all list them."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from tracker.db.models import JournalEvent

Headers = dict[str, dict[str, str]]
URL = "/api/v1/rates"


def rate(day: str, currency: str, value: str, source: str = "ecb") -> dict[str, str]:
    return {"date": day, "currency": currency, "rate": value, "source": source}


def test_an_admin_records_a_rate_and_it_comes_back_exact(api: TestClient, auth: Headers, session: Session) -> None:
    made = api.post(URL, json=rate("2023-02-10", "eur", "1.07250"), headers=auth["admin"])
    assert made.status_code == 201, made.text
    answer = made.json()
    assert {key: answer[key] for key in ("date", "currency", "quote_currency", "rate", "source", "in_force")} == {
        "date": "2023-02-10",
        "currency": "EUR",
        "quote_currency": "USD",
        "rate": "1.0725",
        "source": "ecb",
        "in_force": True,
    }
    events = session.exec(select(JournalEvent.action).where(JournalEvent.object_type == "exchange_rate")).all()
    assert events == ["rate.recorded"]


def test_a_correction_replaces_the_rate_in_force(api: TestClient, auth: Headers) -> None:
    first = api.post(URL, json=rate("2023-02-10", "EUR", "1.7250"), headers=auth["admin"]).json()
    second = api.post(URL, json=rate("2023-02-10", "EUR", "1.0725"), headers=auth["admin"]).json()
    assert second["id"] != first["id"]
    listed = api.get(URL, headers=auth["viewer"]).json()
    assert [(r["id"], r["rate"], r["in_force"]) for r in listed["items"]] == [(second["id"], "1.0725", True)]


def test_the_list_filters_by_currency_and_dates_newest_first_in_pages(api: TestClient, auth: Headers) -> None:
    for day, currency, value in [
        ("2023-02-08", "EUR", "1.07"),
        ("2023-02-09", "EUR", "1.08"),
        ("2023-02-10", "EUR", "1.09"),
        ("2023-02-09", "JPY", "0.0076"),
    ]:
        assert api.post(URL, json=rate(day, currency, value), headers=auth["admin"]).status_code == 201

    def listed(query: str) -> list[tuple[str, str, str]]:
        items = api.get(URL + query, headers=auth["viewer"]).json()["items"]
        return [(r["date"], r["currency"], r["rate"]) for r in items]

    assert listed("") == [
        ("2023-02-10", "EUR", "1.09"),
        ("2023-02-09", "EUR", "1.08"),
        ("2023-02-09", "JPY", "0.0076"),
        ("2023-02-08", "EUR", "1.07"),
    ]
    assert listed("?currency=jpy") == [("2023-02-09", "JPY", "0.0076")]
    assert listed("?currency=EUR&from=2023-02-09&to=2023-02-09") == [("2023-02-09", "EUR", "1.08")]
    page = api.get(URL + "?limit=3", headers=auth["viewer"]).json()
    assert len(page["items"]) == 3 and page["next_cursor"]
    rest = api.get(URL + f"?limit=3&cursor={page['next_cursor']}", headers=auth["viewer"]).json()
    assert [(r["date"], r["currency"]) for r in rest["items"]] == [("2023-02-08", "EUR")]
    assert rest["next_cursor"] is None


def test_only_an_admin_records_rates(api: TestClient, auth: Headers) -> None:
    for role in ("viewer", "clerk"):
        assert api.post(URL, json=rate("2023-02-10", "EUR", "1.07"), headers=auth[role]).status_code == 403
    assert api.post(URL, json=rate("2023-02-10", "EUR", "1.07")).status_code == 401
    assert api.get(URL, headers=auth["viewer"]).json()["items"] == []


def test_bad_rates_are_refused_naming_the_field_and_store_nothing(api: TestClient, auth: Headers) -> None:
    def problems(body: dict[str, object]) -> list[tuple[str, str]]:
        answer = api.post(URL, json=body, headers=auth["admin"])
        assert answer.status_code == 422, answer.text
        return [(p["field"], p["message"]) for p in answer.json()["detail"]]

    assert problems(rate("2023-02-10", "USD", "1")) == [
        ("currency", "USD is the reporting currency; it is always worth 1")
    ]
    assert problems(rate("2023-02-10", "EUR", "0")) == [("rate", "a rate must be more than zero, got 0")]
    assert problems(rate("2023-02-10", "EUR", "-1")) == [("rate", "a rate must be more than zero, got -1")]
    assert problems(rate("2023-02-10", "EUR", "1,7")) == [
        ("rate", "'1,7' is not a plain decimal number such as 1.7 or 0.0115")
    ]
    assert problems(rate("2999-01-01", "EUR", "1.07")) == [("date", "2999-01-01 is in the future")]
    assert problems({"date": "2023-02-10", "currency": "EUR", "rate": 1.07}) == [
        ("rate", 'must be a decimal string such as "10.50", not a JSON number (numbers lose exactness)')
    ]
    assert problems({"date": "2023-02-10", "currency": "EUR"}) == [("rate", "is required")]
    assert api.get(URL, headers=auth["viewer"]).json()["items"] == []


def test_a_retry_with_the_same_key_records_one_rate(api: TestClient, auth: Headers) -> None:
    headers = {**auth["admin"], "Idempotency-Key": "rate-2023-02-10-eur"}
    first = api.post(URL, json=rate("2023-02-10", "EUR", "1.07"), headers=headers)
    again = api.post(URL, json=rate("2023-02-10", "EUR", "1.07"), headers=headers)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert len(api.get(URL, headers=auth["viewer"]).json()["items"]) == 1
