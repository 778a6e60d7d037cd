"""The checks a typed field passes everywhere: text length, one of a list, country codes, email addresses."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from babel import Locale

from tracker.core.errors import Invalid, Plural

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# IATI identifiers: a registration agency prefix and a number, e.g. XM-DAC-41114 or AZ-VOEN-1234567890.
IATI_ORG_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{1,99}")
# IATI OrganisationType codes (22: national NGO, 21: international NGO, 40: multilateral, ...).
IATI_ORGANISATION_TYPES = (
    "10",
    "11",
    "15",
    "21",
    "22",
    "23",
    "24",
    "30",
    "40",
    "60",
    "70",
    "71",
    "72",
    "73",
    "80",
    "90",
)


def required_text(value: Any, field: str, limit: int) -> str:
    text = optional_text(value, field, limit)
    if not text:
        raise Invalid(field, "is required")
    return text


def optional_text(value: Any, field: str, limit: int) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid(field, "expected text, got {type}", type=type(value).__name__)
    text = value.strip()
    if len(text) > limit:
        raise Invalid(
            field,
            Plural("at most {limit} character, got {count}", "at most {limit} characters, got {count}", limit),
            limit=limit,
            count=len(text),
        )
    if "\x00" in text:
        raise Invalid(field, "must not contain NUL characters")
    return text or None


def one_of(value: Any, allowed: tuple[str, ...], field: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise Invalid(field, "must be one of {allowed}, got {value!r}", allowed=", ".join(allowed), value=value)
    return value


def country_codes() -> frozenset[str]:
    """The ISO 3166-1 alpha-2 codes `country_code` takes (upper case)."""
    return _countries()


@cache
def _countries() -> frozenset[str]:
    return frozenset(
        code for code in Locale("en").territories if isinstance(code, str) and len(code) == 2 and code.isalpha()
    )


def country_code(value: str | None) -> str | None:
    """An ISO 3166-1 alpha-2 code, upper-cased, or None."""
    text = optional_text(value, "country", 10)
    if text is None:
        return None
    code = text.upper()
    if code not in _countries():
        raise Invalid("country", "{text!r} is not an ISO 3166 country code", text=text)
    return code


def email_address(value: str | None, field: str = "email") -> str | None:
    text = optional_text(value, field, 254)
    if text is None:
        return None
    if not EMAIL.match(text):
        raise Invalid(field, "{text!r} is not an email address", text=text)
    return text.lower()


def iati_org_ref(value: str, field: str) -> str:
    """An organisation's IATI identifier, such as XM-DAC-41114."""
    ref = value.strip()
    if not IATI_ORG_REF.fullmatch(ref):
        raise Invalid(
            field,
            "{value} is not an IATI organisation identifier: letters, digits, '-', '.', '_' or ':', "
            "at most 100 characters",
            value=ref,
        )
    return ref


def iati_org_type(value: str, field: str) -> str:
    """An IATI OrganisationType code."""
    code = value.strip()
    if code not in IATI_ORGANISATION_TYPES:
        raise Invalid(
            field,
            "one of the IATI OrganisationType codes {choices}, got {value}",
            choices=", ".join(IATI_ORGANISATION_TYPES),
            value=code,
        )
    return code
