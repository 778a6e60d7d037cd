"""What became of issued letters: affected by a later void, replaced by a letter that cancels them, and still the
bytes their digests say."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from tracker.core.errors import TrackerError
from tracker.core.i18n import gettext
from tracker.db.models import Acknowledgement, AcknowledgementPrint, Contribution, JournalEvent
from tracker.reporting.reports.letter import from_content, regenerated_letter

BATCH = 500


@dataclass(frozen=True)
class LetterStanding:
    """One issued letter as its donor's page and the API list it."""

    letter: Acknowledgement
    affected: bool  # a contribution it counted has been voided since it was written
    replaces: str | None  # the number of the letter it replaces and cancels
    replaced_by: str | None  # the number of the letter that replaces and cancels it


def _voided_since(letter: type[Acknowledgement]) -> sa.ColumnElement[bool]:
    """A contribution the letter counted (its donor's, in its period, recorded by its cutoff) was voided after it."""
    c = Contribution
    return (
        sa.exists()
        .where(
            col(c.donor_id) == letter.donor_id,
            col(c.recorded_at) <= letter.as_of,
            col(c.voided_at) > letter.as_of,
            sa.or_(col(letter.date_from).is_(None), col(c.value_date) >= letter.date_from),
            sa.or_(col(letter.date_to).is_(None), col(c.value_date) <= letter.date_to),
        )
        .correlate(letter)
    )


def _standings(session: Session, *conditions: sa.ColumnElement[bool]) -> list[LetterStanding]:
    own = aliased(AcknowledgementPrint)
    replaced = aliased(Acknowledgement)
    later = aliased(AcknowledgementPrint)
    replacement = aliased(Acknowledgement)
    statement = (
        select(Acknowledgement, _voided_since(Acknowledgement).label("affected"), replaced.number, replacement.number)
        .outerjoin(own, col(own.acknowledgement_id) == Acknowledgement.id)
        .outerjoin(replaced, col(replaced.id) == own.replaces_id)
        .outerjoin(later, col(later.replaces_id) == Acknowledgement.id)
        .outerjoin(replacement, col(replacement.id) == later.acknowledgement_id)
        .where(*conditions)
        .order_by(col(Acknowledgement.id).desc())
    )
    return [LetterStanding(letter, bool(affected), was, by) for letter, affected, was, by in session.exec(statement)]


def donor_letters(session: Session, donor_id: int) -> list[LetterStanding]:
    """A donor's letters, newest first, each marked affected (a later void touches it) and with its replacement."""
    return _standings(session, col(Acknowledgement.donor_id) == donor_id)


def standing(session: Session, letter: Acknowledgement) -> LetterStanding:
    """One letter: affected or not, what it replaces, what replaced it."""
    [found] = _standings(session, col(Acknowledgement.id) == letter.id)
    return found


def letters_match_their_digests(session: Session) -> list[str]:
    """Every letter's frozen content hashes to the digest stored and journalled when it was written."""
    problems: list[str] = []
    journalled: dict[str, str | None] = {}
    events = select(JournalEvent.object_id, JournalEvent.after).where(JournalEvent.action == "acknowledgement.created")
    for object_id, after in session.exec(events):
        journalled[object_id] = json.loads(after).get("digest") if after else None
    last_id = 0
    while True:
        batch = session.exec(
            select(Acknowledgement, AcknowledgementPrint)
            .outerjoin(AcknowledgementPrint, col(AcknowledgementPrint.acknowledgement_id) == Acknowledgement.id)
            .where(col(Acknowledgement.id) > last_id)
            .order_by(col(Acknowledgement.id))
            .limit(BATCH)
        ).all()
        if not batch:
            return problems
        for letter, printed in batch:
            problems.extend(_letter_problems(session, letter, printed, journalled.get(str(letter.id))))
        last_id = batch[-1][0].id or last_id


def _letter_problems(
    session: Session, letter: Acknowledgement, printed: AcknowledgementPrint | None, journalled: str | None
) -> list[str]:
    found: list[str] = []
    if journalled != letter.digest:
        found.append(gettext("letter {number}: its digest is not the one journalled").format(number=letter.number))
    if printed is None:  # written before contents were frozen: regenerated from the ledger as of its cutoff
        if regenerated_letter(session, letter).digest != letter.digest:
            found.append(
                gettext("letter {number}: regenerated, it no longer matches its digest").format(number=letter.number)
            )
        return found
    if hashlib.sha256(printed.content.encode()).hexdigest() != letter.digest:
        found.append(
            gettext("letter {number}: its printed content does not match its digest").format(number=letter.number)
        )
    else:
        try:
            readable = from_content(printed.content).frozen() == printed.content
        except (ValueError, KeyError, TypeError, IndexError, TrackerError):
            readable = False
        if not readable:
            found.append(gettext("letter {number}: its printed content cannot be read").format(number=letter.number))
    return found
