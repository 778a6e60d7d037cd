"""What every command shares: one readable line for an expected failure, never a traceback."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import NoReturn, ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError

from tracker.core.errors import Invalid, TrackerError
from tracker.core.i18n import _
from tracker.core.parsing import iso_date

P = ParamSpec("P")
R = TypeVar("R")


def fail(message: str) -> NoReturn:
    typer.echo(_("error: {message}").format(message=message), err=True)
    raise typer.Exit(1)


def readable_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Expected failures print one readable line and exit 1; never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except TrackerError as exc:
            fail(exc.message)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = "TRACKER_" + ".".join(str(p) for p in first["loc"]).upper() if first["loc"] else "settings"
            rule = first["msg"].removeprefix("Value error, ")
            fail(rule if rule.startswith(where) else f"{where}: {rule}")
        except OperationalError as exc:
            fail(_("cannot use the database: {reason}").format(reason=str(exc.orig).splitlines()[0]))
        except DBAPIError as exc:
            fail(_("the database refused the change: {reason}").format(reason=str(exc.orig).splitlines()[0]))

    return wrapper


def option_date(text: str | None, field: str) -> date | None:
    """A date option as a command line gives it (YYYY-MM-DD), read by the same rule as the API's and the pages'."""
    return None if text is None else iso_date(text.strip(), field)


def chosen_format(given: str | None, output: Path, allowed: tuple[str, ...], default: str) -> str:
    """The file format: --format when given, else the output file's extension when it names one, else `default`.

    A --format that contradicts a known extension (`-o summary.csv --format pdf`) is refused:
    the file would not open as its name says.
    """
    named = output.suffix.lower().removeprefix(".")
    if given is None:
        return named if named in allowed else default
    chosen = given.strip().lower()
    if chosen not in allowed:
        raise Invalid("format", "must be one of {allowed}, got {value!r}", allowed=", ".join(allowed), value=given)
    if named in allowed and named != chosen:
        raise Invalid(
            "format",
            "--format {format} does not match the file name {path}; leave --format out or change the name",
            format=chosen,
            path=str(output),
        )
    return chosen


def existing_file(path: Path, field: str) -> Path:
    """A file the command is to read: it exists, is not a folder, and can be opened."""
    if not path.exists():
        raise Invalid(field, "no such file: {path}", path=str(path))
    if path.is_dir():
        raise Invalid(field, "{path} is a folder, not a file", path=str(path))
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise Invalid(field, "cannot read {path}: {reason}", path=str(path), reason=exc.strerror or str(exc)) from None
    return path
