"""Malformed, oversized, deeply nested or strange input is a 4xx naming the problem, never a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

Headers = dict[str, dict[str, str]]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (b"{not json", "body", "is not valid JSON"),
        (b"\xff\xfe\x00", "body", "is not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "body", "is not valid JSON"),
        (b"[]", "body", "must be a JSON object"),
        (b'"a donor"', "body", "must be a JSON object"),
    ],
)
def test_a_body_that_is_not_an_object_is_422(
    api: TestClient, auth: Headers, body: bytes, field: str, message: str
) -> None:
    response = api.post("/api/v1/donors", content=body, headers={**auth["clerk"], "Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert response.json() == {"detail": [{"field": field, "message": message}]}


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("x" * 201, "String should have at most 200 characters"),
        ("Nul\x00byte", "must not contain NUL characters"),
        (12, "Input should be a valid string"),
        ({"deep": [[[[]]]]}, "Input should be a valid string"),
    ],
)
def test_strange_names_are_422(api: TestClient, auth: Headers, name: object, message: str) -> None:
    response = api.post("/api/v1/donors", json={"name": name, "kind": "company"}, headers=auth["clerk"])
    assert response.status_code == 422, response.text
    assert response.json() == {"detail": [{"field": "name", "message": message}]}


def test_a_lone_surrogate_is_422(api: TestClient, auth: Headers) -> None:
    body = b'{"name": "lone \\ud800 surrogate", "kind": "company"}'
    response = api.post("/api/v1/donors", content=body, headers={**auth["clerk"], "Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json() == {"detail": [{"field": "name", "message": "must be valid Unicode (no lone surrogates)"}]}


def test_huge_numbers_are_422(api: TestClient, auth: Headers) -> None:
    body = {"donor_id": "9" * 400, "recipient_id": 2**70, "date": "2023-02-10", "status": "paid",
            "lines": [{"kind": "money", "amount": {"amount": "9" * 25, "currency": "USD"}}]}  # fmt: skip
    response = api.post("/api/v1/contributions", json=body, headers=auth["clerk"])
    assert response.status_code == 422
    assert [problem["field"] for problem in response.json()["detail"]] == [
        "donor_id",
        "recipient_id",
        "lines[0].amount.amount",
    ]


def test_a_body_over_the_limit_is_413(api: TestClient, auth: Headers) -> None:
    big = b'{"name": "' + b"x" * (1024 * 1024) + b'", "kind": "company"}'
    response = api.post("/api/v1/donors", content=big, headers={**auth["clerk"], "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json() == {"detail": "the request body is larger than 1048576 bytes"}


def test_a_wrong_method_lists_the_right_ones(api: TestClient, auth: Headers) -> None:
    response = api.delete("/api/v1/donors", headers=auth["admin"])
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, POST"


def test_nul_in_a_search_is_422(api: TestClient, auth: Headers) -> None:
    response = api.get("/api/v1/donors", params={"q": "a\x00b"}, headers=auth["viewer"])
    assert response.status_code == 422
    assert response.json() == {"detail": [{"field": "q", "message": "must not contain NUL characters"}]}


def test_the_openapi_describes_only_the_api(api: TestClient) -> None:
    schema = api.get("/openapi.json").json()
    assert set(schema["paths"]) and all(path.startswith("/api/v1/") for path in schema["paths"])
    create = schema["paths"]["/api/v1/contributions"]["post"]
    body = schema["components"]["schemas"]["ContributionCreate"]
    assert body["examples"][0]["lines"][0] == {"kind": "money", "amount": {"amount": "500000.00", "currency": "AZN"}}
    assert {"401", "403", "409", "422"} <= set(create["responses"])
    assert api.get("/docs").status_code == 200


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/donors?q=%00", "q"),
        ("/api/v1/contributions?q=a%00", "q"),
        ("/api/v1/contributions?donor_id=1%00", "donor_id"),
        ("/api/v1/contributions?%00=1", "?"),
        ("/api/v1/donors/1%00", "donor_id"),
    ],
)
def test_a_nul_in_a_query_or_path_is_422(api: TestClient, auth: Headers, path: str, field: str) -> None:
    response = api.get(path, headers=auth["viewer"])
    assert response.status_code == 422, response.text
    assert response.json() == {"detail": [{"field": field, "message": "must not contain NUL characters"}]}


@pytest.mark.parametrize("path", ["/api/v1/donors/2147483648", "/api/v1/contributions/9223372036854775808"])
def test_an_id_out_of_range_is_404(api: TestClient, auth: Headers, path: str) -> None:
    assert api.get(path, headers=auth["viewer"]).status_code == 404
