"""Donors, recipients, appeals and items over the API: create, search, page, show; who may add what."""

from __future__ import annotations

import pytest
from factories import make_donor
from fastapi.testclient import TestClient
from sqlmodel import Session

Headers = dict[str, dict[str, str]]


def without_moment(answer: dict[str, object]) -> dict[str, object]:
    assert str(answer.pop("created_at")).endswith("Z")
    return answer


def test_a_donor_is_created_and_shown(api: TestClient, auth: Headers) -> None:
    body = {"name": "Ayşe Yılmaz", "kind": "individual", "country": "tr", "email": "Ayse@Example.com", "locale": "tr"}
    made = api.post("/api/v1/donors", json=body, headers=auth["clerk"])
    assert made.status_code == 201, made.text
    answer = made.json()
    assert without_moment(dict(answer)) == {
        "id": answer["id"],
        "name": "Ayşe Yılmaz",
        "kind": "individual",
        "country": "TR",
        "email": "ayse@example.com",
        "phone": None,
        "locale": "tr",
        "notes": "",
        "archived": False,
    }
    assert isinstance(answer["id"], str)
    assert api.get(f"/api/v1/donors/{answer['id']}", headers=auth["viewer"]).json() == answer


def test_donors_are_searched_filtered_and_paged(session: Session, api: TestClient, auth: Headers) -> None:
    for name, kind in [("Kuwait Red Crescent", "organisation"), ("JICA", "government"), ("Kuwait Fund", "foundation"),
                       ("100% Aid_Co", "company")]:  # fmt: skip
        make_donor(session, name, kind)

    def names(query: str) -> list[str]:
        response = api.get(f"/api/v1/donors?{query}", headers=auth["viewer"])
        assert response.status_code == 200, response.text
        return [row["name"] for row in response.json()["items"]]

    assert names("q=kuwait") == ["Kuwait Red Crescent", "Kuwait Fund"]
    assert names("q=kuwait&kind=foundation") == ["Kuwait Fund"]
    assert names("q=%25") == ["100% Aid_Co"]  # % and _ are searched for, not wildcards
    assert names("q=a_d") == []  # as a wildcard, _ would match "Aid"
    page = api.get("/api/v1/donors?limit=3", headers=auth["viewer"]).json()
    assert len(page["items"]) == 3
    rest = api.get(f"/api/v1/donors?limit=3&cursor={page['next_cursor']}", headers=auth["viewer"]).json()
    assert [row["name"] for row in rest["items"]] == ["100% Aid_Co"]
    assert rest["next_cursor"] is None


def test_a_recipient_defaults_to_an_organisation(api: TestClient, auth: Headers) -> None:
    made = api.post("/api/v1/recipients", json={"name": "Türk Kızılay", "country": "TR"}, headers=auth["clerk"])
    assert made.status_code == 201, made.text
    assert without_moment(made.json()) == {
        "id": made.json()["id"],
        "name": "Türk Kızılay",
        "kind": "organisation",
        "country": "TR",
        "region": None,
        "notes": "",
        "archived": False,
    }


def test_appeals_are_added_by_admins_only(api: TestClient, auth: Headers) -> None:
    body = {"code": "tur-eq-2023", "name": "Türkiye earthquake 2023", "start_date": "2023-02-06",
            "target": {"amount": "5000000", "currency": "AZN"}, "glide": "EQ-2023-000015-TUR"}  # fmt: skip
    refused = api.post("/api/v1/appeals", json=body, headers=auth["clerk"])
    assert refused.status_code == 403
    assert refused.json() == {"detail": "the clerk role may not do this; it needs admin or above"}
    made = api.post("/api/v1/appeals", json=body, headers=auth["admin"])
    assert made.status_code == 201, made.text
    assert without_moment(made.json()) == {
        "id": made.json()["id"],
        "code": "TUR-EQ-2023",
        "name": "Türkiye earthquake 2023",
        "start_date": "2023-02-06",
        "end_date": None,
        "target": {"amount": "5000000.00", "currency": "AZN"},
        "glide": "EQ-2023-000015-TUR",
        "archived": False,
    }
    again = api.post("/api/v1/appeals", json=body, headers=auth["admin"])
    assert again.status_code == 422
    assert again.json() == {"detail": [{"field": "code", "message": "an appeal with code TUR-EQ-2023 already exists"}]}
    assert [a["code"] for a in api.get("/api/v1/appeals?q=tur-eq", headers=auth["viewer"]).json()["items"]] == [
        "TUR-EQ-2023"
    ]


def test_items_carry_a_unit_value_in_the_currency_digits(api: TestClient, auth: Headers) -> None:
    body = {"name": "Hygiene kit", "unit": "kit", "cluster": "WSH", "unit_value": {"amount": "12.5", "currency": "KWD"}}
    assert api.post("/api/v1/items", json=body, headers=auth["clerk"]).status_code == 403
    made = api.post("/api/v1/items", json=body, headers=auth["admin"])
    assert made.status_code == 201, made.text
    assert without_moment(made.json()) == {
        "id": made.json()["id"],
        "name": "Hygiene kit",
        "names": {},
        "unit": "kit",
        "cluster": "WSH",
        "unit_value": {"amount": "12.500", "currency": "KWD"},
        "archived": False,
    }
    listed = api.get("/api/v1/items?cluster=WSH", headers=auth["viewer"]).json()
    assert [item["name"] for item in listed["items"]] == ["Hygiene kit"]
    assert api.get("/api/v1/items?cluster=SHL", headers=auth["viewer"]).json()["items"] == []
    same = api.post("/api/v1/items", json={**body, "name": "HYGIENE KIT"}, headers=auth["admin"])
    assert same.status_code == 422
    assert same.json()["detail"][0]["field"] == "name"


LIMIT = "1,000,000,000,000,000"
# Catalogue money as the API refuses it: (amount, currency, message), each written by hand.
BAD_MONEY = [
    ("0.275", "USD", "USD has 2 decimal places, got 0.275"),
    ("0", "USD", "must be more than zero, got 0"),
    ("0.4", "JPY", "JPY has no minor units, got 0.4"),
    ("0.0004", "KWD", "KWD has 3 decimal places, got 0.0004"),
    ("99999999999999999999", "USD", f"99999999999999999999 is too large (the limit is {LIMIT})"),
    ("1000000000000000", "USD", f"1000000000000000 is too large (the limit is {LIMIT})"),
]


@pytest.mark.parametrize(("amount", "currency", "message"), BAD_MONEY)
def test_an_item_unit_value_passes_the_money_check_and_nothing_is_stored(
    api: TestClient, auth: Headers, amount: str, currency: str, message: str
) -> None:
    body = {"name": "Tent", "unit": "piece", "cluster": "SHL", "unit_value": {"amount": amount, "currency": currency}}
    refused = api.post("/api/v1/items", json=body, headers=auth["admin"])
    assert refused.status_code == 422, refused.text
    assert refused.json() == {"detail": [{"field": "unit_value", "message": message}]}
    assert api.get("/api/v1/items", headers=auth["viewer"]).json() == {"items": [], "next_cursor": None}


@pytest.mark.parametrize(("amount", "currency", "message"), BAD_MONEY)
def test_an_appeal_target_passes_the_money_check_and_nothing_is_stored(
    api: TestClient, auth: Headers, amount: str, currency: str, message: str
) -> None:
    body = {"code": "TUR-EQ-2023", "name": "Türkiye earthquake", "target": {"amount": amount, "currency": currency}}
    refused = api.post("/api/v1/appeals", json=body, headers=auth["admin"])
    assert refused.status_code == 422, refused.text
    assert refused.json() == {"detail": [{"field": "target", "message": message}]}
    assert api.get("/api/v1/appeals", headers=auth["viewer"]).json() == {"items": [], "next_cursor": None}


def test_catalogue_money_at_the_edge_of_the_rules_is_stored_exactly(api: TestClient, auth: Headers) -> None:
    item = {"name": "Tent", "unit": "piece", "cluster": "SHL", "unit_value": {"amount": "0.27", "currency": "USD"}}
    made = api.post("/api/v1/items", json=item, headers=auth["admin"])
    assert made.status_code == 201, made.text
    assert made.json()["unit_value"] == {"amount": "0.27", "currency": "USD"}
    appeal = {"code": "X", "name": "X", "target": {"amount": "999999999999999.999", "currency": "KWD"}}
    made = api.post("/api/v1/appeals", json=appeal, headers=auth["admin"])
    assert made.status_code == 201, made.text
    assert made.json()["target"] == {"amount": "999999999999999.999", "currency": "KWD"}
