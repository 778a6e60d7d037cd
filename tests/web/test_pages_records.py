"""The pages that read and correct records: list with totals, contribution page, catalogue, users, settings, journal."""

from __future__ import annotations

import pytest
from factories import goods_line, make_appeal, make_contribution, make_donor, make_item, make_recipient, money_line
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlmodel import Session, select
from webkit import Staff, make_user, page

from tracker.db.models import Appeal, Contribution, Donor, Item, JournalEvent, User
from tracker.settings.current import effective_settings


@pytest.fixture
def admin(client: TestClient, session: Session) -> Staff:
    staff = Staff(client)
    assert staff.sign_in(make_user(session, "admin")).status_code == 303
    return staff


def match_count(response: Response) -> str:
    """The list's "N contributions match." line."""
    return page(response).find(id="match-count").get_text(" ", strip=True)


def listed(response: Response) -> list[str]:
    """The names a catalogue list shows, in order."""
    return [row.find("a").get_text(strip=True) for row in page(response).find("table").find("tbody").find_all("tr")]


def numbers(response) -> list[str]:  # type: ignore[no-untyped-def]
    rows = page(response).find("table", class_="contributions").find("tbody").find_all("tr")
    return [row.find("a").get_text() for row in rows if row.find("a")]


def totals(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    section = page(response).find("section", class_="totals")
    if section is None:
        return {}
    return {
        row.find("th").get_text(): [td.get_text(strip=True) for td in row.find_all("td")]
        for row in section.find("tbody").find_all("tr")
    }


def test_the_list_filters_sorts_and_totals_per_currency(admin: Staff, session: Session) -> None:
    baku, ankara = make_donor(session, "Bakı Fondu"), make_donor(session, "Ankara Vakfı")
    shelter = make_recipient(session, "Kahramanmaraş Shelter")
    house = make_item(session, "Container house")
    a = make_contribution(session, money_line("500000.00 AZN"), donor=baku, recipient=shelter)
    b = make_contribution(session, money_line("150.50 USD"), money_line("99.50 USD"), donor=ankara, status="pledged")
    c = make_contribution(session, goods_line(house, "10", "1200.00 AZN"), donor=baku, status="committed")
    voided = make_contribution(session, money_line("7.00 AZN"), donor=baku)
    from tracker.ledger.service import void_contribution

    void_contribution(session, voided.id, "entered twice", None)

    everything = admin.get("/contributions?sort=number")
    assert numbers(everything) == sorted([a.number, b.number, c.number, voided.number])
    assert totals(everything) == {
        "AZN": ["", "AZN12,000.00", "AZN500,000.00"],
        "USD": ["$250.00", "", ""],
    }
    assert numbers(admin.get(f"/contributions?donor_id={baku.id}&sort=number")) == [a.number, c.number, voided.number]
    assert numbers(admin.get("/contributions?kind=goods")) == [c.number]
    assert numbers(admin.get("/contributions?currency=USD")) == [b.number]
    assert numbers(admin.get("/contributions?status=void")) == [voided.number]
    assert numbers(admin.get("/contributions?status=paid&sort=number")) == [a.number]
    assert numbers(admin.get("/contributions?q=ANKARA")) == [b.number]
    assert numbers(admin.get("/contributions?q=bakı&sort=-number")) == [voided.number, c.number, a.number]
    assert numbers(admin.get("/contributions?from=2023-02-11")) == []
    assert totals(admin.get("/contributions?kind=money&donor_id=" + str(baku.id))) == {"AZN": ["", "", "AZN500,000.00"]}
    void_row = page(everything).find("tr", class_="void")
    assert "entered twice" in void_row.get_text()
    bad = admin.get("/contributions?from=yesterday")
    assert bad.status_code == 200
    assert "from: 'yesterday' is not a date; type it like 12/31/2025" in page(bad).find(class_="error").get_text()
    typed = admin.get("/contributions?from=2%2F11%2F2023&sort=number")  # the page's date, typed as in English
    assert numbers(typed) == []
    everyone = sorted([a.number, b.number, c.number, voided.number])
    assert numbers(admin.get("/contributions?to=2%2F10%2F2023&sort=number")) == everyone


def test_the_list_pages_through_many(admin: Staff, session: Session) -> None:
    donor, recipient = make_donor(session), make_recipient(session)
    for _ in range(52):
        make_contribution(session, money_line("1.00 EUR"), donor=donor, recipient=recipient)
    first = admin.get("/contributions")
    assert len(numbers(first)) == 50
    assert match_count(first) == "52 contributions match."
    second = admin.get(page(first).find("a", rel="next")["href"])
    assert len(numbers(second)) == 2
    assert totals(second) == {"EUR": ["", "", "€52.00"]}


def test_a_large_match_is_counted_to_the_cap_and_its_totals_left_to_the_reports(
    admin: Staff, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tracker.ledger.queries

    monkeypatch.setattr(tracker.ledger.queries, "COUNT_CAP", 3)  # 1,000 in use; 3 keeps the ledger small
    donor, recipient = make_donor(session), make_recipient(session)
    for amount in ("1.00", "2.00", "3.00", "4.00"):
        make_contribution(session, money_line(f"{amount} EUR"), donor=donor, recipient=recipient)
    make_contribution(session, money_line("5.00 USD"), money_line("6.00 USD"), donor=donor, recipient=recipient)

    many = admin.get("/contributions")
    assert match_count(many) == "More than 3 contributions match."
    assert totals(many) == {}
    assert "Totals are summed for at most 3 contributions" in page(many).find("p", class_="hint").get_text()
    assert page(many).find("nav", class_="pager").find("span").get_text() == "Page 1 of more than 1"
    assert len(numbers(many)) == 5  # the cap stops the count, not the list
    assert page(many).find("a", rel="next") is None  # the page is not full: nothing follows
    euros = admin.get("/contributions?currency=EUR")
    assert match_count(euros) == "More than 3 contributions match."
    dollars = admin.get("/contributions?currency=USD&status=paid")  # two lines, one contribution
    assert match_count(dollars) == "1 contribution matches."
    assert totals(dollars) == {"USD": ["", "", "$11.00"]}
    assert match_count(admin.get("/contributions?lang=az")) == "Uyğun ianə: 3-dən çox."
    donor_totals = page(admin.get(f"/donors/{donor.id}")).find("table", class_="totals")  # one donor's: by index
    assert [th.get_text() for th in donor_totals.find("tbody").find_all("th")] == ["EUR", "USD"]


def test_a_contribution_moves_forward_and_is_voided_with_its_reason(admin: Staff, session: Session) -> None:
    pledge = make_contribution(session, money_line("20.00 USD"), status="pledged")
    shown = page(admin.get(f"/contributions/{pledge.id}"))
    buttons = [b["value"] for b in shown.find("form", class_="inline-form").find_all("button")]
    assert buttons == ["committed", "paid"]
    assert admin.post(f"/contributions/{pledge.id}/status", {"status": "committed"}).status_code == 303
    assert admin.post(f"/contributions/{pledge.id}/status", {"status": "pledged"}).status_code == 409
    empty = admin.post(f"/contributions/{pledge.id}/void", {"reason": "  "})
    assert empty.status_code == 422
    assert page(empty).find(id="f-reason-error").get_text() == "say why the contribution is void"
    assert admin.post(f"/contributions/{pledge.id}/void", {"reason": "donor withdrew"}).status_code == 303
    shown = page(admin.get(f"/contributions/{pledge.id}"))
    assert shown.find("h1").find("s").get_text() == pledge.number
    assert "donor withdrew" in shown.find(class_="void-reason").get_text()
    assert shown.find("section", class_="actions") is None
    history = shown.find("table", class_="journal").find("tbody").find_all("tr")
    actions = [row.find("code").get_text() for row in history]
    assert actions == ["contribution.recorded", "contribution.status_changed", "contribution.voided"]
    statuses = [li.find("strong").get_text() for li in shown.find("ol", class_="status-history").find_all("li")]
    assert statuses == ["pledged", "committed", "void"]


def test_a_viewer_sees_no_actions(client: TestClient, session: Session) -> None:
    contribution = make_contribution(session, money_line("20.00 USD"), status="pledged")
    staff = Staff(client)
    staff.sign_in(make_user(session, "viewer"))
    shown = page(staff.get(f"/contributions/{contribution.id}"))
    assert shown.find("section", class_="actions") is None
    assert shown.find("a", string="Record a contribution") is None


def test_donors_are_created_corrected_and_archived_with_before_and_after(admin: Staff, session: Session) -> None:
    response = admin.post("/donors/new", {"name": "Şəki İcması", "kind": "foundation", "country": "az"})
    assert response.status_code == 303
    donor = session.exec(select(Donor).where(Donor.name == "Şəki İcması")).one()
    assert response.headers["location"] == f"/donors/{donor.id}"
    bad = admin.post(f"/donors/{donor.id}/edit", {"name": "Şəki İcması", "kind": "foundation", "country": "XX"})
    assert bad.status_code == 422
    assert page(bad).find(id="f-country-error").get_text() == "'XX' is not an ISO 3166 country code"
    fixed = {"name": "Şəki Rayon İcması", "kind": "foundation", "country": "AZ", "email": "info@seki.example"}
    assert admin.post(f"/donors/{donor.id}/edit", fixed).status_code == 303
    event = session.exec(select(JournalEvent).where(JournalEvent.action == "donor.updated")).one()
    assert event.before == '{"email":null,"name":"Şəki İcması"}'
    assert event.after == '{"email":"info@seki.example","name":"Şəki Rayon İcması"}'
    make_contribution(session, money_line("3.00 USD"), donor=donor)
    assert admin.post(f"/donors/{donor.id}/archive").status_code == 303
    assert session.get(Donor, donor.id).archived
    assert "Şəki" not in page(admin.get("/donors")).find("table").get_text()
    assert "Şəki Rayon İcması" in page(admin.get("/donors?archived=1")).find("table").get_text()
    shown = page(admin.get(f"/donors/{donor.id}"))
    assert len(shown.find("table", class_="contributions").find("tbody").find_all("tr")) == 1


def test_the_catalogue_search_ignores_case_in_every_alphabet(admin: Staff, session: Session) -> None:
    make_donor(session, "ƏLİYEV FONDU")
    make_donor(session, "Юрий Гагарин")
    make_donor(session, "İSTANBUL VAKFI")
    assert listed(admin.get("/donors?q=əliyev")) == ["ƏLİYEV FONDU"]
    assert listed(admin.get("/donors?q=юрий")) == ["Юрий Гагарин"]
    assert listed(admin.get("/donors?q=istanbul")) == ["İSTANBUL VAKFI"]
    assert admin.get("/donors/lookup?q=юр").json() == [
        {"id": session.exec(select(Donor.id).where(Donor.name == "Юрий Гагарин")).one(), "name": "Юрий Гагарин",
         "detail": "organisation"}
    ]  # fmt: skip
    nothing = page(admin.get("/donors?q=%25")).find("table").find("tbody").get_text(strip=True)
    assert nothing == "Nothing found."  # a % is a character, not a wildcard


def test_appeals_and_items_are_created_with_amounts_typed_in_the_locale(admin: Staff, session: Session) -> None:
    data = {"code": "tur-eq-2023", "name": "Türkiye earthquake", "target": "1,000,000", "target_currency": "USD"}
    assert admin.post("/appeals/new", data).status_code == 303
    item = {"name": "Tent", "unit": "piece", "cluster": "SHL", "unit_value": "250.5", "unit_value_currency": "EUR"}
    assert admin.post("/items/new", item).status_code == 303
    listing = page(admin.get("/appeals")).find("table").get_text()
    assert "TUR-EQ-2023" in listing
    edit = page(admin.get("/items")).select_one("td.row-actions a")["href"]
    form = page(admin.get(edit))
    assert form.find("input", attrs={"name": "unit_value"})["value"] == "250.5"
    again = admin.post("/items/new", {**item, "name": "TENT"})
    assert again.status_code == 422


# Catalogue money typed into a form (en): (amount, currency, message), each written by hand.
# "0.275" itself reads two ways in a form (a point then three digits), so the form is given "0.2750".
BAD_FORM_MONEY = [
    ("0.2750", "USD", "USD has 2 decimal places, got 0.2750"),
    ("0", "USD", "must be more than zero, got 0"),
    ("0.4", "JPY", "JPY has no minor units, got 0.4"),
    ("0.0004", "KWD", "KWD has 3 decimal places, got 0.0004"),
    ("99999999999999999999", "USD", "99999999999999999999 is too large (the limit is 1,000,000,000,000,000)"),
    ("1000000000000000", "USD", "1000000000000000 is too large (the limit is 1,000,000,000,000,000)"),
]


@pytest.mark.parametrize(("amount", "currency", "message"), BAD_FORM_MONEY)
def test_catalogue_forms_refuse_bad_money_beside_the_field_and_store_nothing(
    admin: Staff, session: Session, amount: str, currency: str, message: str
) -> None:
    item = {"name": "Tent", "unit": "piece", "cluster": "SHL", "unit_value": amount, "unit_value_currency": currency}
    refused = admin.post("/items/new", item)
    assert refused.status_code == 422
    assert page(refused).find(id="f-unit_value-error").get_text() == message
    assert page(refused).find("input", attrs={"name": "unit_value"})["value"] == amount
    appeal = {"code": "TUR-EQ-2023", "name": "Türkiye", "target": amount, "target_currency": currency}
    refused = admin.post("/appeals/new", appeal)
    assert refused.status_code == 422
    assert page(refused).find(id="f-target-error").get_text() == message
    assert session.exec(select(Item)).all() == []
    assert session.exec(select(Appeal)).all() == []
    tent, appeal_row = make_item(session, "Tent"), make_appeal(session, "TUR-EQ-2023")
    refused = admin.post(f"/items/{tent.id}/edit", {**item, "unit_value": amount})
    assert refused.status_code == 422
    assert page(refused).find(id="f-unit_value-error").get_text() == message
    refused = admin.post(f"/appeals/{appeal_row.id}/edit", {**appeal, "start_date": "", "end_date": "", "glide": ""})
    assert refused.status_code == 422
    assert page(refused).find(id="f-target-error").get_text() == message
    session.expire_all()
    assert session.get(Item, tent.id).unit_value_minor is None
    assert session.get(Appeal, appeal_row.id).target_minor is None


def test_an_unknown_currency_is_shown_beside_the_currency_field(admin: Staff, session: Session) -> None:
    item = {"name": "Tent", "unit": "piece", "cluster": "SHL", "unit_value": "10", "unit_value_currency": "AZM"}
    refused = admin.post("/items/new", item)
    assert refused.status_code == 422
    assert page(refused).find(id="f-unit_value_currency-error").get_text() == (
        "'AZM' is not a current ISO 4217 currency code"
    )
    assert session.exec(select(Item)).all() == []


def test_users_are_added_given_roles_and_deactivated(admin: Staff, session: Session) -> None:
    data = {"email": "nigar@example.org", "name": "Nigar", "role": "viewer", "locale": "az", "password": "short"}
    short = admin.post("/users", data)
    assert short.status_code == 422
    assert page(short).find(id="f-password-error").get_text() == "at least 10 characters"
    assert admin.post("/users", {**data, "password": "a long enough one"}).status_code == 303
    nigar = session.exec(select(User).where(User.email == "nigar@example.org")).one()
    assert admin.post(f"/users/{nigar.id}/role", {"role": "clerk"}).status_code == 303
    assert admin.post(f"/users/{nigar.id}/deactivate").status_code == 303
    session.refresh(nigar)
    assert (nigar.role, nigar.active) == ("clerk", False)
    me = session.exec(select(User).where(User.email == "admin@example.org")).one()
    assert admin.post(f"/users/{me.id}/deactivate").status_code == 409
    assert admin.post(f"/users/{me.id}/role", {"role": "viewer"}).status_code == 409  # the last admin


def test_settings_fall_back_to_the_environment_and_keep_a_logo(admin: Staff, session: Session) -> None:
    assert effective_settings(session).reporting_currency == "USD"
    data = {"organisation_name": "Yardım", "organisation_address": "Bakı", "reporting_currency": "AZN",
            "default_locale": "az", "rate_window_days": "10"}  # fmt: skip
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    response = admin.client.post(
        "/settings", data={**data, "csrf_token": admin.token}, files={"logo": ("logo.png", png, "image/png")},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303
    now = effective_settings(session)
    assert (now.organisation_name, now.reporting_currency, now.default_locale, now.rate_window_days, now.has_logo) == (
        "Yardım", "AZN", "az", 10, True,
    )  # fmt: skip
    logo = admin.get("/settings/logo")
    assert (logo.content, logo.headers["content-type"]) == (png, "image/png")
    svg = ("x.svg", b"<svg onload=alert(1)>", "image/svg+xml")
    refused = admin.client.post("/settings", data={**data, "csrf_token": admin.token}, files={"logo": svg})
    assert refused.status_code == 422
    assert admin.post("/settings", {**data, "rate_window_days": "400"}).status_code == 422
    assert admin.post("/settings", {"reporting_currency": "", "rate_window_days": ""}).status_code == 303
    assert effective_settings(session).reporting_currency == "USD"


def test_the_journal_filters_by_user_action_and_date(admin: Staff, session: Session) -> None:
    clerk = make_user(session, "clerk", email="clerk2@example.org")
    make_donor(session)
    from tracker.catalogue.service import DonorInput, create_donor

    create_donor(session, DonorInput(name="By clerk", kind="company"), clerk)
    by_clerk = page(admin.get(f"/journal?user_id={clerk.id}"))
    rows = by_clerk.find("table", class_="journal").find("tbody").find_all("tr")
    assert [r.find("code").get_text() for r in rows] == ["donor.created"]
    created = page(admin.get("/journal?action=user.created")).find("tbody").find_all("tr")
    assert len(created) == 2
    assert "No events match." in admin.get("/journal?to=2000-01-01").text


NASTY = '<script>alert("x")</script>'


def test_typed_text_is_escaped_on_every_page(admin: Staff, session: Session) -> None:
    donor = make_donor(session, NASTY)
    recipient = make_recipient(session, NASTY)
    appeal = make_appeal(session, "XSS-1")
    from tracker.catalogue.service import AppealInput, ItemInput, create_item, update_appeal

    update_appeal(session, appeal.id, AppealInput(code="XSS-1", name=NASTY), None)
    item = create_item(session, ItemInput(NASTY, "piece", "OTHER"), None)
    make_user(session, "viewer", email="x@example.org", name=NASTY)
    contribution = make_contribution(session, goods_line(item, "1"), donor=donor, recipient=recipient, appeal=appeal)
    from tracker.ledger.service import void_contribution

    void_contribution(session, contribution.id, NASTY, None)
    admin.post("/settings", {"organisation_name": NASTY})
    paths = [
        "/", "/contributions", f"/contributions/{contribution.id}", f"/contributions?q={NASTY}", "/donors",
        f"/donors/{donor.id}", f"/donors/{donor.id}/edit", "/recipients", f"/recipients/{recipient.id}", "/appeals",
        f"/appeals/{appeal.id}/edit", "/items", f"/items/{item.id}/edit", "/users", "/settings", "/journal",
        f"/donors?q={NASTY}", "/contributions/new",
    ]  # fmt: skip
    for path in paths:
        response = admin.get(path)
        assert response.status_code == 200, path
        assert "<script>alert" not in response.text, path
    assert "&lt;script&gt;" in admin.get(f"/contributions/{contribution.id}").text
    typed = admin.post("/donors/new", {"name": NASTY * 10, "kind": "company"})  # too long: the form comes back
    assert typed.status_code == 422
    assert "<script>alert" not in typed.text


def test_contribution_numbers_link_to_their_pages(admin: Staff, session: Session) -> None:
    contribution = make_contribution(session, money_line("1.00 USD"))
    link = page(admin.get("/contributions")).find("a", string=contribution.number)
    assert link["href"].endswith(f"/contributions/{contribution.id}")
    assert session.get(Contribution, contribution.id) is not None


def test_a_refused_status_change_shows_the_conflict_page_not_a_500(fresh_url, monkeypatch) -> None:
    """Through the real per-request session: the failed request rolls back before its page renders."""
    from bs4 import BeautifulSoup
    from factories import make_contribution
    from fastapi.testclient import TestClient
    from webkit import Staff, make_user

    from tracker.core import config
    from tracker.db import engine as db
    from tracker.web.app import create_app

    monkeypatch.setenv("TRACKER_DATABASE_URL", fresh_url)
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    try:
        with db.session_scope() as session:
            contribution_id = make_contribution(session, status="paid").id
            make_user(session, "clerk")
        with TestClient(create_app()) as client:
            clerk = Staff(client)
            clerk.sign_in("clerk@example.org")
            response = clerk.post(f"/contributions/{contribution_id}/status", {"status": "committed"})
        assert response.status_code == 409
        page = BeautifulSoup(response.text, "html.parser")
        # The contribution's page again, the refusal above its actions (not a bare error page).
        assert "status only moves forward" in page.find(id="f-actions-error").get_text()
        assert [f for f in page.find_all("form") if f["action"].endswith("/logout")]  # the signed-in layout rendered
    finally:
        db.get_engine.cache_clear()
        config.get_settings.cache_clear()


def test_unusual_digits_in_ids_and_page_numbers_are_refused_or_ignored_not_a_500(client, session) -> None:
    from webkit import Staff, make_user

    viewer = Staff(client)
    viewer.sign_in(make_user(session, "viewer"))
    assert viewer.get("/contributions?donor_id=²").status_code in (200, 422)
    assert viewer.get("/contributions?page=²").status_code == 200


def test_an_id_in_other_digits_is_refused_as_the_api_refuses_it(admin: Staff) -> None:
    """`١٢` (Arabic-Indic digits) once read as id 12 on the pages; the API and exports refused it: one rule now."""
    shown = page(admin.get("/journal?user_id=\u0661\u0662"))
    assert "user_id: \u0661\u0662 is not an id" in shown.find(class_="error").get_text()
