"""Alembic environment for the project store.

``open_database`` runs the migrations programmatically and hands its own connection in through
``config.attributes["connection"]``, inside a transaction it commits. Run by hand (``alembic
-x db=path/to/state.db revision --autogenerate``) it opens that database itself.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine
from sqlalchemy.engine import URL

from spec_automation.store.models import Base

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _run_standalone() -> None:
    database = context.get_x_argument(as_dictionary=True).get("db")
    url: URL | str | None = URL.create("sqlite", database=database) if database else None
    url = url or context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("give the database to migrate: alembic -x db=path/to/state.db ...")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


_connection = context.config.attributes.get("connection")
if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported for the project store")
if _connection is not None:
    _run(_connection)
else:
    _run_standalone()
