"""The demo ledger: the 2023 Türkiye earthquake story, loaded once through the real services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlmodel import Session, select

from tracker.accounts.users import create_user
from tracker.catalogue.service import (
    AppealInput,
    DonorInput,
    ItemInput,
    RecipientInput,
    create_appeal,
    create_donor,
    create_item,
    create_recipient,
)
from tracker.core.money import parse_money
from tracker.db.models import Appeal, User
from tracker.ledger.service import (
    ContributionInput,
    LineInput,
    advance_status,
    record_contribution,
    record_fulfilment,
    void_contribution,
)
from tracker.rates.service import import_rates
from tracker.settings.current import effective_settings, stored
from tracker.settings.service import SettingsInput, update_settings

DEMO_EMAIL = "demo@example.org"
DEMO_PASSWORD = "tracker-demo"  # noqa: S105 - printed to the newcomer on purpose; demo only
DEMO_APPEAL = "TUR-EQ-2023"

# AZN per unit, as the Central Bank of Azerbaijan published them in February 2023 (rounded).
DEMO_RATES = {"USD": "1.7000", "EUR": "1.8200", "TRY": "0.0902", "JPY": "0.0128", "KWD": "5.5600"}


@dataclass(frozen=True)
class DemoSignIn:
    email: str
    password: str
    created: bool


def ensure_demo_user(session: Session) -> DemoSignIn:
    """The demo admin sign-in, created if missing."""
    if session.exec(select(User).where(User.email == DEMO_EMAIL)).first():
        return DemoSignIn(DEMO_EMAIL, DEMO_PASSWORD, created=False)
    create_user(session, email=DEMO_EMAIL, role="admin", password=DEMO_PASSWORD, name="Demo administrator")
    return DemoSignIn(DEMO_EMAIL, DEMO_PASSWORD, created=True)


def load_demo(session: Session) -> bool:
    """Load the demo ledger unless it is there already; True when it was loaded now."""
    ensure_demo_user(session)
    if session.exec(select(Appeal).where(Appeal.code == DEMO_APPEAL)).first():
        return False
    user = session.exec(select(User).where(User.email == DEMO_EMAIL)).one()
    if stored(session).updated_at is None:  # an organisation's own settings are never overwritten
        demo_settings = SettingsInput(
            organisation_name="Qafqaz Humanitarian Relief (demo)",
            organisation_address="Nizami küçəsi 1, Bakı AZ1000, Azərbaycan",
            reporting_currency="AZN",
        )
        update_settings(session, demo_settings, user)

    turkiye = create_appeal(
        session,
        AppealInput(
            code=DEMO_APPEAL,
            name="Türkiye earthquake 2023",
            start_date=date(2023, 2, 6),
            target=parse_money("5000000.00 AZN"),
            glide="EQ-2023-000015-TUR",
        ),
        user,
    )
    syria = create_appeal(
        session,
        AppealInput(
            code="SYR-EQ-2023",
            name="Syria earthquake 2023",
            start_date=date(2023, 2, 6),
            target=parse_money("1000000.00 USD"),
            glide="EQ-2023-000015-SYR",
        ),
        user,
    )

    def donor(name: str, kind: str, country: str, locale: str, email: str | None = None) -> int:
        made = create_donor(
            session, DonorInput(name=name, kind=kind, country=country, locale=locale, email=email), user
        )
        assert made.id is not None
        return made.id

    ahik = donor(
        "Azərbaycan Həmkarlar İttifaqları Konfederasiyası (AHİK)", "organisation", "AZ", "az", "info@ahik.example"
    )
    government = donor("Government of the Republic of Azerbaijan", "government", "AZ", "az")
    kuwait = donor("Kuwait Red Crescent Society", "organisation", "KW", "en")
    jica = donor("Japan International Cooperation Agency", "government", "JP", "en")
    nothilfe = donor("Deutsche Nothilfe e.V.", "organisation", "DE", "en")
    ayse = donor("Ayşe Yılmaz", "individual", "TR", "tr", "ayse.yilmaz@example.com")
    caspian = donor("Caspian Energy LLC", "company", "AZ", "en")
    hearts = donor("Благотворительный фонд «Открытые сердца»", "foundation", "KZ", "ru")

    def recipient(name: str, kind: str, country: str, region: str | None = None) -> int:
        made = create_recipient(session, RecipientInput(name=name, kind=kind, country=country, region=region), user)
        assert made.id is not None
        return made.id

    foundation = recipient("Heydar Aliyev Foundation", "organisation", "AZ")
    homeless = recipient("Families left homeless, Kahramanmaraş", "community", "TR", "Kahramanmaraş")
    afad = recipient("AFAD (Disaster and Emergency Management Authority)", "organisation", "TR")
    hatay = recipient("Hatay field hospital", "programme", "TR", "Hatay")
    kizilay = recipient("Türk Kızılay", "organisation", "TR")
    sarc = recipient("Syrian Arab Red Crescent", "organisation", "SY")

    def item(name: str, unit: str, cluster: str, unit_value: str | None = None) -> int:
        value = parse_money(unit_value) if unit_value else None
        made = create_item(session, ItemInput(name=name, unit=unit, cluster=cluster, unit_value=value), user)
        assert made.id is not None
        return made.id

    container = item("Container house", "piece", "SHL", "12000.00 AZN")
    flight = item("Cargo flight", "flight", "LOG")
    truck = item("Truck convoy", "truck", "LOG")
    rescuer = item("Rescuer", "person-day", "LOG")
    doctor = item("Doctor", "person-day", "HEA", "150.00 AZN")
    tent = item("Winter tent", "piece", "SHL", "350.00 USD")
    blanket = item("Blanket", "piece", "SHL", "12.50 EUR")
    parcel = item("Food parcel", "box", "FSC")
    item("Hygiene kit", "kit", "WSH", "25.00 USD")

    def money(amount: str) -> LineInput:
        return LineInput(kind="money", amount=parse_money(amount))

    def goods(item_id: int, quantity: str, unit_value: str | None = None, valuation: str | None = None) -> LineInput:
        value = parse_money(unit_value) if unit_value else None
        return LineInput("goods", item_id=item_id, quantity=Decimal(quantity), unit_value=value, valuation=valuation)

    def service(item_id: int, quantity: str, unit_value: str | None = None, valuation: str | None = None) -> LineInput:
        value = parse_money(unit_value) if unit_value else None
        return LineInput("service", item_id=item_id, quantity=Decimal(quantity), unit_value=value, valuation=valuation)

    def record(
        donor_id: int, recipient_id: int, day: date, status: str, lines: list[LineInput], appeal: int, ref: str = ""
    ) -> int:
        data = ContributionInput(donor_id, recipient_id, day, status, lines, appeal_id=appeal, reference=ref)
        made = record_contribution(session, data, user)
        assert made.id is not None
        return made.id

    assert turkiye.id is not None and syria.id is not None
    tr, sy = turkiye.id, syria.id
    # The confederation pledges 20 container houses and delivers the first 10 two days later.
    pledge = record(ahik, homeless, date(2023, 2, 8), "pledged", [goods(container, "20", "12000.00 AZN")], tr)
    record_fulfilment(
        session,
        pledge,
        ContributionInput(ahik, homeless, date(2023, 2, 10), "paid", [goods(container, "10", "12000.00 AZN")]),
        user,
    )
    record(ahik, foundation, date(2023, 2, 14), "paid", [money("500000.00 AZN")], tr, "AHİK bank transfer")
    record(
        government,
        afad,
        date(2023, 2, 7),
        "paid",
        [service(flight, "12"), service(truck, "48"), service(rescuer, "2400")],
        tr,
    )
    record(government, hatay, date(2023, 2, 9), "paid", [service(doctor, "300", "150.00 AZN", "standard_cost")], tr)
    record(kuwait, kizilay, date(2023, 2, 20), "paid", [money("75250.500 KWD")], tr)
    jica_id = record(jica, afad, date(2023, 2, 15), "pledged", [money("50000000 JPY")], tr)
    advance_status(session, jica_id, "committed", user, date(2023, 2, 15))  # agreed the day it was pledged
    record(
        nothilfe,
        kizilay,
        date(2023, 2, 9),
        "paid",
        [money("250000.00 EUR"), goods(blanket, "2000", "12.50 EUR", "invoice")],
        tr,
    )
    record(ayse, kizilay, date(2023, 2, 8), "paid", [money("15000.00 TRY")], tr)
    record(caspian, foundation, date(2023, 2, 12), "paid", [money("100000.00 USD")], tr, "SWIFT 2023-0212-77")
    duplicate = record(caspian, foundation, date(2023, 2, 11), "paid", [money("10000.00 USD")], tr)
    void_contribution(session, duplicate, "Entered twice: the transfer of 12 February already covers it", user)
    hearts_pledge = record(hearts, sarc, date(2023, 2, 16), "pledged", [money("200000.00 USD")], sy)
    record_fulfilment(
        session,
        hearts_pledge,
        ContributionInput(hearts, sarc, date(2023, 3, 10), "paid", [money("50000.00 USD")]),
        user,
    )
    record(
        government,
        sarc,
        date(2023, 2, 18),
        "paid",
        [goods(tent, "500", "350.00 USD", "market_price"), goods(parcel, "1000")],
        sy,
    )
    _load_rates(session, user)
    return True


def _load_rates(session: Session, user: User) -> None:
    """A made-up bulletin for each working day of February and March 2023, in the central bank's format.

    The rates are flat demo figures, so they are recorded as from "demo", never as the bank's.
    """
    reporting = effective_settings(session).reporting_currency
    day = date(2023, 2, 1)
    while day <= date(2023, 3, 31):
        if day.weekday() < 5:
            import_rates(session, _cbar_bulletin(day), "cbar", reporting, user, label="demo")
        day += timedelta(days=1)


def _cbar_bulletin(day: date) -> bytes:
    """A bulletin in the Central Bank of Azerbaijan's XML format (AZN per Nominal units)."""
    valutes = []
    for currency, rate in DEMO_RATES.items():
        nominal = 100 if currency == "JPY" else 1
        value = Decimal(rate) * nominal
        valutes.append(
            f'<Valute Code="{currency}"><Nominal>{nominal}</Nominal>'
            f"<Name>{currency}</Name><Value>{value}</Value></Valute>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<ValCurs Date="{day:%d.%m.%Y}" Name="AZN məzənnələri">'
        '<ValType Type="Xarici valyutalar">' + "".join(valutes) + "</ValType></ValCurs>"
    ).encode()
