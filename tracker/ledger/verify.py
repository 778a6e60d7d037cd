"""Named ledger invariants, each a function that lists its problems; `tracker verify` runs them all.

What they prove, and what they cannot, is written in docs/ledger.md ("What `tracker verify` proves"):
every check compares the ledger with the journal or recomputes a figure, so a change made past
the app shows unless it rewrote the journal too; a rewritten journal shows against a chain head
exported earlier (`verify --since`), never on its own, since anyone who can write the database
can recompute an unkeyed chain.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.core.i18n import gettext, ngettext
from tracker.core.money import QUANTITY_PLACES, minor_digits, round_half_up
from tracker.core.vocabulary import LineKind, Status, Term
from tracker.db.columns import stored_id, table_of
from tracker.db.dialect import on_sqlite
from tracker.db.journal import GENESIS, canonical_json, verify_chain
from tracker.db.models import Contribution, ContributionLine, ExchangeRate, JournalEvent, NumberSequence
from tracker.ledger.recording import snapshot
from tracker.rates.publications import NUMBER
from tracker.totals.aggregates import totals_differences

Check = Callable[[Session], list[str]]
BATCH = 2000


def journal_chain_holds(session: Session) -> list[str]:
    """Every journal event links to the one before it and matches its own hash."""
    return [
        gettext("journal event {id}: {problem}").format(id=p.event_id, problem=p.problem) for p in verify_chain(session)
    ]


def status_moves_match_journal(session: Session) -> list[str]:
    """Each contribution's status and void are where its journal events moved them, and every such event
    names a contribution that exists: an UPDATE past the app, with no event, shows here."""
    journaled: dict[str, tuple[str | None, str | None]] = {}  # contribution id: (status, void reason)
    problems: list[str] = []
    statement = (
        select(JournalEvent.id, JournalEvent.object_id, JournalEvent.action, JournalEvent.after)
        .where(JournalEvent.object_type == "contribution")
        .order_by(col(JournalEvent.id))
    )
    for _event_id, object_id, action, after in session.exec(statement.execution_options(yield_per=BATCH)):
        facts: dict[str, Any] = json.loads(after) if after else {}
        status, void = journaled.get(object_id, (None, None))
        if "status" in facts:  # recorded with a status, or moved to one
            status = facts["status"]
        if action == "contribution.voided" or facts.get("voided") is True:
            void = str(facts.get("reason", ""))
        journaled[object_id] = (status, void)
    statement_rows = select(Contribution.id, Contribution.number, Contribution.status, Contribution.void_reason)
    for contribution_id, number, status, void_reason in session.exec(
        statement_rows.order_by(col(Contribution.id)).execution_options(yield_per=BATCH)
    ):
        said_status, said_void = journaled.pop(str(contribution_id), (None, None))
        if said_status is None:
            continue  # recorded_facts_match_journal reports a contribution the journal never recorded
        if status != said_status:
            problems.append(
                gettext("{number}: is {status} but the journal says {journaled}").format(
                    number=number, status=Term(status, "status"), journaled=Term(said_status, "status")
                )
            )
        if said_void is None and void_reason is not None:
            problems.append(gettext("{number}: is void but no journal event voids it").format(number=number))
        elif said_void is not None and void_reason != said_void:
            problems.append(
                gettext("{number}: the journal voids it, but it is not void as the journal says").format(number=number)
            )
    problems += [
        gettext("contribution {id}: the journal changes it, but it does not exist").format(id=object_id)
        for object_id in sorted(journaled)
    ]
    return problems


RATE_EVENTS = ("rate.recorded", "rate.corrected")


def rate_versions_match_journal(session: Session) -> list[str]:
    """Every exchange-rate version was recorded by a journal event, and every rate event's versions exist:
    a version inserted past the app (and so in force) shows here.

    A rate recorded by hand has an event of its own holding its facts; rates imported from a file
    share one event per import, which says how many were added, by whom, for which dates."""
    problems: list[str] = []
    single: dict[str, tuple[int | None, dict[str, Any]]] = {}  # rate id: (event id, facts)
    imports: list[tuple[int, int | None, dict[str, Any]]] = []
    statement = (
        select(JournalEvent.id, JournalEvent.action, JournalEvent.user_id, JournalEvent.after)
        .where(JournalEvent.object_type == "exchange_rate")
        .order_by(col(JournalEvent.id))
    )
    for event_id, action, user_id, after in session.exec(statement):
        facts = json.loads(after) if after else {}
        if action in RATE_EVENTS:
            single[str(facts.get("id"))] = (event_id, facts)
        elif action == "rates.imported":
            assert event_id is not None
            imports.append((event_id, user_id, facts))
    groups: dict[tuple[datetime, str, str, int | None], list[ExchangeRate]] = {}
    for rate in session.exec(select(ExchangeRate).order_by(col(ExchangeRate.id)).execution_options(yield_per=BATCH)):
        event, facts = single.pop(str(rate.id), (None, None))
        if event is None:
            key = (rate.recorded_at, rate.source, rate.quote_currency, rate.recorded_by_id)
            groups.setdefault(key, []).append(rate)
        elif facts != _rate_facts(rate):
            problems.append(gettext("exchange rate {id}: differs from the journal").format(id=rate.id))
    for (_at, source, quote, by), rates in sorted(groups.items(), key=lambda kv: str(kv[0][0])):
        found = next((i for i in imports if _imported(i, source, quote, by, rates)), None)
        if found is None:
            problems += [
                gettext("exchange rate {id}: no journal event records it").format(id=rate.id) for rate in rates
            ]
        else:
            imports.remove(found)
    problems += [
        gettext("journal event {id}: records exchange rate {rate}, which does not exist").format(id=i, rate=rate_id)
        for rate_id, (i, _facts) in single.items()
    ]
    problems += [
        gettext("journal event {id}: records imported rates that are not in the database").format(id=event_id)
        for event_id, _user, _facts in imports
    ]
    return problems


def _rate_facts(rate: ExchangeRate) -> dict[str, Any]:
    """A rate version's facts as rates.service journals them."""
    facts: dict[str, Any] = json.loads(
        canonical_json(
            {
                "id": rate.id,
                "rate_date": rate.rate_date,
                "currency": rate.currency,
                "quote_currency": rate.quote_currency,
                "rate": rate.rate,
                "source": rate.source,
            }
        )
        or "{}"
    )
    return facts


def _imported(
    event: tuple[int, int | None, dict[str, Any]], source: str, quote: str, by: int | None, rates: list[ExchangeRate]
) -> bool:
    """Whether one rates import's event accounts for exactly these versions, written together."""
    _id, user_id, facts = event
    try:
        first, last = date.fromisoformat(str(facts["from"])), date.fromisoformat(str(facts["to"]))
    except (KeyError, ValueError):
        return False
    return (
        facts.get("source") == source
        and facts.get("quote_currency") == quote
        and user_id == by
        and facts.get("added") == len(rates)
        and all(first <= rate.rate_date <= last for rate in rates)
    )


def contributions_have_lines(session: Session) -> list[str]:
    """No contribution is recorded without at least one line."""
    statement = select(Contribution.number).where(
        ~sa.exists().where(col(ContributionLine.contribution_id) == Contribution.id)
    )
    return [gettext("{number}: has no lines").format(number=number) for number in session.exec(statement).all()]


def recorded_facts_match_journal(session: Session) -> list[str]:
    """Each contribution's recorded fields and lines equal what the journal says was recorded."""
    problems: list[str] = []
    recorded: dict[str, str] = {}
    events = select(JournalEvent.object_id, JournalEvent.after).where(JournalEvent.action == "contribution.recorded")
    for object_id, after in session.exec(events):
        if object_id in recorded:
            problems.append(gettext("contribution {id}: recorded twice in the journal").format(id=object_id))
        recorded[object_id] = after or ""
    last_id = 0
    while True:
        batch = session.exec(
            select(Contribution).where(col(Contribution.id) > last_id).order_by(col(Contribution.id)).limit(BATCH)
        ).all()
        if not batch:
            break
        ids = [stored_id(c) for c in batch]
        lines: dict[int, list[ContributionLine]] = {i: [] for i in ids}
        statement = (
            select(ContributionLine)
            .where(col(ContributionLine.contribution_id).in_(ids))
            .order_by(col(ContributionLine.contribution_id), col(ContributionLine.position))
        )
        for line in session.exec(statement):
            lines[line.contribution_id].append(line)
        for contribution in batch:
            facts = snapshot(contribution, lines[stored_id(contribution)])
            journaled = recorded.get(str(contribution.id))
            if journaled is None:
                problems.append(gettext("{number}: no journal event records it").format(number=contribution.number))
                continue
            then = json.loads(journaled)
            now = json.loads(canonical_json(facts) or "{}")
            then.pop("status", None), now.pop("status", None)  # status moves forward by design
            if then != now:
                problems.append(
                    gettext("{number}: recorded fields differ from the journal").format(number=contribution.number)
                )
        last_id = ids[-1]
    return problems


def line_values_are_exact(session: Session) -> list[str]:
    """In-kind values are quantity × unit value rounded once; minor digits are the currency's."""
    problems: list[str] = []
    statement = select(ContributionLine, Contribution.number).join(Contribution)
    for line, number in session.exec(statement.execution_options(yield_per=BATCH)):
        if line.currency is not None and line.minor_digits != minor_digits(line.currency):
            problems.append(
                ngettext(
                    "{number} line {position}: stored with {digits} minor digit",
                    "{number} line {position}: stored with {digits} minor digits",
                    line.minor_digits or 0,
                ).format(number=number, position=line.position, digits=line.minor_digits)
            )
        if line.kind != LineKind.MONEY and line.unit_value_minor is not None and line.currency is not None:
            digits = minor_digits(line.currency)
            quantity = Decimal(line.quantity_milli or 0).scaleb(-QUANTITY_PLACES)
            unit_value = Decimal(line.unit_value_minor).scaleb(-digits)
            expected = round_half_up(quantity * unit_value, line.currency).scaleb(digits)
            if Decimal(line.value_minor or 0) != expected:
                problems.append(
                    gettext("{number} line {position}: value is not quantity × unit value").format(
                        number=number, position=line.position
                    )
                )
    return problems


def fulfilments_are_sound(session: Session) -> list[str]:
    """A fulfilment is paid, by the same donor, of a pledge or commitment that was never marked paid itself."""
    pledge = sa.orm.aliased(Contribution)
    statement = select(Contribution, pledge).join(pledge, col(Contribution.fulfils_id) == pledge.id)
    problems: list[str] = []
    for fulfilment, promised in session.exec(statement):
        if fulfilment.status != Status.PAID:
            problems.append(
                gettext("{number}: fulfils {pledge} but is {status}").format(
                    number=fulfilment.number, pledge=promised.number, status=Term(fulfilment.status, "status")
                )
            )
        if fulfilment.donor_id != promised.donor_id:
            problems.append(
                gettext("{number}: fulfils {pledge} of another donor").format(
                    number=fulfilment.number, pledge=promised.number
                )
            )
        if promised.status == Status.PAID and fulfilment.voided_at is None:
            problems.append(
                gettext("{pledge}: is paid in full and also fulfilled by {number}").format(
                    pledge=promised.number, number=fulfilment.number
                )
            )
    return problems + _fulfilment_currencies(session)


def _fulfilment_currencies(session: Session) -> list[str]:
    """A fulfilment's money line reduces the promise in a currency it promised: its own, or converted into one."""
    contribution, line = table_of(Contribution), table_of(ContributionLine)
    promised = line.alias("promised")
    reduces = sa.func.coalesce(line.c.fulfils_currency, line.c.currency)
    promised_money = sa.exists().where(
        promised.c.contribution_id == contribution.c.fulfils_id,
        promised.c.kind == LineKind.MONEY,
        promised.c.currency == reduces,
    )
    statement = (
        sa.select(contribution.c.number, line.c.position, reduces)
        .select_from(line.join(contribution, contribution.c.id == line.c.contribution_id))
        .where(
            contribution.c.fulfils_id.is_not(None),
            line.c.kind == LineKind.MONEY,
            sa.or_(
                ~promised_money,
                line.c.fulfils_currency.is_(None) != line.c.fulfils_minor.is_(None),
                line.c.fulfils_minor <= 0,
            ),
        )
        .order_by(contribution.c.number, line.c.position)
    )
    return [
        gettext("{number}: line {position} in {currency} reduces no currency its promise was made in").format(
            number=number, position=position, currency=currency
        )
        for number, position, currency in session.execute(statement)
    ]


def no_float_money(session: Session) -> list[str]:
    """On SQLite, no money column holds a REAL (a float that slipped past the code)."""
    if not on_sqlite(session):
        return []  # PostgreSQL's BIGINT columns cannot hold a float
    statement = sa.text(
        "SELECT id FROM contribution_line WHERE typeof(value_minor) = 'real' "
        "OR typeof(unit_value_minor) = 'real' OR typeof(quantity_milli) = 'real'"
    )
    return [
        gettext("contribution line {id}: a money column holds a float").format(id=row[0])
        for row in session.execute(statement)
    ]


def rates_are_plain_decimals(session: Session) -> list[str]:
    """Every exchange rate is stored as a plain decimal string more than zero (never a float's text)."""
    statement = select(ExchangeRate.id, ExchangeRate.rate).order_by(col(ExchangeRate.id))
    return [
        f"exchange rate {rate_id}: {rate!r} is not a plain decimal more than zero"
        for rate_id, rate in session.exec(statement.execution_options(yield_per=BATCH))
        if not NUMBER.match(rate) or Decimal(rate) <= 0
    ]


def maintained_totals_match_ledger(session: Session) -> list[str]:
    """The totals the dashboard reads equal a full recomputation from the ledger, to the minor unit."""
    return totals_differences(session)


def numbers_count_the_contributions(session: Session) -> list[str]:
    """Each year's last contribution number handed out equals the contributions numbered in that year
    (the dashboard reads its count of contributions from the numbers)."""
    year = sa.func.substr(Contribution.number, 3, 4)  # C-2023-000001
    recorded = {str(y): n for y, n in session.exec(select(year, sa.func.count()).group_by(year)).all()}
    handed = {str(y): last for y, last in session.exec(select(NumberSequence.year, NumberSequence.last)).all()}
    return [
        gettext("{year}: {handed} contribution numbers handed out, {recorded} contributions recorded").format(
            year=y, handed=handed.get(y, 0), recorded=recorded.get(y, 0)
        )
        for y in sorted(set(recorded) | set(handed))
        if recorded.get(y, 0) != handed.get(y, 0)
    ]


CHECKS: tuple[Check, ...] = (
    journal_chain_holds,
    contributions_have_lines,
    recorded_facts_match_journal,
    status_moves_match_journal,
    rate_versions_match_journal,
    line_values_are_exact,
    fulfilments_are_sound,
    no_float_money,
    rates_are_plain_decimals,
    maintained_totals_match_ledger,
    numbers_count_the_contributions,
)


def run_checks(session: Session) -> list[str]:
    """Every problem every check finds; an empty list means the ledger holds."""
    return [problem for check in CHECKS for problem in check(session)]


def chain_head(session: Session) -> str:
    """The journal's newest event as `ID:HASH` (`0:` and the genesis hash when empty): kept outside the
    database, it lets a later `tracker verify --since` prove that nothing up to that event changed."""
    head = session.exec(select(JournalEvent.id, JournalEvent.hash).order_by(col(JournalEvent.id).desc()).limit(1))
    found = head.first()
    return f"{found[0]}:{found[1]}" if found else f"0:{GENESIS}"


def anchor_holds(session: Session, anchor: str) -> list[str]:
    """The event an exported chain head names is still there with the same hash. With the chain holding
    (journal_chain_holds), every event up to it is then unchanged, and none was removed."""
    number, _, expected = anchor.strip().partition(":")
    if not number.isdecimal() or len(expected) != len(GENESIS):
        return [gettext("the chain head {anchor!r} is not of the form ID:HASH").format(anchor=anchor)]
    if int(number) == 0:
        return []  # exported from an empty journal: it proves nothing
    found = session.exec(select(JournalEvent.hash).where(col(JournalEvent.id) == int(number))).first()
    if found is None:
        return [gettext("journal event {id}: named by the chain head, it is gone").format(id=number)]
    if found != expected:
        return [gettext("journal event {id}: its hash differs from the chain head's").format(id=number)]
    return []
