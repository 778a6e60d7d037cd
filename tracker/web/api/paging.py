"""Opaque cursors for keyset pagination: clients pass back what they were given, and nothing else."""

from __future__ import annotations

import base64
import binascii

from tracker.core.errors import Invalid
from tracker.web.api.types import parse_id

VERSION = "v1:"


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
