"""The contribution filters: one model, read the same way from every door, and the one SQL condition it becomes.

The list page and its downloads, the API's list and export, and `tracker export` all read their
filters through `ContributionFilters.read`, so a bad value gets the same message everywhere
(naming the field); the list, its totals and the exports all select through `contribution_where`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from tracker.core.errors import Invalid
from tracker.core.money import check_currency
from tracker.core.parsing import iso_date, parse_id
from tracker.core.vocabulary import OPEN_STATUSES, Status, codes
from tracker.db.columns import LINE_KINDS, counted_on
from tracker.db.models import Contribution, ContributionLine, Donor, Recipient
from tracker.db.text import matches

contribution = Contribution.__table__  # type: ignore[attr-defined]
line = ContributionLine.__table__  # type: ignore[attr-defined]
donor = Donor.__table__  # type: ignore[attr-defined]
recipient = Recipient.__table__  # type: ignore[attr-defined]

# The names every door reads them by: the query string's, the API's, and (as --options) the CLI's.
FILTER_NAMES = ("donor_id", "recipient_id", "appeal_id", "status", "kind", "currency", "from", "to", "q")
# The recorded statuses, "void" for the voided ones, and "overdue": open promises past their due date.
OVERDUE = "overdue"
STATUS_CHOICES = (*codes(Status), OVERDUE)
MAX_TEXT = 200


@dataclass(frozen=True)
class ContributionFilters:
    """What a contribution list or export is narrowed to; None means no condition.

    `status` is pledged, committed or paid (void ones left out), void (only void ones), or overdue
    (pledges and commitments neither void nor closed whose due date has passed);
    `kind` and `currency` keep contributions with at least one such line; dates are inclusive;
    `text` is part of the number, reference, notes, or the donor's or recipient's name, in any case.
    """

    donor_id: int | None = None
    recipient_id: int | None = None
    appeal_id: int | None = None
    status: str | None = None
    kind: str | None = None
    currency: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    text: str | None = None

    @classmethod
    def read(cls, params: Mapping[str, str | None], *, blank_means_all: bool = False) -> ContributionFilters:
        """The filters named in `params` (by FILTER_NAMES; other names are not looked at).

        A value that cannot be read is refused with `Invalid` naming it, never ignored: a list or
        a file holding more than was asked for would travel on as if it were the answer. A form
        (`blank_means_all`) sends its "all" choices blank and its typing with stray spaces; a request
        or a command that names a filter and gives it nothing more likely lost the value on the way.
        """
        raw = {name: _given(params.get(name), name, blank_means_all) for name in FILTER_NAMES}
        ids = {name: _id(raw[name], name) for name in ("donor_id", "recipient_id", "appeal_id")}
        status, kind = _choice(raw["status"], "status", STATUS_CHOICES), _choice(raw["kind"], "kind", LINE_KINDS)
        currency = check_currency(raw["currency"], "currency") if raw["currency"] else None
        date_from = iso_date(raw["from"], "from") if raw["from"] else None
        date_to = iso_date(raw["to"], "to") if raw["to"] else None
        if date_from and date_to and date_to < date_from:
            raise Invalid("to", "the period ends before it starts")
        text = _text(raw["q"])
        return cls(**ids, status=status, kind=kind, currency=currency, date_from=date_from, date_to=date_to, text=text)

    @property
    def searched(self) -> str | None:
        """The text searched for, or None when there is none."""
        return (self.text or "").strip() or None


def contribution_where(
    session: Session, filters: ContributionFilters, *, lines_joined: bool = False
) -> sa.ColumnElement[bool]:
    """The SQL condition on `contribution` that selects what `filters` ask for.

    With `lines_joined` the statement reads `contribution_line` joined to its contribution, and
    the kind and currency narrow those lines themselves (an export's rows, a total's sums);
    otherwise they keep the contributions that have such a line.
    """
    c = contribution.c
    found: list[sa.ColumnElement[bool]] = []
    for column, value in ((c.donor_id, filters.donor_id), (c.recipient_id, filters.recipient_id)):
        if value is not None:
            found.append(column == value)
    if filters.appeal_id is not None:
        found.append(c.appeal_id == filters.appeal_id)
    if filters.status == Status.VOID:
        found.append(c.voided_at.is_not(None))
    elif filters.status == OVERDUE:
        found.append(overdue(date.today()))
    elif filters.status:
        found.extend([c.status == filters.status, c.voided_at.is_(None)])
    if filters.date_from is not None:  # the day it counts on: when its status took effect
        found.append(counted_on(contribution) >= filters.date_from)
    if filters.date_to is not None:
        found.append(counted_on(contribution) <= filters.date_to)
    if needle := filters.searched:
        found.append(_search(session, needle))
    lines = [line.c.kind == filters.kind] if filters.kind else []
    lines += [line.c.currency == filters.currency] if filters.currency else []
    if lines and lines_joined:
        found.extend(lines)
    elif lines:
        found.append(sa.exists().where(line.c.contribution_id == c.id, *lines))
    return sa.and_(sa.true(), *found)


def overdue(today: date) -> sa.ColumnElement[bool]:
    """A pledge or commitment past its due date, neither void nor closed."""
    c = contribution.c
    return sa.and_(c.status.in_(codes(OPEN_STATUSES)), c.voided_at.is_(None), c.closed_at.is_(None), c.due_date < today)


def _search(session: Session, needle: str) -> sa.ColumnElement[bool]:
    c = contribution.c
    # The parties' names through their ids: a statement that also joins a party (to sort or show it) is not touched.
    donors = sa.select(donor.c.id).where(matches(session, donor.c.name, needle)).correlate(None)
    recipients = sa.select(recipient.c.id).where(matches(session, recipient.c.name, needle)).correlate(None)
    return sa.or_(
        *(matches(session, column, needle) for column in (c.number, c.reference, c.notes)),
        c.donor_id.in_(donors),
        c.recipient_id.in_(recipients),
    )


def _given(value: str | None, name: str, blank_means_all: bool) -> str:
    if value is None:
        return ""
    if blank_means_all:
        return value.strip()
    if not value.strip():
        raise Invalid(name, "must not be empty; leave it out for no filter")
    return value


def _id(text: str, name: str) -> int | None:
    if not text:
        return None
    number = parse_id(text)
    if number is None:
        raise Invalid(name, "{value} is not an id", value=text[:40])
    return number


def _choice(text: str, name: str, choices: tuple[str, ...]) -> str | None:
    if text and text not in choices:
        raise Invalid(name, "one of {choices}, got {value}", choices=", ".join(choices), value=text[:40])
    return text or None


def _text(text: str) -> str | None:
    if len(text) > MAX_TEXT:
        raise Invalid("q", "at most {limit} characters", limit=MAX_TEXT)
    if "\x00" in text:
        raise Invalid("q", "must not contain NUL characters")  # no database stores one, or searches for it
    return text or None
