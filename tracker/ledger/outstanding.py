"""Each line's outstanding remainder of an open pledge or commitment, apportioned from `ledger.figures`' rule.

The rule itself lives in `tracker.ledger.figures`: per pledge and line key, money
outstanding = max(0, promised − delivered) per currency; an item's quantity is netted once
per pledge and each valued part shrinks in the same proportion, rounded half up once.
A line-by-line output (an export, the API list) needs that remainder per line: when a key
spans several lines, its remainder is apportioned over them by their own size, each line
taking the rounded cumulative share less the previous one, so the lines of a key always
sum to exactly the key's remainder — the figure the reports show.

Only open contributions with live fulfilments are worked out here; an open line missing
from the answer has nothing fulfilling it, so all of it is outstanding. (A closed
promise's written-off part belongs beside `outstanding` in `LineRemainder`, one place.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from tracker.core.vocabulary import OPEN_STATUSES, LineKind
from tracker.ledger.figures import (
    contribution,
    delivered_against,
    item_outstanding,
    line,
    live,
    money_outstanding,
    proportion,
)

CHUNK = 500


@dataclass(frozen=True, slots=True)
class LineRemainder:
    """What is still to come of one line: its value in the line's currency (minor units) and its quantity."""

    value_minor: int | None  # None for an in-kind line without a value
    quantity_milli: int | None  # None for a money line


def line_remainders(session: Session, contribution_ids: Iterable[int]) -> dict[tuple[int, int], LineRemainder]:
    """The remainder of each line, by (contribution id, line position), of those contributions that are live,
    open (pledged or committed) and fulfilled at least in part by a live contribution."""
    ids = sorted(set(contribution_ids))
    found: dict[tuple[int, int], LineRemainder] = {}
    for start in range(0, len(ids), CHUNK):
        found.update(_remainders(session, ids[start : start + CHUNK]))
    return found


def fulfilled_promises(session: Session, where: Iterable[sa.ColumnElement[bool]], joined: sa.FromClause) -> list[int]:
    """The ids of the live open contributions selected by `where` (over `joined`) that something live fulfils."""
    fulfiller = contribution.alias("fulfiller")
    statement = (
        sa.select(contribution.c.id)
        .select_from(joined)
        .where(
            *where,
            live(contribution),
            contribution.c.status.in_(OPEN_STATUSES),
            sa.exists().where(fulfiller.c.fulfils_id == contribution.c.id, live(fulfiller)),
        )
        .distinct()
    )
    return [int(found) for found in session.execute(statement).scalars()]


def _remainders(session: Session, ids: list[int]) -> dict[tuple[int, int], LineRemainder]:
    statement = (
        sa.select(
            line.c.contribution_id,
            line.c.position,
            line.c.kind,
            line.c.item_id,
            line.c.currency,
            line.c.value_minor,
            line.c.quantity_milli,
        )
        .select_from(line.join(contribution, line.c.contribution_id == contribution.c.id))
        .where(line.c.contribution_id.in_(ids), live(contribution), contribution.c.status.in_(OPEN_STATUSES))
        .order_by(line.c.contribution_id, line.c.position)
    )
    lines = session.execute(statement).all()
    if not lines:
        return {}
    delivered = delivered_against(session, sorted({row[0] for row in lines}))

    # Each line's weight within its money key (pledge, currency), its value key (pledge, kind,
    # item, currency) and its quantity key (pledge, item), as `ledger.figures` groups them.
    money: dict[tuple[int, str], list[tuple[int, int]]] = defaultdict(list)
    values: dict[tuple[int, str, int, str], list[tuple[int, int]]] = defaultdict(list)
    quantities: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for pledge_id, position, kind, item_id, currency, minor, milli in lines:
        if kind == LineKind.MONEY:
            money[(pledge_id, currency)].append((position, int(minor)))
            continue
        quantities[(pledge_id, item_id)].append((position, int(milli)))
        if currency is not None:
            values[(pledge_id, kind, item_id, currency)].append((position, int(minor)))

    value_left: dict[tuple[int, int], int] = {}
    quantity_left: dict[tuple[int, int], int] = {}
    for (pledge_id, currency), weights in money.items():
        left = money_outstanding(sum(w for _, w in weights), delivered.money[(pledge_id, currency)])
        value_left.update(_apportioned(pledge_id, left, weights))
    for (pledge_id, item_id), weights in quantities.items():
        whole = sum(w for _, w in weights)
        left = item_outstanding(whole, delivered.items[(pledge_id, item_id)])
        quantity_left.update(_apportioned(pledge_id, left, weights))
    for (pledge_id, _kind, item_id, _currency), weights in values.items():
        whole = sum(w for _, w in quantities[(pledge_id, item_id)])
        left = item_outstanding(whole, delivered.items[(pledge_id, item_id)])
        share = proportion(sum(w for _, w in weights), left, whole)
        value_left.update(_apportioned(pledge_id, share, weights))

    return {
        (pledge_id, position): LineRemainder(
            value_minor=value_left.get((pledge_id, position)),
            quantity_milli=None if kind == LineKind.MONEY else quantity_left[(pledge_id, position)],
        )
        for pledge_id, position, kind, *_rest in lines
    }


def _apportioned(pledge_id: int, total: int, weights: list[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """`total` shared over the lines in proportion to their weights: each takes its rounded cumulative share
    less the one before it, so the parts sum to `total` exactly (a single line takes all of it)."""
    whole = sum(weight for _, weight in weights)
    found: dict[tuple[int, int], int] = {}
    before = cumulative = 0
    for position, weight in weights:
        cumulative += weight
        upto = proportion(total, cumulative, whole) if whole else 0
        found[(pledge_id, position)] = upto - before
        before = upto
    return found
