"""Rates and reports as the API shows them: money with its currency's digits, quantities and rates as decimal text."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from tracker.accounts.tokens import as_utc
from tracker.core.money import Money
from tracker.core.vocabulary import BUCKETS, Bucket
from tracker.db.models import ExchangeRate
from tracker.ledger.figures import Figures, LedgerTotals
from tracker.rates.convert import RateUsed
from tracker.rates.reads import RateVersion, plain
from tracker.reporting.promises import PromiseStanding
from tracker.reporting.reports.converted import ConvertedFigures
from tracker.reporting.reports.donor import DonorStatement
from tracker.reporting.reports.entries import EntryView, LineView
from tracker.reporting.reports.items import ItemFigure
from tracker.reporting.reports.summary import Group
from tracker.reporting.reports.summary import SummaryReport as Summary
from tracker.web.api.present import opaque
from tracker.web.api.report_schemas import (
    AppealFigures,
    BucketPublic,
    ClusterFigures,
    ConvertedPublic,
    CurrencyBucket,
    CurrencyFigures,
    DonorFigures,
    DonorReport,
    ItemFigurePublic,
    MonthFigures,
    OtherDonorFigures,
    PartyPublic,
    RatePublic,
    RateUsedPublic,
    RecipientFigures,
    ReportContributionPublic,
    ReportLinePublic,
    StatusFigures,
    SummaryReport,
)
from tracker.web.api.schemas import MoneyPublic


def money(value: Money) -> MoneyPublic:
    shown = MoneyPublic.of(value)
    assert shown is not None
    return shown


def money_or_none(value: Money | None) -> MoneyPublic | None:
    return None if value is None else money(value)


def decimal_text(value: Decimal) -> str:
    """A quantity or fraction as a plain decimal string without trailing zeros: 10, 2.5, 0.225."""
    return format(value.normalize(), "f") if value else "0"


def stored_rate(row: ExchangeRate, in_force: bool = True) -> RatePublic:
    return RatePublic(
        id=str(row.id),
        date=row.rate_date,
        currency=row.currency,
        quote_currency=row.quote_currency,
        rate=plain(Decimal(row.rate)),
        source=row.source,
        recorded_at=as_utc(row.recorded_at),
        in_force=in_force,
    )


def rate_version(row: RateVersion) -> RatePublic:
    return RatePublic(
        id=str(row.id),
        date=row.rate_date,
        currency=row.currency,
        quote_currency=row.quote_currency,
        rate=plain(row.rate),
        source=row.source,
        recorded_at=as_utc(row.recorded_at),
        in_force=row.in_force,
    )


def donor_report(statement: DonorStatement) -> DonorReport:
    return DonorReport(
        donor=PartyPublic(id=str(statement.donor.id), name=statement.donor.name),
        date_from=statement.date_from,
        date_to=statement.date_to,
        currency=statement.currency,
        reporting_currency=statement.converted.paid.total.reporting_currency,
        **_buckets(statement.totals, statement.goods_and_services),
        converted=converted(statement.converted),
        rates_used=rates_used(statement.rates_used),
        contributions=[entry(each) for each in statement.entries],
        voided=[entry(each) for each in statement.corrections],
    )


def summary_report(report: Summary) -> SummaryReport:
    return SummaryReport(
        appeal_id=opaque(report.appeal.id) if report.appeal else None,
        date_from=report.date_from,
        date_to=report.date_to,
        currency=report.currency,
        reporting_currency=report.reporting_currency,
        **_buckets(report.totals, lambda bucket: report.goods_and_services[bucket]),
        converted=converted(report.figures),
        rates_used=rates_used(sorted(set(report.rates_used) | set(report.target_rates))),
        by_appeal=[
            AppealFigures(
                appeal_id=group.key,
                code=group.code,
                name=group.label,
                target=money_or_none(group.target),
                target_converted=money_or_none(group.target_converted),
                covered=None if group.covered is None else decimal_text(group.covered),
                **_group(group.figures),
            )
            for group in report.by_appeal
        ],
        by_donor=[DonorFigures(donor_id=g.key, name=g.label, **_group(g.figures)) for g in _named(report.by_donor)],
        other_donors=(
            OtherDonorFigures(count=report.other_donors.count, **_group(report.other_donors.figures))
            if report.other_donors
            else None
        ),
        by_recipient=[
            RecipientFigures(recipient_id=g.key, name=g.label, **_group(g.figures)) for g in _named(report.by_recipient)
        ],
        by_cluster=[ClusterFigures(cluster=g.key, **_group(g.figures)) for g in report.by_cluster],
        by_status=[
            StatusFigures(
                status=status,
                money=money(split.money.total),
                in_kind_value=money(split.in_kind.total),
                total=money(split.total.total),
            )
            for status, split in report.by_status
        ],
        by_currency=[
            CurrencyFigures(
                currency=group.currency,
                **{
                    bucket: CurrencyBucket(
                        money=money(group.money.get(bucket, Money.zero(group.currency))),
                        in_kind_value=money(group.in_kind.get(bucket, Money.zero(group.currency))),
                    )
                    for bucket in BUCKETS
                },
            )
            for group in report.by_currency
        ],
        by_month=[MonthFigures(month=g.key, **_group(g.figures)) for g in report.by_month],
    )


def converted(figures: ConvertedFigures) -> ConvertedPublic:
    return ConvertedPublic(currency=figures.currency, **_group(figures))


def rates_used(rates: Iterable[RateUsed]) -> list[RateUsedPublic]:
    return [
        RateUsedPublic(
            date=rate.rate_date,
            currency=rate.currency,
            rate=plain(rate.rate),
            source=rate.source,
            quote_currency=rate.quote_currency,
        )
        for rate in rates
    ]


def entry(view: EntryView) -> ReportContributionPublic:
    return ReportContributionPublic(
        id=str(view.id),
        number=view.number,
        date=view.value_date,
        recipient=view.recipient,
        appeal=view.appeal,
        status=view.status,
        reference=view.reference,
        fulfils=view.fulfils,
        void_reason=view.void_reason,
        lines=[_line(each) for each in view.lines],
    )


def _line(view: LineView) -> ReportLinePublic:
    return ReportLinePublic(
        kind=view.kind,
        item=view.item_name,
        item_id=opaque(view.item_id),
        unit=view.unit,
        quantity=None if view.quantity is None else decimal_text(view.quantity),
        unit_value=money_or_none(view.unit_value),
        value=money_or_none(view.value),
        valuation=view.valuation,
    )


def _buckets(totals: LedgerTotals, goods: Callable[[str], list[ItemFigure]]) -> dict[str, BucketPublic]:
    return {bucket: _bucket(totals.bucket(bucket), goods(bucket)) for bucket in BUCKETS}


def promise_bucket(standing: PromiseStanding, figures: Figures) -> BucketPublic:
    """One of a promise's figures, shaped as a report's bucket."""
    return _bucket(figures, standing.goods(figures))


def _bucket(figures: Figures, items: list[ItemFigure]) -> BucketPublic:
    return BucketPublic(
        money=[money(figures.money[code]) for code in sorted(figures.money)],
        in_kind_value=[money(figures.in_kind[code]) for code in sorted(figures.in_kind)],
        items=[
            ItemFigurePublic(
                item=each.name,
                item_id=str(each.item_id),
                unit=each.unit,
                quantity=decimal_text(each.quantity),
                value=[money(value) for value in each.value] or None,
            )
            for each in items
        ],
    )


def _group(figures: ConvertedFigures) -> dict[str, object]:
    """The converted totals of paid, committed, pledged and written off, and what had no rate, summed per currency."""
    missing: dict[str, Money] = {}
    for split in (figures.paid, figures.committed, figures.pledged, figures.written_off):
        for part in split.total.unconverted_totals():
            missing[part.currency] = missing[part.currency] + part if part.currency in missing else part
    return {
        Bucket.PAID: money(figures.paid.total.total),
        Bucket.COMMITTED: money(figures.committed.total.total),
        Bucket.PLEDGED: money(figures.pledged.total.total),
        Bucket.WRITTEN_OFF: money(figures.written_off.total.total),
        "unconverted": [money(missing[code]) for code in sorted(missing)],
    }


def _named(groups: list[Group]) -> list[Group]:
    """Donors and recipients always have an id and a name."""
    return [group for group in groups if group.key is not None]
