"""The ledger's fixed words (statuses, kinds, valuations, units, clusters, roles) named in the current language.

The database and the API keep the English codes (`paid`, `person-day`, `SHL`);
people see `term("paid", "status")`, in templates `{{ status | term("status") }}`.
Each name carries a context (`pgettext`), so a translator knows which "set" or
"organisation" they are translating.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tracker.core.i18n import pgettext

Names = dict[str, Callable[[], str]]

STATUS_NAMES: Names = {
    "pledged": lambda: pgettext("status", "pledged"),
    "committed": lambda: pgettext("status", "committed"),
    "paid": lambda: pgettext("status", "paid"),
    "void": lambda: pgettext("status", "void"),
}
LINE_KIND_NAMES: Names = {
    "money": lambda: pgettext("line kind", "money"),
    "goods": lambda: pgettext("line kind", "goods"),
    "service": lambda: pgettext("line kind", "service"),
}
VALUATION_NAMES: Names = {
    "donor_declared": lambda: pgettext("valuation", "declared by the donor"),
    "invoice": lambda: pgettext("valuation", "invoice"),
    "market_price": lambda: pgettext("valuation", "market price"),
    "standard_cost": lambda: pgettext("valuation", "standard cost"),
    "not_valued": lambda: pgettext("valuation", "not valued"),
}
DONOR_KIND_NAMES: Names = {
    "individual": lambda: pgettext("donor kind", "individual"),
    "organisation": lambda: pgettext("donor kind", "organisation"),
    "company": lambda: pgettext("donor kind", "company"),
    "government": lambda: pgettext("donor kind", "government"),
    "foundation": lambda: pgettext("donor kind", "foundation"),
}
RECIPIENT_KIND_NAMES: Names = {
    "organisation": lambda: pgettext("recipient kind", "organisation"),
    "community": lambda: pgettext("recipient kind", "community"),
    "location": lambda: pgettext("recipient kind", "location"),
    "programme": lambda: pgettext("recipient kind", "programme"),
}
ROLE_NAMES: Names = {
    "admin": lambda: pgettext("role", "admin"),
    "clerk": lambda: pgettext("role", "clerk"),
    "viewer": lambda: pgettext("role", "viewer"),
}
# The IASC clusters, by their codes.
CLUSTER_NAMES: Names = {
    "SHL": lambda: pgettext("cluster", "Shelter"),
    "FSC": lambda: pgettext("cluster", "Food security"),
    "HEA": lambda: pgettext("cluster", "Health"),
    "WSH": lambda: pgettext("cluster", "Water, sanitation and hygiene"),
    "LOG": lambda: pgettext("cluster", "Logistics"),
    "PRO": lambda: pgettext("cluster", "Protection"),
    "EDU": lambda: pgettext("cluster", "Education"),
    "NUT": lambda: pgettext("cluster", "Nutrition"),
    "CCM": lambda: pgettext("cluster", "Camp coordination and camp management"),
    "ERY": lambda: pgettext("cluster", "Early recovery"),
    "TEL": lambda: pgettext("cluster", "Emergency telecommunications"),
    "OTHER": lambda: pgettext("cluster", "Other"),
}
# A unit on its own, as a form's list offers it; a counted unit is formatting.format_quantity.
UNIT_NAMES: Names = {
    "piece": lambda: pgettext("unit", "piece"),
    "kg": lambda: pgettext("unit", "kg"),
    "tonne": lambda: pgettext("unit", "tonne"),
    "litre": lambda: pgettext("unit", "litre"),
    "box": lambda: pgettext("unit", "box"),
    "kit": lambda: pgettext("unit", "kit"),
    "set": lambda: pgettext("unit", "set"),
    "pallet": lambda: pgettext("unit", "pallet"),
    "person-day": lambda: pgettext("unit", "person-day"),
    "person": lambda: pgettext("unit", "person"),
    "flight": lambda: pgettext("unit", "flight"),
    "truck": lambda: pgettext("unit", "truck"),
    "hour": lambda: pgettext("unit", "hour"),
}

VOCABULARIES: dict[str, Names] = {
    "status": STATUS_NAMES,
    "line_kind": LINE_KIND_NAMES,
    "valuation": VALUATION_NAMES,
    "donor_kind": DONOR_KIND_NAMES,
    "recipient_kind": RECIPIENT_KIND_NAMES,
    "role": ROLE_NAMES,
    "cluster": CLUSTER_NAMES,
    "unit": UNIT_NAMES,
}


def term(code: str, vocabulary: str) -> str:
    """The name of `code` in `vocabulary`, in the current language; an unknown code is shown as it is."""
    name = VOCABULARIES[vocabulary].get(code)
    return name() if name else code


@dataclass(frozen=True, slots=True)
class Term:
    """A vocabulary word as a message parameter, named in the language of whoever reads the message."""

    code: str
    vocabulary: str

    def __format__(self, spec: str) -> str:
        return format(term(self.code, self.vocabulary), spec)

    def __str__(self) -> str:
        return term(self.code, self.vocabulary)
