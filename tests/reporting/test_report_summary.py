"""The summary report on the demo ledger, in manats, against figures worked out by hand.

Rates (AZN per unit, every working day of Feb–Mar 2023): USD 1.70, EUR 1.82, TRY 0.0902,
JPY 0.0128, KWD 5.56.
"""

from datetime import date
from decimal import Decimal

from report_support import in_manats, text
from sqlmodel import Session, select

from tracker.db.models import Appeal
from tracker.demo import load_demo
from tracker.rates.convert import RateUsed
from tracker.reporting.reports.summary_totals import summary_report

__all__ = ["in_manats"]
TODAY = date(2026, 11, 28)


def test_headline_figures_cash_and_in_kind_apart_and_together(session: Session, in_manats: None) -> None:
    load_demo(session)
    report = summary_report(session, date(2023, 2, 1), date(2023, 3, 31), today=TODAY)
    figures = report.figures
    # 500,000.00 AZN + 75,250.500 KWD × 5.56 + 250,000 EUR × 1.82 + 15,000 TRY × 0.0902 + 150,000 USD × 1.70
    assert text(figures.paid.money) == "1629745.78 AZN"
    # houses 120,000 AZN + doctors 45,000 AZN + blankets 25,000 EUR × 1.82 + tents 175,000 USD × 1.70
    assert text(figures.paid.in_kind) == "508000.00 AZN"
    assert text(figures.paid.total) == "2137745.78 AZN"
    assert text(figures.committed.total) == "640000.00 AZN"  # 50,000,000 JPY × 0.0128
    assert text(figures.pledged.money) == "255000.00 AZN"  # 150,000 USD still to come × 1.70
    assert text(figures.pledged.in_kind) == "120000.00 AZN"  # 10 container houses still to come
    assert text(figures.funding.total) == "2777745.78 AZN"  # paid + committed; pledges apart
    assert [(status, text(split.total)) for status, split in report.by_status] == [
        ("paid", "2137745.78 AZN"),
        ("committed", "640000.00 AZN"),
        ("pledged", "375000.00 AZN"),
        ("written_off", "0.00 AZN"),  # nothing closed in the demo
    ]
    assert {rate.currency for rate in report.rates_used} == {"EUR", "JPY", "KWD", "TRY", "USD"}


def test_by_appeal_with_targets_and_coverage(session: Session, in_manats: None) -> None:
    load_demo(session)
    report = summary_report(session, today=TODAY)
    appeals = {group.code: group for group in report.by_appeal}
    assert list(appeals) == ["SYR-EQ-2023", "TUR-EQ-2023"]
    syria = appeals["SYR-EQ-2023"]
    assert text(syria.figures.funding.total) == "382500.00 AZN"  # 50,000 USD + 175,000 USD of tents, × 1.70
    assert str(syria.target) == "1000000.00 USD"
    assert str(syria.target_converted) == "1700000.00 AZN"  # at the latest rate, 31 March 2023
    assert syria.target_rates == (RateUsed("USD", date(2023, 3, 31), Decimal("1.7000"), "demo", "AZN"),)
    assert syria.covered == Decimal("0.225")
    turkiye = appeals["TUR-EQ-2023"]
    assert text(turkiye.figures.funding.total) == "2395245.78 AZN"
    assert str(turkiye.target_converted) == "5000000.00 AZN"
    assert round(turkiye.covered * 100, 2) == Decimal("47.90")


def test_by_donor_top_n_and_the_rest(session: Session, in_manats: None) -> None:
    load_demo(session)
    report = summary_report(session, top=3, today=TODAY)
    assert [(g.label[:20], text(g.figures.funding.total)) for g in report.by_donor] == [
        ("Japan International ", "640000.00 AZN"),
        ("Azərbaycan Həmkarlar", "620000.00 AZN"),
        ("Deutsche Nothilfe e.", "500500.00 AZN"),
    ]
    assert report.other_donors is not None
    # Kuwait 418,392.78 + government 342,500.00 + Caspian 170,000.00 + Open Hearts 85,000.00 + Ayşe 1,353.00
    assert (report.other_donors.count, text(report.other_donors.figures.funding.total)) == (5, "1017245.78 AZN")
    assert text(report.other_donors.figures.pledged.total) == "255000.00 AZN"  # Open Hearts' 150,000 USD to come


def test_by_recipient_cluster_currency_and_month(session: Session, in_manats: None) -> None:
    load_demo(session)
    report = summary_report(session, today=TODAY)
    assert [(g.label[:16], text(g.figures.funding.total)) for g in report.by_recipient] == [
        ("Türk Kızılay", "920245.78 AZN"),  # Kuwait + Deutsche Nothilfe + Ayşe Yılmaz
        ("Heydar Aliyev Fo", "670000.00 AZN"),  # 500,000 AZN + 100,000 USD
        ("AFAD (Disaster a", "640000.00 AZN"),  # the committed yen; flights, trucks, rescuers not valued
        ("Syrian Arab Red ", "382500.00 AZN"),
        ("Families left ho", "120000.00 AZN"),
        ("Hatay field hosp", "45000.00 AZN"),
    ]
    clusters = {g.key: g.figures for g in report.by_cluster}
    assert text(clusters["SHL"].paid.total) == "463000.00 AZN"  # houses 120,000 + tents 297,500 + blankets 45,500
    assert text(clusters["SHL"].pledged.total) == "120000.00 AZN"
    assert text(clusters["HEA"].paid.total) == "45000.00 AZN"
    assert text(clusters["LOG"].paid.total) == "0.00 AZN"  # counted in flights, trucks and person-days only
    assert text(clusters[None].funding.total) == "2269745.78 AZN"  # cash has no cluster: paid + committed yen
    currencies = {g.currency: g for g in report.by_currency}
    assert {b: str(m) for b, m in currencies["AZN"].money.items()} == {"paid": "500000.00 AZN"}
    assert {b: str(m) for b, m in currencies["AZN"].in_kind.items()} == {
        "paid": "165000.00 AZN",
        "pledged": "120000.00 AZN",
    }
    assert {b: str(m) for b, m in currencies["USD"].money.items()} == {
        "paid": "150000.00 USD",
        "pledged": "150000.00 USD",
    }
    assert {b: str(m) for b, m in currencies["JPY"].money.items()} == {"committed": "50000000 JPY"}
    assert [(g.key, text(g.figures.paid.total)) for g in report.by_month] == [
        ("2023-02", "2052745.78 AZN"),
        ("2023-03", "85000.00 AZN"),  # Open Hearts' 50,000 USD
    ]


def test_goods_and_services_in_their_units(session: Session, in_manats: None) -> None:
    load_demo(session)
    report = summary_report(session, today=TODAY)
    assert [
        (f.name, f"{f.quantity} {f.unit}", [str(v) for v in f.value], f.bases)
        for f in report.goods_and_services["paid"]
    ] == [
        ("Blanket", "2000 piece", ["25000.00 EUR"], ("invoice",)),
        ("Cargo flight", "12 flight", [], ("not_valued",)),
        ("Container house", "10 piece", ["120000.00 AZN"], ("donor_declared",)),
        ("Doctor", "300 person-day", ["45000.00 AZN"], ("standard_cost",)),
        ("Food parcel", "1000 box", [], ("not_valued",)),
        ("Rescuer", "2400 person-day", [], ("not_valued",)),
        ("Truck convoy", "48 truck", [], ("not_valued",)),
        ("Winter tent", "500 piece", ["175000.00 USD"], ("market_price",)),
    ]
    assert [(f.name, f.quantity) for f in report.goods_and_services["pledged"]] == [("Container house", 10)]


def test_one_appeal_and_a_period_in_dollars(session: Session, in_manats: None) -> None:
    load_demo(session)
    syria = session.exec(select(Appeal).where(Appeal.code == "SYR-EQ-2023")).one()
    report = summary_report(session, date(2023, 3, 1), date(2023, 3, 31), syria, currency="USD", today=TODAY)
    assert text(report.figures.paid.total) == "50000.00 USD"  # only Open Hearts' March fulfilment
    assert text(report.figures.pledged.total) == "0.00 USD"  # the pledge itself was made in February
    [appeal] = report.by_appeal
    assert (appeal.code, str(appeal.target_converted), appeal.covered) == (
        "SYR-EQ-2023",
        "1000000.00 USD",
        Decimal("0.05"),
    )
    whole = summary_report(session, currency="USD", today=TODAY)
    assert text(whole.figures.paid.money) == "958673.99 USD"  # 1,629,745.78 AZN / 1.70, rounded once
    turkiye = next(g for g in whole.by_appeal if g.code == "TUR-EQ-2023")
    assert str(turkiye.target_converted) == "2941176.47 USD"  # 5,000,000 AZN / 1.70
