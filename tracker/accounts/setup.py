"""The first-run setup code: proof that whoever claims the first admin on /setup started the server."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlmodel import Session

from tracker.core.errors import Invalid
from tracker.db.models import AppSettings

# No 0/O or 1/I/L: the code is read off a terminal and typed into a form.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 10  # 31^10 ≈ 8·10^14 codes: guessing one through the form is hopeless


def new_setup_code(session: Session) -> str:
    """A new random code, replacing any earlier one; only its hash is kept."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    row = session.get(AppSettings, 1) or AppSettings(id=1)
    row.setup_code_hash = _digest(code)
    session.add(row)
    session.flush()
    return f"{code[:5]}-{code[5:]}"


def check_setup_code(session: Session, typed: str) -> None:
    """Refuse a missing or wrong code (spaces, dashes and case do not matter)."""
    row = session.get(AppSettings, 1)
    stored = row.setup_code_hash if row is not None else None
    given = "".join(ch for ch in (typed or "").upper() if ch.isalnum())
    if stored is None:
        raise Invalid("setup_code", "no setup code has been made: run `tracker setup-code` and type the code it prints")
    if not given or not hmac.compare_digest(_digest(given), stored):
        raise Invalid(
            "setup_code", "the setup code is wrong: type the code `tracker serve` or `tracker setup-code` printed"
        )


def forget_setup_code(session: Session) -> None:
    row = session.get(AppSettings, 1)
    if row is not None and row.setup_code_hash is not None:
        row.setup_code_hash = None
        session.add(row)


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()
