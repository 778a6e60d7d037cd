"""The JSON API's field types: decimal strings (never floats), opaque ids, plain dates, safe text."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from tracker.core.errors import Invalid
from tracker.core.money import check_currency
from tracker.core.parsing import ID_TEXT, MAX_ID, parse_id

DECIMAL_TEXT = re.compile(r"^[0-9]{1,20}(\.[0-9]{1,20})?$")
DATE_TEXT = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


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
            "anyOf": [
                {"type": "string", "pattern": ID_TEXT.pattern},
                {"type": "integer", "minimum": 1, "maximum": MAX_ID},
            ],
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
            "type": "string",
            "pattern": "^[A-Za-z]{3}$",
            "description": "An ISO 4217 currency code in current use.",
            "examples": ["AZN"],
        }
    ),
]
PlainDate = Annotated[
    date,
    BeforeValidator(_date),
    WithJsonSchema({"type": "string", "format": "date", "examples": ["2023-02-10"]}),
]


def length(limit: int, *, required: bool = False) -> Any:
    """A text field's bounds: at most `limit` characters, and at least one when `required`."""
    return Field(min_length=1 if required else 0, max_length=limit)


# A text field is `Annotated[str, length(...), STORABLE]`, written out so that mypy sees a str:
# the bounds, then the refusal of what the database could not store.
STORABLE = BeforeValidator(_text)


def check_text(value: str | None, field: str) -> str | None:
    """The same text rule for query parameters, as an `Invalid` naming the parameter."""
    try:
        return _text(value)
    except PydanticCustomError as exc:
        raise Invalid(field, exc.message_template) from None
