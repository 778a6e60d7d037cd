"""The ledger's use cases: recording, numbering, status, fulfilment and void, and bad input refused."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from factories import goods_line, make_contribution, make_donor, make_item, make_recipient, money_line
from sqlmodel import Session, func, select

from tracker.catalogue.service import archive
from tracker.core.errors import Conflict, Invalid
from tracker.core.money import Money, parse_money
from tracker.db.models import Contribution, ContributionLine, Donor, JournalEvent
from tracker.ledger.service import (
    ContributionInput,
    LineInput,
    advance_status,
    lines_of,
    record_contribution,
    record_fulfilment,
    void_contribution,
)


def count(session: Session, model: type) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_a_money_contribution_is_stored_in_minor_units_with_its_journal_event(session: Session) -> None:
    contribution = make_contribution(session, money_line("500000.00 AZN"), money_line("75250.500 KWD"))
    lines = lines_of(session, contribution.id)
    assert [(line.kind, line.currency, line.value_minor, line.minor_digits) for line in lines] == [
        ("money", "AZN", 50000000, 2),
        ("money", "KWD", 75250500, 3),
    ]
    event = session.exec(select(JournalEvent).where(JournalEvent.action == "contribution.recorded")).one()
    assert event.object_id == str(contribution.id)
    assert '"value_minor":50000000' in (event.after or "")


def test_numbers_count_up_per_value_date_year(session: Session) -> None:
    first = make_contribution(session, on=date(2023, 2, 10))
    second = make_contribution(session, on=date(2023, 12, 31))
    other_year = make_contribution(session, on=date(2024, 1, 1))
    assert (first.number, second.number, other_year.number) == ("C-2023-000001", "C-2023-000002", "C-2024-000001")


@pytest.mark.parametrize(
    ("quantity", "unit_value", "value_minor"),
    [
        ("10", "12000.00 AZN", 12000000),  # 10 container houses
        ("2.5", "0.33 USD", 83),  # 0.825 rounds half up to 0.83
        ("3", "0.125 KWD", 375),
        ("0.5", "1 JPY", 1),  # 0.5 yen rounds half up to 1
        ("1.333", "3.00 EUR", 400),  # 3.999 → 4.00
    ],
)
def test_in_kind_value_is_quantity_times_unit_value_rounded_once(
    session: Session, quantity: str, unit_value: str, value_minor: int
) -> None:
    item = make_item(session)
    contribution = make_contribution(session, goods_line(item, quantity, unit_value))
    (line,) = lines_of(session, contribution.id)
    assert line.value_minor == value_minor
    assert line.quantity_milli == int(Decimal(quantity) * 1000)
    assert line.valuation == "donor_declared"


def test_an_unvalued_service_line_keeps_its_quantity_and_no_value(session: Session) -> None:
    flight = make_item(session, "Cargo flight", "flight", "LOG")
    line = LineInput("service", item_id=flight.id, quantity="12")
    contribution = make_contribution(session, line)
    (stored,) = lines_of(session, contribution.id)
    assert (stored.quantity_milli, stored.value_minor, stored.currency, stored.valuation) == (
        12000,
        None,
        None,
        "not_valued",
    )


def bad_input_cases(session: Session) -> list[tuple[dict, str]]:
    donor, recipient, item = make_donor(session), make_recipient(session), make_item(session)
    base = {"donor_id": donor.id, "recipient_id": recipient.id, "value_date": date(2023, 2, 10), "status": "paid"}
    jpy = LineInput("money", amount=Money(Decimal("1.5"), "JPY"))
    negative = LineInput("money", amount=Money(Decimal("-1.00"), "USD"))
    return [
        ({**base, "lines": []}, "lines: a contribution needs at least one line"),
        ({**base, "lines": [money_line("1.00 USD"), jpy]}, "lines[1].amount: JPY has no minor units, got 1.5"),
        ({**base, "lines": [negative]}, "lines[0].amount: must be more than zero, got -1.00"),
        ({**base, "donor_id": 999999, "lines": [money_line("1.00 USD")]}, "donor_id: no donor with id 999999"),
        (
            {**base, "status": "received", "lines": [money_line("1.00 USD")]},
            "status: must be one of pledged, committed, paid, got 'received'",
        ),
        (
            {**base, "value_date": date.today() + timedelta(days=3), "lines": [money_line("1.00 USD")]},
            f"value_date: {(date.today() + timedelta(days=3)).isoformat()} is in the future",
        ),
        (
            {**base, "lines": [LineInput("goods", quantity="1")]},
            "lines[0].item_id: a goods line needs an item from the catalogue",
        ),
        ({**base, "lines": [LineInput("goods", item_id=item.id)]}, "lines[0].quantity: a goods line needs a quantity"),
        (
            {**base, "lines": [LineInput("goods", item_id=item.id, quantity="1.0001")]},
            "lines[0].quantity: at most 3 decimal places, got 1.0001",
        ),
        (
            {**base, "lines": [LineInput("goods", item_id=item.id, quantity="0")]},
            "lines[0].quantity: must be more than zero, got 0",
        ),
        (
            {
                **base,
                "lines": [
                    LineInput(
                        "goods",
                        item_id=item.id,
                        quantity="2",
                        unit_value=parse_money("5.00 USD"),
                        valuation="not_valued",
                    )
                ],
            },
            "lines[0].valuation: a line with a unit value needs a valuation basis other than not_valued",
        ),
        (
            {**base, "lines": [LineInput("goods", item_id=item.id, quantity="2", valuation="invoice")]},
            "lines[0].unit_value: a valuation basis of invoice needs a unit value",
        ),
        (
            {**base, "lines": [LineInput("cash", amount=parse_money("1.00 USD"))]},
            "lines[0].kind: must be one of money, goods, service, got 'cash'",
        ),
        (
            {**base, "reference": "x" * 201, "lines": [money_line("1.00 USD")]},
            "reference: at most 200 characters, got 201",
        ),
    ]


def test_bad_input_is_refused_with_the_field_and_stores_nothing(session: Session) -> None:
    for fields, message in bad_input_cases(session):
        before = (count(session, Contribution), count(session, ContributionLine), count(session, JournalEvent))
        with pytest.raises(Invalid) as refused:
            record_contribution(session, ContributionInput(**fields), None)
        assert str(refused.value) == message
        assert (count(session, Contribution), count(session, ContributionLine), count(session, JournalEvent)) == before


def test_archived_donors_take_no_new_contributions(session: Session) -> None:
    donor = make_donor(session, "Old donor")
    archive(session, Donor, donor.id, None)
    with pytest.raises(Invalid, match="donor_id: donor Old donor is archived"):
        make_contribution(session, donor=donor)


def test_status_moves_forward_only(session: Session) -> None:
    contribution = make_contribution(session, status="pledged")
    advance_status(session, contribution.id, "committed", None, date(2023, 3, 1))
    advance_status(session, contribution.id, "paid", None, date(2023, 3, 10))
    with pytest.raises(Conflict, match="status only moves forward: C-2023-000001 is paid, cannot become pledged"):
        advance_status(session, contribution.id, "pledged", None)
    actions = session.exec(
        select(JournalEvent.action, JournalEvent.after).where(JournalEvent.action == "contribution.status_changed")
    ).all()
    assert actions == [
        ("contribution.status_changed", '{"date":"2023-03-01","status":"committed"}'),
        ("contribution.status_changed", '{"date":"2023-03-10","status":"paid"}'),
    ]


def test_void_needs_a_reason_and_is_final(session: Session) -> None:
    contribution = make_contribution(session, status="pledged")
    with pytest.raises(Invalid, match="reason: say why"):
        void_contribution(session, contribution.id, "   ", None)
    void_contribution(session, contribution.id, "Entered twice", None)
    assert contribution.void_reason == "Entered twice"
    with pytest.raises(Conflict, match="already void"):
        void_contribution(session, contribution.id, "again", None)
    with pytest.raises(Conflict, match="is void"):
        advance_status(session, contribution.id, "paid", None)


def test_a_fulfilment_must_match_the_pledge(session: Session) -> None:
    donor, other = make_donor(session, "Pledging donor"), make_donor(session, "Someone else")
    houses, tents = make_item(session, "Container house"), make_item(session, "Winter tent")
    pledge = make_contribution(
        session, goods_line(houses, "20"), money_line("1000.00 USD"), donor=donor, status="pledged"
    )
    recipient = make_recipient(session, "Families left homeless")

    def fulfil(
        *lines: LineInput, donor_id: int = donor.id, status: str = "paid", fulfils: int = pledge.id
    ) -> Contribution:
        data = ContributionInput(donor_id, recipient.id, date(2023, 2, 12), status, list(lines), fulfils_id=fulfils)
        return record_contribution(session, data, None)

    with pytest.raises(Invalid, match="donor_id: C-2023-000001 was pledged by another donor"):
        fulfil(goods_line(houses, "10"), donor_id=other.id)
    with pytest.raises(Invalid, match="status: a fulfilment records what was paid"):
        fulfil(goods_line(houses, "10"), status="committed")
    with pytest.raises(Invalid, match=r"lines\[0\].item_id: C-2023-000001 promised no such item"):
        fulfil(goods_line(tents, "10"))
    # Money in another currency is converted into the promise's; with no rate it is refused, naming the rate.
    with pytest.raises(Invalid, match=r"lines\[0\].amount: no exchange rate of EUR in force on 2023-02-12"):
        fulfil(money_line("10.00 EUR"))
    delivered = fulfil(goods_line(houses, "10"))
    assert delivered.fulfils_id == pledge.id
    with pytest.raises(Invalid, match="fulfils_id: C-2023-000002 is paid; only a pledge or commitment is fulfilled"):
        fulfil(goods_line(houses, "1"), fulfils=delivered.id)


def test_a_partly_fulfilled_pledge_cannot_be_marked_paid_in_full(session: Session) -> None:
    pledge = make_contribution(session, money_line("1000.00 USD"), status="pledged")
    record_fulfilment(
        session,
        pledge.id,
        ContributionInput(pledge.donor_id, pledge.recipient_id, date(2023, 3, 1), "paid", [money_line("400.00 USD")]),
        None,
    )
    with pytest.raises(Conflict, match="partly fulfilled"):
        advance_status(session, pledge.id, "paid", None)
    advance_status(session, pledge.id, "committed", None)  # forward within the open statuses is fine


def test_a_fulfilment_in_another_currency_is_refused_when_the_promise_has_several(session: Session) -> None:
    pledge = make_contribution(session, money_line("1000.00 USD"), money_line("500.00 EUR"), status="pledged")
    data = ContributionInput(
        pledge.donor_id, pledge.recipient_id, date(2023, 2, 12), "paid", [money_line("10.00 AZN")], fulfils_id=pledge.id
    )
    with pytest.raises(Invalid, match=r"lines\[0\].amount: C-2023-000001 promised no money in AZN"):
        record_contribution(session, data, None)
