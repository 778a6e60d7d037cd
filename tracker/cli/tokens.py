"""`tracker token`: create, list and revoke the bearer tokens of the JSON API."""

from __future__ import annotations

from typing import Annotated

import typer

from tracker.cli.common import readable_errors

app = typer.Typer(help="API tokens: create (shown once), list, revoke.", no_args_is_help=True)


@app.command("create")
@readable_errors
def create(
    user: Annotated[str, typer.Option("--user", help="Email of the user the token acts for (with their role).")],
    name: Annotated[str, typer.Option(help="What the token is for, e.g. the system that uses it.")] = "",
) -> None:
    """Create a token; it is printed once, alone on the last line, and stored only as a hash."""
    from tracker.accounts.tokens import create_token
    from tracker.db.engine import session_scope, upgrade

    upgrade()
    with session_scope() as session:
        made = create_token(session, user, name)
        token_id = made.token.id
    typer.echo(f"token {token_id} created for {user.strip().lower()}; copy it now, it is not shown again:")
    typer.echo(made.secret)


@app.command("list")
@readable_errors
def list_command(
    user: Annotated[str | None, typer.Option("--user", help="Only this user's tokens.")] = None,
) -> None:
    """List tokens: id, user, name, created, last used, revoked."""
    from tracker.accounts.tokens import list_tokens
    from tracker.db.engine import session_scope, upgrade

    upgrade()
    with session_scope() as session:
        rows = list_tokens(session, user)
    if not rows:
        typer.echo("no tokens")
        return
    typer.echo("id\tuser\tname\tcreated\tlast used\trevoked")
    for row in rows:
        token = row.token
        typer.echo(
            "\t".join(
                [
                    str(token.id),
                    row.email,
                    token.name or "-",
                    _moment(token.created_at),
                    _moment(token.last_used_at),
                    _moment(token.revoked_at),
                ]
            )
        )


@app.command("revoke")
@readable_errors
def revoke(token_id: Annotated[int, typer.Argument(help="The token's id, from `tracker token list`.")]) -> None:
    """Revoke a token; requests carrying it are refused from now on."""
    from tracker.accounts.tokens import revoke_token
    from tracker.db.engine import session_scope, upgrade

    upgrade()
    with session_scope() as session:
        revoke_token(session, token_id)
    typer.echo(f"token {token_id} revoked")


def _moment(value: object) -> str:
    from datetime import datetime

    from tracker.accounts.tokens import as_utc

    if not isinstance(value, datetime):
        return "-"
    return as_utc(value).strftime("%Y-%m-%d %H:%M UTC")
