"""Opaque cursors for keyset pagination: clients pass back what they were given, and nothing else."""

from __future__ import annotations

import base64
import binascii

from tracker.core.errors import Invalid
from tracker.web.api.types import parse_id

VERSION = "v1:"

# The OpenAPI pattern of every cursor `encode` makes for ids up to 999,999,999: base64url of "v1:"
# (djE6), then of the id's digits, three (four letters) at a time, with no leading zero. Each pair,
# letter and tail below is what base64 makes of ASCII digits; tests/web/api/test_api_schema_strict proves
# that every id encodes to a match and every match decodes. Schemathesis then sends only cursors
# the server takes, and a client can tell a mangled cursor before sending it.
_FIRST, _DIGIT, _MIDDLE, _LAST = "(?:M[Tjz]|N[DTjz]|O[DT])", "(?:[MN][DTjz]|O[DT])", "[AEIMQUYcgk]", "[w-z0-5]"
_TAIL, _ONLY = "(?:[MN][AQgw]|O[AQ])", "(?:M[Qgw]|N[AQgw]|O[AQ])"
_GROUP = _DIGIT + _MIDDLE + _LAST
CURSOR_PATTERN = (
    f"^djE6(?:{_FIRST}{_MIDDLE}{_LAST}(?:{_GROUP}(?:{_GROUP}|{_DIGIT}{_MIDDLE}|{_TAIL})?|{_DIGIT}{_MIDDLE}|{_TAIL})?"
    f"|{_FIRST}{_MIDDLE}|{_ONLY})$"
)


def encode(after: int | None) -> str | None:
    if after is None:
        return None
    return base64.urlsafe_b64encode(f"{VERSION}{after}".encode()).decode().rstrip("=")


def decode(cursor: str | None) -> int | None:
    """The id a page continues after; a cursor this API did not make is refused, naming `cursor`."""
    if cursor is None or cursor == "":
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    after = parse_id(text.removeprefix(VERSION)) if text.startswith(VERSION) else None
    if after is None:
        raise Invalid("cursor", "is not a cursor this API returned; start again without one")
    return after
