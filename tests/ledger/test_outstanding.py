"""Each line's outstanding remainder: the reports' per-key rule, apportioned over a key's lines so they sum to it."""

from __future__ import annotations

from factories import goods_line, make_contribution, make_donor, make_item, money_line
from sqlmodel import Session

from tracker.ledger.figures import Scope, ledger_totals
from tracker.ledger.outstanding import LineRemainder, line_remainders
from tracker.ledger.service import void_contribution


def test_two_lines_of_one_currency_share_the_remainder_and_sum_to_the_reports(session: Session) -> None:
    # 150.00 USD promised in two lines, 100.01 USD paid: 49.99 USD outstanding,
    # shared 100 : 50 → 33.326… rounds to 33.33 for the first line, the second takes the rest, 16.66.
    donor = make_donor(session)
    pledge = make_contribution(
        session, money_line("100.00 USD"), money_line("50.00 USD"), donor=donor, status="pledged"
    )
    make_contribution(session, money_line("100.01 USD"), donor=donor, fulfils=pledge)
    found = line_remainders(session, [pledge.id])  # type: ignore[list-item]
    assert found == {(pledge.id, 1): LineRemainder(3333, None), (pledge.id, 2): LineRemainder(1666, None)}
    assert str(ledger_totals(session, Scope(contribution_ids=(pledge.id,))).pledged.money["USD"]) == "49.99 USD"  # type: ignore[arg-type]


def test_an_item_in_two_lines_shrinks_by_quantity_and_value_in_proportion(session: Session) -> None:
    # 3 tents at 10.00 EUR and 4 at 20.00 EUR promised (7 tents, 110.00 EUR); 2 delivered: 5 of 7 outstanding.
    # The reports: 110.00 × 5/7 = 78.571… → 78.57 EUR and 5 tents. Per line, shared by size:
    # value 30 : 80 → 78.57 × 30/110 = 21.428… → 21.43, then 78.57 − 21.43 = 57.14;
    # quantity 3 : 4 → 5 × 3/7 = 2.1428… → 2.143, then 5 − 2.143 = 2.857.
    tent, donor = make_item(session, "Winter tent"), make_donor(session)
    pledge = make_contribution(
        session, goods_line(tent, "3", "10.00 EUR"), goods_line(tent, "4", "20.00 EUR"), donor=donor, status="committed"
    )
    make_contribution(session, goods_line(tent, "2", "10.00 EUR"), donor=donor, fulfils=pledge)
    found = line_remainders(session, [pledge.id])  # type: ignore[list-item]
    assert found == {(pledge.id, 1): LineRemainder(2143, 2143), (pledge.id, 2): LineRemainder(5714, 2857)}
    committed = ledger_totals(session, Scope(contribution_ids=(pledge.id,))).committed  # type: ignore[arg-type]
    assert (str(committed.in_kind["EUR"]), committed.items[tent.id].quantity) == ("78.57 EUR", 5)  # type: ignore[index]


def test_more_delivered_than_promised_leaves_nothing_and_a_void_fulfilment_counts_for_nothing(session: Session) -> None:
    donor = make_donor(session)
    pledge = make_contribution(session, money_line("100.00 USD"), donor=donor, status="pledged")
    first = make_contribution(session, money_line("120.00 USD"), donor=donor, fulfils=pledge)
    assert line_remainders(session, [pledge.id]) == {(pledge.id, 1): LineRemainder(0, None)}  # type: ignore[list-item]
    void_contribution(session, first.id, "Entered twice", None)  # type: ignore[arg-type]
    make_contribution(session, money_line("40.00 USD"), donor=donor, fulfils=pledge)
    assert line_remainders(session, [pledge.id]) == {(pledge.id, 1): LineRemainder(6000, None)}  # type: ignore[list-item]


def test_a_paid_one_has_no_remainder_and_an_untouched_promise_is_all_outstanding(session: Session) -> None:
    paid = make_contribution(session, money_line("10.00 USD"))
    untouched = make_contribution(session, money_line("10.00 USD"), status="pledged")
    assert line_remainders(session, [paid.id, untouched.id]) == {  # type: ignore[list-item]
        (untouched.id, 1): LineRemainder(1000, None)
    }
