"""An appeal as an IATI 2.03 activity, its contributions as incoming transactions (pledge 13, commitment 11, funds 1).

One `iati-activity` per appeal, identified as the organisation's IATI identifier, a hyphen
and the appeal's code. Each valued contribution line is a transaction with the value it
recorded (IATI counts by transaction type: a commitment at its full value, the incoming
funds that fulfil it apart), currency and value date, the donor as provider-org and the
reporting organisation itself as receiver-org (incoming transactions are received by the
reporter), finance type 110 (standard grant: "transfers in cash or in kind"). The reporting
organisation takes part as extending organisation (role 3: it receives the funders' money
and goods and directs them to the recipients); recipients that are organisations take part
as implementing (role 4). The activity names its sectors (IASC clusters, vocabulary 10) and
recipient countries with their shares (`iati_scope`). IATI has no in-kind
flag, so an in-kind line carries its item, unit, quantity and valuation basis in our own
namespace (`urn:tracker:iati:1`, allowed by the schema's `##other` slots). An in-kind line
without a value cannot be a transaction (a value is required, and 0 would be false): it
is left out and counted per item in the activity's description. Void contributions are
left out. Elements follow the XSD's sequence; the XML is built with ElementTree.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlmodel import Session, select

from tracker.core.errors import Invalid, NotFound
from tracker.core.fields import iati_org_ref, iati_org_type
from tracker.core.formatting import format_money_code, format_quantity
from tracker.core.i18n import _, current_locale, ngettext
from tracker.core.vocabulary import Status, term
from tracker.db.models import Appeal, Contribution
from tracker.ledger.filters import ContributionFilters
from tracker.ledger.service import StatusMove, status_history
from tracker.reporting.exports.iati_scope import CLUSTERS_VOCABULARY, MULTI_SECTOR, Coverage
from tracker.reporting.exports.rows import ExportRow, export_rows
from tracker.reporting.reports.files import plain_amount
from tracker.settings.current import effective_settings

IATI_VERSION = "2.03"
TRACKER_NS = "urn:tracker:iati:1"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TRANSACTION_TYPES: dict[str, str] = {
    Status.PLEDGED: "13",
    Status.COMMITTED: "11",
    Status.PAID: "1",
}  # incoming pledge, commitment, funds
STANDARD_GRANT = "110"
EXTENDING, FUNDING, IMPLEMENTING = "3", "1", "4"  # IATI OrganisationRole
# A donor's kind maps to an IATI OrganisationType code where the kind says enough.
DONOR_TYPES = {"government": "10", "foundation": "60", "company": "70"}
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot carry

ET.register_namespace("tracker", TRACKER_NS)


@dataclass
class _Unvalued:
    """In-kind lines of one item and status that have no value, summed."""

    quantity: Decimal = Decimal(0)
    lines: int = 0


@dataclass
class _Activity:
    """What the rows tell about the activity, gathered in one pass."""

    funders: dict[str, str] = field(default_factory=dict)  # donor name -> donor kind, in order of appearance
    implementers: dict[str, None] = field(default_factory=dict)  # recipients that are organisations, in order
    coverage: Coverage = field(default_factory=Coverage)
    transactions: list[ET.Element] = field(default_factory=list)
    unvalued: dict[tuple[str, str, str], _Unvalued] = field(default_factory=lambda: defaultdict(_Unvalued))
    first_date: date | None = None


def organisation_ref(session: Session, org_ref: str | None = None) -> str:
    """The organisation's IATI identifier: `org_ref` when given, else the settings'; refused when missing."""
    ref = (org_ref if org_ref is not None else effective_settings(session).iati_org_ref).strip()
    if not ref:
        raise Invalid(
            "org_ref",
            "the IATI export needs the organisation's IATI identifier (such as XM-DAC-41114): "
            "an admin sets it on the Settings page (or TRACKER_IATI_ORG_REF)",
        )
    return iati_org_ref(ref, "org_ref")


def organisation_type(session: Session) -> str:
    return iati_org_type(effective_settings(session).iati_org_type, "iati_org_type")


def appeal_by_code(session: Session, code: str) -> Appeal:
    found = session.exec(select(Appeal).where(Appeal.code == code.strip())).first()
    if found is None:
        raise NotFound("no appeal with code {code}", code=code)
    return found


def appeal_iati_xml(session: Session, appeal_id: int, org_ref: str | None = None, now: datetime | None = None) -> bytes:
    """The appeal as an IATI 2.03 `iati-activities` document holding one activity, as UTF-8 XML."""
    ref = organisation_ref(session, org_ref)
    org_type = organisation_type(session)
    appeal = session.get(Appeal, appeal_id)
    if appeal is None:
        raise NotFound("no appeal with id {id}", id=appeal_id)
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    organisation = effective_settings(session).organisation_name or ref
    receiver = {"ref": ref, "type": org_type, "name": organisation}
    gathered = _gather(session, export_rows(session, ContributionFilters(appeal_id=appeal_id)).rows, receiver)
    root = ET.Element("iati-activities", {"version": IATI_VERSION, "generated-datetime": moment.isoformat()})
    root.append(_activity(session, appeal, ref, org_type, gathered, moment))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _gather(session: Session, rows: Iterator[ExportRow], receiver: dict[str, str]) -> _Activity:
    found = _Activity()
    histories: dict[int, list[StatusMove]] = {}
    for row in rows:
        found.funders.setdefault(row.donor, row.donor_kind)
        if row.recipient_kind == "organisation":
            found.implementers.setdefault(row.recipient)
        found.coverage.add(row)
        found.first_date = min(found.first_date or row.value_date, row.value_date)
        if row.promised is None:
            unvalued = found.unvalued[(row.item or "", row.unit or "", row.recorded_status or row.status)]
            unvalued.quantity += row.promised_quantity or 0
            unvalued.lines += 1
            continue
        if row.counted_on is not None and row.counted_on != row.value_date and row.void_reason is None:
            # It moved on (a commitment paid later): each status it took is a transaction of its own day.
            if row.contribution_id not in histories:
                contribution = session.get(Contribution, row.contribution_id)
                assert contribution is not None
                histories[row.contribution_id] = status_history(session, contribution)
            for move in histories[row.contribution_id][:-1]:
                found.transactions.append(_transaction(row, receiver, move.status, move.date))
        found.transactions.append(_transaction(row, receiver))
    return found


def _activity(
    session: Session, appeal: Appeal, ref: str, org_type: str, gathered: _Activity, moment: datetime
) -> ET.Element:
    organisation = effective_settings(session).organisation_name or ref
    today = moment.date()
    activity = ET.Element(
        "iati-activity",
        {"last-updated-datetime": moment.isoformat(), XML_LANG: current_locale(), "humanitarian": "1"},
    )
    _sub(activity, "iati-identifier").text = ref + "-" + appeal.code
    _narrative(_sub(activity, "reporting-org", ref=ref, type=org_type), organisation)
    _narrative(_sub(activity, "title"), appeal.name)
    summary = _(
        "Contributions to the appeal {name} ({code}) recorded by {organisation}: incoming pledges (13), "
        "commitments (11) and incoming funds (1), one transaction per contribution line. "
        "Void contributions are left out."
    ).format(name=appeal.name, code=appeal.code, organisation=organisation)
    _narrative(_sub(activity, "description", type="1"), summary)
    if gathered.unvalued:
        _narrative(_sub(activity, "description", type="4"), _unvalued_note(gathered.unvalued))
    _narrative(_sub(activity, "participating-org", ref=ref, type=org_type, role=EXTENDING), organisation)
    for name, kind in gathered.funders.items():
        funder = _sub(activity, "participating-org", role=FUNDING, **_org_type(kind))
        _narrative(funder, name)
    for name in gathered.implementers:
        _narrative(_sub(activity, "participating-org", role=IMPLEMENTING), name)
    _sub(activity, "activity-status", code=_status(appeal, today))
    start = appeal.start_date or gathered.first_date or appeal.created_at.date()
    _sub(activity, "activity-date", type="2" if start <= today else "1", **{"iso-date": start.isoformat()})
    if appeal.end_date:
        end_type = "4" if appeal.end_date <= today else "3"
        _sub(activity, "activity-date", type=end_type, **{"iso-date": appeal.end_date.isoformat()})
    for country, share in gathered.coverage.countries.percentages().items():
        _sub(activity, "recipient-country", code=country, percentage=format(share, "f"))
    for cluster, share in gathered.coverage.sectors.percentages().items():
        sector = _sub(activity, "sector", vocabulary=CLUSTERS_VOCABULARY, code=cluster, percentage=format(share, "f"))
        _narrative(sector, _("Multi-sector") if cluster == MULTI_SECTOR else term(cluster, "cluster"))
    if appeal.glide:
        scope = _sub(activity, "humanitarian-scope", type="1", vocabulary="1-2", code=appeal.glide)
        _narrative(scope, appeal.name)
    activity.extend(gathered.transactions)
    return activity


def _transaction(
    row: ExportRow, receiver: dict[str, str], status: str | None = None, on: date | None = None
) -> ET.Element:
    """The line as a transaction of its status on the day that status took effect (or of an earlier `status`)."""
    assert row.promised is not None
    status = status or row.recorded_status or row.status
    day = (on or row.counted_on or row.value_date).isoformat()
    transaction = ET.Element("transaction", ref=row.line_id if on is None else f"{row.line_id}-{status}")
    _sub(transaction, "transaction-type", code=TRANSACTION_TYPES[status])
    _sub(transaction, "transaction-date", **{"iso-date": day})
    value = _sub(transaction, "value", currency=row.promised.currency, **{"value-date": day})
    value.text = plain_amount(row.promised)
    _narrative(_sub(transaction, "description"), _description(row))
    _narrative(_sub(transaction, "provider-org", **_org_type(row.donor_kind)), row.donor)
    _narrative(_sub(transaction, "receiver-org", ref=receiver["ref"], type=receiver["type"]), receiver["name"])
    _sub(transaction, "finance-type", code=STANDARD_GRANT)
    if row.in_kind:
        assert row.unit_value is not None and row.promised_quantity is not None
        ET.SubElement(
            transaction,
            f"{{{TRACKER_NS}}}in-kind",
            {
                "kind": row.kind,
                "item": row.item or "",
                "unit": row.unit or "",
                "quantity": format(row.promised_quantity, "f"),
                "unit-value": plain_amount(row.unit_value),
                "currency": row.unit_value.currency,
                "valuation": row.valuation,
            },
        )
    return transaction


def _description(row: ExportRow) -> str:
    """The line as recorded, and the recipient it went to (the receiver-org is the reporter itself)."""
    assert row.promised is not None
    if not row.in_kind:
        text = _("{number}: money, {amount}").format(number=row.number, amount=format_money_code(row.promised))
    else:
        assert row.promised_quantity is not None
        text = _("{number}: {quantity} of {item}, valued at {amount} ({valuation})").format(
            number=row.number,
            quantity=format_quantity(row.promised_quantity, row.unit or ""),
            item=row.item,
            amount=format_money_code(row.promised),
            valuation=term(row.valuation, "valuation"),
        )
    return _("{line}, for {recipient}").format(line=text, recipient=row.recipient)


def _unvalued_note(unvalued: dict[tuple[str, str, str], _Unvalued]) -> str:
    parts = []
    for (item, unit, status), found in sorted(unvalued.items()):
        parts.append(
            ngettext(
                "{item} ({status}): {quantity} in {count} line",
                "{item} ({status}): {quantity} in {count} lines",
                found.lines,
            ).format(
                item=item,
                status=term(status, "status"),
                quantity=format_quantity(found.quantity, unit),
                count=found.lines,
            )
        )
    return _(
        "In-kind contributions without a value are not IATI transactions (a transaction needs a value) "
        "and are left out: {items}."
    ).format(items="; ".join(parts))


def _status(appeal: Appeal, today: date) -> str:
    """IATI ActivityStatus: 4 closed (archived), 3 finalisation (past its end date), else 2 implementation."""
    if appeal.archived:
        return "4"
    if appeal.end_date and appeal.end_date < today:
        return "3"
    return "2"


def _org_type(donor_kind: str) -> dict[str, str]:
    code = DONOR_TYPES.get(donor_kind)
    return {"type": code} if code else {}


def _sub(parent: ET.Element, tag: str, **attributes: str) -> ET.Element:
    return ET.SubElement(parent, tag, attributes)


def _narrative(parent: ET.Element, text: str) -> ET.Element:
    narrative = ET.SubElement(parent, "narrative")
    narrative.text = NOT_XML.sub("", text)
    return narrative
