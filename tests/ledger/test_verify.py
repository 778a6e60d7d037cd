"""The ledger's named invariant checks, each shown failing on a ledger broken on purpose."""

import sqlalchemy as sa
from factories import make_contribution, money_line
from sqlmodel import Session

from tracker.db.models import ContributionLine, NumberSequence
from tracker.ledger.verify import numbers_count_the_contributions


def test_the_numbers_handed_out_count_the_contributions(session: Session) -> None:
    make_contribution(session, money_line("10.00 USD"))
    make_contribution(session, money_line("20.00 USD"))
    assert numbers_count_the_contributions(session) == []
    table = NumberSequence.__table__
    session.execute(sa.update(table).where(table.c.year == 2023).values(last=table.c.last + 1))
    assert numbers_count_the_contributions(session) == [
        "2023: 3 contribution numbers handed out, 2 contributions recorded"
    ]


def test_a_fulfilment_in_another_currency_reduces_one_its_promise_was_made_in(session: Session) -> None:
    from datetime import date

    from tracker.ledger.service import ContributionInput, record_fulfilment
    from tracker.ledger.verify import fulfilments_are_sound
    from tracker.rates.service import record_rate

    record_rate(session, date(2023, 2, 20), "EUR", "1.10", "ecb", "USD", None)
    pledge = make_contribution(session, money_line("500.00 USD"), status="pledged")
    data = ContributionInput(
        pledge.donor_id, pledge.recipient_id, date(2023, 2, 20), "paid", [money_line("100.00 EUR")]
    )
    fulfilment = record_fulfilment(session, pledge.id, data, None)  # type: ignore[arg-type]
    assert fulfilments_are_sound(session) == []  # 100 EUR reduces the pledge by 110.00 USD
    table = ContributionLine.__table__
    session.execute(
        sa.insert(table).values(contribution_id=fulfilment.id, position=2, kind="money", valuation="not_valued",
                                currency="JPY", minor_digits=0, value_minor=1000)
    )  # fmt: skip
    assert fulfilments_are_sound(session) == [
        "C-2023-000002: line 2 in JPY reduces no currency its promise was made in"
    ]
