"""Reading an export's filters strictly: the contributions list's names, and a refusal for anything unreadable."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from tracker.core.errors import Invalid
from tracker.core.money import check_currency
from tracker.core.vocabulary import Status, codes
from tracker.db.models import LINE_KINDS
from tracker.ledger.queries import ContributionFilters

# The query-string names of the contributions list (tracker.web.pages.contributions.FILTER_NAMES);
# `sort` and `page` shape the list, not what an export holds, so they are accepted and ignored.
FILTER_NAMES = ("donor_id", "recipient_id", "appeal_id", "status", "kind", "currency", "from", "to", "q")
MAX_TEXT = 200


def filters_from(params: Mapping[str, str]) -> ContributionFilters:
    """The filters named in `params`; a value that cannot be read is refused, never ignored.

    The list may ignore a bad filter and say so beside the results; an export cannot: a file
    holding more than was asked for would travel on without the warning.
    """
    raw = {name: (params.get(name) or "").strip() for name in FILTER_NAMES}
    status = raw["status"]
    if status and status not in codes(Status):
        raise Invalid("status", "one of {choices}, got {value}", choices=", ".join(codes(Status)), value=status)
    kind = raw["kind"]
    if kind and kind not in LINE_KINDS:
        raise Invalid("kind", "one of {choices}, got {value}", choices=", ".join(LINE_KINDS), value=kind)
    date_from, date_to = _date(raw["from"], "from"), _date(raw["to"], "to")
    if date_from and date_to and date_to < date_from:
        raise Invalid("to", "the period ends before it starts")
    if len(raw["q"]) > MAX_TEXT:
        raise Invalid("q", "at most {limit} characters", limit=MAX_TEXT)
    return ContributionFilters(
        donor_id=_id(raw["donor_id"], "donor_id"),
        recipient_id=_id(raw["recipient_id"], "recipient_id"),
        appeal_id=_id(raw["appeal_id"], "appeal_id"),
        status=status or None,
        kind=kind or None,
        currency=check_currency(raw["currency"], "currency") if raw["currency"] else None,
        date_from=date_from,
        date_to=date_to,
        text=raw["q"] or None,
    )


def _id(text: str, name: str) -> int | None:
    if not text:
        return None
    if not (text.isascii() and text.isdecimal()) or len(text) > 18:
        raise Invalid(name, "{value} is not an id", value=text)
    return int(text)


def _date(text: str, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(name, "{value} is not a date (YYYY-MM-DD)", value=text) from None
