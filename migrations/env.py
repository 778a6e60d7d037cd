"""Alembic environment: the schema of tracker comes only from these migrations."""

import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy import engine_from_config, pool
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

import tracker.db.models  # noqa: F401  registers every table

config = context.config
if config.config_file_name is not None and os.path.isfile(config.config_file_name):
    fileConfig(config.config_file_name)  # only from an ini file; never at app start
target_metadata = SQLModel.metadata


def get_url() -> str:
    return (
        config.attributes.get("url")
        or os.environ.get("TRACKER_DATABASE_URL")
        or config.get_main_option("sqlalchemy.url")
        or "sqlite:///./tracker.db"
    )


def render_item(type_, obj, autogen_context):
    """Write SQLModel's AutoString as plain sa.String, so migrations never import sqlmodel."""
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length!r})" if obj.length else "sa.String()"
    return False


def _configure(**kw) -> None:
    url = kw.pop("url", None)
    conn = kw.get("connection")
    is_sqlite = (url or "").startswith("sqlite") or (conn is not None and conn.dialect.name == "sqlite")
    context.configure(
        target_metadata=target_metadata,
        render_item=render_item,
        render_as_batch=is_sqlite,
        compare_type=True,
        url=url,
        **kw,
    )


def run_migrations_offline() -> None:
    _configure(url=get_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config({"sqlalchemy.url": get_url()}, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with engine.connect() as connection:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
