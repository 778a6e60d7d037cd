"""Named ledger invariants, each a function that lists its problems; `tracker verify` runs them all."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from tracker.core.i18n import gettext, ngettext
from tracker.core.money import QUANTITY_PLACES, minor_digits, round_half_up
from tracker.core.vocabulary import LineKind, Status, Term
from tracker.db.columns import stored_id, table_of
from tracker.db.dialect import on_sqlite
from tracker.db.journal import canonical_json, verify_chain
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
