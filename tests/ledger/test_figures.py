"""Totals by status: paid in full, pledges only for their outstanding remainder, voids nowhere."""

from datetime import date

from factories import goods_line, make_contribution, make_donor, make_item, make_recipient, money_line
from sqlmodel import Session

from tracker.db.models import Contribution
from tracker.ledger.figures import Figures, Scope, ledger_totals
from tracker.ledger.service import ContributionInput, LineInput, advance_status, record_fulfilment, void_contribution


def table(figures: Figures, names: dict[int, str]) -> dict[str, str]:
    """A bucket as plain text rows, so expectations read as literal tables."""
    rows = {f"money {currency}": str(amount) for currency, amount in figures.money.items()}
    for item_id, total in figures.items.items():
        values = ", ".join(str(v) for _, v in sorted(total.value.items())) or "not valued"
        rows[names[item_id]] = f"{total.quantity} ({values})"
    return rows


def fulfil(session: Session, pledge: Contribution, *lines: LineInput, on: date = date(2023, 2, 20)) -> Contribution:
    data = ContributionInput(pledge.donor_id, pledge.recipient_id, on, "paid", list(lines))
    return record_fulfilment(session, pledge.id, data, None)


def test_twenty_houses_pledged_ten_delivered_is_ten_and_ten_never_thirty(session: Session) -> None:
    houses = make_item(session, "Container house")
    names = {houses.id: "Container house"}
    pledge = make_contribution(session, goods_line(houses, "20", "12000.00 AZN"), status="pledged")
    fulfil(session, pledge, goods_line(houses, "10", "12000.00 AZN"))
    totals = ledger_totals(session)
    assert table(totals.paid, names) == {"Container house": "10 (120000.00 AZN)"}
    assert table(totals.pledged, names) == {"Container house": "10 (120000.00 AZN)"}
    assert table(totals.committed, names) == {}


def test_money_pledges_net_per_currency_and_never_go_below_zero(session: Session) -> None:
    donor = make_donor(session)
    pledge = make_contribution(
        session, money_line("1000.00 USD"), money_line("500.00 EUR"), donor=donor, status="pledged"
    )
    fulfil(session, pledge, money_line("400.00 USD"))
    fulfil(session, pledge, money_line("700.00 EUR"))  # more than promised: the remainder stops at zero
    totals = ledger_totals(session)
    assert table(totals.paid, {}) == {"money USD": "400.00 USD", "money EUR": "700.00 EUR"}
    assert table(totals.pledged, {}) == {"money USD": "600.00 USD"}


def test_a_void_fulfilment_gives_the_pledge_back_its_remainder(session: Session) -> None:
    pledge = make_contribution(session, money_line("1000.00 USD"), status="committed")
    delivered = fulfil(session, pledge, money_line("400.00 USD"))
    void_contribution(session, delivered.id, "Bank returned the transfer", None)
    totals = ledger_totals(session)
    assert table(totals.paid, {}) == {}
    assert table(totals.committed, {}) == {"money USD": "1000.00 USD"}


def test_voids_count_nowhere(session: Session) -> None:
    kept = make_contribution(session, money_line("250.00 EUR"))
    dropped = make_contribution(session, money_line("999.00 EUR"))
    pledge = make_contribution(session, money_line("5000 JPY"), status="pledged")
    void_contribution(session, dropped.id, "Typo in the amount", None)
    void_contribution(session, pledge.id, "Donor withdrew", None)
    totals = ledger_totals(session)
    assert table(totals.paid, {}) == {"money EUR": "250.00 EUR"}
    assert table(totals.pledged, {}) == {}
    assert kept.voided_at is None


def test_in_kind_remainder_shrinks_its_value_in_proportion(session: Session) -> None:
    tents = make_item(session, "Winter tent")
    names = {tents.id: "Winter tent"}
    # 3 tents at 33.34 USD = 100.02 USD; 1 delivered leaves 2/3 of it: 66.68 USD.
    pledge = make_contribution(session, goods_line(tents, "3", "33.34 USD"), status="pledged")  # 100.02 USD
    fulfil(session, pledge, goods_line(tents, "1"))  # delivered, not valued
    totals = ledger_totals(session)
    assert table(totals.paid, names) == {"Winter tent": "1 (not valued)"}
    assert table(totals.pledged, names) == {"Winter tent": "2 (66.68 USD)"}  # 100.02 × 2/3 = 66.68


def test_status_moves_a_remainder_between_buckets(session: Session) -> None:
    pledge = make_contribution(session, money_line("300.000 KWD"), status="pledged")
    fulfil(session, pledge, money_line("100.000 KWD"))
    advance_status(session, pledge.id, "committed", None)
    totals = ledger_totals(session)
    assert table(totals.pledged, {}) == {}
    assert table(totals.committed, {}) == {"money KWD": "200.000 KWD"}
    assert table(totals.paid, {}) == {"money KWD": "100.000 KWD"}


def test_a_mixed_ledger_in_several_currencies(session: Session) -> None:
    blankets = make_item(session, "Blanket")
    rescuers = make_item(session, "Rescuer", "person-day", "LOG")
    names = {blankets.id: "Blanket", rescuers.id: "Rescuer"}
    red_crescent = make_recipient(session, "Türk Kızılay")
    make_contribution(
        session,
        money_line("250000.00 EUR"),
        goods_line(blankets, "2000", "12.50 EUR", "invoice"),
        recipient=red_crescent,
    )
    make_contribution(session, money_line("15000.00 TRY"), recipient=red_crescent)
    make_contribution(session, LineInput("service", item_id=rescuers.id, quantity="2400"))
    make_contribution(session, money_line("50000000 JPY"), status="committed")
    pledge = make_contribution(session, money_line("200000.00 USD"), status="pledged")
    fulfil(session, pledge, money_line("50000.00 USD"))

    totals = ledger_totals(session)
    assert table(totals.paid, names) == {
        "money EUR": "250000.00 EUR",
        "money TRY": "15000.00 TRY",
        "money USD": "50000.00 USD",
        "Blanket": "2000 (25000.00 EUR)",
        "Rescuer": "2400 (not valued)",
    }
    assert {c: str(m) for c, m in totals.paid.in_kind.items()} == {"EUR": "25000.00 EUR"}
    assert table(totals.committed, names) == {"money JPY": "50000000 JPY"}
    assert table(totals.pledged, names) == {"money USD": "150000.00 USD"}

    only_red_crescent = ledger_totals(session, Scope(recipient_id=red_crescent.id))
    assert table(only_red_crescent.paid, names) == {
        "money EUR": "250000.00 EUR",
        "money TRY": "15000.00 TRY",
        "Blanket": "2000 (25000.00 EUR)",
    }
    assert only_red_crescent.pledged.is_empty() and only_red_crescent.committed.is_empty()
