"""What each catalogue page shows and edits: the fields of donors, recipients, appeals and items."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from tracker.catalogue import service as catalogue
from tracker.catalogue.service import AppealInput, DonorInput, ItemInput, RecipientInput
from tracker.core.i18n import _, current_locale
from tracker.core.money import CURRENCY_CHOICES, Money
from tracker.core.parsing import parse_amount, typed_date
from tracker.core.vocabulary import Role, term
from tracker.db.columns import CLUSTERS, DONOR_KINDS, LOCALES, RECIPIENT_KINDS, UNITS
from tracker.db.models import Appeal, Donor, Item, Recipient
from tracker.reporting.templating import number
from tracker.web.pagekit import optional_date

Choices = Callable[[], list[tuple[str, str]]]


def _currencies() -> list[tuple[str, str]]:
    return [(code, code) for code in CURRENCY_CHOICES]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: Callable[[], str]
    kind: str = "text"  # text, email, date, textarea, select, amount
    choices: Choices | None = None
    required: bool = False
    create_only: bool = False
    blank: bool = True
    apart: bool = False  # not a column of the row: `EntitySpec.apart_values` reads it (an item's names per language)


@dataclass(frozen=True)
class EntitySpec:
    """One catalogue: its pages, fields, roles, and the services that create and correct it."""

    key: str
    model: type[Any]
    title: Callable[[], str]
    new_title: Callable[[], str]
    fields: tuple[FieldSpec, ...]
    columns: tuple[tuple[str, Callable[[], str]], ...]
    to_input: Callable[[dict[str, str], str], Any]
    create: Callable[[Session, Any, Any], Any]
    update: Callable[[Session, int, Any, Any], Any]
    edit_role: str = Role.ADMIN
    has_page: bool = False
    defaults: dict[str, str] = field(default_factory=dict)
    apart_values: Callable[[Session, Any], dict[str, str]] | None = None

    def form_field(self, error_field: str) -> str:
        """The form field a service's error belongs to: money's `target.currency` is the `target_currency` choice,
        an item's `names.az` the `name_az` field."""
        name, _dot, rest = error_field.partition(".")
        if name == "names" and rest:
            return f"name_{rest}"
        return f"{name}_currency" if rest == "currency" else error_field

    def form_values(self, session: Session, row: Any) -> dict[str, str]:
        """A row's fields as its edit form shows them, those kept apart from the row included."""
        return self.values_of(row) | (self.apart_values(session, row) if self.apart_values else {})

    def values_of(self, row: Any) -> dict[str, str]:
        """A row's fields as the form shows them."""
        values = {}
        for spec in self.fields:
            if spec.apart:
                continue
            if spec.kind == "amount":
                minor, currency = getattr(row, f"{spec.name}_minor"), getattr(row, f"{spec.name}_currency")
                values[spec.name] = number(Money.from_minor(minor, currency).amount) if minor is not None else ""
                values[f"{spec.name}_currency"] = currency or ""
            elif spec.kind == "date":  # as the page's clerk types it, and parse_date reads it back
                values[spec.name] = typed_date(getattr(row, spec.name), current_locale())
            else:
                value = getattr(row, spec.name)
                values[spec.name] = value.isoformat() if hasattr(value, "isoformat") else str(value or "")
        return values


def _money(values: dict[str, str], name: str, locale: str) -> Money | None:
    """The typed amount read in the locale, not yet checked: the service puts it through the money check."""
    if not values.get(name):
        return None
    return Money(parse_amount(values[name], locale, name), values.get(f"{name}_currency") or "")


def _choices(codes: tuple[str, ...], label: Callable[[str], str] | None = None) -> Choices:
    return lambda: [(code, label(code) if label else code) for code in codes]


def _named(vocabulary: str) -> Callable[[str], str]:
    return lambda code: term(code, vocabulary)


def _item_names(session: Session, row: Item) -> dict[str, str]:
    names = catalogue.item_names(session, {row.id} if row.id is not None else set()).get(row.id or 0, {})
    return {f"name_{code}": names.get(code, "") for code in catalogue.NAME_LANGUAGES}


NAME = FieldSpec("name", lambda: _("Name"), required=True)
COUNTRY = FieldSpec("country", lambda: _("Country (ISO code, such as AZ or TR)"))
NOTES = FieldSpec("notes", lambda: _("Notes"), kind="textarea")

DONORS = EntitySpec(
    key="donors",
    model=Donor,
    title=lambda: _("Donors"),
    new_title=lambda: _("New donor"),
    fields=(
        NAME,
        FieldSpec(
            "kind", lambda: _("Kind"), "select", _choices(DONOR_KINDS, _named("donor_kind")), required=True, blank=False
        ),
        COUNTRY,
        FieldSpec("email", lambda: _("Email"), kind="email"),
        FieldSpec("phone", lambda: _("Phone")),
        FieldSpec("locale", lambda: _("Language for letters"), "select", _choices(LOCALES)),
        NOTES,
    ),
    columns=(("name", lambda: _("Name")), ("kind", lambda: _("Kind")), ("country", lambda: _("Country"))),
    to_input=lambda v, loc: DonorInput(
        name=v["name"],
        kind=v["kind"],
        country=v["country"] or None,
        email=v["email"] or None,
        phone=v["phone"] or None,
        locale=v["locale"] or None,
        notes=v["notes"],
    ),
    create=catalogue.create_donor,
    update=catalogue.update_donor,
    edit_role=Role.CLERK,
    has_page=True,
    defaults={"kind": "organisation"},
)

RECIPIENTS = EntitySpec(
    key="recipients",
    model=Recipient,
    title=lambda: _("Recipients"),
    new_title=lambda: _("New recipient"),
    fields=(
        NAME,
        FieldSpec(
            "kind",
            lambda: _("Kind"),
            "select",
            _choices(RECIPIENT_KINDS, _named("recipient_kind")),
            required=True,
            blank=False,
        ),
        COUNTRY,
        FieldSpec("region", lambda: _("Region or place")),
        NOTES,
    ),
    columns=(("name", lambda: _("Name")), ("kind", lambda: _("Kind")), ("region", lambda: _("Region or place"))),
    to_input=lambda v, loc: RecipientInput(
        name=v["name"], kind=v["kind"], country=v["country"] or None, region=v["region"] or None, notes=v["notes"]
    ),
    create=catalogue.create_recipient,
    update=catalogue.update_recipient,
    edit_role=Role.CLERK,
    has_page=True,
    defaults={"kind": "organisation"},
)

APPEALS = EntitySpec(
    key="appeals",
    model=Appeal,
    title=lambda: _("Appeals"),
    new_title=lambda: _("New appeal"),
    fields=(
        FieldSpec("code", lambda: _("Code"), required=True, create_only=True),
        NAME,
        FieldSpec("start_date", lambda: _("Starts"), kind="date"),
        FieldSpec("end_date", lambda: _("Ends"), kind="date"),
        FieldSpec("target", lambda: _("Funding target"), kind="amount", choices=_currencies),
        FieldSpec("glide", lambda: _("GLIDE number")),
    ),
    columns=(("code", lambda: _("Code")), ("name", lambda: _("Name")), ("start_date", lambda: _("Starts"))),
    to_input=lambda v, loc: AppealInput(
        code=v.get("code", ""),
        name=v["name"],
        start_date=optional_date(v["start_date"], "start_date", loc),
        end_date=optional_date(v["end_date"], "end_date", loc),
        target=_money(v, "target", loc),
        glide=v["glide"] or None,
    ),
    create=catalogue.create_appeal,
    update=catalogue.update_appeal,
)

ITEMS = EntitySpec(
    key="items",
    model=Item,
    title=lambda: _("Items"),
    new_title=lambda: _("New item"),
    fields=(
        NAME,
        FieldSpec(
            "unit",
            lambda: _("Unit"),
            "select",
            _choices(UNITS, lambda code: term(code, "unit")),
            required=True,
            create_only=True,
            blank=False,
        ),
        FieldSpec("cluster", lambda: _("Cluster"), "select", _choices(CLUSTERS, _named("cluster")), required=True),
        FieldSpec("unit_value", lambda: _("Default unit value"), kind="amount", choices=_currencies),
        FieldSpec("name_az", lambda: _("Name in Azerbaijani (letters and reports)"), apart=True),
        FieldSpec("name_tr", lambda: _("Name in Turkish (letters and reports)"), apart=True),
        FieldSpec("name_ru", lambda: _("Name in Russian (letters and reports)"), apart=True),
    ),
    columns=(("name", lambda: _("Name")), ("unit", lambda: _("Unit")), ("cluster", lambda: _("Cluster"))),
    to_input=lambda v, loc: ItemInput(
        name=v["name"],
        unit=v.get("unit", ""),
        cluster=v["cluster"],
        unit_value=_money(v, "unit_value", loc),
        names={code: v.get(f"name_{code}", "") for code in catalogue.NAME_LANGUAGES},
    ),
    create=catalogue.create_item,
    update=catalogue.update_item,
    defaults={"unit": "piece", "cluster": "SHL"},
    apart_values=_item_names,
)

SPECS = (DONORS, RECIPIENTS, APPEALS, ITEMS)
