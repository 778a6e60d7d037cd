"""The JSON API, /api/v1: bearer tokens, idempotent POSTs, one error shape; a thin front door to the services."""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI

from tracker.web.api import (
    appeals,
    contributions,
    deps,
    donors,
    errors,
    exports,
    imports,
    items,
    letters,
    rates,
    recipients,
    reports,
)
from tracker.web.deps import api_default_language

DESCRIPTION = """
The JSON API of tracker. Send `Authorization: Bearer <token>` (make one with
`tracker token create --user EMAIL`); a token acts with its user's role: a viewer reads,
a clerk also records and corrects contributions and adds donors and recipients, an admin
also adds appeals, items and exchange rates.

Money is always `{"amount": "500000.00", "currency": "AZN"}`: the amount is a decimal
string (JSON numbers are refused) and answers carry exactly the currency's minor digits
(JPY 0, USD 2, KWD 3). Quantities are decimal strings too. Ids are opaque strings.

Every POST takes an `Idempotency-Key` header: the same key with the same body returns the
first answer (with `Idempotent-Replayed: true`) and creates nothing; the same key with
another body is refused with 409.

Bad input is answered 422 with every problem naming its field:
`{"detail": [{"field": "lines[0].amount", "message": "JPY has no minor units, got 1.5"}]}`.
Other refusals are `{"detail": "one sentence"}`: 401 (no or bad token), 403 (role),
404, 409 (conflict with the ledger or a reused key), 413 (body over 1 MiB).
"""

router = APIRouter(
    prefix="/api/v1",
    # Admitted first: the saved default language is then read in the request's own transaction.
    dependencies=[Depends(deps.admitted), Depends(api_default_language), Depends(deps.strict_query)],
    generate_unique_id_function=lambda route: route.name,  # operationId: create_donor, list_contributions, ...
)
for module in (donors, recipients, appeals, items, contributions, imports, rates, reports, exports, letters):
    router.include_router(module.router)


def install(app: FastAPI) -> None:
    """The API's exception handlers: refused requests, replays, malformed input."""
    deps.install(app)
    errors.install(app)
