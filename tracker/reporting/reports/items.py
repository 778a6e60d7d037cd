"""Goods and services in a report: each item's quantity in its unit, its estimated value and the basis of it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.core.money import Money
from tracker.db.columns import stored_id
from tracker.db.models import Item, ItemName
from tracker.ledger.figures import Figures, Scope, contribution, line


@dataclass(frozen=True)
class ItemFigure:
    """So many units of one item (`10 pieces` of container houses), kept apart from money.

    `value` is the estimated value of the valued part, per currency (empty when nothing
    was valued); `bases` are the valuation bases its lines were recorded with.
    """

    item_id: int
    name: str
    unit: str
    cluster: str
    quantity: Decimal
    value: tuple[Money, ...]
    bases: tuple[str, ...]


def item_figures(
    bucket: Figures,
    items: dict[int, Item],
    bases: dict[int, tuple[str, ...]],
    names: Mapping[int, str] | None = None,
) -> list[ItemFigure]:
    """The items of one bucket, by name; `names` are the items' names in the report's language, where set."""
    found = []
    for item_id, total in bucket.items.items():
        if not total.quantity_milli:
            continue
        item = items[item_id]
        found.append(
            ItemFigure(
                item_id=item_id,
                name=(names or {}).get(item_id, item.name),
                unit=item.unit,
                cluster=item.cluster,
                quantity=total.quantity,
                value=tuple(total.value[c] for c in sorted(total.value)),
                bases=bases.get(item_id, ()),
            )
        )
    return sorted(found, key=lambda f: (f.name, f.item_id))


def load_items(session: Session, ids: set[int]) -> dict[int, Item]:
    if not ids:
        return {}
    return {stored_id(i): i for i in session.exec(select(Item).where(col(Item.id).in_(ids)))}


def translated_names(session: Session, ids: set[int], language: str) -> dict[int, str]:
    """The items' names in a language, for those that have one; the catalogue's name is the fallback."""
    if not ids:
        return {}
    statement = select(ItemName.item_id, ItemName.name).where(
        col(ItemName.item_id).in_(ids), ItemName.language == language
    )
    return {item_id: name for item_id, name in session.exec(statement)}


def valuation_bases(session: Session, scope: Scope) -> dict[int, tuple[str, ...]]:
    """For each item in scope, the valuation bases its lines carry (donor-declared, invoice…), in one query."""
    statement = (
        sa.select(line.c.item_id, line.c.valuation)
        .select_from(line.join(contribution, line.c.contribution_id == contribution.c.id))
        .where(*scope.conditions(), line.c.item_id.is_not(None))
        .group_by(line.c.item_id, line.c.valuation)
    )
    found: dict[int, set[str]] = defaultdict(set)
    for item_id, valuation in session.execute(statement):
        found[item_id].add(valuation)
    return {item_id: tuple(sorted(names)) for item_id, names in found.items()}
