"""The API example in docs/api.md, sent as written to the demo ledger: it adds a new donor and its gift only."""

from __future__ import annotations

import json
import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from tracker.db.models import Recipient
from tracker.demo import ensure_demo_user, load_demo

EXAMPLE = (Path(__file__).resolve().parents[3] / "docs" / "api.md").read_text(encoding="utf-8")


def example_requests() -> list[tuple[str, dict[str, str], str]]:
    """(path, headers but the token, JSON body) of each curl in the example, in order."""
    block = EXAMPLE.split("```sh\nTOKEN=", 1)[1].split("\n```", 1)[0]
    requests = []
    for command in block.split("curl ")[1:]:
        path = re.search(r"http://127\.0\.0\.1:8000(/api/v1/\S+)", command)
        headers = dict(re.findall(r'-H "([A-Za-z-]+): ([^"$]+)"', command))
        body = re.search(r"-d '(.+?)'(?: \||\n|$)", command.replace("\n", " "), re.S)
        assert path and body and "Idempotency-Key" in headers, command
        requests.append((path.group(1), headers, body.group(1)))
    return requests


def test_the_docs_example_adds_a_fresh_donor_and_its_gift_to_the_demo(
    api: TestClient, session: Session, auth: dict[str, dict[str, str]]
) -> None:
    ensure_demo_user(session)
    load_demo(session)
    (donors_path, donor_headers, donor_body), (path, headers, body) = example_requests()
    assert (donors_path, path) == ("/api/v1/donors", "/api/v1/contributions")
    before = api.get("/api/v1/donors", params={"q": "Example Relief Fund"}, headers=auth["clerk"]).json()["items"]
    assert before == []  # the example's donor is not one of the demo's

    donor = api.post(donors_path, content=donor_body, headers={**auth["clerk"], **donor_headers})
    assert donor.status_code == 201, donor.text
    body = body.replace("'\"$DONOR\"'", donor.json()["id"])
    sent = json.loads(body)
    # On a fresh demo database (the docs' case) the Foundation is recipient 1; here ids run on from other tests.
    foundation = session.exec(select(Recipient).where(Recipient.name == "Heydar Aliyev Foundation")).one()
    assert sent["recipient_id"] == "1"
    body = json.dumps({**sent, "recipient_id": str(foundation.id)})
    made = api.post(path, content=body, headers={**auth["clerk"], **headers})
    assert made.status_code == 201, made.text
    assert made.json()["donor_id"] == donor.json()["id"]
    assert made.json()["lines"][0]["amount"] == {"amount": "5000.00", "currency": "AZN"}
    listed = api.get("/api/v1/contributions", params={"donor_id": donor.json()["id"]}, headers=auth["clerk"])
    assert [c["number"] for c in listed.json()["items"]] == [made.json()["number"]]
