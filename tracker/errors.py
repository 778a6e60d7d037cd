"""The one family of expected failures: each names what is wrong, and front doors render it.

Messages are gettext templates with named placeholders, translated when they are
read (in the language of the request or command that shows them), so write
`Invalid("amount", "{currency} has no minor units, got {amount}", currency=..., amount=...)`,
never an f-string: `pybabel extract` finds the template through the keywords in babel.cfg.
"""

from __future__ import annotations

from typing import Any

from tracker.i18n import gettext


def render(template: str, params: dict[str, Any]) -> str:
    translated = gettext(template)
    return translated.format(**params) if params else translated


class TrackerError(Exception):
    """An expected failure with a readable message; never a 500, never a traceback."""

    status_code = 400

    def __init__(self, template: str, **params: Any) -> None:
        super().__init__(template)
        self.template = template
        self.params = params

    @property
    def message(self) -> str:
        """The message in the current language."""
        return render(self.template, self.params)

    def __str__(self) -> str:
        return self.message


class Invalid(TrackerError, ValueError):
    """Bad input: names the field and the rule it broke (HTTP 422)."""

    status_code = 422

    def __init__(self, field: str, template: str, **params: Any) -> None:
        super().__init__(template, **params)
        self.field = field

    @property
    def rule(self) -> str:
        return render(self.template, self.params)

    @property
    def message(self) -> str:
        return f"{self.field}: {self.rule}"


class NotFound(TrackerError):
    """What was asked for does not exist (HTTP 404)."""

    status_code = 404


class Conflict(TrackerError):
    """The request contradicts what the ledger already holds (HTTP 409)."""

    status_code = 409
