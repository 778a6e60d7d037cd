"""The dashboard's figures on the demo ledger (whose settings keep totals in AZN), against figures worked out by hand.

Rates (AZN per unit, every working day of Feb–Mar 2023): USD 1.70, EUR 1.82, TRY 0.0902,
JPY 0.0128, KWD 5.56. A weekend value date takes Friday's rate (within the 7-day window).
"""

from datetime import date
from decimal import Decimal

from sqlmodel import Session, select

from tracker.db.models import Appeal
from tracker.demo import load_demo
from tracker.reporting.dashboard import dashboard


def text(converted) -> str:
    missing = ", ".join(str(m) for m in converted.unconverted)
    return str(converted.total) + (f" (+ unconverted {missing})" if missing else "")


def test_headline_figures_in_manats(session: Session) -> None:
    load_demo(session)
    board = dashboard(session, today=date(2026, 11, 28))
    # 500,000.00 AZN + 75,250.500 KWD × 5.56 (418,392.78) + 250,000 EUR × 1.82 (455,000.00)
    # + 15,000 TRY × 0.0902 (1,353.00) + 150,000 USD × 1.70 (255,000.00)
    assert text(board.paid_money) == "1629745.78 AZN"
    # 120,000 AZN houses + 45,000 AZN doctors + 2,000 blankets 25,000 EUR × 1.82 + 500 tents 175,000 USD × 1.70
    assert text(board.paid_in_kind) == "508000.00 AZN"
    assert text(board.committed) == "640000.00 AZN"  # 50,000,000 JPY × 0.0128
    assert text(board.pledged) == "375000.00 AZN"  # 150,000 USD × 1.70 + 10 houses 120,000 AZN outstanding
    assert text(board.funding) == "2777745.78 AZN"  # paid 2,137,745.78 + committed 640,000.00
    assert {c: str(m) for c, m in board.by_currency["paid"].items()} == {
        "AZN": "665000.00 AZN",  # money 500,000 + in-kind 165,000
        "EUR": "275000.00 EUR",
        "KWD": "75250.500 KWD",
        "TRY": "15000.00 TRY",
        "USD": "325000.00 USD",
    }


def test_top_donors_appeals_and_items(session: Session) -> None:
    load_demo(session)
    board = dashboard(session, today=date(2026, 11, 28))
    assert [(d.label[:20], text(d.funding)) for d in board.top_donors] == [
        ("Japan International ", "640000.00 AZN"),
        ("Azərbaycan Həmkarlar", "620000.00 AZN"),
        ("Deutsche Nothilfe e.", "500500.00 AZN"),
        ("Kuwait Red Crescent ", "418392.78 AZN"),
        ("Government of the Re", "342500.00 AZN"),
        ("Caspian Energy LLC", "170000.00 AZN"),
        ("Благотворительный фо", "85000.00 AZN"),
        ("Ayşe Yılmaz", "1353.00 AZN"),
    ]
    progress = {p.appeal.code: p for p in board.appeals}
    syria = progress["SYR-EQ-2023"]
    assert text(syria.funding) == "382500.00 AZN"  # 50,000 USD + 175,000 USD of tents, × 1.70
    assert str(syria.target_in_reporting) == "1700000.00 AZN"  # 1,000,000 USD at the latest rate, 1.70
    assert syria.covered == Decimal("0.225")
    turkiye = progress["TUR-EQ-2023"]
    assert text(turkiye.funding) == "2395245.78 AZN"
    assert round(turkiye.covered * 100, 2) == Decimal("47.90")
    houses = next(f for f in board.items if f.item.name == "Container house")
    assert (houses.paid_milli, houses.outstanding_milli, [str(v) for v in houses.paid_value]) == (
        10000,
        10000,
        ["120000.00 AZN"],
    )


def test_one_appeal_only(session: Session) -> None:
    load_demo(session)
    syria = session.exec(select(Appeal).where(Appeal.code == "SYR-EQ-2023")).one()
    board = dashboard(session, syria, today=date(2026, 11, 28))
    assert text(board.paid_money) == "85000.00 AZN"
    assert text(board.paid_in_kind) == "297500.00 AZN"
    assert text(board.pledged) == "255000.00 AZN"
    assert text(board.committed) == "0.00 AZN"
    assert [(d.label[:11], text(d.funding)) for d in board.top_donors] == [
        ("Government ", "297500.00 AZN"),
        ("Благотворит", "85000.00 AZN"),
    ]
    assert [(m.month, text(m.paid)) for m in board.timeline] == [
        ("2023-02", "297500.00 AZN"),
        ("2023-03", "85000.00 AZN"),
    ]
    assert [r.contribution.number for r in board.recent] == ["C-2023-000014", "C-2023-000013", "C-2023-000012"]


def test_a_missing_rate_is_shown_unconverted_never_as_zero(session: Session) -> None:
    from factories import make_contribution, money_line

    load_demo(session)
    make_contribution(session, money_line("1000.00 GBP"), on=date(2023, 2, 10))  # no GBP rate at all
    board = dashboard(session, today=date(2026, 11, 28))
    assert text(board.paid_money) == "1629745.78 AZN (+ unconverted 1000.00 GBP)"


def test_the_dashboard_page_shows_the_headline_and_filters_by_appeal(client, session: Session) -> None:
    from bs4 import BeautifulSoup
    from webkit import Staff, make_user

    load_demo(session)
    Staff(client).sign_in(make_user(session, "viewer"))

    def figures(path: str) -> dict[str, str]:
        page = BeautifulSoup(client.get(path).text, "html.parser")
        return {
            card["id"].removeprefix("headline-"): card.find(class_="figure").get_text(strip=True)
            for card in page.find_all(class_="headline")
        }

    assert figures("/") == {
        "paid": "AZN1,629,745.78",
        "in-kind": "AZN508,000.00",
        "committed": "AZN640,000.00",
        "pledged": "AZN375,000.00",
        "funding": "AZN2,777,745.78",
    }
    assert figures("/?appeal=syr-eq-2023") == {
        "paid": "AZN85,000.00",
        "in-kind": "AZN297,500.00",
        "committed": "AZN0.00",
        "pledged": "AZN255,000.00",
        "funding": "AZN382,500.00",
    }
    page = BeautifulSoup(client.get("/?lang=az").text, "html.parser")
    donors = page.find("svg", id=None, attrs={"aria-labelledby": "donors-chart-title donors-chart-desc"})
    assert donors.find("desc").get_text().startswith("Japan International Cooperation Agency: 640.000,00\xa0₼; ")
    assert client.get("/?appeal=NOPE").status_code == 404


def test_a_period_counts_only_its_value_dates(session: Session) -> None:
    load_demo(session)
    march = dashboard(session, today=date(2026, 11, 28), period=(date(2023, 3, 1), date(2023, 3, 31)))
    assert text(march.paid_money) == "85000.00 AZN"  # the foundation's 50,000 USD on 10 March
    assert (text(march.paid_in_kind), text(march.committed), text(march.pledged)) == ("0.00 AZN",) * 3
    assert [(d.label[:11], text(d.funding)) for d in march.top_donors] == [("Благотворит", "85000.00 AZN")]
    assert [m.month for m in march.timeline] == ["2023-03"]


def test_a_period_covering_everything_agrees_with_the_maintained_totals(session: Session) -> None:
    load_demo(session)
    stored = dashboard(session, today=date(2026, 11, 28))
    computed = dashboard(session, today=date(2026, 11, 28), period=(date(2020, 1, 1), date(2026, 1, 1)))
    for name in ("paid_money", "paid_in_kind", "committed", "pledged", "funding", "top_donors", "by_recipient",
                 "by_cluster", "timeline", "items", "by_currency"):  # fmt: skip
        assert getattr(stored, name) == getattr(computed, name), name


def test_the_page_takes_a_period_and_refuses_a_backwards_one(client, session: Session) -> None:
    from bs4 import BeautifulSoup
    from webkit import Staff, make_user

    load_demo(session)
    Staff(client).sign_in(make_user(session, "viewer"))
    page = BeautifulSoup(client.get("/?from=2023-03-01&to=2023-03-31").text, "html.parser")
    assert page.find(id="headline-paid").find(class_="figure").get_text(strip=True) == "AZN85,000.00"
    assert page.find("input", attrs={"name": "from"})["value"] == "2023-03-01"
    backwards = client.get("/?from=2023-03-31&to=2023-03-01")
    assert backwards.status_code == 422
    assert (
        "to: the period ends before it starts" in BeautifulSoup(backwards.text, "html.parser").find(class_="error").text
    )


# --- the reporting currency changed on /settings: totals through the rates' own currency ----------
# Rates stored in manats (AZN per unit) on 10 February 2023: USD 1.70, EUR 1.82. After the
# reporting currency becomes USD the dashboard converts through AZN:
#   AZN → USD: 1 / 1.70;  EUR → USD: 1.82 / 1.70;  USD: itself.
# Paid cash: 1,000.00 AZN / 1.70 = 588.2352…; 500.00 USD; 200.00 EUR × 1.82 / 1.70 = 214.1176…
#   exactly (1,000 + 364) / 1.70 + 500 = 802.35294… + 500 = 1,302.35 USD.
# Pledged (outstanding): 300.00 EUR × 1.82 / 1.70 = 546 / 1.70 = 321.17647… = 321.18 USD.
# Paid in kind: 10 tents at 50.00 AZN = 500.00 AZN / 1.70 = 294.1176… = 294.12 USD.


def _ledger_in_manat_rates_then_dollars(session: Session) -> None:
    from factories import goods_line, make_contribution, make_donor, make_item, money_line

    from tracker.rates.service import record_rate
    from tracker.settings.service import SettingsInput, update_settings

    update_settings(session, SettingsInput(reporting_currency="AZN"), None)
    on = date(2023, 2, 10)
    record_rate(session, on, "USD", "1.70", "cbar", "AZN", None)
    record_rate(session, on, "EUR", "1.82", "cbar", "AZN", None)
    donor = make_donor(session, "Bakı donor")
    tents = make_item(session, "Tent")
    make_contribution(session, money_line("1000.00 AZN"), donor=donor, on=on)
    make_contribution(session, money_line("500.00 USD"), on=on)
    make_contribution(session, money_line("200.00 EUR"), on=on)
    make_contribution(session, goods_line(tents, "10", "50.00 AZN"), on=on)
    make_contribution(session, money_line("300.00 EUR"), status="pledged", on=on)
    update_settings(session, SettingsInput(reporting_currency="USD"), None)


def test_after_the_reporting_currency_changes_the_dashboard_converts_through_the_rates_currency(
    session: Session,
) -> None:
    from tracker.reporting.reports.summary_totals import summary_report

    _ledger_in_manat_rates_then_dollars(session)
    board = dashboard(session, today=date(2026, 11, 28))
    assert board.reporting_currency == "USD"
    assert text(board.paid_money) == "1302.35 USD"  # AZN converted, not "no exchange rate yet"
    assert text(board.paid_in_kind) == "294.12 USD"
    assert text(board.pledged) == "321.18 USD"  # not 0.00
    assert text(board.funding) == "1596.47 USD"  # (1,364 + 500) / 1.70 + 500 = 1,596.4705…
    # Funding per donor: 1,000 AZN / 1.70; 500 USD; 500 AZN of tents / 1.70; 200 EUR × 1.82 / 1.70.
    funding_by_donor = [("Bakı donor", "588.24 USD"), ("Test donor", "500.00 USD"), ("Test donor", "294.12 USD"),
                        ("Test donor", "214.12 USD")]  # fmt: skip
    assert [(d.label, text(d.funding)) for d in board.top_donors] == funding_by_donor
    report = summary_report(session, today=date(2026, 11, 28))
    assert report.currency == "USD"
    figures = report.figures
    assert (str(figures.paid.money.total), str(figures.paid.in_kind.total), str(figures.pledged.total.total)) == (
        "1302.35 USD",
        "294.12 USD",
        "321.18 USD",
    )
    assert str(figures.funding.total.total) == "1596.47 USD"
    assert figures.complete
    donors = [(g.label, str(g.figures.funding.total.total)) for g in report.by_donor]
    assert donors == [*funding_by_donor, ("Test donor", "0.00 USD")]  # the report lists the pledge's donor too


def test_after_the_reporting_currency_changes_the_dashboard_page_shows_dollars(client, session: Session) -> None:
    from bs4 import BeautifulSoup
    from webkit import Staff, make_user

    _ledger_in_manat_rates_then_dollars(session)
    Staff(client).sign_in(make_user(session, "viewer"))
    page = BeautifulSoup(client.get("/").text, "html.parser")
    figures = {
        card["id"].removeprefix("headline-"): card.find(class_="figure").get_text(strip=True)
        for card in page.find_all(class_="headline")
    }
    assert figures == {
        "paid": "$1,302.35",
        "in-kind": "$294.12",
        "committed": "$0.00",
        "pledged": "$321.18",
        "funding": "$1,596.47",
    }
    assert page.find(class_="unconverted") is None


def test_rates_recorded_after_the_change_move_the_dashboard_and_keep_the_totals_exact(session: Session) -> None:
    from tracker.rates.service import record_rate
    from tracker.totals.aggregates import totals_differences

    _ledger_in_manat_rates_then_dollars(session)
    on = date(2023, 2, 10)
    # A rate stored in dollars now (the /rates page quotes in the reporting currency): AZN 0.59 USD,
    # used before the cross through AZN. Paid cash: 1,000 × 0.59 + 500 + 364 / 1.70 = 1,304.1176… USD.
    record_rate(session, on, "AZN", "0.59", "manual", "USD", None)
    assert text(dashboard(session).paid_money) == "1304.12 USD"
    assert totals_differences(session) == []
    # The dollar's own manat rate corrected: every cross rate's divisor moves (AZN keeps its direct rate).
    # 1,000 × 0.59 + 500 + 364 / 1.82 = 590 + 500 + 200 = 1,290.00 USD; pledged 546 / 1.82 = 300.00 USD.
    record_rate(session, on, "USD", "1.82", "manual", "AZN", None)
    board = dashboard(session)
    assert (text(board.paid_money), text(board.pledged)) == ("1290.00 USD", "300.00 USD")
    assert totals_differences(session) == []


def test_the_page_counts_live_contributions_labels_every_bar_and_clips_no_name(client, session: Session) -> None:
    from bs4 import BeautifulSoup
    from webkit import Staff, make_user

    load_demo(session)
    Staff(client).sign_in(make_user(session, "viewer"))
    page = BeautifulSoup(client.get("/").text, "html.parser")
    # The demo numbers 14 contributions from its 8 donors and voids one of them (entered twice).
    assert page.find(id="counts").get_text(" ", strip=True) == (
        "13 contributions from 8 donors. 1 voided contribution is not counted."
    )
    donors = page.find("svg", attrs={"aria-labelledby": "donors-chart-title donors-chart-desc"})
    labels = [text for text in donors.find_all("text") if text.get("text-anchor") == "end"]
    titled = {
        text.title.get_text(): text.get_text().removeprefix(text.title.get_text()) for text in labels if text.title
    }
    assert (
        titled["Government of the Republic of Azerbaijan"] == "Government of the Republi…"
    )  # 25 characters and the ellipsis
    assert titled["Japan International Cooperation Agency"] == "Japan International Coope…"
    assert all(len(text.get_text().removeprefix(text.title.get_text() if text.title else "")) <= 26 for text in labels)
    months = page.find("svg", attrs={"aria-labelledby": "months-chart-title months-chart-desc"})
    # February: 2,777,745.78 of funding less March's 50,000 USD × 1.70 = 85,000 AZN (the one March value date).
    assert [text.get_text() for text in months.find_all("text", class_="value")] == ["AZN2.7M", "AZN85K"]
