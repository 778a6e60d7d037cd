"""`tracker verify` against changes made past the app: status moves, voids and rate versions with no journal
event, and a journal rewritten and re-hashed, which only an exported chain head shows."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from factories import make_contribution, money_line
from sqlmodel import Session, col, select

from tracker.db.dialect import on_sqlite
from tracker.db.journal import GENESIS, event_hash
from tracker.db.models import Contribution, ExchangeRate, JournalEvent
from tracker.ledger.service import advance_status, void_contribution
from tracker.ledger.verify import (
    anchor_holds,
    chain_head,
    journal_chain_holds,
    rate_versions_match_journal,
    run_checks,
    status_moves_match_journal,
)
from tracker.rates.service import import_rates, record_rate

RATES_CSV = b"date,currency,rate\n2023-02-06,EUR,1.07\n2023-02-06,GBP,1.21\n2023-02-07,EUR,1.08\n"


def without_guards(session: Session, table: str) -> None:
    """What someone with the database's owner rights can do: switch a table's append-only triggers off
    (inside the test's transaction, which is rolled back)."""
    if on_sqlite(session):
        names = session.execute(
            sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"), {"t": table}
        ).scalars()
        for name in list(names):
            session.execute(sa.text(f'DROP TRIGGER "{name}"'))
    else:
        session.execute(sa.text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))


def test_status_moves_and_voids_made_by_the_app_match_the_journal(session: Session) -> None:
    pledge = make_contribution(session, money_line("100.00 USD"), status="pledged")
    advance_status(session, pledge.id, "committed", None)  # type: ignore[arg-type]
    gone = make_contribution(session, money_line("5.00 USD"))
    void_contribution(session, gone.id, "entered twice", None)  # type: ignore[arg-type]
    assert status_moves_match_journal(session) == []


def test_a_status_moved_by_an_update_with_no_journal_event_is_found(session: Session) -> None:
    pledge = make_contribution(session, money_line("100.00 USD"), status="pledged")
    session.execute(sa.update(Contribution).where(col(Contribution.id) == pledge.id).values(status="paid"))
    assert status_moves_match_journal(session) == [f"{pledge.number}: is paid but the journal says pledged"]


def test_a_void_made_by_an_update_with_no_journal_event_is_found(session: Session) -> None:
    paid = make_contribution(session, money_line("100.00 USD"))
    session.execute(
        sa.update(Contribution)
        .where(col(Contribution.id) == paid.id)
        .values(voided_at=sa.func.current_timestamp(), void_reason="quietly")
    )
    assert status_moves_match_journal(session) == [f"{paid.number}: is void but no journal event voids it"]


def test_rates_recorded_and_imported_by_the_app_match_the_journal(session: Session) -> None:
    record_rate(session, date(2023, 2, 6), "EUR", "1.07", "manual", "USD", None)
    record_rate(session, date(2023, 2, 6), "EUR", "1.075", "manual", "USD", None)  # a correction
    assert import_rates(session, RATES_CSV, "csv", "USD", None).added == 3
    assert rate_versions_match_journal(session) == []


def test_a_rate_version_inserted_past_the_app_is_found(session: Session) -> None:
    import_rates(session, RATES_CSV, "csv", "USD", None)
    session.execute(
        sa.insert(ExchangeRate).values(
            rate_date=date(2023, 2, 6), currency="EUR", quote_currency="USD", rate="9.99", source="csv",
            recorded_at=sa.func.current_timestamp(),
        )
    )  # fmt: skip
    inserted = session.exec(select(ExchangeRate.id).where(ExchangeRate.rate == "9.99")).one()
    assert rate_versions_match_journal(session) == [f"exchange rate {inserted}: no journal event records it"]


def rewrite_and_rehash(session: Session, event_id: int, after: str) -> None:
    """Rewrite one event and re-hash the chain from it on, as the unkeyed chain lets anyone do."""
    without_guards(session, "journal_event")
    events = session.exec(select(JournalEvent).order_by(col(JournalEvent.id))).all()
    prev = GENESIS
    for event in events:
        if event.id == event_id:
            event.after = after
        event.prev_hash = prev
        event.hash = prev = event_hash(event)
        session.add(event)
    session.flush()


def test_a_rewritten_and_rehashed_journal_passes_alone_but_not_against_an_exported_head(session: Session) -> None:
    first = make_contribution(session, money_line("100.00 USD"))
    make_contribution(session, money_line("20.00 USD"))
    head = chain_head(session)
    assert anchor_holds(session, head) == []
    recorded = session.exec(
        select(JournalEvent).where(
            JournalEvent.object_id == str(first.id), JournalEvent.action == "contribution.recorded"
        )
    ).one()
    rewrite_and_rehash(session, recorded.id, (recorded.after or "").replace("10000", "100"))  # type: ignore[arg-type]
    assert journal_chain_holds(session) == []  # what verify cannot see on its own
    number = head.split(":")[0]
    assert anchor_holds(session, head) == [f"journal event {number}: its hash differs from the chain head's"]


def test_an_emptied_journal_fails_against_an_exported_head(session: Session) -> None:
    make_contribution(session, money_line("100.00 USD"))
    head = chain_head(session)
    without_guards(session, "journal_event")
    session.execute(sa.delete(JournalEvent))
    number = head.split(":")[0]
    assert anchor_holds(session, head) == [f"journal event {number}: named by the chain head, it is gone"]
    assert any("no journal event records it" in problem for problem in run_checks(session))


def test_a_malformed_chain_head_is_refused(session: Session) -> None:
    assert anchor_holds(session, "12:abc") == ["the chain head '12:abc' is not of the form ID:HASH"]
