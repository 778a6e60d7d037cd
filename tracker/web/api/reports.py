"""/api/v1/reports: a donor's statement and the summary, as JSON, from the same services as the report pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from tracker.core.errors import NotFound
from tracker.db.models import Appeal, Donor
from tracker.reporting.reports.donor import donor_statement
from tracker.reporting.reports.summary_totals import summary_report
from tracker.settings.current import effective_settings
from tracker.web.api.common import READ_ONE, object_id
from tracker.web.api.deps import LimitedRoute, Viewer
from tracker.web.api.present_reports import donor_report
from tracker.web.api.present_reports import summary_report as present_summary
from tracker.web.api.report_schemas import DonorReport, SummaryReport
from tracker.web.api.types import CURRENCY_SCHEMA, PlainDate
from tracker.web.deps import SessionDep

router = APIRouter(prefix="/reports", tags=["reports"], route_class=LimitedRoute)

# The summary's `by_donor` lists the top donors by funding, the rest summed in `other_donors`: at a
# million contributions every donor's figures were most of a 2.3 MB answer.
TOP_DONORS = 10
MOST_DONORS = 1000

From = Annotated[PlainDate | None, Query(alias="from", description="Value date on or after (YYYY-MM-DD).")]
To = Annotated[PlainDate | None, Query(alias="to", description="Value date on or before (YYYY-MM-DD).")]
Currency = Annotated[
    str | None,
    Query(
        pattern="^[A-Za-z]{3}$",
        description="Convert the figures into this currency (default: the reporting currency).",
        json_schema_extra=CURRENCY_SCHEMA,
    ),
]


@router.get("/donors/{donor_id}", response_model=DonorReport, responses=READ_ONE)
def donor_report_json(
    donor_id: str,
    session: SessionDep,
    user: Viewer,
    date_from: From = None,
    date_to: To = None,
    currency: Currency = None,
) -> DonorReport:
    """What one donor gave in a period: figures per status, converted totals with their rates, every contribution."""
    donor = session.get(Donor, object_id(donor_id, "donor"))
    if donor is None:
        raise NotFound("{what} {id} does not exist", what="donor", id=donor_id)
    settings = effective_settings(session)
    statement = donor_statement(
        session, donor, date_from, date_to, currency, settings.reporting_currency, settings.rate_window_days
    )
    return donor_report(statement)


@router.get("/summary", response_model=SummaryReport, responses=READ_ONE)
def summary_report_json(
    session: SessionDep,
    user: Viewer,
    appeal_id: Annotated[str | None, Query(max_length=20, description="Only this appeal.")] = None,
    date_from: From = None,
    date_to: To = None,
    currency: Currency = None,
    top: Annotated[
        int,
        Query(
            ge=0,
            le=MOST_DONORS,
            description="How many donors `by_donor` lists, by funding (then name); `other_donors` sums the rest.",
        ),
    ] = TOP_DONORS,
) -> SummaryReport:
    """The period's figures, whole and by appeal, donor, recipient, cluster, status, currency and month."""
    appeal = None
    if appeal_id is not None:
        appeal = session.get(Appeal, object_id(appeal_id, "appeal"))
        if appeal is None:
            raise NotFound("{what} {id} does not exist", what="appeal", id=appeal_id)
    settings = effective_settings(session)
    report = summary_report(
        session,
        date_from,
        date_to,
        appeal,
        currency,
        settings.reporting_currency,
        settings.rate_window_days,
        top=top,
    )
    return present_summary(report)
