"""Dates on the staff pages: typed in the page's language and read by one rule, never by the browser's locale."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from factories import make_appeal, make_contribution, make_donor, make_recipient
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select
from webkit import Staff, make_user, page

from tracker.db.models import Appeal, Contribution

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.fixture
def clerk(client: TestClient, session: Session) -> Staff:
    staff = Staff(client)
    assert staff.sign_in(make_user(session, "clerk")).status_code == 303
    return staff


def entry(staff: Staff, value_date: str) -> dict[str, str]:
    token = page(staff.get("/contributions/new")).find("input", attrs={"name": "submission"})["value"]
    return {
        "submission": str(token), "donor": "Donor", "recipient": "Recipient", "value_date": value_date,
        "status": "paid", "line_count": "1", "lines[0].kind": "money", "lines[0].amount": "100",
        "lines[0].amount.currency": "AZN",
    }  # fmt: skip


def recorded_dates(session: Session) -> list[date]:
    return list(session.exec(select(Contribution.value_date).order_by(Contribution.id)).all())


def test_no_page_uses_the_browsers_date_input() -> None:
    found = [p.name for p in TEMPLATES.rglob("*.html") if re.search(r"type=[\"']?date\b", p.read_text("utf-8"))]
    assert found == []


def test_the_entry_forms_focus_is_on_donor_until_a_refusal_takes_it(clerk: Staff, session: Session) -> None:
    form = page(clerk.get("/contributions/new")).find("form", id="entry-form")
    assert [field["name"] for field in form.find_all(autofocus=True)] == ["donor"]
    refused = clerk.post("/contributions/new", entry(clerk, "31.02.2023"))
    assert refused.status_code == 422
    assert page(refused).find(autofocus=True) is None  # the error summary has it


@pytest.mark.parametrize(
    ("language", "typed", "recorded"),
    [("az", "10.02.2023", date(2023, 2, 10)), ("ru", "1.3.2023", date(2023, 3, 1)),
     ("tr", "10.02.23", date(2023, 2, 10)), ("en", "2/10/2023", date(2023, 2, 10)),
     ("az", "2023-02-10", date(2023, 2, 10)), ("az", "28/02/2023", date(2023, 2, 28))],
)  # fmt: skip
def test_the_value_date_is_read_in_the_pages_language(
    clerk: Staff, session: Session, language: str, typed: str, recorded: date
) -> None:
    make_donor(session, "Donor")
    make_recipient(session, "Recipient")
    clerk.client.cookies.set("lang", language)
    assert clerk.post("/contributions/new", entry(clerk, typed)).status_code == 303
    assert recorded_dates(session) == [recorded]


def test_the_form_shows_the_languages_pattern_and_today_as_it_is_typed(clerk: Staff) -> None:
    clerk.client.cookies.set("lang", "az")
    field = page(clerk.get("/contributions/new")).find("input", attrs={"name": "value_date"})
    assert field["type"] == "text"
    assert field["placeholder"] == "dd.mm.yyyy"
    assert field["value"] == date.today().strftime("%d.%m.%Y")
    hint = page(clerk.get("/contributions/new")).find(id="f-value_date-hint").get_text()
    assert hint == "dd.mm.yyyy · məsələn, 31.12.2025"
    clerk.client.cookies.set("lang", "en")
    english = page(clerk.get("/contributions/new")).find("input", attrs={"name": "value_date"})
    assert english["placeholder"] == "mm/dd/yyyy"


@pytest.mark.parametrize(
    ("typed", "message"),
    [("10022023", "'10022023' tarix deyil; belə yazın: 31.12.2025"),  # the az clerk's digits: no guess at 2 Oct
     ("31.02.2023", "'31.02.2023' mövcud olmayan tarixdir"),
     ("03/04/2023", "'03/04/2023' birmənalı deyil")],
)  # fmt: skip
def test_a_date_that_cannot_be_read_is_refused_beside_its_field_in_the_pages_language(
    clerk: Staff, session: Session, typed: str, message: str
) -> None:
    make_donor(session, "Donor")
    make_recipient(session, "Recipient")
    clerk.client.cookies.set("lang", "az")
    refused = clerk.post("/contributions/new", entry(clerk, typed))
    assert refused.status_code == 422
    html = page(refused)
    assert message in html.find(id="f-value_date-error").get_text()
    assert html.find("input", attrs={"name": "value_date"})["value"] == typed  # kept as typed
    assert session.exec(select(func.count()).select_from(Contribution)).one() == 0


def test_the_list_filters_read_dates_as_the_page_types_them(clerk: Staff, session: Session) -> None:
    first = make_contribution(session, on=date(2023, 2, 10))
    second = make_contribution(session, on=date(2023, 3, 1))
    clerk.client.cookies.set("lang", "az")

    def listed(query: str) -> list[str]:
        rows = page(clerk.get("/contributions?sort=number&" + query)).find("table", class_="contributions")
        return [] if rows is None else [a.get_text() for a in rows.select("tbody tr td:first-child a")]

    assert listed("from=11.02.2023") == [second.number]
    assert listed("to=28.02.2023") == [first.number]
    assert listed("from=2023-03-01") == [second.number]  # the app's own links carry ISO dates
    exported = clerk.get("/exports/contributions/csv?from=11.02.2023").content.decode("utf-8-sig")
    assert first.number not in exported and second.number in exported
    refused = page(clerk.get("/contributions?to=31.02.2023"))
    assert "mövcud olmayan tarixdir" in refused.find(class_="error").get_text()


def test_a_rate_and_a_journal_filter_take_the_pages_date(clerk: Staff, session: Session) -> None:
    admin = Staff(clerk.client)
    admin.sign_in(make_user(session, "admin", email="admin@example.org"))
    clerk.client.cookies.set("lang", "ru")
    journal = page(admin.get("/journal?from=31.02.2023"))
    assert "31.02.2023" in journal.find(class_="error").get_text()
    assert page(admin.get("/journal?from=01.02.2023")).find(class_="error") is None
    rates = page(admin.get("/rates"))
    assert rates.find("input", attrs={"name": "date"})["placeholder"] == "dd.mm.yyyy"


def test_an_appeals_dates_are_shown_and_read_as_the_page_types_them(clerk: Staff, session: Session) -> None:
    appeal = make_appeal(session, "TR-EQ-2023")
    admin = Staff(clerk.client)
    admin.sign_in(make_user(session, "admin", email="admin@example.org"))
    clerk.client.cookies.set("lang", "tr")
    form = page(admin.get(f"/appeals/{appeal.id}/edit")).find("input", attrs={"name": "start_date"})
    assert (form["type"], form["placeholder"], form["value"]) == ("text", "dd.mm.yyyy", "")
    saved = admin.post(f"/appeals/{appeal.id}/edit", {"name": appeal.name, "start_date": "6.2.2023", "end_date": ""})
    assert saved.status_code == 303, saved.text
    session.expire_all()
    assert session.get(Appeal, appeal.id).start_date == date(2023, 2, 6)  # type: ignore[union-attr]
    shown = page(admin.get(f"/appeals/{appeal.id}/edit")).find("input", attrs={"name": "start_date"})
    assert shown["value"] == "6.02.2023"  # CLDR's tr short date: the day without its zero
