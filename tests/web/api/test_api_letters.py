"""Letters over the API: issued once, reprinted byte for byte whatever changes since, checked by their digests."""

from __future__ import annotations

import sqlalchemy as sa
from bs4 import BeautifulSoup
from factories import make_donor
from fastapi.testclient import TestClient
from report_support import donor_named
from sqlmodel import Session, select
from webkit import Staff, make_user

from tracker.db.models import Acknowledgement, Contribution, Item
from tracker.demo import load_demo
from tracker.reporting.reports.letter_prints import letters_match_their_digests

Headers = dict[str, dict[str, str]]
FEBRUARY = {"from": "2023-02-01", "to": "2023-02-28"}


def contribution_id(session: Session, number: str) -> int:
    found = session.exec(select(Contribution.id).where(Contribution.number == number)).one()
    assert found is not None
    return found


def lines(page: BeautifulSoup, selector: str) -> list[str]:
    """Each element's text, its spaces (no-break ones too) made plain."""
    return [" ".join(element.get_text(" ").split()) for element in page.select(selector)]


def allow_rewriting_letters(session: Session) -> None:
    """Only someone who drops the append-only triggers can rewrite a stored letter; the digest still tells."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(sa.text("DROP TRIGGER acknowledgement_print_no_update"))
    else:
        session.execute(sa.text("ALTER TABLE acknowledgement_print DISABLE TRIGGER acknowledgement_print_append_only"))


def test_a_letter_never_changes_after_renames_and_a_void_and_verify_catches_a_changed_byte(
    session: Session, api: TestClient, client: TestClient, auth: Headers
) -> None:
    load_demo(session)
    ahik = donor_named(session, "Azərbaycan Həmkarlar")
    houses = session.exec(select(Item).where(Item.name == "Container house")).one()
    made = api.post(f"/api/v1/donors/{ahik.id}/letters", json=FEBRUARY | {"lang": "en"}, headers=auth["clerk"])
    assert made.status_code == 201, made.text
    letter = made.json()
    number = letter["number"]
    assert (letter["from"], letter["to"], letter["lang"], letter["affected"]) == (
        "2023-02-01",
        "2023-02-28",
        "en",
        False,
    )
    assert len(letter["digest"]) == 64

    def download(fmt: str) -> bytes:
        answer = api.get(f"/api/v1/letters/{number}?format={fmt}", headers=auth["viewer"])
        assert answer.status_code == 200, answer.text
        return answer.content

    html, pdf = download("html"), download("pdf")
    assert pdf.startswith(b"%PDF")
    printed = BeautifulSoup(html, "html.parser")
    assert printed.select_one(".addressee").get_text() == "Azərbaycan Həmkarlar İttifaqları Konfederasiyası (AHİK)"
    assert printed.select_one(".copy-mark").get_text() == "COPY"  # every download is a reprint
    assert lines(printed, "ul.received li") == [
        "AZN500,000.00",
        "10 pieces — Container house",
    ]

    # After the letter: the donor and the item are renamed, and the 500,000 AZN transfer is voided.
    renamed = api.patch(f"/api/v1/donors/{ahik.id}", json={"name": "AHİK"}, headers=auth["clerk"])
    assert renamed.status_code == 200 and renamed.json()["name"] == "AHİK"
    renamed = api.patch(f"/api/v1/items/{houses.id}", json={"name": "Modular house"}, headers=auth["admin"])
    assert renamed.status_code == 200 and renamed.json()["name"] == "Modular house"
    transfer = contribution_id(session, "C-2023-000003")
    voided = api.post(f"/api/v1/contributions/{transfer}/void", json={"reason": "Wrong donor"}, headers=auth["clerk"])
    assert voided.status_code == 200, voided.text

    assert download("html") == html
    assert download("pdf") == pdf
    assert letters_match_their_digests(session) == []

    # The donor's page marks the letter affected and offers a replacement, which cancels it.
    clerk = Staff(client)
    clerk.sign_in(make_user(session, "clerk", "page-clerk@example.org"))
    row = BeautifulSoup(clerk.get(f"/donors/{ahik.id}").text, "html.parser").select_one(f'tr[data-letter="{number}"]')
    assert row is not None and row.select_one(".affected") is not None
    form = row.select_one("form")
    assert form is not None and form.select_one('input[name="replaces"]')["value"] == number
    fields = {i["name"]: i.get("value", "") for i in form.select("input") if i["name"] != "csrf_token"}
    replaced = clerk.post("/reports/letters", fields)
    assert replaced.status_code == 303, replaced.text
    new_number = replaced.headers["location"].rsplit("/", 1)[-1]
    page = BeautifulSoup(clerk.get(f"/donors/{ahik.id}").text, "html.parser")
    old_row = page.select_one(f'tr[data-letter="{number}"]')
    assert old_row is not None and old_row.select_one(".cancelled") is not None
    assert old_row.select_one("form") is None
    replacement = BeautifulSoup(download_of(api, auth, new_number), "html.parser")
    assert replacement.select_one(".replaces") is not None and number in replacement.select_one(".replaces").get_text()
    assert lines(replacement, "ul.received li") == ["10 pieces — Modular house"]
    assert replacement.select_one(".addressee").get_text() == "AHİK"
    again = api.post(f"/api/v1/donors/{ahik.id}/letters", json=FEBRUARY | {"replaces": number}, headers=auth["clerk"])
    assert again.status_code == 409  # a letter is replaced once
    assert download("html") == html  # the cancelled letter still reprints as issued
    assert letters_match_their_digests(session) == []

    # One byte of the stored letter changed: verify names the letter.
    allow_rewriting_letters(session)
    letter_id = session.exec(select(Acknowledgement.id).where(Acknowledgement.number == number)).one()
    session.execute(
        sa.text(
            "UPDATE acknowledgement_print SET content = REPLACE(content, '500000.00', '500000.01') "
            "WHERE acknowledgement_id = :id"
        ),
        {"id": letter_id},
    )
    assert letters_match_their_digests(session) == [f"letter {number}: its printed content does not match its digest"]


def download_of(api: TestClient, auth: Headers, number: str) -> bytes:
    answer = api.get(f"/api/v1/letters/{number}?format=html", headers=auth["viewer"])
    assert answer.status_code == 200, answer.text
    return answer.content


def test_a_period_with_nothing_to_thank_for_gets_no_letter(session: Session, api: TestClient, auth: Headers) -> None:
    load_demo(session)
    ahik = donor_named(session, "Azərbaycan Həmkarlar")
    for donor_id, body in [
        (ahik.id, {"from": "2024-01-01", "to": "2024-12-31"}),  # nothing in 2024
        (make_donor(session, "New friend").id, {}),  # nothing ever
    ]:
        refused = api.post(f"/api/v1/donors/{donor_id}/letters", json=body, headers=auth["clerk"])
        assert refused.status_code == 422, refused.text
        [problem] = refused.json()["detail"]
        assert problem["field"] == "period" and "nothing to thank for" in problem["message"]
    assert session.exec(select(sa.func.count()).select_from(Acknowledgement)).one() == 0


def test_a_letter_request_names_its_bad_fields(session: Session, api: TestClient, auth: Headers) -> None:
    load_demo(session)
    ahik = donor_named(session, "Azərbaycan Həmkarlar")
    for body, field in [({"lang": "fr"}, "lang"), ({"from": "2023-13-01"}, "from"), ({"number": "L-1"}, "number")]:
        refused = api.post(f"/api/v1/donors/{ahik.id}/letters", json=body, headers=auth["clerk"])
        assert refused.status_code == 422, refused.text
        assert [p["field"] for p in refused.json()["detail"]] == [field]
    assert api.post(f"/api/v1/donors/{ahik.id}/letters", json={}, headers=auth["viewer"]).status_code == 403
    assert api.post("/api/v1/donors/999999/letters", json={}, headers=auth["clerk"]).status_code == 404
    assert api.get("/api/v1/letters/L-1999-000001", headers=auth["viewer"]).status_code == 404
    assert api.get("/api/v1/letters/L-1999-000001?format=docx", headers=auth["viewer"]).status_code == 422
