"""Recording contributions through the form: amounts as people type them, errors beside fields, one record per form."""

from __future__ import annotations

from datetime import date

import pytest
from factories import make_appeal, make_contribution, make_donor, make_item, make_recipient, money_line
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select
from webkit import Staff, make_user, page

from tracker.core.i18n import locale
from tracker.db.models import Contribution, Donor, SubmissionToken
from tracker.ledger.service import lines_of


@pytest.fixture
def clerk(client: TestClient, session: Session) -> Staff:
    staff = Staff(client)
    assert staff.sign_in(make_user(session, "clerk")).status_code == 303
    return staff


def form_token(staff: Staff, path: str = "/contributions/new") -> str:
    return str(page(staff.get(path)).find("input", attrs={"name": "submission"})["value"])


def entry(staff: Staff, donor: str, recipient: str, *lines: dict[str, str], **header: str) -> dict[str, str]:
    data = {
        "submission": form_token(staff),
        "donor": donor,
        "recipient": recipient,
        "value_date": "2023-02-10",
        "status": "paid",
        "line_count": str(len(lines)),
        **header,
    }
    for i, line in enumerate(lines):
        data.update({f"lines[{i}].{name}": value for name, value in line.items()})
    return data


def count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(Contribution)).one()


def recorded(session: Session) -> Contribution:
    return session.exec(select(Contribution).order_by(Contribution.id.desc())).first()  # type: ignore[union-attr]


def test_a_money_contribution_is_recorded_and_the_form_is_ready_for_the_next(clerk: Staff, session: Session) -> None:
    make_donor(session, "Azərbaycan Həmkarlar İttifaqları Konfederasiyası")
    make_recipient(session, "AFAD")
    data = entry(clerk, "həmkarlar", "afad", {"kind": "money", "amount": "500 000,50", "amount.currency": "AZN"})
    response = clerk.post("/contributions/new", data)
    assert response.status_code == 303
    contribution = recorded(session)
    assert response.headers["location"] == f"/contributions/new?recorded={contribution.id}"
    (line,) = lines_of(session, contribution.id)
    assert (line.kind, line.value_minor, line.currency) == ("money", 50000050, "AZN")
    confirmation = page(clerk.get(response.headers["location"]))
    assert f"Recorded {contribution.number}." in confirmation.find(class_="confirmation").get_text()
    form = confirmation.find("form", id="entry-form")
    assert form.find("input", attrs={"name": "lines[0].amount"})["value"] == ""
    assert form.find("input", attrs={"name": "submission"})["value"] != data["submission"]
    chosen = form.find("select", attrs={"name": "lines[0].amount.currency"}).find("option", selected=True)
    assert chosen["value"] == "AZN"  # the last currency used is remembered


@pytest.mark.parametrize(
    ("typed", "language", "minor"),
    [("500 000,50", "ru", 50000050), ("500,000.50", "en", 50000050), ("500000.5", "az", 50000050),
     ("500.000,50", "az", 50000050), ("1,5", "tr", 150)],
)  # fmt: skip
def test_amounts_are_read_as_people_type_them(
    clerk: Staff, session: Session, typed: str, language: str, minor: int
) -> None:
    make_donor(session, "Donor")
    make_recipient(session, "Recipient")
    token = locale.set(language)  # what the language middleware does for a request
    try:
        data = entry(clerk, "Donor", "Recipient", {"kind": "money", "amount": typed, "amount.currency": "USD"})
        assert clerk.post("/contributions/new", data).status_code == 303
    finally:
        locale.reset(token)
    assert lines_of(session, recorded(session).id)[0].value_minor == minor


def test_an_ambiguous_amount_is_refused_beside_its_field_and_every_input_is_kept(
    clerk: Staff, session: Session
) -> None:
    make_donor(session, "Türk Kızılay")
    make_recipient(session, "Kahramanmaraş <shelter>")
    before = count(session)
    data = entry(
        clerk,
        "Kızılay",
        "Kahramanmaraş",
        {"kind": "money", "amount": "1,500", "amount.currency": "TRY"},
        reference="WB-77",
        notes="second convoy",
    )
    # In az "," is the decimal mark and "." groups: "1,500" could be either.
    clerk.client.cookies.set("lang", "az")
    response = clerk.post("/contributions/new", data)
    assert response.status_code == 422
    assert count(session) == before
    html = page(response)
    error = html.find(id="f-lines-0-amount-error")
    assert "birmənalı deyil" in error.get_text()  # "is ambiguous", in the page's language
    assert html.find("input", attrs={"name": "lines[0].amount"})["aria-invalid"] == "true"
    kept = {name: html.find(attrs={"name": name}) for name in ("donor", "recipient", "reference", "lines[0].amount")}
    assert kept["donor"]["value"] == "Kızılay"
    assert kept["reference"]["value"] == "WB-77"
    assert kept["lines[0].amount"]["value"] == "1,500"
    assert html.find("textarea", attrs={"name": "notes"}).get_text() == "second convoy"
    assert (
        html.find("select", attrs={"name": "lines[0].amount.currency"}).find("option", selected=True)["value"] == "TRY"
    )
    assert html.find("input", attrs={"name": "submission"})["value"] == data["submission"]


def test_every_bad_field_gets_its_own_message(clerk: Staff, session: Session) -> None:
    data = entry(
        clerk,
        "nobody at all",
        "",
        {"kind": "money", "amount": "12.345", "amount.currency": "JPY"},
        {"kind": "goods", "quantity": "3"},
        value_date="",
        status="",
    )
    response = clerk.post("/contributions/new", data)
    assert response.status_code == 422
    html = page(response)
    errors = {p["id"].removesuffix("-error"): p.get_text() for p in html.find_all("p", class_="field-error")}
    assert set(errors) == {
        "f-donor",
        "f-recipient",
        "f-value_date",
        "f-status",
        "f-lines-0-amount",
        "f-lines-1-item_id",
    }
    assert "nothing matches" in errors["f-donor"]
    assert count(session) == 0


def test_an_in_kind_line_takes_the_item_default_unit_value(clerk: Staff, session: Session) -> None:
    from tracker.catalogue.service import ItemInput, create_item
    from tracker.core.money import parse_money

    house = create_item(session, ItemInput("Container house", "piece", "SHL", parse_money("12000.00 AZN")), None)
    rescuer = make_item(session, "Rescuer", unit="person-day", cluster="PRO")
    make_donor(session, "Donor")
    make_recipient(session, "Recipient")
    data = entry(
        clerk,
        "Donor",
        "Recipient",
        {"kind": "goods", "item_id": str(house.id), "quantity": "10", "valuation": "standard_cost"},
        {"kind": "service", "item_id": str(rescuer.id), "quantity": "2 400"},
    )
    assert clerk.post("/contributions/new", data).status_code == 303
    goods, service = lines_of(session, recorded(session).id)
    assert (goods.quantity_milli, goods.value_minor, goods.currency, goods.valuation) == (
        10000, 12000000, "AZN", "standard_cost"
    )  # fmt: skip
    assert (service.kind, service.quantity_milli, service.value_minor) == ("service", 2400000, None)


def test_a_double_submit_records_one_contribution(clerk: Staff, session: Session) -> None:
    make_donor(session, "Donor")
    make_recipient(session, "Recipient")
    data = entry(clerk, "Donor", "Recipient", {"kind": "money", "amount": "25", "amount.currency": "EUR"})
    first = clerk.post("/contributions/new", data)
    again = clerk.post("/contributions/new", data)  # a double click, or back and send again
    assert first.status_code == again.status_code == 303
    assert count(session) == 1
    contribution = recorded(session)
    assert again.headers["location"] == f"/contributions/{contribution.id}"
    shown = page(clerk.get(again.headers["location"]))
    assert "was recorded once" in shown.find(class_="notice").get_text()
    claim = session.get(SubmissionToken, data["submission"])
    assert claim.contribution_id == contribution.id


def test_a_failed_submission_frees_its_token_for_the_corrected_one(clerk: Staff, session: Session) -> None:
    make_donor(session, "Donor")
    make_recipient(session, "Recipient")
    data = entry(clerk, "Donor", "Recipient", {"kind": "money", "amount": "0", "amount.currency": "EUR"})
    assert clerk.post("/contributions/new", data).status_code == 422
    data["lines[0].amount"] = "10"
    assert clerk.post("/contributions/new", data).status_code == 303
    assert count(session) == 1


def test_a_new_donor_is_created_with_the_contribution_and_not_without_it(clerk: Staff, session: Session) -> None:
    make_recipient(session, "Recipient")
    data = entry(
        clerk, "", "Recipient", {"kind": "money", "amount": "abc", "amount.currency": "USD"},
        new_donor_name="Gəncə İcması", new_donor_kind="organisation", new_donor_country="AZ",
    )  # fmt: skip
    assert clerk.post("/contributions/new", data).status_code == 422
    assert session.exec(select(Donor).where(Donor.name == "Gəncə İcması")).first() is None
    data["lines[0].amount"] = "100"
    assert clerk.post("/contributions/new", data).status_code == 303
    donor = session.exec(select(Donor).where(Donor.name == "Gəncə İcması")).one()
    assert (donor.country, recorded(session).donor_id) == ("AZ", donor.id)


def test_several_matching_donors_are_offered_to_choose_from(clerk: Staff, session: Session) -> None:
    first, second = make_donor(session, "Red Crescent Baku"), make_donor(session, "Red Crescent Ankara")
    make_recipient(session, "Recipient")
    data = entry(clerk, "red crescent", "Recipient", {"kind": "money", "amount": "5", "amount.currency": "USD"})
    response = clerk.post("/contributions/new", data)
    assert response.status_code == 422
    choices = page(response).find("fieldset", class_="candidates").find_all("input", attrs={"name": "donor_id"})
    assert {int(c["value"]) for c in choices} == {first.id, second.id}
    data["donor_id"] = str(second.id)
    assert clerk.post("/contributions/new", data).status_code == 303
    assert recorded(session).donor_id == second.id


def test_adding_a_line_without_javascript_keeps_what_was_typed(clerk: Staff, session: Session) -> None:
    data = entry(clerk, "Some donor", "", {"kind": "money", "amount": "7", "amount.currency": "KWD"}, action="add_line")
    html = page(clerk.post("/contributions/new", data))
    assert html.find("input", attrs={"name": "line_count"})["value"] == "2"
    assert html.find("input", attrs={"name": "lines[0].amount"})["value"] == "7"
    assert html.find("input", attrs={"name": "lines[1].amount"})["value"] == ""
    assert (
        html.find("select", attrs={"name": "lines[1].amount.currency"}).find("option", selected=True)["value"] == "KWD"
    )
    assert count(session) == 0


def test_a_fulfilment_is_recorded_against_its_pledge(clerk: Staff, session: Session) -> None:
    donor, recipient = make_donor(session, "Donor"), make_recipient(session, "Recipient")
    pledge = make_contribution(session, money_line("1000.00 USD"), donor=donor, recipient=recipient, status="pledged")
    form = page(clerk.get(f"/contributions/new?fulfils={pledge.id}"))
    assert form.find("input", attrs={"name": "fulfils_id"})["value"] == str(pledge.id)
    assert form.find("input", attrs={"name": "recipient"})["value"] == "Recipient"
    data = {
        "submission": form.find("input", attrs={"name": "submission"})["value"],
        "fulfils_id": str(pledge.id),
        "recipient": "Recipient",
        "recipient_id": str(recipient.id),
        "value_date": date.today().isoformat(),
        "status": "paid",
        "line_count": "1",
        "lines[0].kind": "money",
        "lines[0].amount": "400",
        "lines[0].amount.currency": "USD",
    }
    assert clerk.post("/contributions/new", data).status_code == 303
    fulfilment = recorded(session)
    assert (fulfilment.fulfils_id, fulfilment.donor_id, fulfilment.status) == (pledge.id, donor.id, "paid")


def test_an_archived_appeal_is_not_offered(clerk: Staff, session: Session) -> None:
    from tracker.catalogue.service import archive
    from tracker.db.models import Appeal

    kept, gone = make_appeal(session, "KEEP-1"), make_appeal(session, "GONE-1")
    archive(session, Appeal, gone.id, None)
    options = page(clerk.get("/contributions/new")).find("select", attrs={"name": "appeal_id"}).find_all("option")
    assert [o["value"] for o in options] == ["", str(kept.id)]


def test_a_pledge_that_cannot_be_fulfilled_says_why_at_the_top(clerk: Staff, session: Session) -> None:
    donor, recipient = make_donor(session, "Donor"), make_recipient(session, "Recipient")
    paid = make_contribution(session, money_line("10.00 USD"), donor=donor, recipient=recipient, status="paid")
    data = entry(
        clerk, "", "Recipient", {"kind": "money", "amount": "4", "amount.currency": "USD"}, fulfils_id=str(paid.id)
    )
    response = clerk.post("/contributions/new", data)
    assert response.status_code == 422
    summary = page(response).find(class_="error-summary").get_text()
    assert f"{paid.number} is paid; only a pledge or commitment is fulfilled" in summary
    assert count(session) == 1
