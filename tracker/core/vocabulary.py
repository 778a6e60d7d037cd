"""The ledger's fixed words (statuses, kinds, valuations, units, clusters, roles, buckets), each with one name.

The codes are `StrEnum`s: a member is the very string the database, the API and
JSON hold (`Status.PAID == "paid"`), so stored strings compare equal to members.
People see the one translated name of a code: `label(Status.PAID)`, or for a stored
string `term("paid", "status")`, in templates `{{ status | term("status") }}`. Each
name carries a context (`pgettext`), so a translator knows which "set" or
"organisation" they are translating.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from tracker.core.i18n import pgettext


class Status(StrEnum):
    """Where a contribution stands (the FTS words); it only moves forward, in this order."""

    PLEDGED = "pledged"
    COMMITTED = "committed"
    PAID = "paid"
    # Never stored as a status (a voided contribution keeps its status and gains
    # `voided_at`), but shown and filtered on as one.
    VOID = "void"


# The statuses a contribution is recorded with, in the order it moves through them.
RECORDED_STATUSES = (Status.PLEDGED, Status.COMMITTED, Status.PAID)
# A promise: counts only for what no paid contribution has fulfilled yet.
OPEN_STATUSES = (Status.PLEDGED, Status.COMMITTED)


class LineKind(StrEnum):
    MONEY = "money"
    GOODS = "goods"
    SERVICE = "service"


class Valuation(StrEnum):
    """How a goods line's unit value was arrived at."""

    DONOR_DECLARED = "donor_declared"
    INVOICE = "invoice"
    MARKET_PRICE = "market_price"
    STANDARD_COST = "standard_cost"
    NOT_VALUED = "not_valued"


class DonorKind(StrEnum):
    INDIVIDUAL = "individual"
    ORGANISATION = "organisation"
    COMPANY = "company"
    GOVERNMENT = "government"
    FOUNDATION = "foundation"


class RecipientKind(StrEnum):
    ORGANISATION = "organisation"
    COMMUNITY = "community"
    LOCATION = "location"
    PROGRAMME = "programme"


class Role(StrEnum):
    """What a user may do; each role may do everything the ones after it may."""

    ADMIN = "admin"
    CLERK = "clerk"
    VIEWER = "viewer"


class Cluster(StrEnum):
    """The IASC clusters, by their codes."""

    SHL = "SHL"
    FSC = "FSC"
    HEA = "HEA"
    WSH = "WSH"
    LOG = "LOG"
    PRO = "PRO"
    EDU = "EDU"
    NUT = "NUT"
    CCM = "CCM"
    ERY = "ERY"
    TEL = "TEL"
    OTHER = "OTHER"


class Unit(StrEnum):
    PIECE = "piece"
    KG = "kg"
    TONNE = "tonne"
    LITRE = "litre"
    BOX = "box"
    KIT = "kit"
    SET = "set"
    PALLET = "pallet"
    PERSON_DAY = "person-day"
    PERSON = "person"
    FLIGHT = "flight"
    TRUCK = "truck"
    HOUR = "hour"


class Bucket(StrEnum):
    """Where a report counts a contribution: paid in full, a promise for its outstanding remainder."""

    PAID = "paid"
    COMMITTED = "committed"
    PLEDGED = "pledged"
    # What a closed promise left outstanding: no longer owed, never funding, shown apart.
    WRITTEN_OFF = "written_off"
    OUTSTANDING = "outstanding"  # committed and pledged together
    FUNDING = "funding"  # paid and committed together


# The figures the ledger is counted into (every report, total and export names them from here), and two sums of them.
BUCKETS = (Bucket.PAID, Bucket.COMMITTED, Bucket.PLEDGED, Bucket.WRITTEN_OFF)
FUNDING = (Bucket.PAID, Bucket.COMMITTED)  # FTS: a pledge is not funding until committed
OUTSTANDING = (Bucket.COMMITTED, Bucket.PLEDGED)

# The one table of names: one wording per code, looked up when shown (the language is the reader's).
LABELS: dict[type[StrEnum], dict[str, Callable[[], str]]] = {
    Status: {
        Status.PLEDGED: lambda: pgettext("status", "pledged"),
        Status.COMMITTED: lambda: pgettext("status", "committed"),
        Status.PAID: lambda: pgettext("status", "paid"),
        Status.VOID: lambda: pgettext("status", "void"),
    },
    LineKind: {
        LineKind.MONEY: lambda: pgettext("line kind", "money"),
        LineKind.GOODS: lambda: pgettext("line kind", "goods"),
        LineKind.SERVICE: lambda: pgettext("line kind", "service"),
    },
    Valuation: {
        Valuation.DONOR_DECLARED: lambda: pgettext("valuation", "donor-declared"),
        Valuation.INVOICE: lambda: pgettext("valuation", "invoice"),
        Valuation.MARKET_PRICE: lambda: pgettext("valuation", "market price"),
        Valuation.STANDARD_COST: lambda: pgettext("valuation", "standard cost"),
        Valuation.NOT_VALUED: lambda: pgettext("valuation", "not valued"),
    },
    DonorKind: {
        DonorKind.INDIVIDUAL: lambda: pgettext("donor kind", "individual"),
        DonorKind.ORGANISATION: lambda: pgettext("donor kind", "organisation"),
        DonorKind.COMPANY: lambda: pgettext("donor kind", "company"),
        DonorKind.GOVERNMENT: lambda: pgettext("donor kind", "government"),
        DonorKind.FOUNDATION: lambda: pgettext("donor kind", "foundation"),
    },
    RecipientKind: {
        RecipientKind.ORGANISATION: lambda: pgettext("recipient kind", "organisation"),
        RecipientKind.COMMUNITY: lambda: pgettext("recipient kind", "community"),
        RecipientKind.LOCATION: lambda: pgettext("recipient kind", "location"),
        RecipientKind.PROGRAMME: lambda: pgettext("recipient kind", "programme"),
    },
    Role: {
        Role.ADMIN: lambda: pgettext("role", "admin"),
        Role.CLERK: lambda: pgettext("role", "clerk"),
        Role.VIEWER: lambda: pgettext("role", "viewer"),
    },
    Cluster: {
        Cluster.SHL: lambda: pgettext("cluster", "Shelter"),
        Cluster.FSC: lambda: pgettext("cluster", "Food security"),
        Cluster.HEA: lambda: pgettext("cluster", "Health"),
        Cluster.WSH: lambda: pgettext("cluster", "Water, sanitation and hygiene"),
        Cluster.LOG: lambda: pgettext("cluster", "Logistics"),
        Cluster.PRO: lambda: pgettext("cluster", "Protection"),
        Cluster.EDU: lambda: pgettext("cluster", "Education"),
        Cluster.NUT: lambda: pgettext("cluster", "Nutrition"),
        Cluster.CCM: lambda: pgettext("cluster", "Camp coordination and camp management"),
        Cluster.ERY: lambda: pgettext("cluster", "Early recovery"),
        Cluster.TEL: lambda: pgettext("cluster", "Emergency telecommunications"),
        Cluster.OTHER: lambda: pgettext("cluster", "Other"),
    },
    # A unit on its own, as a form's list offers it; a counted unit is formatting.format_quantity.
    Unit: {
        Unit.PIECE: lambda: pgettext("unit", "piece"),
        Unit.KG: lambda: pgettext("unit", "kg"),
        Unit.TONNE: lambda: pgettext("unit", "tonne"),
        Unit.LITRE: lambda: pgettext("unit", "litre"),
        Unit.BOX: lambda: pgettext("unit", "box"),
        Unit.KIT: lambda: pgettext("unit", "kit"),
        Unit.SET: lambda: pgettext("unit", "set"),
        Unit.PALLET: lambda: pgettext("unit", "pallet"),
        Unit.PERSON_DAY: lambda: pgettext("unit", "person-day"),
        Unit.PERSON: lambda: pgettext("unit", "person"),
        Unit.FLIGHT: lambda: pgettext("unit", "flight"),
        Unit.TRUCK: lambda: pgettext("unit", "truck"),
        Unit.HOUR: lambda: pgettext("unit", "hour"),
    },
    # A report's heading for what a bucket holds.
    Bucket: {
        Bucket.PAID: lambda: pgettext("bucket", "Paid"),
        Bucket.COMMITTED: lambda: pgettext("bucket", "Committed, outstanding"),
        Bucket.PLEDGED: lambda: pgettext("bucket", "Pledged, outstanding"),
        Bucket.WRITTEN_OFF: lambda: pgettext("bucket", "Written off"),
        Bucket.OUTSTANDING: lambda: pgettext("bucket", "Outstanding in all"),
        Bucket.FUNDING: lambda: pgettext("bucket", "Funding (paid and committed)"),
    },
}

# A report's heading over the goods and services of a bucket: a title for a section, not the bucket's name.
ITEMS_HEADINGS: dict[str, Callable[[], str]] = {
    Bucket.PAID: lambda: pgettext("items of a bucket", "Delivered"),
    Bucket.COMMITTED: lambda: pgettext("items of a bucket", "Committed, still to come"),
    Bucket.PLEDGED: lambda: pgettext("items of a bucket", "Pledged, still to come"),
    Bucket.WRITTEN_OFF: lambda: pgettext("items of a bucket", "Promised, written off"),
}

# The names templates and `Term` give the vocabularies: `{{ code | term("line_kind") }}`.
VOCABULARIES: dict[str, type[StrEnum]] = {
    "status": Status,
    "line_kind": LineKind,
    "valuation": Valuation,
    "donor_kind": DonorKind,
    "recipient_kind": RecipientKind,
    "role": Role,
    "cluster": Cluster,
    "unit": Unit,
    "bucket": Bucket,
}


def term(code: str | None, vocabulary: str | None = None) -> str:
    """The name of `code` in `vocabulary` (a member knows its own) in the current language; unknown codes as is."""
    if vocabulary is None and isinstance(code, StrEnum):
        return label(code)
    name = LABELS[VOCABULARIES[vocabulary or ""]].get(code or "")
    return name() if name else code or ""


def items_heading(bucket: Bucket) -> str:
    """The heading over the goods and services of a bucket, in the current language."""
    return ITEMS_HEADINGS[bucket]()


def codes(members: Iterable[StrEnum]) -> tuple[str, ...]:
    """The members as the plain strings stored and sent (for CHECK constraints, API literals, messages)."""
    return tuple(member.value for member in members)


def label(member: StrEnum) -> str:
    """The name of an enum member, in the current language."""
    return LABELS[type(member)][member]()


@dataclass(frozen=True, slots=True)
class Term:
    """A vocabulary word as a message parameter, named in the language of whoever reads the message."""

    code: str
    vocabulary: str

    def __format__(self, spec: str) -> str:
        return format(term(self.code, self.vocabulary), spec)

    def __str__(self) -> str:
        return term(self.code, self.vocabulary)
