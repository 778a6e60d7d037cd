"""The contributions API over HTTP: expected JSON written by hand, money with each currency's own digits."""

from __future__ import annotations

from typing import Any

import pytest
from factories import goods_line, make_contribution, make_donor, make_item, make_recipient, money_line
from fastapi.testclient import TestClient
from sqlmodel import Session

Headers = dict[str, dict[str, str]]
URL = "/api/v1/contributions"
LIMIT = "1,000,000,000,000,000"
SYNTAX = 'must be a decimal string of digits with an optional point, such as "10.50"'


@pytest.fixture
def parties(session: Session) -> dict[str, str]:
    donor = make_donor(session, "Azərbaycan Həmkarlar İttifaqları Konfederasiyası")
    foundation = make_recipient(session, "Heydar Aliyev Foundation")
    houses = make_item(session, "Container house", "piece", "SHL")
    rescuers = make_item(session, "Rescuer", "person-day", "PRO")
    return {
        "donor": str(donor.id),
        "recipient": str(foundation.id),
        "houses": str(houses.id),
        "rescuers": str(rescuers.id),
    }


def contribution(parties: dict[str, str], *lines: dict[str, Any], status: str = "paid") -> dict[str, Any]:
    return {
        "donor_id": parties["donor"],
        "recipient_id": parties["recipient"],
        "date": "2023-02-10",
        "status": status,
        "lines": list(lines),
    }


def money(amount: str, currency: str) -> dict[str, Any]:
    return {"kind": "money", "amount": {"amount": amount, "currency": currency}}


def test_the_confederation_transfer_and_houses_come_back_exact(
    api: TestClient, auth: Headers, parties: dict[str, str]
) -> None:
    body = contribution(
        parties,
        money("500000", "AZN"),
        {
            "kind": "goods",
            "item_id": parties["houses"],
            "quantity": "10",
            "unit_value": {"amount": "12000", "currency": "azn"},
            "valuation": "donor_declared",
        },
        {"kind": "service", "item_id": int(parties["rescuers"]), "quantity": "2400"},
    )
    body["reference"] = "SWIFT 118"
    made = api.post(URL, json=body, headers=auth["clerk"])
    assert made.status_code == 201, made.text
    answer = made.json()
    assert answer["number"] == "C-2023-000001"
    assert answer["status"] == "paid"
    assert answer["void"] is False and answer["void_reason"] is None
    assert answer["donor_id"] == parties["donor"]
    assert answer["date"] == "2023-02-10"
    assert answer["reference"] == "SWIFT 118"
    assert answer["lines"] == [
        {
            "kind": "money",
            "amount": {"amount": "500000.00", "currency": "AZN"},
            "item_id": None,
            "quantity": None,
            "unit_value": None,
            "valuation": "not_valued",
            "value": {"amount": "500000.00", "currency": "AZN"},
            "promised_value": {"amount": "500000.00", "currency": "AZN"},
            "outstanding_quantity": None,
        },
        {
            "kind": "goods",
            "amount": None,
            "item_id": parties["houses"],
            "quantity": "10",
            "unit_value": {"amount": "12000.00", "currency": "AZN"},
            "valuation": "donor_declared",
            "value": {"amount": "120000.00", "currency": "AZN"},
            "promised_value": {"amount": "120000.00", "currency": "AZN"},
            "outstanding_quantity": None,
        },
        {
            "kind": "service",
            "amount": None,
            "item_id": parties["rescuers"],
            "quantity": "2400",
            "unit_value": None,
            "valuation": "not_valued",
            "value": None,
            "promised_value": None,
            "outstanding_quantity": None,
        },
    ]
    shown = api.get(f"{URL}/{answer['id']}", headers=auth["viewer"])
    assert shown.status_code == 200
    # GET adds what a promise's page needs; a paid contribution is no promise, and it moved nowhere.
    assert shown.json() == {
        **answer,
        "status_history": [{"status": "paid", "date": "2023-02-10"}],
        "fulfils": None,
        "promised": None,
        "fulfilled": None,
        "outstanding": None,
        "written_off": None,
    }


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [("75250.5", "KWD", "75250.500"), ("75250.125", "KWD", "75250.125"), ("1000000", "JPY", "1000000"),
     ("1000000.000", "JPY", "1000000"), ("0.5", "USD", "0.50")],
)  # fmt: skip
def test_money_is_answered_with_the_currency_digits(
    api: TestClient, auth: Headers, parties: dict[str, str], amount: str, currency: str, shown: str
) -> None:
    made = api.post(URL, json=contribution(parties, money(amount, currency)), headers=auth["clerk"])
    assert made.status_code == 201, made.text
    assert made.json()["lines"][0]["amount"] == {"amount": shown, "currency": currency}


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        (money("1.5", "JPY"), "lines[0].amount", "JPY has no minor units, got 1.5"),
        (money("10.001", "USD"), "lines[0].amount", "USD has 2 decimal places, got 10.001"),
        (money("0", "USD"), "lines[0].amount", "must be more than zero, got 0"),
        (money("10", "AZM"), "lines[0].amount.currency", "'AZM' is not a current ISO 4217 currency code"),
        (
            {"kind": "money", "amount": {"amount": 10.5, "currency": "USD"}},
            "lines[0].amount.amount",
            'must be a decimal string such as "10.50", not a JSON number (numbers lose exactness)',
        ),
        (money("1e3", "USD"), "lines[0].amount.amount", SYNTAX),
        (money("-5", "USD"), "lines[0].amount.amount", SYNTAX),
        (money("1" + "0" * 15, "USD"), "lines[0].amount", f"{'1' + '0' * 15} is too large (the limit is {LIMIT})"),
        ({"kind": "gift"}, "lines[0].kind", "must be one of money, goods, service"),
        ({**money("1", "USD"), "item_id": "1"}, "lines[0].item_id", "is not a field of this request"),
    ],
)  # fmt: skip
def test_bad_lines_are_refused_naming_the_field(
    api: TestClient, auth: Headers, parties: dict[str, str], line: dict[str, Any], field: str, message: str
) -> None:
    refused = api.post(URL, json=contribution(parties, line), headers=auth["clerk"])
    assert refused.status_code == 422
    assert refused.json() == {"detail": [{"field": field, "message": message}]}
    assert api.get(URL, headers=auth["viewer"]).json() == {"items": [], "next_cursor": None}


def test_every_pydantic_problem_is_listed_at_once(api: TestClient, auth: Headers) -> None:
    refused = api.post(URL, json={"donor_id": True, "date": "10/02/2023", "status": "given"}, headers=auth["clerk"])
    assert refused.status_code == 422
    assert refused.json() == {
        "detail": [
            {"field": "donor_id", "message": "must be an id: a string or integer as this API returned it"},
            {"field": "recipient_id", "message": "is required"},
            {"field": "date", "message": "must be a date written YYYY-MM-DD"},
            {"field": "status", "message": "Input should be 'pledged', 'committed' or 'paid'"},
            {"field": "lines", "message": "is required"},
        ]
    }


def test_an_unknown_donor_is_named(api: TestClient, auth: Headers, parties: dict[str, str]) -> None:
    body = contribution(parties, money("10", "USD"))
    body["donor_id"] = "999999"
    refused = api.post(URL, json=body, headers=auth["clerk"])
    assert refused.status_code == 422
    assert refused.json() == {"detail": [{"field": "donor_id", "message": "no donor with id 999999"}]}


@pytest.mark.parametrize(
    ("day", "message"), [("2999-01-01", "2999-01-01 is in the future"), ("1989-12-31", "1989-12-31 is before 1990")]
)
def test_a_date_out_of_range_is_named_as_the_caller_sent_it(
    api: TestClient, auth: Headers, parties: dict[str, str], day: str, message: str
) -> None:
    body = {**contribution(parties, money("10", "USD")), "date": day}
    refused = api.post(URL, json=body, headers=auth["clerk"])
    assert refused.status_code == 422
    assert refused.json() == {"detail": [{"field": "date", "message": message}]}
    assert api.get(URL, headers=auth["viewer"]).json() == {"items": [], "next_cursor": None}


def test_a_fulfilment_names_the_fields_of_its_own_request(
    api: TestClient, auth: Headers, parties: dict[str, str]
) -> None:
    made = api.post(URL, json=contribution(parties, money("100", "USD"), status="pledged"), headers=auth["clerk"])
    pledge = made.json()["id"]
    late = api.post(
        f"{URL}/{pledge}/fulfilments", json={"date": "1989-12-31", "lines": [money("10", "USD")]}, headers=auth["clerk"]
    )
    assert late.status_code == 422
    assert late.json() == {"detail": [{"field": "date", "message": "1989-12-31 is before 1990"}]}
    assert api.post(f"{URL}/{pledge}/void", json={"reason": "entered twice"}, headers=auth["clerk"]).status_code == 200
    void = api.post(
        f"{URL}/{pledge}/fulfilments", json={"date": "2023-02-20", "lines": [money("10", "USD")]}, headers=auth["clerk"]
    )
    assert void.status_code == 422
    # The pledge is the one in the path: the request has no fulfils_id.
    assert void.json() == {
        "detail": [{"field": "contribution_id", "message": "C-2023-000001 is void and cannot be fulfilled"}]
    }
    assert [row["number"] for row in api.get(URL, headers=auth["viewer"]).json()["items"]] == ["C-2023-000001"]


def test_status_moves_forward_and_never_back(api: TestClient, auth: Headers, parties: dict[str, str]) -> None:
    made = api.post(
        URL, json=contribution(parties, money("100", "USD"), status="pledged"), headers=auth["clerk"]
    ).json()
    moved = api.post(f"{URL}/{made['id']}/status", json={"status": "committed"}, headers=auth["clerk"])
    assert moved.status_code == 200
    assert moved.json()["status"] == "committed"
    back = api.post(f"{URL}/{made['id']}/status", json={"status": "committed"}, headers=auth["clerk"])
    assert back.status_code == 409
    assert back.json() == {"detail": "status only moves forward: C-2023-000001 is committed, cannot become committed"}


def test_a_void_contribution_says_why(api: TestClient, auth: Headers, parties: dict[str, str]) -> None:
    made = api.post(URL, json=contribution(parties, money("100", "USD")), headers=auth["clerk"]).json()
    voided = api.post(f"{URL}/{made['id']}/void", json={"reason": "entered twice"}, headers=auth["clerk"])
    assert voided.status_code == 200
    shown = api.get(f"{URL}/{made['id']}", headers=auth["viewer"]).json()
    assert (shown["void"], shown["void_reason"], shown["status"]) == (True, "entered twice", "paid")
    assert shown["voided_at"].endswith("Z")
    again = api.post(f"{URL}/{made['id']}/void", json={"reason": "again"}, headers=auth["clerk"])
    assert again.status_code == 409
    assert again.json() == {"detail": "C-2023-000001 is already void"}
    blank = api.post(f"{URL}/{made['id']}/void", json={"reason": ""}, headers=auth["clerk"])
    assert blank.status_code == 422
    assert blank.json()["detail"][0]["field"] == "reason"


def test_a_fulfilment_records_what_arrived_against_a_pledge(
    api: TestClient, auth: Headers, parties: dict[str, str]
) -> None:
    pledge = {"kind": "goods", "item_id": parties["houses"], "quantity": "20", "valuation": "not_valued"}
    made = api.post(URL, json=contribution(parties, pledge, status="pledged"), headers=auth["clerk"]).json()
    delivered = {"kind": "goods", "item_id": parties["houses"], "quantity": "10", "valuation": "not_valued"}
    fulfilled = api.post(
        f"{URL}/{made['id']}/fulfilments", json={"date": "2023-02-20", "lines": [delivered]}, headers=auth["clerk"]
    )
    assert fulfilled.status_code == 201, fulfilled.text
    answer = fulfilled.json()
    assert (answer["fulfils_id"], answer["status"], answer["donor_id"]) == (made["id"], "paid", parties["donor"])
    assert answer["recipient_id"] == parties["recipient"]
    assert answer["lines"][0]["quantity"] == "10"
    money_instead = api.post(
        f"{URL}/{made['id']}/fulfilments",
        json={"date": "2023-02-20", "lines": [money("10", "USD")]},
        headers=auth["clerk"],
    )
    assert money_instead.status_code == 422
    assert money_instead.json() == {
        "detail": [{"field": "lines[0].amount", "message": "C-2023-000001 promised no money in USD"}]
    }
    missing = api.post(
        f"{URL}/424242/fulfilments", json={"date": "2023-02-20", "lines": [delivered]}, headers=auth["clerk"]
    )
    assert missing.status_code == 404


def test_unknown_and_malformed_ids_are_404(api: TestClient, auth: Headers) -> None:
    for ident in ("424242", "abc", "0", "99999999999999999999", "-1"):
        response = api.get(f"{URL}/{ident}", headers=auth["viewer"])
        assert response.status_code == 404, ident
        assert set(response.json()) == {"detail"}


def test_lists_filter_and_page_with_an_opaque_cursor(session: Session, api: TestClient, auth: Headers) -> None:
    kuwait, jica = make_donor(session, "Kuwait Red Crescent"), make_donor(session, "JICA")
    hatay = make_recipient(session, "Hatay field hospital")
    tents = make_item(session, "Tent", "piece", "SHL")
    numbers = [
        make_contribution(session, money_line("75250.500 KWD"), donor=kuwait, recipient=hatay).number,
        make_contribution(session, money_line("1000000 JPY"), donor=jica, recipient=hatay, status="pledged").number,
        make_contribution(session, goods_line(tents, "50", "30.00 USD"), donor=kuwait, recipient=hatay).number,
        make_contribution(session, money_line("10.000 KWD"), donor=kuwait, recipient=hatay, on=_day(3, 1)).number,
    ]

    def listed(query: str) -> list[str]:
        response = api.get(f"{URL}?{query}", headers=auth["viewer"])
        assert response.status_code == 200, response.text
        return [row["number"] for row in response.json()["items"]]

    assert listed(f"donor_id={kuwait.id}") == [numbers[0], numbers[2], numbers[3]]
    assert listed("status=pledged") == [numbers[1]]
    assert listed("kind=goods") == [numbers[2]]
    assert listed("currency=kwd") == [numbers[0], numbers[3]]
    assert listed("from=2023-02-11") == [numbers[3]]
    assert listed("to=2023-02-10&currency=KWD") == [numbers[0]]

    first = api.get(f"{URL}?limit=3", headers=auth["viewer"]).json()
    assert [row["number"] for row in first["items"]] == numbers[:3]
    assert first["next_cursor"] and not first["next_cursor"].isdigit()
    second = api.get(f"{URL}?limit=3&cursor={first['next_cursor']}", headers=auth["viewer"]).json()
    assert [row["number"] for row in second["items"]] == numbers[3:]
    assert second["next_cursor"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [("cursor=nonsense", "cursor"), ("limit=0", "limit"), ("limit=201", "limit"), ("donor_id=x", "donor_id"),
     ("currency=XYZ", "currency"), ("from=2023-02-30", "from"), ("to=0", "to"), ("donor=1", "donor")],
)  # fmt: skip
def test_bad_list_parameters_are_named(api: TestClient, auth: Headers, query: str, field: str) -> None:
    response = api.get(f"{URL}?{query}", headers=auth["viewer"])
    assert response.status_code == 422
    assert [problem["field"] for problem in response.json()["detail"]] == [field]


def _day(month: int, day: int) -> Any:
    from datetime import date

    return date(2023, month, day)
