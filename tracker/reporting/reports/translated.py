"""Reports with their items named in the report's language, where the catalogue has a name in that language."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import Session

from tracker.db.models import Item
from tracker.reporting.reports.donor import DonorStatement
from tracker.reporting.reports.entries import EntryView
from tracker.reporting.reports.items import ItemFigure, translated_names
from tracker.reporting.reports.summary import SummaryReport


def statement_in(session: Session, statement: DonorStatement, language: str) -> DonorStatement:
    """The statement with its items (figures and lines) named in `language`; unchanged when none has a name in it."""
    ids = set(statement.items) | {
        line.item_id for entry in statement.entries + statement.corrections for line in entry.lines if line.item_id
    }
    names = translated_names(session, ids, language)
    if not names:
        return statement
    # Unsaved copies: the catalogue's rows keep their own names.
    items = {
        item_id: Item(id=item_id, name=names.get(item_id, item.name), unit=item.unit, cluster=item.cluster)
        for item_id, item in statement.items.items()
    }

    def named(entry: EntryView) -> EntryView:
        if not any(line.item_id in names for line in entry.lines):
            return entry
        lines = (
            replace(line, item_name=names[line.item_id]) if line.item_id in names else line for line in entry.lines
        )
        return replace(entry, lines=tuple(lines))

    entries, corrections = [named(e) for e in statement.entries], [named(e) for e in statement.corrections]
    return replace(statement, items=items, entries=entries, corrections=corrections)


def summary_in(session: Session, report: SummaryReport, language: str) -> SummaryReport:
    """The summary with its goods and services named in `language`, re-sorted by that name."""
    ids = {figure.item_id for figures in report.goods_and_services.values() for figure in figures}
    names = translated_names(session, ids, language)
    if not names:
        return report

    def named(figures: list[ItemFigure]) -> list[ItemFigure]:
        found = [replace(f, name=names.get(f.item_id, f.name)) for f in figures]
        return sorted(found, key=lambda f: (f.name, f.item_id))

    return replace(report, goods_and_services={bucket: named(f) for bucket, f in report.goods_and_services.items()})
