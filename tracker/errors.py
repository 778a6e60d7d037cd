"""The one family of expected failures: each names what is wrong, and front doors render it."""

from __future__ import annotations


class TrackerError(Exception):
    """An expected failure with a readable message; never a 500, never a traceback."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Invalid(TrackerError, ValueError):
    """Bad input: names the field and the rule it broke (HTTP 422)."""

    status_code = 422

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.rule = message


class NotFound(TrackerError):
    """What was asked for does not exist (HTTP 404)."""

    status_code = 404


class Conflict(TrackerError):
    """The request contradicts what the ledger already holds (HTTP 409)."""

    status_code = 409
