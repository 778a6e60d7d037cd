"""The one family of expected failures: each names what is wrong, and front doors render it.

Messages are gettext templates with named placeholders, translated when they are
read (in the language of the request or command that shows them), so write
`Invalid("amount", "{currency} has no minor units, got {amount}", currency=..., amount=...)`,
never an f-string: `pybabel extract` finds the template through the keywords in babel.cfg.
A message about a count takes its plural forms from the catalogue:
`Invalid("password", Plural("at least {count} character", "at least {count} characters", n), count=n)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tracker.core.i18n import gettext, ngettext


@dataclass(frozen=True, slots=True)
class Plural:
    """A counted message template: the catalogue picks the form for `n` when the message is read."""

    singular: str
    plural: str
    n: int


@dataclass(frozen=True, slots=True)
class Phrase:
    """Part of a message, such as where in a file ("line 3, column USD"), translated with the message
    when it is read, not when it is made: pass it as a parameter and `str()` renders it."""

    template: str
    params: tuple[tuple[str, Any], ...] = ()

    def __str__(self) -> str:
        return render(self.template, dict(self.params))


def phrase(template: str, **params: Any) -> Phrase:
    return Phrase(template, tuple(params.items()))


def render(template: str | Plural, params: dict[str, Any]) -> str:
    if isinstance(template, Plural):
        translated = ngettext(template.singular, template.plural, template.n)
    else:
        translated = gettext(template)
    return translated.format(**params) if params else translated


class TrackerError(Exception):
    """An expected failure with a readable message; never a 500, never a traceback."""

    status_code = 400

    def __init__(self, template: str | Plural, **params: Any) -> None:
        super().__init__(template if isinstance(template, str) else template.plural)
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

    def __init__(self, field: str, template: str | Plural, **params: Any) -> None:
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


class Busy(TrackerError):
    """The database is busy with another writer's change past the wait allowed (HTTP 503): send it again soon."""

    status_code = 503
    retry_after_seconds = 5
