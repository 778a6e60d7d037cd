"""The HXL export: the HXL tools' own library reads it, with FTS's hashtags and the demo's hand-checked figures."""

from __future__ import annotations

import io
import re

import hxl
from factories import make_contribution, make_donor, money_line
from sqlmodel import Session

from tracker.demo import load_demo
from tracker.ledger.filters import ContributionFilters
from tracker.reporting.exports.contributions import contributions_file

TAGS = [
    "#meta+id",
    "#date",
    "#date+decision",
    "#org+name+funder",
    "#org+type+funder",
    "#org+name+impl",
    "#country+code+v_iso2",
    "#activity+appeal+code",
    "#crisis+code",
    "#status+text",
    "#financial+contribution+type",
    "#item+name",
    "#output+num",
    "#item+unit",
    "#sector+cluster+code",
    "#value+total",
    "#currency+code",
    "#value+total+c_azn",
    "#financial+fx",
    "#output+num+promised",
    "#value+promised",
    "#meta+fulfils",
]


def read_hxl(data: bytes, **options: object) -> hxl.model.Dataset:
    return hxl.data(io.BytesIO(data), hxl.InputOptions(**options))


def test_libhxl_reads_the_demo_with_ftss_hashtags_and_the_hand_checked_figures(session: Session) -> None:
    load_demo(session)
    data = contributions_file(session, ContributionFilters(), "hxl")
    source = read_hxl(data, encoding="utf-8-sig")
    assert [column.display_tag for column in source.columns] == TAGS
    assert source.columns[0].header == "Line"
    rows = list(source)
    assert len(rows) == 17  # every line of the 15 contributions less the void one

    def line(donor: str, item: str = "") -> hxl.model.Row:
        (found,) = [r for r in rows if r.get("#org+name+funder") == donor and (r.get("#item+name") or "") == item]
        return found

    ayse = line("Ayşe Yılmaz")  # 15,000 TRY at 0.0902 AZN per lira
    assert [ayse.get(tag) for tag in TAGS[1:]] == [
        "2023-02-08",
        "2023-02-08",  # no promise before it: decided when given
        "Ayşe Yılmaz",
        "individual",
        "Türk Kızılay",
        "TR",
        "TUR-EQ-2023",
        "EQ-2023-000015-TUR",
        "paid",
        "financial",
        None,
        None,
        None,
        None,
        "15000.00",
        "TRY",
        "1353.00",
        "0.0902",
        None,
        "15000.00",
        None,
    ]
    assert re.fullmatch(r"C-2023-\d{6}/1", ayse.get("#meta+id"))
    kuwait = line("Kuwait Red Crescent Society")  # 75,250.500 KWD × 5.56 = 418,392.78 AZN
    assert (kuwait.get("#value+total"), kuwait.get("#value+total+c_azn"), kuwait.get("#financial+fx")) == (
        "75250.500",
        "418392.78",
        "5.56",
    )
    jica = line("Japan International Cooperation Agency")  # 50,000,000 JPY × 0.0128 = 640,000 AZN, committed
    assert (jica.get("#value+total"), jica.get("#status+text"), jica.get("#value+total+c_azn")) == (
        "50000000",
        "commitment",
        "640000.00",
    )
    pledge = [r for r in rows if r.get("#item+name") == "Container house" and r.get("#status+text") == "pledge"]
    shown = ("#output+num", "#item+unit", "#value+total", "#sector+cluster+code", "#output+num+promised")
    # 10 of the 20 houses pledged have come: the pledge counts for the other 10, as the summary does
    assert [[r.get(tag) for tag in shown] for r in pledge] == [["10", "piece", "120000.00", "SHL", "20"]]
    assert pledge[0].get("#value+promised") == "240000.00"
    assert pledge[0].get("#financial+contribution+type") == "in kind"
    flights = line("Government of the Republic of Azerbaijan", "Cargo flight")  # in kind, not valued: no figure, not 0
    assert (flights.get("#output+num"), flights.get("#item+unit")) == ("12", "flight")
    assert [flights.get(t) for t in ("#value+total", "#currency+code", "#value+total+c_azn", "#financial+fx")] == [
        None,
        None,
        None,
        None,
    ]
    syria = [r for r in rows if r.get("#crisis+code") == "EQ-2023-000015-SYR"]
    assert len(syria) == 4
    # libhxl's built-in schema (dates are dates, values numbers, known words) finds no error and no warning;
    # it notes 50,000,000 JPY as a possible outlier, for information only.
    report = hxl.validate(read_hxl(data))
    assert (report["stats"]["error"], report["stats"]["warning"]) == (0, 0)


def test_the_bom_stays_out_of_the_hashtags(session: Session) -> None:
    make_contribution(session, money_line("10.00 USD"), donor=make_donor(session, "Ayşe Yılmaz"))
    data = contributions_file(session, ContributionFilters(), "hxl")
    assert data.startswith("\ufeff".encode())
    plain = read_hxl(data)  # without options libhxl keeps the BOM in the first human heading only
    assert plain.columns[0].header == "\ufeffLine"
    assert plain.columns[0].display_tag == "#meta+id"
    assert read_hxl(data, encoding="utf-8-sig").columns[0].header == "Line"
    assert [row.get("#org+name+funder") for row in plain] == ["Ayşe Yılmaz"]


def test_a_donor_named_like_a_formula_is_neutralised(session: Session) -> None:
    donor = make_donor(session, '=HYPERLINK("http://x","y")')
    make_contribution(session, money_line("10.00 USD"), donor=donor)
    data = contributions_file(session, ContributionFilters(), "hxl")
    (row,) = list(read_hxl(data))
    assert row.get("#org+name+funder") == '\'=HYPERLINK("http://x","y")'
    assert row.get("#value+total+c_usd") == "10.00"  # the reporting currency of the tests' settings


def test_void_contributions_are_left_out_unless_asked_for_and_then_marked(session: Session) -> None:
    from tracker.ledger.service import void_contribution

    kept = make_contribution(session, money_line("10.00 USD"), donor=make_donor(session, "Kept"))
    voided = make_contribution(session, money_line("20.00 USD"), donor=make_donor(session, "Voided"))
    void_contribution(session, voided.id, "Entered twice", None)  # type: ignore[arg-type]
    default = list(read_hxl(contributions_file(session, ContributionFilters(), "hxl")))
    assert [row.get("#meta+id") for row in default] == [kept.number + "/1"]
    source = read_hxl(contributions_file(session, ContributionFilters(), "hxl", include_void=True))
    assert source.columns[-1].display_tag == "#description+void"
    marks = {row.get("#org+name+funder"): row.get("#description+void") for row in source}
    assert marks == {"Kept": None, "Voided": "Entered twice"}
