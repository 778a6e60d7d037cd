"""The ledger's named invariant checks, each shown failing on a ledger broken on purpose."""

import sqlalchemy as sa
from factories import make_contribution, money_line
from sqlmodel import Session

from tracker.db.models import NumberSequence
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
