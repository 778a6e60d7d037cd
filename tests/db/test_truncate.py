"""PostgreSQL runs no row trigger for TRUNCATE: statement triggers refuse it on every table whose rows are kept."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from factories import make_contribution, money_line
from sqlmodel import Session, func, select

from tracker.db.models import ContributionLine

KEPT = (
    "contribution", "contribution_line", "journal_event", "exchange_rate",
    "donor", "recipient", "appeal", "item", "user_account", "acknowledgement", "acknowledgement_print",
)  # fmt: skip


@pytest.mark.postgres_only("SQLite has no TRUNCATE; its DELETE is refused by other triggers")
@pytest.mark.parametrize("table", KEPT)
def test_truncate_is_refused(session: Session, table: str) -> None:
    make_contribution(session, money_line("100.00 USD"))
    with pytest.raises(sa.exc.DBAPIError, match="TRUNCATE refused"), session.begin_nested():
        session.execute(sa.text(f"TRUNCATE {table} CASCADE"))
    assert session.exec(select(func.count()).select_from(ContributionLine)).one() == 1
