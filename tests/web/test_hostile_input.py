"""Ids past the database's integer range and NUL bytes anywhere in a request: 404 or 422, never a 500."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select
from webkit import Staff, make_user, page

from tracker.db.models import SignInFailure

# Past PostgreSQL's INTEGER (2**31 - 1) and past SQLite's 64-bit INTEGER (2**63 - 1).
BIG_IDS = ("2147483648", "9223372036854775808")

PAGES = (
    "/contributions/{id}",
    "/donors/{id}",
    "/donors/{id}/edit",
    "/recipients/{id}",
    "/appeals/{id}",
    "/items/{id}",
    "/reports/donors/{id}",
    "/exports/iati/{id}",
    "/exports/contributions/csv?donor_id={id}",
)
FORMS = (
    "/contributions/{id}/status",
    "/contributions/{id}/void",
    "/donors/{id}/edit",
    "/donors/{id}/archive",
    "/users/{id}/role",
    "/users/{id}/deactivate",
    "/reports/letters",
)


@pytest.fixture
def admin(client: TestClient, session: Session) -> Staff:
    staff = Staff(client)
    assert staff.sign_in(make_user(session, "admin")).status_code == 303
    return staff


@pytest.mark.parametrize("big", BIG_IDS)
@pytest.mark.parametrize("path", PAGES)
def test_a_page_for_an_id_out_of_range_is_not_a_500(admin: Staff, path: str, big: str) -> None:
    response = admin.get(path.format(id=big))
    assert response.status_code in (404, 422), (response.status_code, response.text[:300])


@pytest.mark.parametrize("big", BIG_IDS)
@pytest.mark.parametrize("path", FORMS)
def test_a_form_for_an_id_out_of_range_is_not_a_500(admin: Staff, path: str, big: str) -> None:
    fields = {"status": "paid", "reason": "x", "role": "viewer", "name": "x", "donor_id": big}
    response = admin.post(path.format(id=big), fields)
    assert response.status_code in (404, 422), (response.status_code, response.text[:300])


@pytest.mark.parametrize("name", ["donor_id", "recipient_id", "appeal_id"])
def test_a_list_filtered_by_an_id_out_of_range_says_so_beside_the_filter(admin: Staff, name: str) -> None:
    response = admin.get(f"/contributions?{name}=2147483648")
    assert response.status_code == 200
    assert "2147483648 is not an id" in page(response).get_text()


@pytest.mark.parametrize("big", BIG_IDS)
def test_a_pledge_out_of_range_to_fulfil_gives_the_plain_entry_form(admin: Staff, big: str) -> None:
    response = admin.get(f"/contributions/new?fulfils={big}&recorded={big}")
    assert response.status_code == 200
    assert page(response).find("form") is not None


NUL_PAGES = (
    "/contributions?q=a%00b",
    "/contributions?donor_id=1%00",
    "/donors?q=%00",
    "/donors/lookup?q=%00",
    "/recipients?q=%00",
    "/items?q=%00",
    "/journal?q=%00",
    "/reports/letters/L%00-1",
)


@pytest.mark.parametrize("path", NUL_PAGES)
def test_a_nul_in_a_query_or_path_is_422(admin: Staff, path: str) -> None:
    response = admin.get(path)
    assert response.status_code == 422, (response.status_code, response.text[:300])
    assert "must not contain NUL characters" in response.text


def test_a_nul_in_the_sign_in_form_is_422_and_records_no_failure(client: TestClient, session: Session) -> None:
    staff = Staff(client)
    make_user(session, "clerk")
    staff.refresh_token("/login")
    response = staff.post("/login", {"email": "clerk@example.org\x00", "password": "x"})
    assert response.status_code == 422
    assert "must not contain NUL characters" in page(response).get_text()
    assert session.exec(select(func.count()).select_from(SignInFailure)).one() == 0


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/donors/new", {"name": "Nul\x00 donor", "kind": "organisation"}),
        ("/contributions/new", {"reference": "\x00"}),
        ("/users", {"email": "a\x00@example.org", "role": "clerk"}),
    ],
)
def test_a_nul_in_a_form_field_is_422(admin: Staff, path: str, data: dict[str, str]) -> None:
    response = admin.post(path, data)
    assert response.status_code == 422, (response.status_code, response.text[:300])
    assert "must not contain NUL characters" in page(response).get_text()
