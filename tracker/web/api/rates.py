"""/api/v1/rates: record a rate or correct one (admin), list the rates in force."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from tracker.rates.reads import list_rates
from tracker.rates.service import record_rate
from tracker.settings.current import effective_settings
from tracker.web.api import paging
from tracker.web.api.common import READ, WRITE, Cursor, Limit
from tracker.web.api.deps import Admin, Idempotent, LimitedRoute, Viewer
from tracker.web.api.present_reports import rate_version, stored_rate
from tracker.web.api.report_schemas import RateCreate, RateList, RatePublic
from tracker.web.api.types import CURRENCY_SCHEMA, PlainDate
from tracker.web.deps import SessionDep

router = APIRouter(prefix="/rates", tags=["rates"], route_class=LimitedRoute)

CurrencyFilter = Annotated[
    str | None,
    Query(pattern="^[A-Za-z]{3}$", description="Only rates of this currency.", json_schema_extra=CURRENCY_SCHEMA),
]


@router.post("", status_code=201, response_model=RatePublic, responses=WRITE)
def create_rate(body: RateCreate, session: SessionDep, user: Admin, idempotency: Idempotent) -> Response:
    """Record a rate, quoted in the reporting currency (admin); a new rate for the same date and currency corrects it.

    The earlier version stays readable; totals convert with the version in force. Recording
    the version already in force changes nothing and answers it.
    """
    reporting = effective_settings(session).reporting_currency
    row = record_rate(session, body.date, body.currency, body.rate, body.source, reporting, user)
    return idempotency.answer(201, stored_rate(row))


@router.get("", response_model=RateList, responses=READ)
def list_rates_in_force(
    session: SessionDep,
    user: Viewer,
    currency: CurrencyFilter = None,
    date_from: Annotated[
        PlainDate | None, Query(alias="from", description="Rate date on or after (YYYY-MM-DD).")
    ] = None,
    date_to: Annotated[PlainDate | None, Query(alias="to", description="Rate date on or before (YYYY-MM-DD).")] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> RateList:
    """The rates in force, newest date first, then by currency."""
    skip = paging.decode(cursor) or 0
    found = list_rates(session, currency=currency, date_from=date_from, date_to=date_to, limit=limit + 1, offset=skip)
    more = len(found) > limit
    return RateList(
        items=[rate_version(row) for row in found[:limit]], next_cursor=paging.encode(skip + limit) if more else None
    )
