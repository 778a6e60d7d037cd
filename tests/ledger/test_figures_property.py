"""Property: ledger totals always equal a recomputation from the recorded ledger, by a separate model.

Hypothesis builds random ledgers — money in JPY/USD/KWD, goods valued or not,
pledges, commitments, fulfilments (some over-delivered), status moves and voids —
and the totals from SQL must equal what this plain-Python model says, to the minor unit.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from factories import make_donor, make_item, make_recipient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from tracker.core.money import Money
from tracker.ledger.figures import ledger_totals
from tracker.ledger.service import ContributionInput, LineInput, advance_status, record_contribution, void_contribution

CURRENCIES = ("JPY", "USD", "KWD")


@dataclass(eq=False)
class Entry:
    status: str
    lines: list[tuple]  # ("money", currency, minor) or ("goods", item_index, milli, currency | None, unit_minor)
    fulfils: "Entry | None" = None
    void: bool = False
    id: int | None = None


money_lines = st.tuples(st.just("money"), st.sampled_from(CURRENCIES), st.integers(1, 10**7))
goods_lines = st.tuples(
    st.just("goods"),
    st.integers(0, 1),
    st.integers(1000, 50_000),
    st.sampled_from((*CURRENCIES, None)),
    st.integers(1, 10**5),
)
actions = st.lists(
    st.tuples(
        st.sampled_from(("pledged", "committed", "paid", "fulfil", "advance", "void")),
        st.lists(st.one_of(money_lines, goods_lines), min_size=1, max_size=3),
        st.integers(0, 50),
    ),
    min_size=1,
    max_size=12,
)


def unit_value(currency: str, value_minor: int) -> Money:
    return Money.from_minor(value_minor, currency)


def expected(entries: list[Entry]) -> dict[str, dict]:
    """The rule of DESIGN.md, computed from the entries alone."""
    buckets: dict[str, dict] = {s: defaultdict(int) for s in ("paid", "committed", "pledged")}

    def valued(line: tuple) -> int:
        _, _, milli, _, unit_minor = line
        exact = Decimal(milli) / 1000 * Decimal(unit_minor)
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    live = [e for e in entries if not e.void]
    for entry in live:
        if entry.status == "paid":
            for line in entry.lines:
                if line[0] == "money":
                    buckets["paid"][("money", line[1])] += line[2]
                else:
                    buckets["paid"][("qty", line[1])] += line[2]
                    if line[3]:
                        buckets["paid"][("value", line[1], line[3])] += valued(line)
            continue
        fulfilments = [f for f in live if f.fulfils is entry]
        paid_money: dict[str, int] = defaultdict(int)
        paid_qty: dict[int, int] = defaultdict(int)
        for f in fulfilments:
            for line in f.lines:
                if line[0] == "money":
                    paid_money[line[1]] += line[2]
                else:
                    paid_qty[line[1]] += line[2]
        promised_money: dict[str, int] = defaultdict(int)
        promised_qty: dict[int, int] = defaultdict(int)
        promised_value: dict[tuple, int] = defaultdict(int)
        for line in entry.lines:
            if line[0] == "money":
                promised_money[line[1]] += line[2]
            else:
                promised_qty[line[1]] += line[2]
                if line[3]:
                    promised_value[(line[1], line[3])] += valued(line)
        bucket = buckets[entry.status]
        for currency, minor in promised_money.items():
            bucket[("money", currency)] += max(0, minor - paid_money[currency])
        for item, whole in promised_qty.items():
            left = max(0, whole - paid_qty[item])
            bucket[("qty", item)] += left
            for (value_item, currency), minor in promised_value.items():
                if value_item == item and left:
                    share = (Decimal(minor) * left / whole).quantize(Decimal(1), rounding=ROUND_HALF_UP)
                    bucket[("value", item, currency)] += int(share)
    return {name: {k: v for k, v in bucket.items() if v} for name, bucket in buckets.items()}


def observed(session: Session, items: list) -> dict[str, dict]:
    index = {item.id: i for i, item in enumerate(items)}
    totals = ledger_totals(session)
    found: dict[str, dict] = {}
    for name in ("paid", "committed", "pledged"):
        bucket = totals.bucket(name)
        rows = {("money", c): m.minor for c, m in bucket.money.items()}
        for item_id, total in bucket.items.items():
            if total.quantity_milli:
                rows[("qty", index[item_id])] = total.quantity_milli
            for currency, value in total.value.items():
                rows[("value", index[item_id], currency)] = value.minor
        found[name] = {k: v for k, v in rows.items() if v}
    return found


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=actions)
def test_totals_equal_a_recomputation(session: Session, plan: list) -> None:
    savepoint = session.begin_nested()
    try:
        donor, recipient = make_donor(session), make_recipient(session)
        items = [make_item(session, "Tent"), make_item(session, "Blanket")]
        entries: list[Entry] = []
        for action, lines, pick in plan:
            open_entries = [e for e in entries if not e.void and e.status != "paid"]
            if action in ("pledged", "committed", "paid"):
                entry = Entry(action, lines)
            elif action == "fulfil" and open_entries:
                target = open_entries[pick % len(open_entries)]
                # A fulfilment delivers what was promised: keep only lines whose key the pledge has.
                keys = {("money", line[1]) if line[0] == "money" else ("goods", line[1]) for line in target.lines}
                kept = [line for line in lines if ((line[0], line[1]) in keys)] or [target.lines[0]]
                entry = Entry("paid", kept, fulfils=target)
            elif action == "advance" and open_entries:
                target = open_entries[pick % len(open_entries)]
                has_fulfilment = any(e.fulfils is target and not e.void for e in entries)
                new = "committed" if target.status == "pledged" else "paid"
                if new == "paid" and has_fulfilment:
                    continue
                advance_status(session, target.id, new, None)
                target.status = new
                continue
            elif action == "void" and any(not e.void for e in entries):
                alive = [e for e in entries if not e.void]
                target = alive[pick % len(alive)]
                void_contribution(session, target.id, "property test", None)
                target.void = True
                continue
            else:
                continue
            inputs = [
                LineInput("money", amount=Money.from_minor(line[2], line[1]))
                if line[0] == "money"
                else LineInput(
                    "goods",
                    item_id=items[line[1]].id,
                    quantity=Decimal(line[2]) / 1000,
                    unit_value=unit_value(line[3], line[4]) if line[3] else None,
                )
                for line in entry.lines
            ]
            fulfils_id = entry.fulfils.id if entry.fulfils else None
            data = ContributionInput(
                donor.id, recipient.id, date(2023, 2, 10), entry.status, inputs, fulfils_id=fulfils_id
            )
            entry.id = record_contribution(session, data, None).id
            entries.append(entry)
        assert observed(session, items) == expected(entries)
    finally:
        savepoint.rollback()
