"""Schemathesis over the whole API, from its own OpenAPI: no 500s, answers match the schema, bad input refused."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import schemathesis
from factories import make_appeal, make_contribution, make_donor, make_item, make_recipient, money_line
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlmodel import Session

from tracker.core import config
from tracker.web.app import create_app
from tracker.web.deps import get_session

# Every check runs. "Schema-valid request rejected" (positive_data_acceptance) runs as our own check
# below: the schema says what the server takes (currencies from the allow-list, each with its own
# digits, positive bounded amounts, quantities and rates, ids in range, countries, cursors as the API
# writes them, storable text, Idempotency-Key's bytes), so a 422 on schema-valid data is a failure,
# but for the rules that depend on what is stored or on two fields at once, which no JSON Schema
# can say. Each is named here, by operation and field, and nothing else is let through.
STATEFUL_RULES: dict[str, dict[str, str]] = {  # operation -> field -> what its message says ("" for any)
    "POST /api/v1/appeals": {"code": "already exists", "end_date": "ends before it starts"},  # unique; a pair
    "POST /api/v1/items": {"name": "already has an item named"},  # item names are unique in the catalogue
    "POST /api/v1/contributions": {
        "donor_id": "no donor with id",
        "recipient_id": "no recipient with id",
        "appeal_id": "no appeal with id",
        "fulfils_id": "",
        "lines[].item_id": "",
        "date": "is in the future",  # depends on today
        "due_date": "",  # only a pledge or commitment has one, not before its date: pairs of fields
    },
    "POST /api/v1/contributions/{contribution_id}/fulfilments": {
        "recipient_id": "no recipient with id",
        "appeal_id": "no appeal with id",
        "lines[].item_id": "",
        "date": "is in the future",
    },
    "POST /api/v1/rates": {"date": "is in the future", "currency": "is the reporting currency"},  # today; settings
    "GET /api/v1/rates": {"from": "is after", "to": "is after"},  # a period that ends before it starts
    "GET /api/v1/reports/summary": {"from": "", "to": "the period ends before it starts"},
    "GET /api/v1/contributions": {"from": "", "to": ""},
    "GET /api/v1/exports/contributions": {"from": "", "to": ""},
    # Without ?org_ref=, the organisation's IATI identifier comes from TRACKER_IATI_ORG_REF: settings.
    "GET /api/v1/exports/iati/{appeal_id}": {"org_ref": "on the Settings page (or TRACKER_IATI_ORG_REF)"},
}


# An import's body is a file, checked row by row; its problems are rows and columns, not schema.
FILE_CONTENT = {"POST /api/v1/imports"}


# The schema is read once from an app made at import; each test points that app at its
# own rolled-back session (one SAVEPOINT per request, as a real request commits or not).
# The schema comes from APP.openapi(), what GET /openapi.json answers (tests/web/test_headers reads
# that page): at import there is no database yet for the request's saved default language.
APP = create_app()
schema = schemathesis.openapi.from_dict(APP.openapi())
anonymous = schemathesis.openapi.from_dict(APP.openapi())
schema.app = anonymous.app = APP
TOKEN: dict[str, str] = {}


@schema.auth(refresh_interval=None)
class AdminToken:
    """The admin's token of the running test; schemathesis knows it is auth, so it can also test without it."""

    def get(self, case: schemathesis.Case, context: object) -> str:
        return TOKEN.get("admin", "")  # read again for each call, after the fixture set it

    def set(self, case: schemathesis.Case, data: str, context: object) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture(autouse=True)
def _app_on_the_test_session(
    session: Session, settings: config.Settings, auth: dict[str, dict[str, str]]
) -> Iterator[None]:
    def per_request() -> Iterator[Session]:
        savepoint = session.begin_nested()
        try:
            yield session
            session.flush()
            savepoint.commit()
        except BaseException:
            savepoint.rollback()
            raise

    # A little ledger, so generated ids sometimes hit something real.
    donor, recipient = make_donor(session), make_recipient(session)
    make_appeal(session)
    make_item(session)
    make_contribution(session, money_line("10.00 USD"), donor=donor, recipient=recipient, status="pledged")
    APP.dependency_overrides[get_session] = per_request
    TOKEN["admin"] = auth["admin"]["Authorization"].removeprefix("Bearer ")
    yield
    APP.dependency_overrides.clear()
    TOKEN.clear()


@schema.parametrize()
@pytest.mark.filterwarnings("ignore:Skipped test cases with unsupported payload media types")
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_as_admin(case: schemathesis.Case) -> None:
    response = case.call()
    case.validate_response(response, excluded_checks=[positive_data_acceptance])
    if response.status_code != 422 or case.meta is None or not case.meta.generation.mode.is_positive:
        return
    label = case.operation.label
    if label in FILE_CONTENT:
        return
    problems = response.json()["detail"]
    rules = STATEFUL_RULES.get(label, {})
    for problem in problems:
        field = re.sub(r"\[\d+\]", "[]", str(problem["field"]))
        assert field in rules and rules[field] in problem["message"], f"schema-valid request rejected: {response.text}"


@anonymous.parametrize()
@pytest.mark.filterwarnings("ignore:Skipped test cases with unsupported payload media types")
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_without_a_token_is_401(case: schemathesis.Case) -> None:
    response = case.call()
    if case.method.upper() != case.operation.method.upper():
        assert response.status_code == 405  # a method this path does not have: routing answers first
        return
    assert response.status_code == 401, response.text
    headers = {name.lower(): value for name, value in response.headers.items()}
    assert str(headers["www-authenticate"]).count("Bearer") == 1
