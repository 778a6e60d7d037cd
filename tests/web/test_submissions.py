"""The double-submit guard holds across connections (and so across worker processes): one form, one record."""

from __future__ import annotations

import threading
import time

from factories import make_contribution, make_donor, make_recipient, money_line
from sqlmodel import Session, func, select

from tracker.db.engine import make_engine, session_scope
from tracker.db.models import Contribution, Donor, Recipient
from tracker.web.submissions import claim, earlier, new_token, settle


def test_two_submissions_of_one_form_at_once_record_once(fresh_url: str) -> None:
    engine = make_engine(fresh_url)
    with session_scope(engine) as session:
        donor_id, recipient_id = make_donor(session).id, make_recipient(session).id
    token = new_token()
    outcome: dict[str, object] = {}

    def submit(name: str, pause: float) -> None:
        with session_scope(engine) as session:
            held = claim(session, token, None)
            if held is None:
                first = earlier(session, token)
                outcome[name] = ("repeat", first.contribution_id if first else None)
                return
            time.sleep(pause)  # the first submission is still recording when the second arrives
            contribution = make_contribution(
                session,
                money_line("10.00 USD"),
                donor=session.get(Donor, donor_id),
                recipient=session.get(Recipient, recipient_id),
            )
            settle(session, held, contribution.id)
            outcome[name] = ("recorded", contribution.id)

    first = threading.Thread(target=submit, args=("first", 0.6))
    second = threading.Thread(target=submit, args=("second", 0.0))
    first.start()
    time.sleep(0.2)
    second.start()
    first.join(20)
    second.join(20)
    with Session(engine) as session:
        recorded = session.exec(select(func.count()).select_from(Contribution)).one()
    engine.dispose()
    assert recorded == 1
    assert outcome["first"] == ("recorded", outcome["second"][1])  # type: ignore[index]
    assert outcome["second"][0] == "repeat"  # type: ignore[index]
