"""The OpenAPI schema admits only what the server takes: currencies, money digits, cursors, keys, text."""

from __future__ import annotations

import random
import re
from decimal import Decimal
from typing import Any

import pytest

from tracker.core.errors import Invalid
from tracker.core.money import CURRENCIES, Money
from tracker.web.api import paging
from tracker.web.app import create_app


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    return create_app().openapi()


def money_choices(openapi: dict[str, Any]) -> dict[str, str]:
    """Currency code → the amount pattern the schema gives it."""
    return {
        code: choice["properties"]["amount"]["pattern"]
        for choice in openapi["components"]["schemas"]["MoneyValue"]["oneOf"]
        for code in choice["properties"]["currency"]["enum"]
    }


def test_the_schema_lists_exactly_the_currencies_the_server_takes(openapi: dict[str, Any]) -> None:
    codes = money_choices(openapi)
    assert set(codes) == CURRENCIES
    assert "AAA" not in codes and "AZN" in codes  # AAA was schema-valid and refused


@pytest.mark.parametrize(
    ("currency", "taken", "refused"),
    [
        ("JPY", ["1", "1500", "999999999999999"], ["1.5", "0", "1000000000000000", "-1"]),
        ("USD", ["10.50", "0.01", "0.5", "999999999999999.99"], ["10.505", "0.00", "0", "1e3", " 1"]),
        ("KWD", ["75250.500", "0.001"], ["1.2345", "0.000"]),
    ],
)
def test_a_money_amount_matches_the_schema_exactly_when_the_server_takes_it(
    openapi: dict[str, Any], currency: str, taken: list[str], refused: list[str]
) -> None:
    pattern = money_choices(openapi)[currency]
    for amount in taken:
        assert re.fullmatch(pattern, amount), amount
        assert Money.of(amount, currency).amount == Decimal(amount)
    for amount in refused:
        assert not re.fullmatch(pattern, amount), amount


def test_every_currency_pattern_admits_only_amounts_the_server_takes(openapi: dict[str, Any]) -> None:
    sample = ["1", "10", "10.5", "10.50", "10.505", "0.1", "0.01", "0.001", "0.0001", "123456789012345"]
    for code, pattern in money_choices(openapi).items():
        for amount in sample:
            if re.fullmatch(pattern, amount):
                Money.of(amount, code)  # raises Invalid if the schema was looser than the server
    with pytest.raises(Invalid):
        Money.of("1.5", "JPY")


def test_a_cursor_matches_the_pattern_when_the_api_wrote_it_and_a_match_always_decodes() -> None:
    pattern = re.compile(paging.CURSOR_PATTERN)
    ids = [*range(1, 3000), 999_999_999, *random.Random(16).sample(range(1, 999_999_999), 3000)]
    for number in ids:
        cursor = paging.encode(number)
        assert cursor is not None and pattern.fullmatch(cursor), number
        assert paging.decode(cursor) == number
    assert not pattern.fullmatch(paging.encode(1_000_000_000) or "")  # beyond the pattern: still decodes
    for mangled in ("djE6", "djE6MA", "djE6MDA", "abc", "djE6MTIz=", "-"):
        assert not pattern.fullmatch(mangled), mangled
    # Every shape the pattern allows decodes: letters drawn at random from each position's choices.
    rng = random.Random(17)
    first, digit = (
        ["MT", "Mj", "Mz", "ND", "NT", "Nj", "Nz", "OD", "OT"],
        ["MD", "MT", "Mj", "Mz", "ND", "NT", "Nj", "Nz", "OD", "OT"],
    )
    middle, last, tail = (
        list("AEIMQUYcgk"),
        list("wxyz012345"),
        ["MA", "MQ", "Mg", "Mw", "NA", "NQ", "Ng", "Nw", "OA", "OQ"],
    )
    for _ in range(3000):
        groups = rng.randint(1, 3)
        text = "djE6" + rng.choice(first) + rng.choice(middle) + rng.choice(last)
        text += "".join(rng.choice(digit) + rng.choice(middle) + rng.choice(last) for _ in range(groups - 1))
        if groups < 3:
            text += rng.choice(["", rng.choice(tail), rng.choice(digit) + rng.choice(middle)])
        assert pattern.fullmatch(text), text
        assert paging.decode(text) >= 1


def test_text_fields_keys_and_filters_say_what_the_server_refuses(openapi: dict[str, Any]) -> None:
    donor = openapi["components"]["schemas"]["DonorCreate"]["properties"]["name"]
    assert re.fullmatch(donor["pattern"], "Ayşə") and not re.fullmatch(donor["pattern"], "a\x00b")
    assert not re.fullmatch(donor["pattern"], " \t ")  # a required name is more than blank
    rate = openapi["components"]["schemas"]["RateCreate"]["properties"]
    assert not re.fullmatch(rate["source"]["pattern"], "  ") and re.fullmatch(rate["source"]["pattern"], "cbar")
    for text, taken in [("1.7", True), ("0", False), ("0.000000000001", True), ("1000000000000", False)]:
        assert bool(re.fullmatch(rate["rate"]["pattern"], text)) is taken, text
    value_date = openapi["components"]["schemas"]["ContributionCreate"]["properties"]["date"]["pattern"]
    assert re.match(value_date, "1990-01-01") and not re.match(value_date, "1989-12-31")
    post = openapi["paths"]["/api/v1/donors"]["post"]
    key = next(p for p in post["parameters"] if p["name"] == "Idempotency-Key")["schema"]
    assert re.fullmatch(key["pattern"], "3f2a-11") and not re.fullmatch(key["pattern"], "ключ")
    assert not re.fullmatch(key["pattern"], " padded ")
    listing = openapi["paths"]["/api/v1/contributions"]["get"]["parameters"]
    currency = next(p for p in listing if p["name"] == "currency")["schema"]
    assert set(currency["enum"]) == CURRENCIES


# ECMA-262's \s, as the schema's other readers (schemathesis's data generation, JavaScript) take it.
ECMA_SPACE = "\t\n\x0b\x0c\r \xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


@pytest.mark.parametrize("blank", ["\x1f", " \x1c ", "\x85", "\t"])
def test_a_name_python_strips_to_nothing_is_not_schema_valid(openapi: dict[str, Any], blank: str) -> None:
    """The server strips with Python's rules, which also take \\x1c-\\x1f and \\x85 for blanks (ECMA's \\s does not):
    schemathesis sent a name of "\\x1f" that the schema admitted and the server refused."""
    pattern = openapi["components"]["schemas"]["ItemCreate"]["properties"]["name"]["pattern"]
    as_ecma_reads_it = pattern.replace("\\s", ECMA_SPACE)
    assert blank.strip() == ""
    assert re.fullmatch(as_ecma_reads_it, blank) is None
    assert re.fullmatch(as_ecma_reads_it, " Tent ") is not None
