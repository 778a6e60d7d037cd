"""The JSON API's field types: decimal strings (never floats), opaque ids, plain dates, safe text."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from tracker.core.errors import Invalid
from tracker.core.fields import country_codes
from tracker.core.money import CURRENCIES, MAX_AMOUNT, QUANTITY_PLACES, check_currency, minor_digits
from tracker.core.parsing import MAX_ID, parse_id

DECIMAL_TEXT = re.compile(r"^[0-9]{1,20}(\.[0-9]{1,20})?$")
DATE_TEXT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def up_to_pattern(limit: int) -> str:
    """The pattern of the whole numbers 1 to `limit` written without leading zeros (for MAX_ID: 1 to 2147483647)."""
    digits = str(limit)
    choices = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for at, digit in enumerate(digits):
        rest = len(digits) - at - 1
        low = "1" if at == 0 else "0"
        if int(digit) > int(low):
            below = f"[{low}-{int(digit) - 1}]" if int(digit) - 1 > int(low) else low
            choices.append(digits[:at] + below + (f"[0-9]{{{rest}}}" if rest else ""))
    choices.append(digits)
    return "^(?:" + "|".join(choices) + ")$"


ID_PATTERN = up_to_pattern(MAX_ID)
COUNTRY_SCHEMA: dict[str, Any] = {"type": "string", "enum": sorted(country_codes())}

# Text that is more than blank, and storable (a name, a source: the server strips it first).
# Python's strip() also takes \x1c-\x1f and \x85 for whitespace, which ECMA's \s does not: named apart.
NOT_BLANK_TEXT = "^[^\\x00]*[^\\s\\x00\\x1c-\\x1f\\x85][^\\x00]*$"
# tracker.core.fields.EMAIL, on the stripped text, with the storable characters; blank is no address.
_ADDRESS_PART = "[^@\\s\\x00\\x1c-\\x1f\\x85]+"
EMAIL_TEXT = f"^\\s*(?:{_ADDRESS_PART}@{_ADDRESS_PART}\\.{_ADDRESS_PART}\\s*)?$"
# What a database can store: no NUL (the schema's pattern of every text field). Lone surrogates are
# refused too, but a pattern cannot say so portably (ECMA-262 validators reject such a pattern).
STORABLE_TEXT = "^[^\\x00]*$"
# The allow-list itself, so a schema-valid code is one the server takes (AAA is not); upper case as answered.
CURRENCY_SCHEMA: dict[str, Any] = {"type": "string", "enum": sorted(CURRENCIES)}


def _id(value: Any) -> int:
    number = parse_id(value)
    if number is None:
        raise PydanticCustomError("id", "must be an id: a string or integer as this API returned it")
    return number


def _decimal(value: Any) -> Decimal:
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise PydanticCustomError(
            "decimal_string", 'must be a decimal string such as "10.50", not a JSON number (numbers lose exactness)'
        )
    if not isinstance(value, str) or not DECIMAL_TEXT.match(value):
        raise PydanticCustomError(
            "decimal_string", 'must be a decimal string of digits with an optional point, such as "10.50"'
        )
    return Decimal(value)


def _currency(value: Any) -> str:
    try:
        return check_currency(value)
    except Invalid as exc:
        raise PydanticCustomError("currency", exc.rule) from None


def _date(value: Any) -> date:
    if not isinstance(value, str) or not DATE_TEXT.match(value):
        raise PydanticCustomError("date", "must be a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date", "{value} is not a real date", {"value": value}) from None


def _text(value: Any) -> Any:
    # Databases refuse NUL and lone surrogates; say so here instead of failing on insert.
    if isinstance(value, str):
        if "\x00" in value:
            raise PydanticCustomError("text", "must not contain NUL characters")
        if any("\ud800" <= ch <= "\udfff" for ch in value):
            raise PydanticCustomError("text", "must be valid Unicode (no lone surrogates)")
    return value


Id = Annotated[
    int,
    BeforeValidator(_id),
    WithJsonSchema(
        {
            # Only the string: JSON Schema counts 7.0 as an integer, which the server rightly refuses as an id.
            "type": "string",
            "pattern": ID_PATTERN,
            "description": "An id as the API returned it (a string); integers are accepted too.",
            "examples": ["1"],
        }
    ),
]
DecimalString = Annotated[
    Decimal,
    BeforeValidator(_decimal),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": DECIMAL_TEXT.pattern,
            "description": "An exact decimal written as a string; JSON numbers are refused.",
            "examples": ["10.50"],
        }
    ),
]
CurrencyCode = Annotated[
    str,
    BeforeValidator(_currency),
    WithJsonSchema(
        {
            **CURRENCY_SCHEMA,
            "description": "An ISO 4217 currency code in current use.",
            "examples": ["AZN"],
        }
    ),
]
# A contribution's value date: not before 1990 (tracker.ledger.checks.check_value_date); "not in the
# future" depends on today, which a schema cannot say.
ValueDate = Annotated[
    date,
    BeforeValidator(_date),
    WithJsonSchema(
        {"type": "string", "format": "date", "pattern": "^(?:199[0-9]|[2-9][0-9]{3})-", "examples": ["2023-02-10"]}
    ),
]
PlainDate = Annotated[
    date,
    BeforeValidator(_date),
    WithJsonSchema({"type": "string", "format": "date", "examples": ["2023-02-10"]}),
]


def positive_decimal_pattern(places: int, limit: Decimal) -> str:
    """The pattern of a decimal string more than zero, below `limit` (a power of ten), with at most `places` decimals.

    Stricter than the server in its spelling (no leading or trailing zeros), never looser.
    """
    whole = f"[1-9][0-9]{{0,{len(str(int(limit))) - 2}}}"
    if places == 0:
        return f"^{whole}$"
    return f"^(?:{whole}(?:\\.[0-9]{{1,{places}}})?|0\\.[0-9]{{0,{places - 1}}}[1-9])$"


def money_schema() -> dict[str, Any]:
    """Money as the server takes it: one choice per count of minor digits, each with its currencies and its amounts
    (JPY 1500, USD 10.50, KWD 1.250), so that a schema-valid amount is never refused for its digits or size."""
    by_digits: dict[int, list[str]] = {}
    for code in sorted(CURRENCIES):
        by_digits.setdefault(minor_digits(code), []).append(code)
    return {
        "description": "An amount more than zero, as a decimal string with at most the currency's minor digits.",
        "examples": [{"amount": "10.50", "currency": "USD"}],
        "oneOf": [
            {
                "type": "object",
                "properties": {
                    "amount": {"type": "string", "pattern": positive_decimal_pattern(digits, MAX_AMOUNT)},
                    "currency": {"type": "string", "enum": codes},
                },
                "required": ["amount", "currency"],
                "additionalProperties": False,
            }
            for digits, codes in sorted(by_digits.items())
        ],
    }


MAX_QUANTITY = Decimal("1e12")  # tracker.ledger.checks.MAX_QUANTITY (web may not import the ledger's checks here)


def length(limit: int, *, required: bool = False) -> Any:
    """A text field's bounds: at most `limit` characters, and at least one when `required`."""
    pattern = NOT_BLANK_TEXT if required else STORABLE_TEXT  # a required text is stripped, then must be left
    return Field(min_length=1 if required else 0, max_length=limit, json_schema_extra={"pattern": pattern})


# A text field is `Annotated[str, length(...), STORABLE]`, written out so that mypy sees a str:
# the bounds, then the refusal of what the database could not store.
STORABLE = BeforeValidator(_text)


def check_text(value: str | None, field: str) -> str | None:
    """The same text rule for query parameters, as an `Invalid` naming the parameter."""
    try:
        return _text(value)
    except PydanticCustomError as exc:
        raise Invalid(field, exc.message_template) from None


Quantity = Annotated[
    Decimal,
    BeforeValidator(_decimal),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": positive_decimal_pattern(QUANTITY_PLACES, MAX_QUANTITY),
            "description": "A quantity more than zero with at most three decimals, written as a string.",
            "examples": ["10"],
        }
    ),
]
