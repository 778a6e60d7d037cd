"""A promise's page: what was promised, fulfilled, written off and outstanding, and only the actions that apply."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from factories import goods_line, make_contribution, make_item, money_line
from fastapi.testclient import TestClient
from sqlmodel import Session
from webkit import Staff, make_user, page

from tracker.totals.aggregates import totals_differences


@pytest.fixture
def clerk(client: TestClient, session: Session) -> Staff:
    staff = Staff(client)
    assert staff.sign_in(make_user(session, "clerk")).status_code == 303
    return staff


def standing(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    rows = page(response).find("section", class_="promise-standing").find("tbody").find_all("tr")
    return {row["class"][0]: [td.get_text(" ", strip=True) for td in row.find_all("td")] for row in rows}


def buttons(response) -> list[str]:  # type: ignore[no-untyped-def]
    actions = page(response).find("section", class_="actions")
    return [] if actions is None else [b.get_text(strip=True) for b in actions.find_all("button")]


def test_a_partly_delivered_pledge_offers_no_mark_as_paid_and_closes_with_a_reason(
    clerk: Staff, session: Session
) -> None:
    house = make_item(session, "Container house")
    pledge = make_contribution(session, goods_line(house, "20", "12000.00 AZN"), status="pledged", on=date(2023, 2, 8))
    from tracker.ledger.service import ContributionInput, record_fulfilment

    record_fulfilment(
        session,
        pledge.id,  # type: ignore[arg-type]
        ContributionInput(pledge.donor_id, pledge.recipient_id, date(2023, 2, 20), "paid", [goods_line(house, "16")]),
        None,
    )
    shown = clerk.get(f"/contributions/{pledge.id}")
    assert buttons(shown) == ["Mark as committed", f"Close {pledge.number}", f"Void {pledge.number}"]
    assert standing(shown)["outstanding"] == ["—", "4 pieces · Container house"]
    # Marking it paid anyway (an old form, another tab) is refused with a message, not an error page.
    refused = clerk.post(f"/contributions/{pledge.id}/status", {"status": "paid", "date": ""})
    assert refused.status_code == 409
    assert "record the rest as a fulfilment" in page(refused).find(id="f-actions-error").get_text()

    empty = clerk.post(f"/contributions/{pledge.id}/close", {"close_reason": " "})
    assert empty.status_code == 422
    assert page(empty).find(id="f-close_reason-error").get_text() == "say why the promise is closed"
    assert clerk.post(f"/contributions/{pledge.id}/close", {"close_reason": "no more houses"}).status_code == 303
    closed = clerk.get(f"/contributions/{pledge.id}")
    assert standing(closed) == {
        "promised": ["—", "20 pieces · Container house"],
        "fulfilled": ["—", "16 pieces · Container house"],
        "written-off": ["—", "4 pieces · Container house"],
        "outstanding": ["—", "—"],
    }
    assert buttons(closed) == []  # a closed promise takes no action at all
    assert totals_differences(session) == []


def test_a_status_move_takes_its_date_from_the_form_and_a_bad_one_is_kept_and_refused(
    clerk: Staff, session: Session
) -> None:
    commitment = make_contribution(session, money_line("1000.00 USD"), status="committed", on=date(2023, 2, 20))
    shown = page(clerk.get(f"/contributions/{commitment.id}"))
    hint = shown.find(id="f-date-hint").get_text(" ", strip=True)  # a text field read in the page's language
    assert "Not before Feb 20, 2023, not in the future" in hint
    early = clerk.post(f"/contributions/{commitment.id}/status", {"status": "paid", "date": "2023-02-01"})
    assert early.status_code == 422
    assert page(early).find(id="f-date-error").get_text() == (
        f"2023-02-01 is before {commitment.number}'s value date, 2023-02-20"
    )
    assert page(early).find("input", attrs={"name": "date"})["value"] == "2023-02-01"
    later = (date.today() + timedelta(days=3)).isoformat()
    assert clerk.post(f"/contributions/{commitment.id}/status", {"status": "paid", "date": later}).status_code == 422
    assert (  # as an English page reads a typed date: month first
        clerk.post(f"/contributions/{commitment.id}/status", {"status": "paid", "date": "03/10/2023"}).status_code
        == 303
    )
    session.refresh(commitment)
    assert (commitment.status, commitment.status_date) == ("paid", date(2023, 3, 10))
    assert "from 2023-03-10" in page(clerk.get(f"/contributions/{commitment.id}")).find(class_="status-history").text
    assert totals_differences(session) == []


def test_the_list_filters_overdue_promises(clerk: Staff, session: Session) -> None:
    from tracker.ledger.service import ContributionInput, record_contribution

    pledge = make_contribution(session, money_line("10.00 AZN"), status="pledged")
    late = record_contribution(
        session,
        ContributionInput(
            pledge.donor_id,
            pledge.recipient_id,
            date(2023, 2, 10),
            "pledged",
            [money_line("20.00 USD")],
            due_date=date(2023, 3, 1),
        ),
        None,
    )
    listed = page(clerk.get("/contributions?status=overdue")).find("table", class_="contributions")
    assert [a.get_text() for a in listed.find("tbody").find_all("a")] == [late.number]
    board = page(clerk.get("/"))
    link = board.find(class_="overdue-promises").find("a")
    assert (link.get_text(), link["href"]) == ("1 promise is overdue", "http://testserver/contributions?status=overdue")
    assert board.find(id="headline-written_off") is None  # nothing written off yet: no card
    from tracker.ledger.service import close_contribution

    close_contribution(session, late.id, "the donor withdrew", None)  # type: ignore[arg-type]
    board = page(clerk.get("/"))
    assert board.find(class_="overdue-promises") is None
    assert board.find(id="headline-written_off").find(class_="figure").get_text() == "$20.00"


def test_the_donor_page_shows_a_pledge_for_what_is_left_not_gross(clerk: Staff, session: Session) -> None:
    from tracker.ledger.service import ContributionInput, record_fulfilment

    pledge = make_contribution(session, money_line("1000.00 USD"), status="pledged")
    record_fulfilment(
        session,
        pledge.id,  # type: ignore[arg-type]
        ContributionInput(pledge.donor_id, pledge.recipient_id, date(2023, 2, 20), "paid", [money_line("400.00 USD")]),
        None,
    )
    table = page(clerk.get(f"/donors/{pledge.donor_id}")).find("table", class_="totals")
    headings = [th.get_text() for th in table.find("thead").find_all("th")]
    assert headings == ["Currency", "Paid", "Committed, outstanding", "Pledged, outstanding", "Written off"]
    cells = [td.get_text() for td in table.find("tbody").find_all("td")]
    assert cells == ["$400.00", "", "$600.00", ""]  # 1,000 pledged − 400 delivered; never 1,000 beside the 400
