"""Every currency picker offers the common currencies first, then every other one A to Z."""

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from webkit import Staff, make_user, page

COMMON = ["AZN", "TRY", "USD", "EUR", "RUB", "GBP", "JPY", "KWD"]


@pytest.mark.parametrize(
    ("path", "select_name"),
    [
        ("/contributions", "currency"),  # the list's filter
        ("/contributions/new", "lines[0].amount.currency"),  # a money line of the entry form
        ("/rates", "currency"),
        ("/appeals/new", "target_currency"),
        ("/items/new", "unit_value_currency"),
        ("/settings", "reporting_currency"),
    ],
)
def test_common_currencies_come_first_in_every_picker(
    client: TestClient, session: Session, path: str, select_name: str
) -> None:
    admin = Staff(client)
    admin.sign_in(make_user(session, "admin"))
    response = admin.get(path)
    assert response.status_code == 200
    picker = page(response).find("select", attrs={"name": select_name})
    assert picker is not None, f"no select named {select_name} on {path}"
    codes = [option["value"] for option in picker.find_all("option") if option["value"]]
    common = [code for code in COMMON if code in codes]  # the rates page leaves out the reporting currency
    assert len(common) >= len(COMMON) - 1
    assert codes[: len(common)] == common
    rest = codes[len(common) :]
    assert rest == sorted(rest)
    assert not set(rest) & set(COMMON)
    assert "AED" in rest and "ZWG" in rest
