"""The command line: serve, demo data, migrations, users and ledger verification."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from tracker.cli.common import fail, readable_errors
from tracker.cli.exports import app as exports_app
from tracker.cli.imports import app as import_app
from tracker.cli.rates import app as rates_app
from tracker.cli.reports import app as reports_app
from tracker.cli.tokens import app as token_app
from tracker.core.errors import Conflict, Invalid
from tracker.core.i18n import _, activate, ngettext, supported
from tracker.core.vocabulary import Role, Term

app = typer.Typer(help="tracker: a ledger of humanitarian aid contributions.", no_args_is_help=True)
db_app = typer.Typer(help="The database: migrations, checks, backups.", no_args_is_help=True)
user_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(rates_app, name="rates")
app.add_typer(reports_app, name="report")
app.add_typer(exports_app, name="export")


@app.callback()
def speak_the_default_language(ctx: typer.Context) -> None:
    """Every command's messages are in TRACKER_DEFAULT_LOCALE; every command but `serve` has the process to itself."""
    from tracker.core.bulk import dedicated_process
    from tracker.core.config import get_settings

    if ctx.invoked_subcommand != "serve":  # with one worker, uvicorn serves from this very process
        ctx.with_resource(dedicated_process())  # reports and imports may pause the collector

    language: str
    try:
        language = get_settings().default_locale
    except ValidationError:  # the command itself reports the bad setting, in the language asked for if it can
        language = supported(os.environ.get("TRACKER_DEFAULT_LOCALE")) or "en"
    activate(language)


@app.command()
@readable_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (two keep the app responsive under load).")] = 2,
    demo: Annotated[bool, typer.Option("--demo", help="Load the demo ledger and a demo sign-in first.")] = False,
) -> None:
    """Migrate the database once, then serve the app."""
    import uvicorn

    from tracker.core.config import get_settings
    from tracker.db.engine import upgrade

    settings = get_settings()
    if warning := settings.secret_warning():
        typer.echo(warning, err=True)
    upgrade(settings.database_url)
    _ensure_totals()
    if demo:
        _load_demo()
    _offer_setup()
    typer.echo(
        _("tracker serving on http://{host}:{port}/ (database {database})").format(
            host=host, port=port, database=_safe_url(settings.database_url)
        )
    )
    uvicorn.run(
        "tracker.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        server_header=False,  # no "server: uvicorn": nothing tells a visitor which server to aim at
    )


@app.command("setup-code")
@readable_errors
def setup_code_command() -> None:
    """Make a new first-run setup code for /setup (only while no user exists)."""
    from tracker.db.engine import upgrade

    upgrade()
    if not _offer_setup():
        raise Conflict("setup is finished: a user exists already; sign in instead")


def _offer_setup() -> bool:
    """On a database with no user, print a new setup code for /setup; False when a user exists."""
    from tracker.accounts.setup import new_setup_code
    from tracker.accounts.users import has_users
    from tracker.db.engine import session_scope

    with session_scope() as session:
        if has_users(session):
            return False
        code = new_setup_code(session)
    typer.echo(
        _(
            "no user yet: open /setup and type the setup code {code} (or run `tracker user add EMAIL --role admin`)"
        ).format(code=code)
    )
    return True


@app.command("demo")
@readable_errors
def demo_command() -> None:
    """Load the demo ledger (the 2023 Türkiye earthquake story) and a demo sign-in; safe to repeat."""
    from tracker.db.engine import upgrade

    upgrade()
    _ensure_totals()
    _load_demo()


def _ensure_totals() -> None:
    """Compute the maintained totals if they are missing or were kept in another currency."""
    from tracker.db.engine import session_scope
    from tracker.totals.aggregates import ensure_totals

    with session_scope() as session:
        if ensure_totals(session):
            typer.echo(_("maintained totals computed from the ledger"))


def _load_demo() -> None:
    from tracker.db.engine import session_scope
    from tracker.demo import ensure_demo_user, load_demo

    with session_scope() as session:
        loaded = load_demo(session)
        sign_in = ensure_demo_user(session)
    typer.echo(_("demo ledger loaded") if loaded else _("demo ledger already present"))
    typer.echo(
        _("demo sign-in: {email} / {password}  (demo only; never use it for real data)").format(
            email=sign_in.email, password=sign_in.password
        )
    )


@db_app.command("upgrade")
@readable_errors
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply the migrations up to REVISION (default: the latest)."""
    from alembic.util import CommandError

    from tracker.core.config import get_settings
    from tracker.db.engine import upgrade

    url = get_settings().database_url
    try:
        upgrade(url, revision)
    except CommandError as exc:  # an unknown or ambiguous revision: alembic's own words, on one line
        raise Invalid("revision", "{reason}", reason=str(exc).splitlines()[0]) from None
    if revision == "head":
        _ensure_totals()
    typer.echo(_("database {database} is at {revision}").format(database=_safe_url(url), revision=revision))


@db_app.command("rebuild-totals")
@readable_errors
def db_rebuild_totals() -> None:
    """Recompute the maintained totals (dashboard figures) from the ledger."""
    from tracker.db.engine import session_scope, upgrade
    from tracker.totals.aggregates import rebuild_totals

    upgrade()
    with session_scope() as session:
        rows = rebuild_totals(session)
    typer.echo(
        ngettext("maintained totals rebuilt: {rows} row", "maintained totals rebuilt: {rows} rows", rows).format(
            rows=rows
        )
    )


@db_app.command("backup")
@readable_errors
def db_backup(file: Annotated[Path, typer.Argument(help="The new backup file; it must not exist yet.")]) -> None:
    """Copy the whole database to FILE, consistently, while the app goes on writing (SQLite: its online
    backup; PostgreSQL: pg_dump)."""
    from tracker.core.config import get_settings
    from tracker.db.backup import backup

    url = get_settings().database_url
    backup(url, file)
    typer.echo(_("database {database} backed up to {file}").format(database=_safe_url(url), file=file))


@db_app.command("restore")
@readable_errors
def db_restore(file: Annotated[Path, typer.Argument(help="A file made by `tracker db backup`.")]) -> None:
    """Load a backup into the database TRACKER_DATABASE_URL names, which must be empty or not exist yet."""
    from tracker.core.config import get_settings
    from tracker.db.backup import restore

    url = get_settings().database_url
    restore(url, file)
    typer.echo(
        _("{file} restored into {database}; run `tracker verify` to check it").format(
            file=file, database=_safe_url(url)
        )
    )


@app.command()
@readable_errors
def verify(
    anchor: Annotated[
        bool, typer.Option("--anchor", help="Print only the journal's chain head (ID:HASH), to keep elsewhere.")
    ] = False,
    since: Annotated[
        str | None, typer.Option("--since", help="A chain head printed earlier: also prove nothing up to it changed.")
    ] = None,
) -> None:
    """Check every ledger invariant, every letter and every export over the whole database; exit 1 on any problem."""
    from tracker.db.engine import session_scope
    from tracker.ledger.verify import anchor_holds, chain_head, run_checks
    from tracker.reporting.exports.verify import run_export_checks
    from tracker.reporting.reports.letter_prints import letters_match_their_digests

    with session_scope() as session:
        if anchor:
            typer.echo(chain_head(session))
            return
        problems = (anchor_holds(session, since) if since is not None else []) + run_checks(session)
        problems += letters_match_their_digests(session) + run_export_checks(session)
        head = chain_head(session)
    for problem in problems:
        typer.echo(_("problem: {problem}").format(problem=problem))
    if problems:
        raise typer.Exit(1)
    typer.echo(_("ledger verified: every check passed"))
    typer.echo(
        _("journal chain head: {head} (keep it outside the database; verify --since it later)").format(head=head)
    )


@user_app.command("add")
@readable_errors
def user_add(
    email: Annotated[str, typer.Argument(help="The user's email; they sign in with it.")],
    role: Annotated[str, typer.Option(help="admin, clerk or viewer.")] = Role.CLERK.value,
    name: Annotated[str, typer.Option(help="The user's name, as shown in the journal.")] = "",
    locale: Annotated[str, typer.Option(help="en, az, tr or ru.")] = "en",
) -> None:
    """Create a user; the password comes from TRACKER_PASSWORD, or is asked for."""
    from tracker.accounts.users import create_user
    from tracker.db.engine import session_scope, upgrade

    password = _password()
    upgrade()
    with session_scope() as session:
        user = create_user(session, email=email, role=role, password=password, name=name, locale=locale)
    typer.echo(_("user {email} created with role {role}").format(email=user.email, role=Term(user.role, "role")))


def _password() -> str:
    """A new password: TRACKER_PASSWORD when set, else asked twice at a terminal."""
    password = os.environ.get("TRACKER_PASSWORD")
    if password is None:
        if not sys.stdin.isatty():
            fail(_("set TRACKER_PASSWORD, or run this in a terminal to be asked for the password"))
        password = typer.prompt(_("Password"), hide_input=True, confirmation_prompt=True)
    return password


@user_app.command("password")
@readable_errors
def user_password(email: Annotated[str, typer.Argument(help="The user's email.")]) -> None:
    """Set a user's new password (from TRACKER_PASSWORD, or asked for); every session they have open ends."""
    from sqlmodel import func, select

    from tracker.accounts.users import change_password
    from tracker.core.errors import NotFound
    from tracker.db.engine import session_scope, upgrade
    from tracker.db.models import User

    password = _password()
    upgrade()
    with session_scope() as session:
        user = session.exec(select(User).where(func.lower(User.email) == email.strip().lower())).first()
        if user is None or user.id is None:
            raise NotFound("no user has the email {email}", email=email)
        change_password(session, user.id, password, None)
    typer.echo(_("password of {email} changed; their sessions have ended").format(email=user.email))


def _safe_url(url: str) -> str:
    """The database URL without its password, for printing."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


app.add_typer(token_app, name="token")
app.add_typer(import_app)  # `tracker import FILE`, a command of its own


def main() -> None:
    app()


if __name__ == "__main__":
    main()
