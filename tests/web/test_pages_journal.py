"""The journal page as an auditor reads it: sentences in the reader's language, names, Money, filters, pages."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup, Tag
from factories import goods_line, make_contribution, make_donor, make_item, make_recipient, money_line
from fastapi.testclient import TestClient
from sqlmodel import Session
from webkit import Staff, make_user, page

from tracker.db.journal import record_event
from tracker.ledger.service import advance_status, void_contribution


@pytest.fixture
def viewer(client: TestClient, session: Session) -> Staff:
    staff = Staff(client)
    assert staff.sign_in(make_user(session, "viewer", name="Aysel Auditor")).status_code == 303
    return staff


def rows(shown: BeautifulSoup) -> list[Tag]:
    table = shown.find("table", class_="journal")
    assert table is not None
    return [row for row in table.find("tbody").find_all("tr") if row.has_attr("data-event")]


def sentences(shown: BeautifulSoup) -> list[str]:
    return [row.find("p", class_="sentence").get_text(strip=True) for row in rows(shown)]


def visible_text(shown: BeautifulSoup) -> str:
    """The page's text without what a closed <details> hides (the raw JSON)."""
    for details in shown.find_all("details"):
        details.decompose()
    return shown.get_text(" ", strip=True)


def test_a_recorded_contribution_reads_as_a_sentence_with_its_number_names_money_and_quantity(
    viewer: Staff, session: Session
) -> None:
    donor, shelter = make_donor(session, "Bakı Fondu"), make_recipient(session, "Kahramanmaraş Shelter")
    houses = make_item(session, "Container house")
    money = make_contribution(session, money_line("500000.00 AZN"), donor=donor, recipient=shelter)
    goods = make_contribution(session, goods_line(houses, "10", "1200.00 AZN"), donor=donor, recipient=shelter)

    shown = page(viewer.get("/journal"))
    told = sentences(shown)
    assert told[0] == (
        f"Recorded {goods.number}: 10 pieces of Container house, valued at AZN12,000.00 "
        "from Bakı Fondu to Kahramanmaraş Shelter, paid, dated Feb 10, 2023"
    )
    assert told[1] == (
        f"Recorded {money.number}: AZN500,000.00 from Bakı Fondu to Kahramanmaraş Shelter, paid, dated Feb 10, 2023"
    )
    assert told[2:5] == [
        "Added the item Container house, counted in piece",
        "Added the recipient Kahramanmaraş Shelter",
        "Added the donor Bakı Fondu",
    ]
    first = rows(shown)[1]
    assert first.find("td", class_="object").find("a").get_text() == money.number
    assert first.find("td", class_="who").get_text() == "system"
    assert first.find("div", class_="action").get_text() == "contribution recorded"
    text = visible_text(page(viewer.get("/journal")))
    for stored_word in ("value_minor", "quantity_milli", "donor_id", "contribution.recorded"):
        assert stored_word not in text


def test_the_raw_json_of_an_event_is_one_click_away(viewer: Staff, session: Session) -> None:
    contribution = make_contribution(session, money_line("500000.00 AZN"))
    shown = page(viewer.get("/journal"))
    raw = rows(shown)[0].find("details", class_="raw")
    assert raw.find("summary").get_text() == "Raw JSON"
    stored = json.loads(raw.find("pre").get_text())
    assert stored["action"] == "contribution.recorded"
    assert stored["object_id"] == str(contribution.id)
    assert stored["after"]["lines"][0]["value_minor"] == 50000000
    assert stored["after"]["number"] == contribution.number


LANGUAGES = {
    "az": ["{number} ləğv edildi, səbəbi: ikiqat", "{number} ianəsinin statusu dəyişdi: «vəd edilib» → «ödənilib»",
           "{number} qeydə alındı: 500.000,00 ₼, Bakı Fondu tərəfindən Test recipient üçün, vəd edilib, tarix"],
    "tr": ["{number} iptal edildi, nedeni: ikiqat", "{number} bağışının durumu değişti: “vaat edildi” → “ödendi”",
           "{number} kaydedildi: AZN500.000,00, Bakı Fondu tarafından Test recipient için, vaat edildi, tarih"],
    "ru": ["Взнос {number} аннулирован, причина: ikiqat", "Взнос {number}: статус «обещан» → «оплачен»",
           "Записан взнос {number}: 500 000,00 AZN, от «Bakı Fondu» для «Test recipient», обещан, дата"],
}  # fmt: skip


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_the_sentences_are_in_the_readers_language(viewer: Staff, session: Session, lang: str) -> None:
    donor = make_donor(session, "Bakı Fondu")
    contribution = make_contribution(session, money_line("500000.00 AZN"), donor=donor, status="pledged")
    advance_status(session, contribution.id, "paid", None)
    void_contribution(session, contribution.id, "ikiqat", None)
    told = sentences(page(viewer.get(f"/journal?lang={lang}&number={contribution.number}")))
    expected = [sentence.format(number=contribution.number) for sentence in LANGUAGES[lang]]
    assert told[:2] == expected[:2]
    assert told[2].replace("\xa0", " ").startswith(expected[2])
    assert len(told) == 3


def test_the_amount_is_written_as_the_language_writes_money(viewer: Staff, session: Session) -> None:
    make_contribution(session, money_line("500000.00 AZN"))
    assert "500.000,00\xa0₼" in sentences(page(viewer.get("/journal?lang=az")))[0]
    assert "500\xa0000,00\xa0AZN" in sentences(page(viewer.get("/journal?lang=ru")))[0]
    assert "AZN500.000,00" in sentences(page(viewer.get("/journal?lang=tr")))[0]


def test_sixty_events_make_two_pages_of_fifty_and_ten(viewer: Staff, session: Session) -> None:
    for n in range(59):  # and the viewer's own user.created: 60 events
        make_donor(session, f"Donor {n:02d}")
    first = page(viewer.get("/journal"))
    assert len(rows(first)) == 50
    assert first.find("nav", class_="pager").find("span").get_text() == "Page 1 of 2"
    second = page(viewer.get(first.find("a", rel="next")["href"]))
    assert len(rows(second)) == 10
    assert sentences(second)[-1] == "Added the user viewer@example.org as viewer"
    assert second.find("a", rel="next") is None


def test_the_number_filter_shows_only_that_contributions_events(viewer: Staff, session: Session) -> None:
    donor = make_donor(session, "Ankara Vakfı")
    wanted = make_contribution(session, money_line("20.00 USD"), donor=donor, status="pledged")
    other = make_contribution(session, money_line("30.00 USD"), donor=donor, status="pledged")
    advance_status(session, wanted.id, "committed", None)
    advance_status(session, other.id, "committed", None)

    shown = page(viewer.get(f"/journal?number={wanted.number.lower()}"))
    assert sentences(shown) == [
        f"Moved {wanted.number} from pledged to committed",
        f"Recorded {wanted.number}: $20.00 from Ankara Vakfı to Test recipient, pledged, dated Feb 10, 2023",
    ]
    assert shown.find("input", attrs={"name": "number"})["value"] == wanted.number.lower()
    unknown = page(viewer.get("/journal?number=C-1999-000001"))
    assert unknown.find("p", class_="error").get_text() == "number: no contribution is numbered C-1999-000001"
    assert rows(unknown) == []


def test_the_object_filter_shows_one_objects_history(viewer: Staff, session: Session) -> None:
    from tracker.catalogue.service import DonorInput, update_donor

    donor = make_donor(session, "Bakı Fondu", email="old@example.org")
    make_donor(session, "Someone else")
    update_donor(session, donor.id, DonorInput(name="Bakı Fondu", kind="organisation", email="new@example.org"), None)
    shown = page(viewer.get(f"/journal?object_type=donor&object_id={donor.id}"))
    assert sentences(shown) == [
        "Changed the donor Bakı Fondu: Email: old@example.org → new@example.org",
        "Added the donor Bakı Fondu",
    ]
    history = rows(shown)[0].find("a", class_="history")["href"]
    assert sentences(page(viewer.get(history))) == sentences(shown)
    assert len(rows(page(viewer.get("/journal?object_type=donor")))) == 3  # two added, one changed


def test_an_action_without_a_sentence_is_told_generically_with_its_json(viewer: Staff, session: Session) -> None:
    item = make_item(session, "Tent")
    record_event(session, action="item.merged", object_type="item", object_id=item.id, user_id=None,
                 after={"into": 7})  # fmt: skip
    shown = page(viewer.get("/journal"))
    assert sentences(shown)[0] == "item.merged on item Tent"
    assert rows(shown)[0].find("div", class_="action").get_text() == "item.merged"
    assert json.loads(rows(shown)[0].find("pre").get_text())["after"] == {"into": 7}


@pytest.mark.parametrize("query", ["object_id=%00", "number=C-2023%00", "object_type=%00"])
def test_a_nul_in_a_filter_is_refused_at_the_door_by_name_not_a_500(viewer: Staff, query: str) -> None:
    response = viewer.get("/journal?" + query)
    assert response.status_code == 422  # the app-wide NUL check answers before the page reads its filters
    assert query.split("=")[0] + ": must not contain NUL characters" in page(response).get_text(" ", strip=True)


def test_a_filter_too_long_to_search_for_is_refused_by_name(viewer: Staff) -> None:
    response = viewer.get("/journal?action=" + "x" * 41)
    assert response.status_code == 200
    assert page(response).find("p", class_="error").get_text().startswith("action: ")
    assert rows(page(response)) == []


def test_a_contributions_own_history_reads_in_the_same_sentences(viewer: Staff, session: Session) -> None:
    pledge = make_contribution(
        session, money_line("20.00 USD"), donor=make_donor(session, "Ankara Vakfı"), status="pledged"
    )
    advance_status(session, pledge.id, "committed", None)
    shown = page(viewer.get(f"/contributions/{pledge.id}"))
    assert sentences(shown) == [
        f"Recorded {pledge.number}: $20.00 from Ankara Vakfı to Test recipient, pledged, dated Feb 10, 2023",
        f"Moved {pledge.number} from pledged to committed",
    ]
    assert "value_minor" not in visible_text(shown)
