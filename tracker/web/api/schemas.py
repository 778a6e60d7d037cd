"""Request and response bodies of the JSON API, in the `XCreate` / `XPublic` style."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema

from tracker.core.money import Money, round_half_up, stored_quantity
from tracker.core.vocabulary import (
    Cluster,
    DonorKind,
    RecipientKind,
    Unit,
    Valuation,
)
from tracker.db.columns import Locale
from tracker.web.api.types import (
    COUNTRY_SCHEMA,
    EMAIL_TEXT,
    STORABLE,
    CurrencyCode,
    DecimalString,
    Id,
    PlainDate,
    Quantity,
    ValueDate,
    length,
    money_schema,
)

Name = Annotated[str, length(200, required=True), STORABLE]
Notes = Annotated[str, length(4000), STORABLE]
Line = Annotated[str, length(200), STORABLE]
Country = Annotated[str, Field(min_length=2, max_length=2, pattern="^[A-Za-z]{2}$"), WithJsonSchema(COUNTRY_SCHEMA)]


class Strict(BaseModel):
    """Unknown fields are refused, so a client never believes it set `id` or `number`."""

    model_config = ConfigDict(extra="forbid")


def _replace(schema: dict[str, Any], exact: dict[str, Any]) -> None:
    schema.clear()
    schema.update(exact)


class MoneyValue(Strict):
    """Money as a client sends it: an exact decimal string and an ISO 4217 code."""

    amount: DecimalString
    currency: CurrencyCode

    model_config = ConfigDict(extra="forbid", json_schema_extra=lambda schema, _: _replace(schema, money_schema()))

    def to_money(self) -> Money:
        """Unchecked: the service checks digits, sign and size and names the field."""
        return Money(self.amount, self.currency)


class MoneyPublic(BaseModel):
    """Money as the API answers it: the amount with exactly the currency's minor digits."""

    amount: str = Field(examples=["500000.00"])
    currency: str = Field(examples=["AZN"])

    @classmethod
    def of(cls, money: Money | None) -> MoneyPublic | None:
        if money is None:
            return None
        # Pads a recorded amount to the currency's digits; a computed figure is rounded the ledger's one way.
        shown = round_half_up(money.amount, money.currency)
        return cls(amount=format(shown, "f"), currency=money.currency)

    @classmethod
    def from_minor(cls, minor: int | None, currency: str | None) -> MoneyPublic | None:
        if minor is None or currency is None:
            return None
        return cls.of(Money.from_minor(minor, currency))


class Listing(BaseModel):
    """One page of a list; pass `next_cursor` as `cursor` for the next page (null: no more)."""

    next_cursor: str | None


# --- donors, recipients, appeals, items ---------------------------------------------------


class DonorCreate(Strict):
    name: Name
    kind: DonorKind
    country: Country | None = None
    email: Annotated[str, length(254), STORABLE, Field(json_schema_extra={"pattern": EMAIL_TEXT})] | None = None
    phone: Annotated[str, length(50), STORABLE] | None = None
    locale: Locale | None = None
    notes: Notes = ""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Azərbaycan Həmkarlar İttifaqları Konfederasiyası",
                    "kind": "organisation",
                    "country": "AZ",
                    "email": "info@ahik.example",
                }
            ]
        }
    )


class DonorPatch(Strict):
    """Any of a donor's descriptive fields; those left out stay. Anything else (`id`, `archived`...) is refused."""

    name: Name | None = None
    kind: DonorKind | None = None
    country: Country | None = None
    email: Annotated[str, length(254), STORABLE] | None = None
    phone: Annotated[str, length(50), STORABLE] | None = None
    locale: Locale | None = None
    notes: Notes | None = None

    model_config = ConfigDict(json_schema_extra={"examples": [{"name": "AHİK", "email": "office@ahik.example"}]})


class DonorPublic(BaseModel):
    id: str
    name: str
    kind: str
    country: str | None
    email: str | None
    phone: str | None
    locale: str | None
    notes: str
    archived: bool
    created_at: datetime


class DonorList(Listing):
    items: list[DonorPublic]


class RecipientCreate(Strict):
    name: Name
    kind: RecipientKind = RecipientKind.ORGANISATION
    country: Country | None = None
    region: Line | None = None
    notes: Notes = ""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"name": "Families left homeless, Kahramanmaraş", "kind": "community", "country": "TR"}]
        }
    )


class RecipientPatch(Strict):
    """Any of a recipient's descriptive fields; those left out stay."""

    name: Name | None = None
    kind: RecipientKind | None = None
    country: Country | None = None
    region: Line | None = None
    notes: Notes | None = None


class RecipientPublic(BaseModel):
    id: str
    name: str
    kind: str
    country: str | None
    region: str | None
    notes: str
    archived: bool
    created_at: datetime


class RecipientList(Listing):
    items: list[RecipientPublic]


class AppealCreate(Strict):
    code: Annotated[str, length(32, required=True), STORABLE]
    name: Name
    start_date: PlainDate | None = None
    end_date: PlainDate | None = None
    target: MoneyValue | None = None
    glide: Annotated[str, length(40), STORABLE] | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "TUR-EQ-2023",
                    "name": "Türkiye earthquake 2023",
                    "start_date": "2023-02-06",
                    "target": {"amount": "5000000.00", "currency": "AZN"},
                    "glide": "EQ-2023-000015-TUR",
                }
            ]
        }
    )


class AppealPatch(Strict):
    """Any of an appeal's descriptive fields; those left out stay. Its `code` is how others refer to it: fixed."""

    name: Name | None = None
    start_date: PlainDate | None = None
    end_date: PlainDate | None = None
    target: MoneyValue | None = None
    glide: Annotated[str, length(40), STORABLE] | None = None


class AppealPublic(BaseModel):
    id: str
    code: str
    name: str
    start_date: date | None
    end_date: date | None
    target: MoneyPublic | None
    glide: str | None
    archived: bool
    created_at: datetime


class AppealList(Listing):
    items: list[AppealPublic]


# An item's name per language: {"az": "Konteyner ev", "tr": "Konteyner ev", "ru": "Контейнерный дом"}.
# Keys are the languages an item may be named in besides its catalogue name; the service names a wrong one.
ItemNames = Annotated[
    dict[Annotated[str, length(5), STORABLE], Annotated[str, length(200), STORABLE]],
    Field(json_schema_extra={"propertyNames": {"enum": ["az", "tr", "ru"]}}),
]


class ItemCreate(Strict):
    name: Name
    unit: Unit
    cluster: Cluster
    unit_value: MoneyValue | None = None
    names: ItemNames | None = None

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Container house",
                    "unit": "piece",
                    "cluster": "SHL",
                    "unit_value": {"amount": "12000.00", "currency": "AZN"},
                }
            ]
        }
    )


class ItemPatch(Strict):
    """Any of an item's descriptive fields; those left out stay. Its `unit` counts recorded quantities: fixed.

    `names` replaces the item's names per language (az, tr, ru) as a whole; a blank name removes one."""

    name: Name | None = None
    cluster: Cluster | None = None
    unit_value: MoneyValue | None = None
    names: ItemNames | None = None


class ItemPublic(BaseModel):
    id: str
    name: str
    names: dict[str, str]  # per language, where the item has a name in it (letters and reports print it)
    unit: str
    cluster: str
    unit_value: MoneyPublic | None
    archived: bool
    created_at: datetime


class ItemList(Listing):
    items: list[ItemPublic]


# --- contributions ------------------------------------------------------------------------


class MoneyLineCreate(Strict):
    kind: Literal["money"]  # the API contract's words (LineKind's values)
    amount: MoneyValue


class GoodsLineCreate(Strict):
    kind: Literal["goods"]
    item_id: Id
    quantity: Quantity
    unit_value: MoneyValue | None = None
    valuation: Valuation | None = None


class ServiceLineCreate(Strict):
    kind: Literal["service"]
    item_id: Id
    quantity: Quantity
    unit_value: MoneyValue | None = None
    valuation: Valuation | None = None


LineCreate = Annotated[MoneyLineCreate | GoodsLineCreate | ServiceLineCreate, Field(discriminator="kind")]

CONTRIBUTION_EXAMPLE: dict[str, Any] = {
    "donor_id": "1",
    "recipient_id": "2",
    "appeal_id": "1",
    "date": "2023-02-10",
    "status": "paid",
    "reference": "SWIFT 2023-02-10/118",
    "lines": [
        {"kind": "money", "amount": {"amount": "500000.00", "currency": "AZN"}},
        {
            "kind": "goods",
            "item_id": "3",
            "quantity": "10",
            "unit_value": {"amount": "12000.00", "currency": "AZN"},
            "valuation": "donor_declared",
        },
        {"kind": "service", "item_id": "4", "quantity": "300"},
    ],
}


class ContributionCreate(Strict):
    donor_id: Id
    recipient_id: Id
    appeal_id: Id | None = None
    date: ValueDate
    status: Literal["pledged", "committed", "paid"]
    reference: Line = ""
    notes: Notes = ""
    fulfils_id: Id | None = None
    due_date: PlainDate | None = Field(default=None, description="When a pledge or commitment is due.")
    lines: list[LineCreate] = Field(min_length=1, max_length=200)

    model_config = ConfigDict(json_schema_extra={"examples": [CONTRIBUTION_EXAMPLE]})


class FulfilmentCreate(Strict):
    """What arrived against a pledge or commitment: a paid contribution of the same donor."""

    recipient_id: Id | None = Field(default=None, description="Defaults to the pledge's recipient.")
    appeal_id: Id | None = Field(default=None, description="Defaults to the pledge's appeal.")
    date: ValueDate
    reference: Line = ""
    notes: Notes = ""
    lines: list[LineCreate] = Field(min_length=1, max_length=200)

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "date": "2023-02-20",
                    "lines": [{"kind": "goods", "item_id": "3", "quantity": "10", "valuation": "not_valued"}],
                }
            ]
        }
    )


class StatusChange(Strict):
    # A contribution starts at least pledged, so it can only move on to one of these.
    status: Literal["committed", "paid"]
    date: PlainDate | None = Field(
        default=None, description="When it took effect (default today): not before the value date, not in the future."
    )

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "paid", "date": "2023-03-10"}]})


class CloseRequest(Strict):
    reason: Annotated[str, length(1000, required=True), STORABLE]

    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "the donor will send nothing more"}]})


class VoidRequest(Strict):
    reason: Annotated[str, length(1000, required=True), STORABLE]

    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "entered twice; see C-2023-000042"}]})


class LinePublic(BaseModel):
    """A recorded line and how it counts, as the reports count it.

    `value` is what counts: the line's money value (quantity × unit value for in-kind), or for a
    live pledge or commitment its outstanding remainder; null if not valued. `promised_value` is
    the value the line recorded. Summing `value` by status gives the summary report's figures.
    """

    kind: str
    amount: MoneyPublic | None
    item_id: str | None
    quantity: str | None
    unit_value: MoneyPublic | None
    valuation: str
    value: MoneyPublic | None
    promised_value: MoneyPublic | None = None
    outstanding_quantity: str | None = None


Day = date  # a field of ContributionPublic is called `date`: its later fields name the type so


class ContributionPublic(BaseModel):
    id: str
    number: str
    donor_id: str
    recipient_id: str
    appeal_id: str | None
    date: date
    status: str
    void: bool
    voided_at: datetime | None
    void_reason: str | None
    reference: str
    notes: str
    fulfils_id: str | None
    fulfils: str | None = None  # the number of the pledge or commitment it fulfils
    recorded_at: datetime
    lines: list[LinePublic]
    status_date: Day = Field(description="When the current status took effect (the value date until it moves on).")
    due_date: Day | None
    closed: bool
    close_reason: str | None


class ContributionList(Listing):
    items: list[ContributionPublic]


class Problem(BaseModel):
    """One thing wrong with the input: the field (a dotted path such as `lines[0].amount`) and the rule."""

    field: str
    message: str


class ValidationProblems(BaseModel):
    """422: every problem found, each naming its field."""

    detail: list[Problem]


class ErrorMessage(BaseModel):
    """401, 403, 404, 409, 413: one readable sentence."""

    detail: str


def quantity_text(milli: int | None) -> str | None:
    """A stored quantity (integer thousandths) as a plain decimal string: 10000 → "10", 2500 → "2.5"."""
    if milli is None:
        return None
    return format(stored_quantity(milli), "f")
