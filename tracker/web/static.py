"""The app's own stylesheet and script, served by the app (never from a CDN)."""

from __future__ import annotations

from pathlib import Path

from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent.parent / "static"


def static_files() -> StaticFiles:
    return StaticFiles(directory=STATIC)
