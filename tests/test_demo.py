"""The demo ledger tells the seed story, and its totals are the hand-checked figures below."""

from sqlmodel import Session, func, select

from tracker.db.models import Contribution, Donor, ExchangeRate, Item, User
from tracker.demo import DEMO_EMAIL, load_demo
from tracker.ledger.figures import Scope, ledger_totals
from tracker.ledger.verify import run_checks


def by_name(session: Session) -> dict[int, str]:
    return {item.id: item.name for item in session.exec(select(Item)).all()}


def rows(bucket, names: dict[int, str]) -> dict[str, str]:
    found = {f"money {c}": str(m) for c, m in bucket.money.items()}
    for item_id, total in bucket.items.items():
        found[names[item_id]] = f"{total.quantity} " + (
            ", ".join(str(v) for _, v in sorted(total.value.items())) or "not valued"
        )
    return found


def test_demo_totals_are_the_hand_computed_figures(session: Session) -> None:
    assert load_demo(session) is True
    totals, names = ledger_totals(session), by_name(session)
    assert rows(totals.paid, names) == {
        "money AZN": "500000.00 AZN",  # the confederation's transfer to the foundation
        "money KWD": "75250.500 KWD",
        "money EUR": "250000.00 EUR",
        "money TRY": "15000.00 TRY",
        # 100,000 from Caspian Energy + 50,000 towards the foundation's pledge; the void 10,000 is out
        "money USD": "150000.00 USD",
        "Container house": "10 120000.00 AZN",  # 10 delivered of the 20 pledged
        "Cargo flight": "12 not valued",
        "Truck convoy": "48 not valued",
        "Rescuer": "2400 not valued",
        "Doctor": "300 45000.00 AZN",
        "Blanket": "2000 25000.00 EUR",
        "Winter tent": "500 175000.00 USD",
        "Food parcel": "1000 not valued",
    }
    assert {c: str(m) for c, m in totals.paid.in_kind.items()} == {
        "AZN": "165000.00 AZN",
        "EUR": "25000.00 EUR",
        "USD": "175000.00 USD",
    }
    assert rows(totals.committed, names) == {"money JPY": "50000000 JPY"}
    assert rows(totals.pledged, names) == {
        "money USD": "150000.00 USD",
        "Container house": "10 120000.00 AZN",  # outstanding, never 30 in all
    }


def test_the_confederation_gave_500000_manats_and_10_container_houses(session: Session) -> None:
    load_demo(session)
    ahik = session.exec(select(Donor).where(Donor.name.startswith("Azərbaycan Həmkarlar"))).one()
    totals, names = ledger_totals(session, Scope(donor_id=ahik.id)), by_name(session)
    assert rows(totals.paid, names) == {"money AZN": "500000.00 AZN", "Container house": "10 120000.00 AZN"}
    assert rows(totals.pledged, names) == {"Container house": "10 120000.00 AZN"}


def test_demo_loads_once_and_passes_every_ledger_check(session: Session) -> None:
    assert load_demo(session) is True
    assert load_demo(session) is False
    assert session.exec(select(func.count()).select_from(Contribution)).one() == 14
    voided = session.exec(select(Contribution).where(Contribution.voided_at.is_not(None))).all()
    assert [c.void_reason for c in voided] == ["Entered twice: the transfer of 12 February already covers it"]
    assert session.exec(select(func.count()).select_from(User).where(User.email == DEMO_EMAIL)).one() == 1
    # The demo keeps its totals in manats, so the central bank's bulletins are stored as published.
    rates = {(r.currency, r.quote_currency, r.rate, r.source) for r in session.exec(select(ExchangeRate)).all()}
    assert {currency for currency, *_ in rates} == {"USD", "EUR", "TRY", "JPY", "KWD"}
    assert ("USD", "AZN", "1.7", "demo") in rates  # made-up rates never pass for the central bank's
    assert ("JPY", "AZN", "0.0128", "demo") in rates  # written as 1.28 per 100 yen
    assert run_checks(session) == []


def test_demo_breaks_down_by_appeal_and_cluster(session: Session) -> None:
    from tracker.db.models import Appeal
    from tracker.ledger.figures import breakdown

    load_demo(session)
    names = by_name(session)
    appeals = {a.id: a.code for a in session.exec(select(Appeal)).all()}
    by_appeal = {appeals[k]: v for k, v in breakdown(session, None, "appeal_id").items()}
    assert rows(by_appeal["SYR-EQ-2023"].paid, names) == {
        "money USD": "50000.00 USD",
        "Winter tent": "500 175000.00 USD",
        "Food parcel": "1000 not valued",
    }
    assert rows(by_appeal["SYR-EQ-2023"].pledged, names) == {"money USD": "150000.00 USD"}
    assert rows(by_appeal["TUR-EQ-2023"].committed, names) == {"money JPY": "50000000 JPY"}

    by_cluster = breakdown(session, None, "cluster")
    assert {k: {c: str(m) for c, m in v.paid.in_kind.items()} for k, v in by_cluster.items() if k} == {
        "SHL": {"AZN": "120000.00 AZN", "EUR": "25000.00 EUR", "USD": "175000.00 USD"},
        "HEA": {"AZN": "45000.00 AZN"},
        "LOG": {},
        "FSC": {},
    }
    assert rows(by_cluster["LOG"].paid, names) == {
        "Cargo flight": "12 not valued",
        "Truck convoy": "48 not valued",
        "Rescuer": "2400 not valued",
    }
    assert set(by_cluster[None].paid.money) == {"AZN", "EUR", "KWD", "TRY", "USD"}  # money lines have no cluster
