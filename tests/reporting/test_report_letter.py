"""Acknowledgement letters: numbered, journalled, and the same letter number always regenerates the same letter."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from bs4 import BeautifulSoup
from factories import goods_line, make_contribution, make_donor, make_recipient, money_line
from report_support import donor_named
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from tracker.catalogue.service import item_input, update_item
from tracker.core.errors import Invalid, NotFound
from tracker.db.columns import stored_id
from tracker.db.models import Contribution, Item, JournalEvent
from tracker.demo import load_demo
from tracker.ledger.service import ContributionInput, advance_status, record_fulfilment, void_contribution
from tracker.reporting.reports.letter import create_letter, find_letter, letter_data
from tracker.reporting.reports.render import letter_html
from tracker.settings.service import SettingsInput, update_settings

FEBRUARY = (date(2023, 2, 1), date(2023, 2, 28))


def contribution(session: Session, number: str) -> Contribution:
    return session.exec(select(Contribution).where(Contribution.number == number)).one()


def test_the_confederation_is_thanked_for_money_and_houses_without_values(session: Session) -> None:
    load_demo(session)
    ahik = donor_named(session, "Azərbaycan Həmkarlar")
    letter = create_letter(session, ahik, *FEBRUARY)
    data = letter_data(session, letter)
    assert (letter.language, letter.show_values, data.contributions) == ("az", False, 2)
    assert [str(m) for m in data.money] == ["500000.00 AZN"]
    [houses] = data.goods_and_services
    assert (houses.name, houses.quantity, houses.unit, houses.value) == ("Container house", Decimal("10"), "piece", ())
    assert [(f.name, f.quantity) for f in data.outstanding_items] == [("Container house", Decimal("10"))]
    assert data.outstanding_money == ()
    assert data.digest == letter.digest


def test_a_donor_without_a_language_is_written_to_in_the_organisations(session: Session) -> None:
    donor = make_donor(session, "Anonymous well-wisher")
    make_contribution(session, money_line("50.00 AZN"), donor=donor, recipient=make_recipient(session), on=FEBRUARY[0])
    assert create_letter(session, donor, *FEBRUARY).language == "en"  # TRACKER_DEFAULT_LOCALE's default
    update_settings(session, SettingsInput(default_locale="tr"), None)
    assert create_letter(session, donor, *FEBRUARY).language == "tr"  # what the settings page saved


def test_estimated_values_only_when_asked_for_with_their_basis(session: Session) -> None:
    load_demo(session)
    letter = create_letter(session, donor_named(session, "Azərbaycan Həmkarlar"), *FEBRUARY, show_values=True)
    [houses] = letter_data(session, letter).goods_and_services
    assert ([str(v) for v in houses.value], houses.bases) == (["120000.00 AZN"], ("donor_declared",))


def test_letters_are_numbered_per_year_and_journalled(session: Session) -> None:
    load_demo(session)
    ahik = donor_named(session, "Azərbaycan Həmkarlar")
    first = create_letter(session, ahik, *FEBRUARY, language="en")
    second = create_letter(session, donor_named(session, "Ayşe"), None, None)
    year = first.created_at.year
    assert (first.number, second.number) == (f"L-{year}-000001", f"L-{year}-000002")
    assert second.language == "tr"  # the donor's own language
    event = session.exec(
        select(JournalEvent).where(JournalEvent.action == "acknowledgement.created").order_by(JournalEvent.id)
    ).first()
    assert event is not None and f'"number":"{first.number}"' in (event.after or "")
    assert f'"digest":"{first.digest}"' in (event.after or "")
    assert find_letter(session, second.number).id == second.id
    with pytest.raises(NotFound):
        find_letter(session, "L-1999-000001")


def test_regenerating_a_letter_ignores_later_entries_voids_and_status_changes(session: Session) -> None:
    load_demo(session)
    ahik = donor_named(session, "Azərbaycan Həmkarlar")
    jica = donor_named(session, "Japan International")
    letter = create_letter(session, ahik, *FEBRUARY, show_values=True)
    jica_letter = create_letter(session, jica, *FEBRUARY)
    before, jica_before = letter_data(session, letter).content(), letter_data(session, jica_letter).content()

    # After the letters: the transfer is voided, the other 10 houses arrive, a new gift is entered,
    # and the yen commitment is paid.
    void_contribution(session, contribution(session, "C-2023-000003").id, "Entered against the wrong donor", None)
    houses = session.exec(select(Item).where(Item.name == "Container house")).one()
    pledge = contribution(session, "C-2023-000001")
    record_fulfilment(
        session,
        pledge.id,  # type: ignore[arg-type]
        ContributionInput(
            ahik.id, pledge.recipient_id, date(2023, 2, 20), "paid", [goods_line(houses, "10", "12000.00 AZN")]
        ),  # type: ignore[arg-type]
        None,
    )
    make_contribution(
        session, money_line("1000.00 AZN"), donor=ahik, recipient=make_recipient(session), on=date(2023, 2, 21)
    )
    # Paid in February (a status move counts on the day it took effect; undated, it would be today).
    advance_status(session, contribution(session, "C-2023-000007").id, "paid", None, date(2023, 2, 25))  # type: ignore[arg-type]

    again = letter_data(session, find_letter(session, letter.number))
    assert again.content() == before
    assert again.digest == letter.digest
    assert letter_data(session, jica_letter).content() == jica_before
    assert [str(m) for m in letter_data(session, jica_letter).outstanding_money] == ["50000000 JPY"]

    # A new letter sees the ledger as it is now.
    now = letter_data(session, create_letter(session, ahik, *FEBRUARY, show_values=True))
    assert [str(m) for m in now.money] == ["1000.00 AZN"]
    assert [(f.quantity, [str(v) for v in f.value]) for f in now.goods_and_services] == [
        (Decimal("20"), ["240000.00 AZN"])
    ]
    assert (now.outstanding_items, now.contributions) == ((), 3)
    paid_yen = letter_data(session, create_letter(session, jica, *FEBRUARY))
    assert ([str(m) for m in paid_yen.money], paid_yen.outstanding_money) == (["50000000 JPY"], ())


def test_a_letter_in_an_unknown_language_is_refused_and_nothing_is_stored(session: Session) -> None:
    load_demo(session)
    with pytest.raises(Invalid) as refused:
        create_letter(session, donor_named(session, "Ayşe"), None, None, language="fr")
    assert refused.value.field == "language"
    assert session.exec(select(sa.func.count()).select_from(sa.table("acknowledgement"))).one() == 0


def test_a_letter_cannot_be_rewritten_in_the_database(session: Session) -> None:
    load_demo(session)
    letter = create_letter(session, donor_named(session, "Ayşe"), None, None)
    for sql in ("UPDATE acknowledgement SET show_values = true WHERE id = :id", "DELETE FROM acknowledgement"):
        with pytest.raises(DBAPIError), session.begin_nested():
            session.execute(sa.text(sql), {"id": letter.id})


@pytest.mark.parametrize(
    ("lang", "houses", "addressee"),
    [("az", "Konteyner ev", "Ünvan sahibi"), ("tr", "Konteyner evi", "Alıcı"), ("ru", "Контейнерный дом", "Адресат")],
)
def test_a_letter_names_its_items_and_its_addressee_in_its_own_language(
    session: Session, lang: str, houses: str, addressee: str
) -> None:
    load_demo(session)
    ahik = donor_named(session, "Azərbaycan Həmkarlar")
    item = session.exec(select(Item).where(Item.name == "Container house")).one()
    names = {"az": "Konteyner ev", "tr": "Konteyner evi", "ru": "Контейнерный дом"}
    update_item(session, stored_id(item), replace(item_input(item), names=names), None)
    page = BeautifulSoup(letter_html(letter_data(session, create_letter(session, ahik, *FEBRUARY, language=lang))),
                         "html.parser")  # fmt: skip
    facts = dict(zip([dt.get_text() for dt in page.select("dl.facts dt")], page.select("dl.facts dd"), strict=True))
    assert facts[addressee].get_text() == ahik.name
    assert [" ".join(li.get_text().split()).split(" — ")[1] for li in page.select("ul.received li.item")] == [houses]
    assert [" ".join(li.get_text().split()).split(" — ")[1] for li in page.select("ul.outstanding li.item")] == [houses]
    assert "г.." not in page.get_text()  # a Russian long date ends "г."; no sentence puts its own full stop after it


def test_an_english_letter_keeps_the_catalogue_name(session: Session) -> None:
    load_demo(session)
    item = session.exec(select(Item).where(Item.name == "Container house")).one()
    update_item(session, stored_id(item), replace(item_input(item), names={"az": "Konteyner ev"}), None)
    letter = letter_data(session, create_letter(session, donor_named(session, "Azərbaycan"), *FEBRUARY, language="en"))
    assert [f.name for f in letter.goods_and_services] == ["Container house"]


def test_a_period_with_nothing_to_thank_for_is_refused_and_nothing_is_stored(session: Session) -> None:
    load_demo(session)
    ahik = donor_named(session, "Azərbaycan Həmkarlar")
    with pytest.raises(Invalid) as refused:
        create_letter(session, ahik, date(2024, 1, 1), date(2024, 12, 31))
    assert refused.value.field == "period"
    assert session.exec(select(sa.func.count()).select_from(sa.table("acknowledgement"))).one() == 0
    # A promise still to come is something to thank for: the yen commitment alone gets its letter.
    jica = letter_data(session, create_letter(session, donor_named(session, "Japan International"), *FEBRUARY))
    assert (jica.money, [str(m) for m in jica.outstanding_money]) == ((), ["50000000 JPY"])
