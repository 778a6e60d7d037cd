"""Letter and item pages: a letter with nothing to thank for is refused; an item's names per language are edited."""

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from webkit import Staff, make_user

from tracker.catalogue.service import item_names
from tracker.db.columns import stored_id
from tracker.db.models import Acknowledgement, Donor, Item
from tracker.demo import load_demo


def confederation(session: Session) -> Donor:
    return session.exec(select(Donor).where(Donor.name.startswith("Azərbaycan Həmkarlar"))).one()


def test_a_letter_with_nothing_to_thank_for_is_refused_on_the_page(client: TestClient, session: Session) -> None:
    load_demo(session)
    clerk = Staff(client)
    clerk.sign_in(make_user(session, "clerk"))
    donor = confederation(session)
    refused = clerk.post("/reports/letters", {"donor_id": str(donor.id), "from": "2024-01-01", "to": "2024-12-31"})
    assert refused.status_code == 422
    assert "nothing to thank for" in BeautifulSoup(refused.text, "html.parser").get_text()
    assert session.exec(select(Acknowledgement)).first() is None


def test_an_items_names_per_language_are_edited_on_its_page(client: TestClient, session: Session) -> None:
    load_demo(session)
    admin = Staff(client)
    admin.sign_in(make_user(session, "admin"))
    item = session.exec(select(Item).where(Item.name == "Container house")).one()
    form = BeautifulSoup(admin.get(f"/items/{item.id}/edit").text, "html.parser")
    values = {i["name"]: i.get("value", "") for i in form.select("form.stack input") if i["name"] != "csrf_token"}
    values |= {s["name"]: (s.select_one("option[selected]") or {"value": ""})["value"] for s in form.select("select")}
    assert (values["name_az"], values["name_ru"]) == ("", "")
    saved = admin.post(f"/items/{item.id}/edit", values | {"name_az": "Konteyner ev", "name_ru": "Контейнерный дом"})
    assert saved.status_code == 303, saved.text
    form = BeautifulSoup(admin.get(f"/items/{item.id}/edit").text, "html.parser")
    assert form.select_one('input[name="name_ru"]')["value"] == "Контейнерный дом"
    assert item_names(session, {stored_id(item)}) == {stored_id(item): {"az": "Konteyner ev", "ru": "Контейнерный дом"}}
    too_long = admin.post(f"/items/{item.id}/edit", values | {"name_tr": "x" * 201})
    assert too_long.status_code == 422
    field = BeautifulSoup(too_long.text, "html.parser").select_one('input[name="name_tr"]')
    assert field is not None and field["value"] == "x" * 201  # the input is kept, next to its message
