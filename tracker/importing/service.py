"""Importing contributions from a file: every row checked like a form entry, then all of them or none.

Rows are read and checked (`importing.checks`) in chunks, the keys of the rows before
kept on disk (`importing.keys`), so memory stays flat. Clean chunks are written in bulk
(`importing.writer`: each contribution still with its own hash-chained
`contribution.recorded` journal event and its row key), their inserts run while the
next chunk is checked (`importing.inserts`), and the maintained totals are summed
from the rows in hand (`totals.summing`, as every write's are), all in the caller's
transaction. Any bad row stops the writing but not the checking, so the report lists
every bad row; then `ImportRefused` rolls the whole import back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from operator import attrgetter
from typing import IO, Any

from sqlmodel import Session, col, func, select

from tracker.catalogue.service import DonorInput, RecipientInput, create_donor, create_recipient
from tracker.core.bulk import collector_paused
from tracker.core.errors import Invalid, Plural
from tracker.db.columns import LOCALES, stored_id
from tracker.db.journal import record_event
from tracker.db.models import Appeal, Donor, Item, Recipient, User
from tracker.importing.checks import Lookups, Planned, check_row
from tracker.importing.files import read_rows
from tracker.importing.inserts import imported_keys
from tracker.importing.keys import RowKeys
from tracker.importing.report import ImportRefused, ImportReport
from tracker.importing.writer import ChunkWriter

CHUNK = 4000


def import_contributions(
    session: Session,
    source: IO[bytes],
    user: User | None,
    *,
    dry_run: bool = False,
    locale: str = "en",
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Check every row of the file and, unless it is a dry run, record them all; a bad row refuses the whole file.

    Amounts and quantities written as text are read as the entry form reads them in `locale`
    (the uploader's language on the page, `--locale` on the CLI, `?locale=` on the API)."""
    if locale not in LOCALES:
        raise Invalid("locale", "must be one of {allowed}, got {value!r}", allowed=", ".join(LOCALES), value=locale)
    with collector_paused():
        return _import(session, source, user, dry_run, locale, progress)


def _import(
    session: Session,
    source: IO[bytes],
    user: User | None,
    dry_run: bool,
    locale: str,
    progress: Callable[[int], None] | None,
) -> ImportReport:
    report = ImportReport(uuid.uuid4().hex, dry_run)
    # Held for the whole import: the session's identity map is weak, and check_line looks items up by id.
    items = list(session.exec(select(Item).where(~col(Item.archived))))
    lookups = Lookups(
        items={item.name: stored_id(item) for item in items},
        appeals={code: id_ for id_, code in session.exec(select(Appeal.id, Appeal.code)) if id_ is not None},
        clusters={stored_id(item): item.cluster for item in items},
    )
    writer = None if dry_run else ChunkWriter(session, user, report.import_id)
    row_keys = RowKeys()
    chunk: list[Planned] = []
    try:
        for row in read_rows(source):
            report.rows += 1
            row_keys.note(row)
            planned = check_row(session, row, lookups, report, locale)
            if planned is not None:
                chunk.append(planned)
            if len(row_keys) >= CHUNK:
                if progress:
                    progress(report.rows)
                _settle(session, _named(chunk, row_keys, report), lookups, user, report, writer)
                report.chunk_settled()
                chunk = []
        _settle(session, _named(chunk, row_keys, report), lookups, user, report, writer)
        if progress:
            progress(report.rows)
        if report.problem_count:
            report.problems.sort(key=attrgetter("row"))  # a chunk's repeated keys are found after its other checks
            raise ImportRefused(report)
        if writer is not None:
            writer.finish()
    finally:
        row_keys.close()
        if writer is not None:
            writer.close()
    if not dry_run and report.created:
        record_event(
            session,
            action="import.committed",
            object_type="import",
            object_id=report.import_id,
            user_id=user.id if user else None,
            after={"rows": report.rows, "created": report.created, "skipped": report.skipped},
        )
    return report


def _named(chunk: list[Planned], row_keys: RowKeys, report: ImportReport) -> list[Planned]:
    """The chunk's clean rows with their keys; a row whose key an earlier row of the file has is a bad row."""
    keys, repeated = row_keys.settle()
    for number, cell in repeated:
        report.problem(number, "key", "the key {key} appears twice in the file", key=cell)
    bad = {number for number, _ in repeated}
    named = [planned for planned in chunk if planned.row not in bad] if bad else chunk
    for planned in named:
        planned.key = keys[planned.row]
    return named


def _settle(
    session: Session,
    chunk: list[Planned],
    lookups: Lookups,
    user: User | None,
    report: ImportReport,
    writer: ChunkWriter | None,
) -> None:
    """Find or create the chunk's donors and recipients, then write the chunk if the file is clean so far."""
    unknown = any(p.donor not in lookups.donors or p.recipient not in lookups.recipients for p in chunk)
    if writer is not None and unknown:
        writer.wait()  # the session looks them up, while the chunk built last waits to go in
    before_creating = writer.pause if writer is not None else _nothing  # so its journal events come first
    _resolve(session, chunk, lookups, user, report, before_creating, donors=True)
    _resolve(session, chunk, lookups, user, report, before_creating, donors=False)
    ready: list[tuple[Planned, int, int]] = []
    for planned in chunk:
        donor_id, recipient_id = lookups.donors.get(planned.donor), lookups.recipients.get(planned.recipient)
        if isinstance(donor_id, Invalid):
            report.problem(planned.row, "donor", donor_id.template, **donor_id.params)
        if isinstance(recipient_id, Invalid):
            report.problem(planned.row, "recipient", recipient_id.template, **recipient_id.params)
        if isinstance(donor_id, int) and isinstance(recipient_id, int):
            ready.append((planned, donor_id, recipient_id))
    if writer is None or report.problem_count:
        if writer is not None:
            writer.pause()
        kept = imported_keys(session.connection(), [p.key for p, _, _ in ready]) if ready else set()
        report.skipped += len(kept)
        report.created += len(ready) - len(kept)
        return
    skipped = writer.write(ready)
    report.skipped += skipped
    report.created += len(ready) - skipped


def _nothing() -> None:
    pass


def _resolve(
    session: Session,
    chunk: list[Planned],
    lookups: Lookups,
    user: User | None,
    report: ImportReport,
    before_creating: Callable[[], None],
    *,
    donors: bool,
) -> None:
    known = lookups.donors if donors else lookups.recipients
    model: Any = Donor if donors else Recipient
    refs = sorted({p.donor if donors else p.recipient for p in chunk} - set(known))
    if not refs:
        return
    matches: dict[str, list[tuple[int, bool]]] = {ref: [] for ref in refs}
    for batch in (refs[i : i + 500] for i in range(0, len(refs), 500)):
        statement = select(model.id, model.name, model.archived).where(model.name.in_(batch))
        for found_id, name, archived in session.exec(statement):
            matches[name].append((found_id, archived))
        if donors:
            emails = {ref.lower(): ref for ref in batch if "@" in ref}
            statement = select(Donor.id, Donor.email, Donor.archived).where(func.lower(Donor.email).in_(list(emails)))
            for found_id, email, archived in session.exec(statement):
                assert found_id is not None and email is not None, "a stored donor, found by its email"
                matches[emails[email.lower()]].append((found_id, archived))
    wanted: dict[str, Planned] = {}
    for planned in chunk:  # the first row that says how to create it, else the first row
        ref, kind = (planned.donor, planned.donor_kind) if donors else (planned.recipient, planned.recipient_kind)
        if ref not in wanted or (kind and not (wanted[ref].donor_kind if donors else wanted[ref].recipient_kind)):
            wanted[ref] = planned
    for ref in refs:
        found = {found_id: archived for found_id, archived in matches[ref]}
        if len(found) > 1:
            known[ref] = _matches(ref, len(found), donors=donors)
        elif found:
            ((found_id, archived),) = found.items()
            if not archived:
                known[ref] = found_id
            elif donors:
                known[ref] = Invalid("donor", "donor {name} is archived", name=ref)
            else:
                known[ref] = Invalid("recipient", "recipient {name} is archived", name=ref)
        else:
            known[ref] = _create(session, wanted[ref], user, report, before_creating, donors=donors)


def _matches(ref: str, count: int, *, donors: bool) -> Invalid:
    """Several donors or recipients answer to the file's name: which one is meant is for the file to say."""
    if donors:
        return Invalid(
            "donor",
            Plural(
                "{count} donor matches {ref!r}; make the name unique or use the email",
                "{count} donors match {ref!r}; make the name unique or use the email",
                count,
            ),
            count=count,
            ref=ref,
        )
    return Invalid(
        "recipient",
        Plural(
            "{count} recipient matches {ref!r}; make the name unique",
            "{count} recipients match {ref!r}; make the name unique",
            count,
        ),
        count=count,
        ref=ref,
    )


def _create(
    session: Session,
    planned: Planned,
    user: User | None,
    report: ImportReport,
    before_creating: Callable[[], None],
    *,
    donors: bool,
) -> int | Invalid:
    """A donor or recipient the file asks for, or the reason it cannot be had."""
    ref = planned.donor if donors else planned.recipient
    kind = planned.donor_kind if donors else planned.recipient_kind
    if not kind and donors:
        return Invalid(
            "donor", "no donor with email or name {ref!r}; give {column} to create it", ref=ref, column="donor_kind"
        )
    if not kind:
        return Invalid(
            "recipient", "no recipient named {ref!r}; give {column} to create it", ref=ref, column="recipient_kind"
        )
    (report.donors_created if donors else report.recipients_created).append(ref)
    if report.dry_run or report.problem_count:
        return -len(report.donors_created if donors else report.recipients_created)  # stands in for the id
    before_creating()
    try:
        if donors:
            email = ref if "@" in ref else None
            made: Any = create_donor(session, DonorInput(ref, kind, planned.donor_country, email), user)
        else:
            made = create_recipient(session, RecipientInput(ref, kind), user)
    except Invalid as exc:
        return exc
    return made.id
