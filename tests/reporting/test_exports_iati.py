"""The IATI export: each demo appeal is one activity that validates against the official 2.03 schema."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import xmlschema
from factories import goods_line, make_appeal, make_contribution, make_donor, make_item, money_line
from sqlmodel import Session

from tracker.core import config
from tracker.core.errors import Invalid
from tracker.db.models import Contribution
from tracker.demo import load_demo
from tracker.ledger.service import LineInput
from tracker.reporting.exports.iati import appeal_by_code, appeal_iati_xml
from tracker.settings.service import SettingsInput, update_settings

SCHEMA_DIR = Path(__file__).parent.parent / "data" / "iati-2.03"
NS = {"tracker": "urn:tracker:iati:1"}
NOW = datetime(2025, 3, 7, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMA_DIR / "iati-activities-schema.xsd"))


def problems(schema: xmlschema.XMLSchema, data: bytes) -> list[str]:
    return [str(error.reason) for error in schema.iter_errors(data.decode("utf-8"))]


def transactions(activity: ET.Element) -> list[tuple[str, str, str, str, str]]:
    """(type, date, currency, value, value date) of every transaction, in the file's order."""
    found = []
    for t in activity.findall("transaction"):
        value = t.find("value")
        assert value is not None
        found.append(
            (
                t.find("transaction-type").get("code"),  # type: ignore[union-attr]
                t.find("transaction-date").get("iso-date"),  # type: ignore[union-attr]
                value.get("currency"),
                value.text,
                value.get("value-date"),
            )
        )
    return found  # type: ignore[return-value]


def test_both_demo_appeals_validate_with_their_incoming_transactions(
    session: Session, schema: xmlschema.XMLSchema
) -> None:
    load_demo(session)
    turkiye = appeal_iati_xml(session, appeal_by_code(session, "TUR-EQ-2023").id, "XM-TEST-1", NOW)  # type: ignore[arg-type]
    syria = appeal_iati_xml(session, appeal_by_code(session, "SYR-EQ-2023").id, "XM-TEST-1", NOW)  # type: ignore[arg-type]
    assert problems(schema, turkiye) == []
    assert problems(schema, syria) == []

    root = ET.fromstring(turkiye)
    assert (root.get("version"), root.get("generated-datetime")) == ("2.03", "2025-03-07T09:30:00+00:00")
    (activity,) = root.findall("iati-activity")
    assert activity.get("humanitarian") == "1"
    assert activity.findtext("iati-identifier") == "XM-TEST-1-TUR-EQ-2023"
    assert activity.find("reporting-org").get("ref") == "XM-TEST-1"  # type: ignore[union-attr]
    assert activity.findtext("reporting-org/narrative") == "Qafqaz Humanitarian Relief (demo)"
    assert activity.findtext("title/narrative") == "Türkiye earthquake 2023"
    scope = activity.find("humanitarian-scope")
    assert scope is not None and dict(scope.attrib) == {"type": "1", "vocabulary": "1-2", "code": "EQ-2023-000015-TUR"}
    assert activity.find("activity-date").attrib == {"type": "2", "iso-date": "2023-02-06"}  # type: ignore[union-attr]
    # pledge 13, commitment 11, incoming funds 1; the void 10,000 USD of 11 February is not there
    assert sorted(transactions(activity)) == sorted(
        [
            ("13", "2023-02-08", "AZN", "240000.00", "2023-02-08"),  # 20 container houses pledged
            ("1", "2023-02-10", "AZN", "120000.00", "2023-02-10"),  # the first 10 delivered
            ("1", "2023-02-14", "AZN", "500000.00", "2023-02-14"),
            ("1", "2023-02-09", "AZN", "45000.00", "2023-02-09"),  # 300 doctor-days at 150 AZN
            ("1", "2023-02-20", "KWD", "75250.500", "2023-02-20"),
            ("11", "2023-02-15", "JPY", "50000000", "2023-02-15"),
            ("1", "2023-02-09", "EUR", "250000.00", "2023-02-09"),
            ("1", "2023-02-09", "EUR", "25000.00", "2023-02-09"),  # 2,000 blankets at 12.50 EUR
            ("1", "2023-02-08", "TRY", "15000.00", "2023-02-08"),
            ("1", "2023-02-12", "USD", "100000.00", "2023-02-12"),
        ]
    )
    funders = {p.findtext("narrative"): (p.get("role"), p.get("type")) for p in activity.findall("participating-org")}
    assert funders["Qafqaz Humanitarian Relief (demo)"] == ("3", "22")  # extending: it directs the funds on
    assert funders["Government of the Republic of Azerbaijan"] == ("1", "10")
    assert funders["Caspian Energy LLC"] == ("1", "70")
    assert funders["Ayşe Yılmaz"] == ("1", None)
    (pledge,) = [t for t in activity.findall("transaction") if t.find("transaction-type").get("code") == "13"]  # type: ignore[union-attr]
    assert pledge.findtext("provider-org/narrative") == "Azərbaycan Həmkarlar İttifaqları Konfederasiyası (AHİK)"
    # incoming: the reporter receives; the recipient is named in the description
    assert pledge.findtext("receiver-org/narrative") == "Qafqaz Humanitarian Relief (demo)"
    assert pledge.find("receiver-org").get("ref") == "XM-TEST-1"  # type: ignore[union-attr]
    assert pledge.find("finance-type").get("code") == "110"  # type: ignore[union-attr]
    assert pledge.find("tracker:in-kind", NS).attrib == {  # type: ignore[union-attr]
        "kind": "goods",
        "item": "Container house",
        "unit": "piece",
        "quantity": "20",
        "unit-value": "12000.00",
        "currency": "AZN",
        "valuation": "donor_declared",
    }
    assert pledge.findtext("description/narrative").endswith(  # type: ignore[union-attr]
        ": 20 pieces of Container house, valued at 240,000.00\xa0AZN (donor-declared), "
        "for Families left homeless, Kahramanmaraş"
    )
    assert {s.get("vocabulary") for s in activity.findall("sector")} == {"10"}
    assert {s.get("code") for s in activity.findall("sector")} >= {"SHL", "HEA", "MS"}
    assert {c.get("code") for c in activity.findall("recipient-country")} == {"TR", "AZ"}
    # flights, trucks and rescuers have no value: no transaction, and the description counts them
    note = activity.findtext("description[@type='4']/narrative")
    assert note is not None
    assert "Cargo flight (paid): 12 flights in 1 line" in note
    assert "Rescuer (paid): 2,400 person-days in 1 line" in note
    assert "Truck convoy (paid): 48 trucks in 1 line" in note

    (syrian,) = ET.fromstring(syria).findall("iati-activity")
    assert sorted(transactions(syrian)) == [
        ("1", "2023-02-18", "USD", "175000.00", "2023-02-18"),  # 500 winter tents at 350 USD
        ("1", "2023-03-10", "USD", "50000.00", "2023-03-10"),
        ("13", "2023-02-16", "USD", "200000.00", "2023-02-16"),
    ]
    assert "Food parcel (paid): 1,000 boxes in 1 line" in (syrian.findtext("description[@type='4']/narrative") or "")


def test_the_schema_check_would_catch_elements_out_of_order(session: Session, schema: xmlschema.XMLSchema) -> None:
    appeal = make_appeal(session, "ORDER-1")
    make_contribution(session, money_line("10.00 USD"), appeal=appeal)
    root = ET.fromstring(appeal_iati_xml(session, appeal.id, "XM-TEST-1", NOW))  # type: ignore[arg-type]
    transaction = root.find("iati-activity/transaction")
    assert transaction is not None
    date_element = transaction.find("transaction-date")
    assert date_element is not None
    transaction.remove(date_element)
    transaction.append(date_element)  # after finance-type: not where the schema wants it
    assert problems(schema, ET.tostring(root, encoding="utf-8")) != []


def test_an_appeal_with_no_contributions_and_no_glide_still_validates(
    session: Session, schema: xmlschema.XMLSchema
) -> None:
    appeal = make_appeal(session, "EMPTY-1")
    data = appeal_iati_xml(session, appeal.id, "XM-TEST-1", NOW)  # type: ignore[arg-type]
    assert problems(schema, data) == []
    activity = ET.fromstring(data).find("iati-activity")
    assert activity is not None
    assert activity.find("humanitarian-scope") is None
    assert activity.findall("transaction") == []
    assert [p.get("role") for p in activity.findall("participating-org")] == ["3"]
    assert activity.findall("sector") == [] and activity.findall("recipient-country") == []


def test_names_with_markup_are_text_and_in_kind_without_value_is_never_a_zero(
    session: Session, schema: xmlschema.XMLSchema
) -> None:
    appeal = make_appeal(session, "MARKUP-1")
    donor = make_donor(session, 'A & B <Relief> "Ltd"', kind="company")
    item = make_item(session, "Tent <winter>")
    make_contribution(session, goods_line(item, "5"), money_line("1.500 KWD"), donor=donor, appeal=appeal)
    data = appeal_iati_xml(session, appeal.id, "XM-TEST-1", NOW)  # type: ignore[arg-type]
    assert problems(schema, data) == []
    activity = ET.fromstring(data).find("iati-activity")
    assert activity is not None
    assert [t[2:4] for t in transactions(activity)] == [("KWD", "1.500")]
    assert activity.findtext("transaction/provider-org/narrative") == 'A & B <Relief> "Ltd"'
    assert "Tent <winter> (paid): 5 pieces in 1 line" in (activity.findtext("description[@type='4']/narrative") or "")


def test_without_the_organisations_iati_identifier_the_export_is_refused(
    session: Session, settings: config.Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TRACKER_IATI_ORG_REF", raising=False)
    config.get_settings.cache_clear()
    appeal = make_appeal(session, "NOREF-1")
    with pytest.raises(Invalid) as refused:
        appeal_iati_xml(session, appeal.id)  # type: ignore[arg-type]
    assert refused.value.field == "org_ref"
    assert "on the Settings page (or TRACKER_IATI_ORG_REF)" in refused.value.message
    with pytest.raises(Invalid, match="is not an IATI organisation identifier"):
        appeal_iati_xml(session, appeal.id, "XM DAC 1")  # type: ignore[arg-type]
    monkeypatch.setenv("TRACKER_IATI_ORG_REF", "AZ-VOEN-1234567890")
    config.get_settings.cache_clear()
    identifier = ET.fromstring(appeal_iati_xml(session, appeal.id)).findtext("iati-activity/iati-identifier")  # type: ignore[arg-type]
    assert identifier == "AZ-VOEN-1234567890-NOREF-1"
    update_settings(session, SettingsInput(iati_org_ref="XM-DAC-41114", iati_org_type="21"), None)
    saved = ET.fromstring(appeal_iati_xml(session, appeal.id)).find("iati-activity")  # type: ignore[arg-type]
    assert saved.findtext("iati-identifier") == "XM-DAC-41114-NOREF-1"  # the settings page's, over the environment's
    assert saved.find("reporting-org").get("type") == "21"


def test_sectors_and_countries_share_the_funding_and_payments_stand_beside_their_commitment(
    session: Session, schema: xmlschema.XMLSchema
) -> None:
    """Issue 14's ledger in an appeal, plus 500,000.00 AZN paid to a foundation in Azerbaijan (0.0128 AZN per yen).

    Funding (paid, and committed still outstanding) in manats, by cluster and by recipient country:
        JICA, cash, to AFAD (TR)          384,000 paid + 256,000 committed = 640,000   MS, TR
        houses to families (TR)           120,000 paid (the pledged 10 weigh nothing)   SHL, TR
        cash to the foundation (AZ)       500,000 paid                                  MS, AZ
    MS 1,140,000 / 1,260,000 = 90.476…% → 90.48, SHL the rest, 9.52;
    AZ 500,000 / 1,260,000 = 39.682…% → 39.68, TR the rest, 60.32.
    """
    from tracker.catalogue.service import RecipientInput, create_recipient
    from tracker.rates.service import record_rate
    from tracker.settings.service import SettingsInput, update_settings

    update_settings(session, SettingsInput(reporting_currency="AZN"), None)
    on, later = date(2023, 2, 10), date(2023, 3, 1)
    for day in (on, later):
        record_rate(session, day, "JPY", "0.0128", "CBAR", "AZN", None)
    appeal = make_appeal(session, "TUR-EQ-2023")
    afad = create_recipient(session, RecipientInput(name="AFAD", kind="organisation", country="TR"), None)
    families = create_recipient(session, RecipientInput(name="Families", kind="community", country="tr"), None)
    foundation = create_recipient(session, RecipientInput(name="Foundation", kind="organisation", country="AZ"), None)
    jica, ahik = make_donor(session, "JICA", kind="government"), make_donor(session, "AHİK")
    house = make_item(session, "Container house")

    def made(*lines: LineInput, **kw: object) -> Contribution:
        return make_contribution(session, *lines, appeal=appeal, **kw)  # type: ignore[arg-type]

    commitment = made(money_line("50000000 JPY"), donor=jica, recipient=afad, status="committed", on=on)
    made(money_line("30000000 JPY"), donor=jica, recipient=afad, on=later, fulfils=commitment)
    pledge = made(goods_line(house, "20", "12000.00 AZN"), donor=ahik, recipient=families, status="pledged", on=on)
    made(goods_line(house, "10", "12000.00 AZN"), donor=ahik, recipient=families, on=later, fulfils=pledge)
    made(money_line("500000.00 AZN"), donor=ahik, recipient=foundation, on=later)

    data = appeal_iati_xml(session, appeal.id, "XM-TEST-1", NOW)  # type: ignore[arg-type]
    assert problems(schema, data) == []
    activity = ET.fromstring(data).find("iati-activity")
    assert activity is not None
    sectors = [(s.get("vocabulary"), s.get("code"), s.get("percentage")) for s in activity.findall("sector")]
    assert sectors == [("10", "MS", "90.48"), ("10", "SHL", "9.52")]
    assert activity.findtext("sector[@code='MS']/narrative") == "Multi-sector"
    countries = [(c.get("code"), c.get("percentage")) for c in activity.findall("recipient-country")]
    assert countries == [("AZ", "39.68"), ("TR", "60.32")]
    # IATI counts by type: the commitment at its full value, the incoming funds that fulfil it beside it
    assert sorted(transactions(activity)) == [
        ("1", "2023-03-01", "AZN", "120000.00", "2023-03-01"),
        ("1", "2023-03-01", "AZN", "500000.00", "2023-03-01"),
        ("1", "2023-03-01", "JPY", "30000000", "2023-03-01"),
        ("11", "2023-02-10", "JPY", "50000000", "2023-02-10"),
        ("13", "2023-02-10", "AZN", "240000.00", "2023-02-10"),
    ]
    assert {t.find("receiver-org").get("ref") for t in activity.findall("transaction")} == {"XM-TEST-1"}  # type: ignore[union-attr]
    roles = [(p.get("role"), p.findtext("narrative")) for p in activity.findall("participating-org")]
    assert roles[1:] == [("1", "JICA"), ("1", "AHİK"), ("4", "AFAD"), ("4", "Foundation")]


def test_a_commitment_paid_later_is_a_commitment_on_its_day_and_funds_on_the_day_they_came(
    session: Session, schema: xmlschema.XMLSchema
) -> None:
    from tracker.ledger.service import advance_status

    appeal = make_appeal(session, "DATED-1")
    moved = make_contribution(
        session, money_line("1000.00 USD"), status="committed", on=date(2023, 2, 20), appeal=appeal
    )
    advance_status(session, moved.id, "paid", None, on=date(2023, 3, 10))  # type: ignore[arg-type]
    data = appeal_iati_xml(session, appeal.id, "XM-TEST-1", NOW)  # type: ignore[arg-type]
    assert problems(schema, data) == []
    activity = ET.fromstring(data).find("iati-activity")
    assert activity is not None
    assert transactions(activity) == [
        ("11", "2023-02-20", "USD", "1000.00", "2023-02-20"),  # the commitment, dated as decided
        ("1", "2023-03-10", "USD", "1000.00", "2023-03-10"),  # the incoming funds, dated as they came
    ]
