"""PATCH of donors, recipients, appeals and items: descriptive fields change and are journalled; nothing else does."""

from __future__ import annotations

import json

import pytest
from factories import make_appeal, make_contribution, make_donor, make_item, make_recipient, money_line
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from tracker.db.models import Contribution, JournalEvent

Headers = dict[str, dict[str, str]]


def last_event(session: Session, action: str) -> JournalEvent:
    found = session.exec(
        select(JournalEvent).where(JournalEvent.action == action).order_by(col(JournalEvent.id).desc())
    )
    return found.first()  # type: ignore[return-value]


def test_a_donor_is_corrected_field_by_field_and_its_contributions_stay(
    session: Session, api: TestClient, auth: Headers
) -> None:
    donor = make_donor(session, "Ayse Yilmaz", "individual", country="TR", email="ayse@example.com")
    recorded = make_contribution(session, money_line("100.00 TRY"), donor=donor)
    answer = api.patch(
        f"/api/v1/donors/{donor.id}", json={"name": "Ayşe Yılmaz", "phone": "+90 555 000 00 00"}, headers=auth["clerk"]
    )
    assert answer.status_code == 200, answer.text
    shown = answer.json()
    assert (shown["name"], shown["phone"], shown["email"], shown["country"], shown["kind"]) == (
        "Ayşe Yılmaz",
        "+90 555 000 00 00",
        "ayse@example.com",  # left out: stays
        "TR",
        "individual",
    )
    assert api.get(f"/api/v1/donors/{donor.id}", headers=auth["viewer"]).json() == shown
    event = last_event(session, "donor.updated")
    assert json.loads(event.before or "") == {"name": "Ayse Yilmaz", "phone": None}
    assert json.loads(event.after or "") == {"name": "Ayşe Yılmaz", "phone": "+90 555 000 00 00"}
    cleared = api.patch(f"/api/v1/donors/{donor.id}", json={"email": None}, headers=auth["clerk"])
    assert cleared.status_code == 200 and cleared.json()["email"] is None
    assert session.get(Contribution, recorded.id).donor_id == donor.id  # type: ignore[union-attr]


def test_recipients_appeals_and_items_are_patched_too(session: Session, api: TestClient, auth: Headers) -> None:
    recipient, appeal, item = make_recipient(session, "Kizilay"), make_appeal(session), make_item(session)
    answer = api.patch(f"/api/v1/recipients/{recipient.id}", json={"name": "Türk Kızılay"}, headers=auth["clerk"])
    assert (answer.status_code, answer.json()["name"]) == (200, "Türk Kızılay")
    answer = api.patch(
        f"/api/v1/appeals/{appeal.id}",
        json={"target": {"amount": "5000000.00", "currency": "AZN"}, "glide": "EQ-2023-000015-TUR"},
        headers=auth["admin"],
    )
    assert answer.status_code == 200, answer.text
    assert (answer.json()["target"], answer.json()["glide"], answer.json()["code"]) == (
        {"amount": "5000000.00", "currency": "AZN"},
        "EQ-2023-000015-TUR",
        "TEST-2023",
    )
    answer = api.patch(
        f"/api/v1/items/{item.id}",
        json={"names": {"az": "Konteyner ev", "ru": "Контейнерный дом"}, "cluster": "CCM"},
        headers=auth["admin"],
    )
    assert answer.status_code == 200, answer.text
    assert (answer.json()["names"], answer.json()["cluster"], answer.json()["unit"]) == (
        {"az": "Konteyner ev", "ru": "Контейнерный дом"},
        "CCM",
        "piece",
    )
    event = last_event(session, "item.updated")
    assert json.loads(event.after or "") == {
        "cluster": "CCM",
        "names": {"az": "Konteyner ev", "ru": "Контейнерный дом"},
    }
    answer = api.patch(
        f"/api/v1/items/{item.id}", json={"names": {"az": "", "tr": "Konteyner ev"}}, headers=auth["admin"]
    )
    assert answer.json()["names"] == {"tr": "Konteyner ev"}  # names are replaced as a whole; blank removes
    assert api.get(f"/api/v1/items/{item.id}", headers=auth["viewer"]).json()["names"] == {"tr": "Konteyner ev"}
    listed = api.get("/api/v1/items", headers=auth["viewer"]).json()["items"]
    assert [row["names"] for row in listed] == [{"tr": "Konteyner ev"}]


@pytest.mark.parametrize(
    ("kind", "body", "field"),
    [
        ("donors", {"id": "7"}, "id"),
        ("donors", {"archived": True}, "archived"),
        ("donors", {"created_at": "2023-01-01T00:00:00Z"}, "created_at"),
        ("recipients", {"archived": True}, "archived"),
        ("appeals", {"code": "NEW-CODE"}, "code"),
        ("items", {"unit": "kg"}, "unit"),
        ("items", {"names": {"fr": "Maison"}}, "names"),
        ("donors", {"name": None}, "name"),
        ("donors", {"kind": "alien"}, "kind"),
        ("appeals", {"target": {"amount": "1.001", "currency": "AZN"}}, "target"),
    ],
)
def test_a_patch_of_anything_but_a_descriptive_field_is_refused_and_changes_nothing(
    session: Session, api: TestClient, auth: Headers, kind: str, body: dict[str, object], field: str
) -> None:
    rows = {"donors": make_donor, "recipients": make_recipient, "appeals": make_appeal, "items": make_item}
    row = rows[kind](session)
    before = api.get(f"/api/v1/{kind}/{row.id}", headers=auth["viewer"]).json()
    answer = api.patch(f"/api/v1/{kind}/{row.id}", json=body | {"notes": "x"} if kind == "donors" else body,
                       headers=auth["admin"])  # fmt: skip
    assert answer.status_code == 422, answer.text
    assert [p["field"].split(".")[0] for p in answer.json()["detail"]] == [field]
    assert api.get(f"/api/v1/{kind}/{row.id}", headers=auth["viewer"]).json() == before


def test_who_may_patch_what(session: Session, api: TestClient, auth: Headers) -> None:
    donor, item = make_donor(session), make_item(session)
    assert api.patch(f"/api/v1/donors/{donor.id}", json={"notes": "x"}, headers=auth["viewer"]).status_code == 403
    assert api.patch(f"/api/v1/items/{item.id}", json={"name": "Tent"}, headers=auth["clerk"]).status_code == 403
    assert api.patch("/api/v1/donors/999999", json={"notes": "x"}, headers=auth["clerk"]).status_code == 404
