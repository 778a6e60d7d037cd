"""One write path: a contribution recorded by hand and the same one imported write the same facts and totals.

The import batches and pipelines its rows, but its line values, journal event and totals
must be exactly a single entry's. Random contributions are recorded one by one, the
ledger's journal payloads and maintained totals read, everything rolled back; then the
same contributions are imported from a CSV file and the same things read again.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from factories import make_appeal, make_donor, make_item, make_recipient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from tracker.core.money import Money
from tracker.db.journal import GENESIS, Chain, canonical_json, chain_hash
from tracker.db.models import Contribution, JournalEvent, LedgerTotal
from tracker.importing.service import import_contributions
from tracker.ledger.checks import LineInput
from tracker.ledger.recording import Facts, LineValues, recorded_json
from tracker.ledger.service import ContributionInput, record_contribution
from tracker.rates.service import record_rate

DONORS = ("Kuwait Red Crescent", "Azərbaycan Həmkarlar İttifaqları Konfederasiyası")
ITEMS = ("Container house", "Rescuer")
CURRENCIES = {"AZN": 2, "USD": 2, "EUR": 2, "JPY": 0, "KWD": 3}
# Rates into USD (the suite's reporting currency) on two days: value dates between and after
# them take the earlier rate within the 7-day window; dates after 10 Feb + 7 have none.
RATES = [
    (date(2023, 2, 6), "AZN", "0.588235"),
    (date(2023, 2, 6), "EUR", "1.0712"),
    (date(2023, 2, 6), "JPY", "0.00762"),
    (date(2023, 2, 10), "AZN", "0.5882"),
    (date(2023, 2, 10), "KWD", "3.2601"),
]
text = st.text(alphabet="abc əİı,;\"'\\\u00e9\u0416", max_size=12).map(str.strip)


def amount_text(digits: int) -> st.SearchStrategy[str]:
    """An amount as a file writes it; three decimals get a fourth zero, as `1.500` reads two ways in English."""
    written = st.integers(min_value=1, max_value=10**9).map(lambda minor: str(Decimal(minor).scaleb(-digits)))
    return written.map(lambda text: text + "0" if digits == 3 else text)


@st.composite
def entry(draw: st.DrawFn) -> dict[str, str]:
    kind = draw(st.sampled_from(["money", "goods", "service"]))
    currency = draw(st.sampled_from(sorted(CURRENCIES)))
    row = {
        "date": draw(st.dates(min_value=date(2023, 2, 5), max_value=date(2023, 2, 25))).isoformat(),
        "status": draw(st.sampled_from(["pledged", "committed", "paid"])),
        "donor": draw(st.sampled_from(DONORS)),
        "recipient": "AFAD",
        "appeal": draw(st.sampled_from(["", "TUR-EQ-2023"])),
        "kind": kind,
        "amount": "",
        "currency": "",
        "item": "",
        "quantity": "",
        "unit_value": "",
        "valuation": "",
        "reference": draw(text),
        "notes": draw(text),
    }
    if kind == "money":
        row.update(amount=draw(amount_text(CURRENCIES[currency])), currency=currency)
        return row
    row.update(item=draw(st.sampled_from(ITEMS)), quantity=str(draw(st.integers(1, 500_000))) + ".5")
    if kind == "goods" or draw(st.booleans()):
        row.update(
            currency=currency,
            unit_value=draw(amount_text(CURRENCIES[currency])),
            valuation=draw(st.sampled_from(["donor_declared", "invoice", "market_price", "standard_cost"])),
        )
    return row


def ledger_written(session: Session) -> tuple[list[str | None], list[tuple[Any, ...]]]:
    """The contributions' journal payloads in order, and every maintained total with its converted value exact."""
    payloads = session.exec(
        select(JournalEvent.after).where(JournalEvent.action == "contribution.recorded").order_by(JournalEvent.id)  # type: ignore[arg-type]
    ).all()
    table = LedgerTotal.__table__  # type: ignore[attr-defined]
    totals = sorted(
        (r.dim, r.dim_key, r.bucket, r.kind, r.currency, r.value_minor, r.quantity_milli, Decimal(r.converted),
         r.converted_minor, r.unconverted_minor)
        for r in session.execute(sa.select(table))
    )  # fmt: skip
    return list(payloads), totals


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(entry(), min_size=1, max_size=10))
def test_recorded_one_by_one_or_imported_the_ledger_writes_the_same(session: Session, rows: list[dict]) -> None:
    outer = session.begin_nested()  # every example starts from the same empty ledger
    try:
        donors = {name: make_donor(session, name).id for name in DONORS}
        recipient = make_recipient(session, "AFAD").id
        appeal = make_appeal(session, "TUR-EQ-2023").id
        items = {name: make_item(session, name).id for name in ITEMS}
        for day, currency, rate in RATES:
            record_rate(session, day, currency, rate, "test", "USD", None)

        by_hand = session.begin_nested()
        for row in rows:
            record_contribution(
                session,
                ContributionInput(
                    donor_id=donors[row["donor"]],
                    recipient_id=recipient,
                    appeal_id=appeal if row["appeal"] else None,
                    value_date=date.fromisoformat(row["date"]),
                    status=row["status"],
                    reference=row["reference"],
                    notes=row["notes"],
                    lines=[line_input(row, items)],
                ),
                None,
            )
        session.flush()
        recorded = ledger_written(session)
        by_hand.rollback()

        imported = session.begin_nested()
        report = import_contributions(session, csv_of(rows), None)
        assert report.created == len(rows)
        session.flush()
        assert ledger_written(session) == recorded
        assert session.exec(select(sa.func.count()).select_from(Contribution)).one() == len(rows)
        imported.rollback()

    finally:
        outer.rollback()


def line_input(row: dict[str, str], items: dict[str, int]) -> LineInput:
    if row["kind"] == "money":
        return LineInput("money", amount=Money(Decimal(row["amount"]), row["currency"]))
    unit_value = Money(Decimal(row["unit_value"]), row["currency"]) if row["unit_value"] else None
    return LineInput(
        row["kind"],
        item_id=items[row["item"]],
        quantity=row["quantity"],
        unit_value=unit_value,
        valuation=row["valuation"] or None,
    )


def csv_of(rows: list[dict[str, str]]) -> io.BytesIO:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["key", *rows[0]])
    writer.writeheader()
    for number, row in enumerate(rows, start=1):
        writer.writerow({"key": f"R-{number}", **row})
    return io.BytesIO(out.getvalue().encode())


facts = st.builds(
    Facts,
    number=st.from_regex(r"C-20[0-9]{2}-[0-9]{6}", fullmatch=True),
    donor_id=st.integers(1, 10**9),
    recipient_id=st.integers(1, 10**9),
    appeal_id=st.none() | st.integers(1, 10**9),
    value_date=st.dates(),
    status=st.sampled_from(["pledged", "committed", "paid"]),
    reference=st.text(),
    notes=st.text(),
    fulfils_id=st.none() | st.integers(1, 10**9),
)
line_values = st.builds(
    LineValues,
    kind=st.sampled_from(["money", "goods", "service"]),
    item_id=st.none() | st.integers(1, 10**9),
    quantity_milli=st.none() | st.integers(1, 10**15),
    unit_value_minor=st.none() | st.integers(1, 10**17),
    valuation=st.sampled_from(["not_valued", "donor_declared", "invoice"]),
    currency=st.none() | st.sampled_from(sorted(CURRENCIES)),
    minor_digits=st.none() | st.integers(0, 3),
    value_minor=st.none() | st.integers(1, 10**17),
)


@given(facts=facts, lines=st.lists(line_values, min_size=1, max_size=4))
def test_the_event_json_written_directly_is_the_canonical_json_of_the_facts(
    facts: Facts, lines: list[LineValues]
) -> None:
    plain = {
        **facts._asdict(),
        "lines": [{k: v for k, v in line._asdict().items() if k != "minor_digits"} for line in lines],
    }
    assert recorded_json(facts, lines) == canonical_json(plain)


@given(afters=st.lists(st.text(), min_size=1, max_size=5), user_id=st.none() | st.integers(1, 10**6))
def test_a_chain_of_events_hashes_as_chain_hash_does(afters: list[str], user_id: int | None) -> None:
    instant = datetime(2023, 2, 6, 12, 30, 1, 5, tzinfo=UTC)
    chain = Chain(GENESIS, instant, user_id, "contribution.recorded", "contribution")
    prev = GENESIS
    for number, after in enumerate(afters, start=1):
        expected = chain_hash(prev, instant, user_id, "contribution.recorded", "contribution", str(number), None, after)
        assert chain.link(str(number), after) == (prev, expected)
        prev = expected
