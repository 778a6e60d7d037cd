"""Recorded history cannot be rewritten: the database itself refuses raw UPDATE and DELETE."""

import pytest
import sqlalchemy as sa
from factories import goods_line, make_contribution, make_donor, make_item, money_line
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from tracker.db.journal import verify_chain
from tracker.ledger.service import advance_status, void_contribution


def refused(session: Session, sql: str, **params: object) -> str:
    """Run raw SQL inside a savepoint and return the database's refusal."""
    with pytest.raises(DBAPIError) as error, session.begin_nested():
        session.execute(sa.text(sql), params)
    return str(error.value.orig)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE contribution SET donor_id = :other WHERE id = :id",
        "UPDATE contribution SET value_date = '2024-01-01' WHERE id = :id",
        "UPDATE contribution SET number = 'C-2023-999999' WHERE id = :id",
        "DELETE FROM contribution WHERE id = :id",
        "UPDATE contribution_line SET value_minor = 1 WHERE contribution_id = :id",
        "UPDATE contribution_line SET currency = 'USD' WHERE contribution_id = :id",
        "DELETE FROM contribution_line WHERE contribution_id = :id",
        "UPDATE journal_event SET action = 'x' WHERE object_id = CAST(:id AS VARCHAR)",
        "DELETE FROM journal_event",
        "DELETE FROM donor WHERE id = :other",
    ],
)
def test_raw_sql_cannot_rewrite_a_recorded_contribution(session: Session, sql: str) -> None:
    contribution = make_contribution(
        session, money_line("500000.00 AZN"), goods_line(make_item(session), "10", "12000.00 AZN")
    )
    other = make_donor(session, "Another donor")
    params = {"id": contribution.id, "other": other.id}
    message = refused(session, sql, **{k: v for k, v in params.items() if f":{k}" in sql})
    assert "refused" in message or "append-only" in message


def test_status_can_only_move_forward_even_in_raw_sql(session: Session) -> None:
    contribution = make_contribution(session, status="committed")
    assert "only moves forward" in refused(
        session, "UPDATE contribution SET status = 'pledged' WHERE id = :id", id=contribution.id
    )


def test_a_void_contribution_never_changes_again_even_in_raw_sql(session: Session) -> None:
    contribution = make_contribution(session, status="pledged")
    void_contribution(session, contribution.id, "Duplicate", None)
    sql = "UPDATE contribution SET voided_at = NULL, void_reason = NULL WHERE id = :id"
    assert "never changes again" in refused(session, sql, id=contribution.id)


def test_the_allowed_changes_go_through(session: Session) -> None:
    contribution = make_contribution(session, status="pledged")
    advance_status(session, contribution.id, "paid", None)
    void_contribution(session, contribution.id, "Recorded against the wrong donor", None)
    row = session.execute(
        sa.text("SELECT status, void_reason FROM contribution WHERE id = :id"), {"id": contribution.id}
    ).one()
    assert tuple(row) == ("paid", "Recorded against the wrong donor")


def test_the_journal_chain_detects_a_rewritten_event(session: Session) -> None:
    make_contribution(session)
    make_contribution(session)
    assert list(verify_chain(session)) == []
    # Only someone who drops the triggers can rewrite history; the hash chain still tells.
    if session.get_bind().dialect.name == "sqlite":
        session.execute(sa.text("DROP TRIGGER journal_event_no_update"))
    else:
        session.execute(sa.text("ALTER TABLE journal_event DISABLE TRIGGER journal_event_append_only"))
    first = session.execute(
        sa.text("SELECT min(id) FROM journal_event WHERE action = 'contribution.recorded'")
    ).scalar_one()
    session.execute(
        sa.text("UPDATE journal_event SET after = REPLACE(after, '10000', '99999') WHERE id = :id"), {"id": first}
    )
    problems = list(verify_chain(session))
    assert [(p.event_id, p.problem) for p in problems] == [(first, "its content does not match its hash")]
