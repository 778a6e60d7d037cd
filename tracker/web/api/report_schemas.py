"""Bodies of the API's exchange rates and reports: what a client sends to record a rate, and what reports answer."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from tracker.web.api.schemas import ContributionPublic, Listing, MoneyPublic, Strict
from tracker.web.api.types import STORABLE, CurrencyCode, PlainDate, _decimal, length

# --- exchange rates -----------------------------------------------------------------------


def _rate_text(value: Any) -> Any:
    """A rate arrives as a string (a JSON number is refused); its rules are check_rate's, as at every door."""
    return value if isinstance(value, str) else _decimal(value)


# "-1" reaches check_rate, which says it must be more than zero, as the page and the CLI do.
RateText = Annotated[
    str,
    BeforeValidator(_rate_text),
    length(64),
    WithJsonSchema(
        {
            "type": "string",
            "maxLength": 64,
            "description": "An exact decimal more than zero, written as a string; JSON numbers are refused.",
            "examples": ["1.7000"],
        }
    ),
]


class RateCreate(Strict):
    """A rate as published: how many reporting-currency units one unit of `currency` was worth on `date`."""

    date: PlainDate
    currency: CurrencyCode
    rate: RateText = Field(
        description='Reporting-currency units per 1 unit of `currency`, e.g. "1.7000": from 1e-12 to below 1e12, '
        "at most 20 significant digits.",
        # tracker.rates.service.check_rate's bounds, as a pattern (stricter in spelling only); the server reads
        # any text and answers what is wrong with it ("-1": must be more than zero), as the page and the CLI do.
        json_schema_extra={"pattern": "^(?:[1-9][0-9]{0,11}(?:\\.[0-9]{1,8})?|0\\.0{0,11}[1-9][0-9]{0,7})$"},
    )
    source: Annotated[str, length(40, required=True), STORABLE] = "manual"

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"date": "2023-02-10", "currency": "USD", "rate": "1.7000", "source": "cbar"}]}
    )


class RatePublic(BaseModel):
    """One recorded version of a rate; `in_force` is false once a later correction replaced it."""

    id: str
    date: date
    currency: str
    quote_currency: str = Field(description="The reporting currency the rate is quoted in.")
    rate: str = Field(examples=["1.7"])
    source: str
    recorded_at: datetime
    in_force: bool


class RateList(Listing):
    items: list[RatePublic]


# --- reports ------------------------------------------------------------------------------


class ItemFigurePublic(BaseModel):
    """So many units of one item; `value` is the estimated value of its valued part per currency (null: none)."""

    item: str = Field(description="The item's name.")
    item_id: str
    unit: str
    quantity: str = Field(examples=["10"])
    value: list[MoneyPublic] | None


class BucketPublic(BaseModel):
    """One status bucket in original currencies: cash and in-kind value per currency, and goods and services."""

    money: list[MoneyPublic]
    in_kind_value: list[MoneyPublic]
    items: list[ItemFigurePublic]


class ConvertedPublic(BaseModel):
    """The buckets in one currency, each amount at its value date's rate; what had no rate is in `unconverted`."""

    currency: str
    paid: MoneyPublic
    committed: MoneyPublic
    pledged: MoneyPublic
    written_off: MoneyPublic
    unconverted: list[MoneyPublic] = Field(description="Left out of the figures for want of a rate, per currency.")


class RateUsedPublic(BaseModel):
    date: date
    currency: str
    rate: str
    source: str
    quote_currency: str = Field(description="The currency the rate is quoted in: so many of it per unit.")


class ReportLinePublic(BaseModel):
    kind: str
    item: str | None
    item_id: str | None
    unit: str | None
    quantity: str | None
    unit_value: MoneyPublic | None
    value: MoneyPublic | None
    valuation: str


class ReportContributionPublic(BaseModel):
    id: str
    number: str
    date: date
    recipient: str
    appeal: str | None = Field(description="The appeal's code.")
    status: str
    reference: str
    fulfils: str | None = Field(description="The number of the pledge or commitment this fulfils.")
    void_reason: str | None
    lines: list[ReportLinePublic]


class PartyPublic(BaseModel):
    id: str
    name: str


class Report(BaseModel):
    """Paid in full; committed and pledged as outstanding remainders; closed promises' remainders written off;
    void contributions in no figure. A status move counts on the day it took effect, at that day's rate."""

    date_from: date | None = Field(serialization_alias="from")
    date_to: date | None = Field(serialization_alias="to")
    currency: str
    reporting_currency: str
    paid: BucketPublic
    committed: BucketPublic
    pledged: BucketPublic
    written_off: BucketPublic = Field(description="What closed pledges and commitments left outstanding.")
    converted: ConvertedPublic
    rates_used: list[RateUsedPublic]


class DonorReport(Report):
    donor: PartyPublic
    contributions: list[ReportContributionPublic] = Field(description="Every live contribution, by value date.")
    voided: list[ReportContributionPublic] = Field(description="Voided ones, with their reason; in no figure.")


class GroupFigures(BaseModel):
    """A group's figures converted into the report's currency."""

    paid: MoneyPublic
    committed: MoneyPublic
    pledged: MoneyPublic
    written_off: MoneyPublic
    unconverted: list[MoneyPublic]


class AppealFigures(GroupFigures):
    appeal_id: str | None = Field(description="Null: contributions outside any appeal.")
    code: str | None
    name: str | None
    target: MoneyPublic | None
    target_converted: MoneyPublic | None = Field(description="The target at the latest rate.")
    covered: str | None = Field(description='Paid and committed as a fraction of the target, e.g. "0.225".')


class DonorFigures(GroupFigures):
    donor_id: str
    name: str


class OtherDonorFigures(GroupFigures):
    """Every donor outside `by_donor`, summed."""

    count: int = Field(description="How many donors these figures sum.")


class RecipientFigures(GroupFigures):
    recipient_id: str
    name: str


class ClusterFigures(GroupFigures):
    cluster: str | None = Field(description="Null: cash, which has no cluster.")


class MonthFigures(GroupFigures):
    month: str = Field(examples=["2023-02"])


class StatusFigures(BaseModel):
    status: str
    money: MoneyPublic
    in_kind_value: MoneyPublic
    total: MoneyPublic


class CurrencyBucket(BaseModel):
    money: MoneyPublic
    in_kind_value: MoneyPublic


class CurrencyFigures(BaseModel):
    """One original currency, unconverted."""

    currency: str
    paid: CurrencyBucket
    committed: CurrencyBucket
    pledged: CurrencyBucket
    written_off: CurrencyBucket


class SummaryReport(Report):
    appeal_id: str | None
    by_appeal: list[AppealFigures]
    by_donor: list[DonorFigures] = Field(description="The `top` donors by funding, largest first.")
    other_donors: OtherDonorFigures | None = Field(description="The other donors summed; null when none.")
    by_recipient: list[RecipientFigures]
    by_cluster: list[ClusterFigures]
    by_status: list[StatusFigures]
    by_currency: list[CurrencyFigures]
    by_month: list[MonthFigures]


# --- one contribution, with its promise's standing -------------------------------------------


class StatusMovePublic(BaseModel):
    status: str
    date: date


class ContributionShown(ContributionPublic):
    """One contribution; a pledge or commitment also with what is outstanding and what was written off."""

    status_history: list[StatusMovePublic] = Field(description="Each status it took and the day it took effect.")
    promised: BucketPublic | None = Field(description="A pledge's or commitment's lines in full.")
    fulfilled: BucketPublic | None = Field(description="What its live fulfilments delivered.")
    outstanding: BucketPublic | None = Field(description="What is still to come (never below zero).")
    written_off: BucketPublic | None = Field(description="What closing it left outstanding, written off.")
