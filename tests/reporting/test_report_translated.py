"""Statements and summaries name their items in the report's language, where the catalogue has a name in it."""

from dataclasses import replace
from datetime import date

from bs4 import BeautifulSoup
from report_support import donor_named
from sqlmodel import Session, select

from tracker.catalogue.service import item_input, update_item
from tracker.db.columns import stored_id
from tracker.db.models import Item
from tracker.demo import load_demo
from tracker.reporting.reports.donor import donor_statement
from tracker.reporting.reports.render import donor_html, summary_html
from tracker.reporting.reports.summary_totals import summary_report
from tracker.reporting.reports.translated import statement_in, summary_in

FEBRUARY = (date(2023, 2, 1), date(2023, 2, 28))


def name_houses(session: Session) -> Item:
    houses = session.exec(select(Item).where(Item.name == "Container house")).one()
    update_item(session, stored_id(houses), replace(item_input(houses), names={"az": "Konteyner ev"}), None)
    return houses


def test_a_statement_in_azerbaijani_names_the_houses_so_and_the_catalogue_keeps_its_name(session: Session) -> None:
    load_demo(session)
    houses = name_houses(session)
    statement = donor_statement(session, donor_named(session, "Azərbaycan Həmkarlar"), *FEBRUARY)
    named = statement_in(session, statement, "az")
    assert [f.name for f in named.goods_and_services("paid")] == ["Konteyner ev"]
    assert [line.item_name for e in named.entries for line in e.lines if line.item_id] == ["Konteyner ev"] * 2
    page = BeautifulSoup(donor_html(named, "az"), "html.parser").get_text()
    assert "Konteyner ev" in page and "Container house" not in page
    assert statement_in(session, statement, "tr") is statement  # no Turkish name: the catalogue's
    assert [f.name for f in statement_in(session, statement, "tr").goods_and_services("paid")] == ["Container house"]
    session.expire_all()
    assert session.get(Item, houses.id).name == "Container house"  # type: ignore[union-attr]


def test_a_summary_in_azerbaijani_names_the_houses_so(session: Session) -> None:
    load_demo(session)
    name_houses(session)
    report = summary_in(session, summary_report(session, *FEBRUARY, currency="AZN"), "az")
    assert "Konteyner ev" in [f.name for f in report.goods_and_services["paid"]]
    assert "Container house" not in [f.name for f in report.goods_and_services["paid"]]
    page = BeautifulSoup(summary_html(report, "az"), "html.parser").get_text()
    assert "Konteyner ev" in page
