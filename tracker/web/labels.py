"""The words shown for stored codes (kinds, statuses, clusters, units, roles), in the request's language."""

from __future__ import annotations

from tracker.core.i18n import _


def kind_label(value: str | None) -> str:
    """A donor's, recipient's or line's kind."""
    labels = {
        "individual": _("individual"),
        "organisation": _("organisation"),
        "company": _("company"),
        "government": _("government"),
        "foundation": _("foundation"),
        "community": _("community"),
        "location": _("location"),
        "programme": _("programme"),
        "money": _("money"),
        "goods": _("goods"),
        "service": _("service"),
    }
    return labels.get(value or "", value or "")


def status_label(value: str | None) -> str:
    labels = {"pledged": _("pledged"), "committed": _("committed"), "paid": _("paid"), "void": _("void")}
    return labels.get(value or "", value or "")


def cluster_label(value: str | None) -> str:
    """The IASC cluster of an item."""
    labels = {
        "SHL": _("Shelter"),
        "FSC": _("Food security"),
        "HEA": _("Health"),
        "WSH": _("Water, sanitation and hygiene"),
        "LOG": _("Logistics"),
        "PRO": _("Protection"),
        "EDU": _("Education"),
        "NUT": _("Nutrition"),
        "CCM": _("Camp coordination and management"),
        "ERY": _("Early recovery"),
        "TEL": _("Emergency telecommunications"),
        "OTHER": _("Other"),
    }
    return labels.get(value or "", value or "")


def valuation_label(value: str | None) -> str:
    labels = {
        "donor_declared": _("donor-declared"),
        "invoice": _("invoice"),
        "market_price": _("market price"),
        "standard_cost": _("standard cost"),
        "not_valued": _("not valued"),
    }
    return labels.get(value or "", value or "")


def role_label(value: str | None) -> str:
    labels = {"admin": _("admin"), "clerk": _("clerk"), "viewer": _("viewer")}
    return labels.get(value or "", value or "")


GLOBALS = {
    "kind_label": kind_label,
    "status_label": status_label,
    "cluster_label": cluster_label,
    "valuation_label": valuation_label,
    "role_label": role_label,
}
