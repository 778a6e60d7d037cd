"""One filter for contributions on every door: the list page, its exports, the API list and export, and the CLI.

A small committed ledger, read through the app exactly as served and through `tracker export` as a
real process; the contributions and figures each door should give are written out by hand.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from clikit import one_error_line, run
from factories import make_contribution, make_donor, make_recipient, money_line
from fastapi.testclient import TestClient
from webkit import Staff, make_user, page

from tracker.accounts.tokens import create_token
from tracker.core import config
from tracker.db import engine as db
from tracker.db.engine import make_engine, session_scope
from tracker.db.models import Contribution
from tracker.ledger.service import void_contribution

# pledged, in USD, value dates 9 to 28 February 2023 (both days included)
FILTER = "status=pledged&currency=USD&from=2023-02-09&to=2023-02-28"
CLI_FILTER = ("--status", "pledged", "--currency", "USD", "--from", "2023-02-09", "--to", "2023-02-28")


@dataclass(frozen=True)
class Ledger:
    url: str
    numbers: dict[str, str]  # the ledger's names below → contribution numbers
    token: str


@pytest.fixture
def ledger(fresh_url: str) -> Ledger:
    engine = make_engine(fresh_url)
    with session_scope(engine) as session:
        make_user(session, "viewer")
        token = create_token(session, "viewer@example.org").secret
        donor, recipient = make_donor(session, "Bakı Fondu"), make_recipient(session, "Hatay field hospital")

        def made(amounts: tuple[str, ...], status: str, day: date) -> Contribution:
            lines = [money_line(amount) for amount in amounts]
            return make_contribution(session, *lines, donor=donor, recipient=recipient, status=status, on=day)

        made_ones = {
            "first day": made(("100.00 USD",), "pledged", date(2023, 2, 9)),
            "in euros": made(("50.00 EUR",), "pledged", date(2023, 2, 12)),
            "paid": made(("70.00 USD",), "paid", date(2023, 2, 11)),
            "two currencies": made(("30.00 USD", "5.00 EUR"), "pledged", date(2023, 2, 15)),
            "day before": made(("20.00 USD",), "pledged", date(2023, 2, 8)),
            "day after": made(("40.00 USD",), "pledged", date(2023, 3, 1)),
            "void": made(("60.00 USD",), "pledged", date(2023, 2, 14)),
        }
        void_contribution(session, made_ones["void"].id, "entered twice", None)  # type: ignore[arg-type]
        numbers = {name: contribution.number for name, contribution in made_ones.items()}
    engine.dispose()
    return Ledger(fresh_url, numbers, token)


@pytest.fixture
def app(ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The app exactly as served, on the ledger's database."""
    from tracker.web.app import create_app

    monkeypatch.setenv("TRACKER_DATABASE_URL", ledger.url)
    config.get_settings.cache_clear()
    db.get_engine.cache_clear()
    with TestClient(create_app()) as http:
        yield http
    db.get_engine().dispose()
    db.get_engine.cache_clear()
    config.get_settings.cache_clear()


@pytest.fixture
def viewer(app: TestClient) -> Staff:
    staff = Staff(app)
    assert staff.sign_in("viewer@example.org").status_code == 303
    return staff


def listed(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    rows = page(response).find("table", class_="contributions").find("tbody").find_all("tr")
    return [row.find("a").get_text() for row in rows if row.find("a")]


def csv_lines(body: bytes) -> list[tuple[str, str, str]]:
    rows = csv.DictReader(io.StringIO(body.decode("utf-8-sig")))
    return [(row["Number"], row["Value"], row["Currency"]) for row in rows]


def test_the_same_filter_finds_the_same_contributions_on_every_door(
    ledger: Ledger, app: TestClient, viewer: Staff, tmp_path: Path
) -> None:
    first, both = ledger.numbers["first day"], ledger.numbers["two currencies"]
    lines = [(first, "100.00", "USD"), (both, "30.00", "USD")]  # the euro line of the second is left out

    page_list = viewer.get(f"/contributions?{FILTER}&sort=date")
    assert listed(page_list) == [first, both]
    totals = page(page_list).find("section", class_="totals").find("tbody").find_all("tr")
    assert [[cell.get_text(strip=True) for cell in row.find_all(["th", "td"])] for row in totals] == [
        ["USD", "$130.00", "", ""]
    ]
    export_link = page(page_list).find("p", class_="exports").find("a")["href"]
    assert csv_lines(viewer.get(export_link).content) == lines

    bearer = {"Authorization": f"Bearer {ledger.token}"}
    api_list = app.get(f"/api/v1/contributions?{FILTER}", headers=bearer)
    assert api_list.status_code == 200, api_list.text
    assert [item["number"] for item in api_list.json()["items"]] == [first, both]
    paged = app.get(f"/api/v1/contributions?{FILTER}&limit=1", headers=bearer).json()
    assert [item["number"] for item in paged["items"]] == [first]
    rest = app.get(f"/api/v1/contributions?{FILTER}&limit=1&cursor={paged['next_cursor']}", headers=bearer).json()
    assert ([item["number"] for item in rest["items"]], rest["next_cursor"]) == ([both], None)
    api_export = app.get(f"/api/v1/exports/contributions?format=csv&{FILTER}", headers=bearer)
    assert api_export.status_code == 200, api_export.text
    assert csv_lines(api_export.content) == lines

    target = tmp_path / "pledged.csv"
    result = run("export", "contributions", *CLI_FILTER, "-o", str(target), url=ledger.url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"2 rows written to {target}"
    assert csv_lines(target.read_bytes()) == lines


def test_a_text_search_narrows_the_api_list_as_it_does_the_page(ledger: Ledger, app: TestClient, viewer: Staff) -> None:
    bearer = {"Authorization": f"Bearer {ledger.token}"}
    everything = sorted(ledger.numbers.values())
    assert listed(viewer.get("/contributions?q=HATAY&sort=number")) == everything
    found = app.get("/api/v1/contributions?q=HATAY", headers=bearer)
    assert found.status_code == 200, found.text
    assert [item["number"] for item in found.json()["items"]] == everything
    assert app.get("/api/v1/contributions?q=nobody", headers=bearer).json()["items"] == []


REFUSALS = [
    ("status=lost", ("--status", "lost"), "status", "one of pledged, committed, paid, void, overdue, got lost"),
    ("from=2023-02-30", ("--from", "2023-02-30"), "from", "2023-02-30 is not a date (YYYY-MM-DD)"),
    ("to=20230228", ("--to", "20230228"), "to", "20230228 is not a date (YYYY-MM-DD)"),
    ("currency=XYZ", ("--currency", "XYZ"), "currency", "'XYZ' is not a current ISO 4217 currency code"),
    ("kind=cash", ("--kind", "cash"), "kind", "one of money, goods, service, got cash"),
    ("from=2023-03-01&to=2023-02-01", ("--from", "2023-03-01", "--to", "2023-02-01"), "to",
     "the period ends before it starts"),
    ("donor_id=12a", ("--donor-id", "12a"), "donor_id", "12a is not an id"),
]  # fmt: skip
# The pages read a date as their clerks type it (tracker.core.parsing.parse_date, in the page's language);
# the API and the CLI read ISO dates only. Each door says so in its own words, naming the same field.
PAGE_MESSAGES = {
    "2023-02-30 is not a date (YYYY-MM-DD)": "'2023-02-30' is not a real date",
    "20230228 is not a date (YYYY-MM-DD)": "'20230228' is not a date; type it like 12/31/2025",
}


@pytest.mark.parametrize(("query", "options", "field", "message"), REFUSALS)
def test_a_bad_filter_is_refused_on_every_door_naming_the_field(
    ledger: Ledger, app: TestClient, viewer: Staff, tmp_path: Path, query: str, options: tuple[str, ...], field: str,
    message: str,
) -> None:  # fmt: skip
    bearer = {"Authorization": f"Bearer {ledger.token}"}
    for path in ("/api/v1/contributions?", "/api/v1/exports/contributions?format=csv&"):
        answer = app.get(path + query, headers=bearer)
        assert answer.status_code == 422, (path, answer.text)
        assert answer.json() == {"detail": [{"field": field, "message": message}]}, path

    api_message, message = message, PAGE_MESSAGES.get(message, message)
    shown = viewer.get(f"/contributions?{query}")
    form = page(shown).find("form", class_="filters")
    assert [p.get_text() for p in page(shown).find_all(class_="error")] == [f"{field}: {message}"]
    assert [p.get_text() for p in form.find_all(class_="field-error")] == [message]
    assert form.find(class_="has-error").find(attrs={"name": field}) is not None  # beside its field
    assert page(shown).find("table", class_="contributions") is None  # nothing listed as if unfiltered
    assert page(shown).find("p", class_="exports") is None
    downloaded = viewer.get(f"/exports/contributions/csv?{query}")
    assert downloaded.status_code == 422
    assert f"{field}: {message}" in page(downloaded).get_text()

    target = tmp_path / "out.csv"
    refused = run("export", "contributions", *options, "-o", str(target), url=ledger.url)
    assert one_error_line(refused) == f"error: {field}: {api_message}"
    assert not target.exists()


def test_the_page_keeps_what_was_typed_in_a_refused_filter(viewer: Staff) -> None:
    shown = page(viewer.get("/contributions?from=2023-02-30&q=Bak%C4%B1&status=pledged"))
    form = shown.find("form", class_="filters")
    assert form.find("input", attrs={"name": "from"})["value"] == "2023-02-30"
    assert form.find("input", attrs={"name": "q"})["value"] == "Bakı"
    assert form.find("select", attrs={"name": "status"}).find("option", selected=True)["value"] == "pledged"


def test_without_a_token_a_bad_filter_is_answered_401_first(app: TestClient) -> None:
    for path in ("/api/v1/contributions?status=lost", "/api/v1/exports/contributions?from=2023-02-30"):
        assert app.get(path).status_code == 401, path


def test_a_blank_filter_means_all_on_the_page_and_is_refused_by_the_api_and_the_cli(
    ledger: Ledger, app: TestClient, viewer: Staff, tmp_path: Path
) -> None:
    # The page's form sends its "all" choices blank; a request or a command naming a filter and
    # giving it no value more likely lost the value on the way (an unset variable) than meant "all".
    everything = sorted(ledger.numbers.values())
    assert (
        listed(viewer.get("/contributions?q=&status=&kind=&currency=&from=&to=&appeal_id=&sort=number")) == everything
    )
    bearer = {"Authorization": f"Bearer {ledger.token}"}
    blank = "must not be empty; leave it out for no filter"
    for name in ("donor_id", "status", "currency", "from", "q"):
        for path in ("/api/v1/contributions?", "/api/v1/exports/contributions?"):
            answer = app.get(f"{path}{name}=", headers=bearer)
            assert answer.status_code == 422, (path, name, answer.text)
            assert answer.json() == {"detail": [{"field": name, "message": blank}]}
        assert app.get("/api/v1/contributions?status=%20", headers=bearer).status_code == 422
    target = tmp_path / "out.csv"
    refused = run("export", "contributions", "--currency", "", "-o", str(target), url=ledger.url)
    assert one_error_line(refused) == f"error: currency: {blank}"
    assert not target.exists()
