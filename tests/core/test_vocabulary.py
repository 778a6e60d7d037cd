"""The ledger's fixed words: every code named in every language, and named alike on pages and in reports."""

from __future__ import annotations

from enum import StrEnum

import pytest
from bs4 import BeautifulSoup
from factories import goods_line, make_contribution, make_donor, make_item
from fastapi.testclient import TestClient
from sqlmodel import Session
from webkit import Staff, make_user

from tracker.core.i18n import use_locale
from tracker.core.vocabulary import LABELS, Bucket, Status, Unit, Valuation, label, term

MEMBERS = [member for words in LABELS for member in words]  # type: ignore[attr-defined]
# Words a language writes as English does.
SAME_AS_ENGLISH = {("tr", Unit.KG), ("tr", Unit.LITRE), ("tr", Unit.KIT)}


@pytest.mark.parametrize("member", MEMBERS, ids=lambda m: f"{type(m).__name__}.{m.name}")
@pytest.mark.parametrize("language", ["az", "tr", "ru"])
def test_every_code_is_named_in_every_language(member: StrEnum, language: str) -> None:
    english = label(member)
    assert english
    with use_locale(language):
        translated = label(member)
    assert translated
    if (language, member) not in SAME_AS_ENGLISH:
        assert translated != english


def test_a_code_is_the_string_stored_and_named_once() -> None:
    assert Status.PAID == "paid" and Valuation.DONOR_DECLARED == "donor_declared"
    assert term("donor_declared", "valuation") == term(Valuation.DONOR_DECLARED) == "donor-declared"
    assert term("paid", "bucket") == "Paid" and term(Bucket.OUTSTANDING) == "Outstanding in all"
    with use_locale("az"):
        assert term("donor_declared", "valuation") == "donorun bəyanı ilə"
    assert term("barter", "valuation") == "barter"  # an unknown code is shown as it is


@pytest.mark.parametrize(
    ("language", "basis", "kind", "status"),
    [("en", "donor-declared", "goods", "paid"), ("az", "donorun bəyanı ilə", "mal", "ödənilib")],
)
def test_a_goods_line_reads_alike_on_its_page_and_in_the_donor_statement(
    client: TestClient, session: Session, language: str, basis: str, kind: str, status: str
) -> None:
    donor = make_donor(session, "Azərbaycan Həmkarlar İttifaqları Konfederasiyası")
    houses = make_item(session, "Container house")
    entry = make_contribution(session, goods_line(houses, "10", "12000.00 AZN", "donor_declared"), donor=donor)
    Staff(client).sign_in(make_user(session, "viewer"))

    shown = BeautifulSoup(client.get(f"/contributions/{entry.id}?lang={language}").text, "html.parser")
    (line,) = shown.find("h2", string=lambda s: s in ("Lines", "Sətirlər")).find_next("tbody").find_all("tr")
    cells = [td.get_text(strip=True) for td in line.find_all("td")]
    assert (cells[1], cells[5]) == (kind, basis)
    assert shown.find("dt", string="Status").find_next_sibling("dd").get_text(strip=True) == status  # az: "Status" too

    statement = client.get(f"/reports/donors/{donor.id}?report_lang={language}")
    items = BeautifulSoup(statement.text, "html.parser").find("section", id="goods-and-services").find("tbody")
    (row,) = items.find_all("tr")
    assert row.find_all("td")[-1].get_text(strip=True) == basis
    entries = BeautifulSoup(statement.text, "html.parser").find("section", id="contributions").find("tbody")
    assert entries.find("tr").find_all("td")[4].get_text(strip=True) == status
