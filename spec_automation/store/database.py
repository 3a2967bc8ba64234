"""Opening the project's SQLite store: engine set-up, migrations, and environment errors.

``open_database`` is the one way in. It configures SQLite for a desktop app that writes from a
worker thread (WAL, foreign keys, a busy timeout), brings the schema up to date with the
bundled Alembic migrations, and refuses a database written by a newer version of the app.
Alembic is loaded only when the schema must be created or migrated: a store already at
``SCHEMA_HEAD`` opens without it (it costs a fifth of a second on every command).
Problems a user can fix (a damaged file, a busy database, a full disk, no permission) become a
``StoreError`` with one clear line; anything else is a bug and propagates unchanged.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from spec_automation.store.errors import SchemaTooNewError, StoreError

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = ["MIGRATIONS_DIR", "SCHEMA_HEAD", "Database", "alembic_config", "open_database"]

#: The Alembic script directory shipped inside the package.
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

#: The newest migration's revision: a store at it needs no migrating (a test checks that it
#: is the head of the bundled migrations).
SCHEMA_HEAD = "0006"

# SQLite primary result codes (the low byte of an extended code) that mean the environment,
# not the program, is at fault.
_SQLITE_PERM = 3
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_AUTH = 23
_SQLITE_NOTADB = 26


class Database:
    """An open project store: the engine, transactional sessions, and housekeeping.

    Safe to share between threads: each ``session()`` takes its own pooled connection.
    """

    def __init__(self, *, path: Path, engine: Engine) -> None:
        self.path = path
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed when the block ends, rolled back on error.

        Environment errors (busy, disk full, ...) raised inside become ``StoreError``.
        """
        with translate_errors(self.path), self._sessions.begin() as session:
            yield session

    def schema_revision(self) -> str | None:
        """The Alembic revision the database is at (``None`` before any migration)."""
        with translate_errors(self.path), self.engine.connect() as connection:
            heads = _current_heads(connection)
        return heads[0] if len(heads) == 1 else None

    def integrity_check(self) -> str:
        """Run SQLite's ``PRAGMA integrity_check``: ``"ok"``, or the problems found, one a line."""
        with translate_errors(self.path), self.engine.connect() as connection:
            rows = connection.exec_driver_sql("PRAGMA integrity_check").scalars().all()
        return "\n".join(str(row) for row in rows)

    def close(self) -> None:
        """Close every pooled connection. The object must not be used afterwards."""
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open_database(path: Path) -> Database:
    """Open (creating if needed) the store at ``path`` and migrate it to the current schema.

    Raises:
        SchemaTooNewError: the database was written by a newer version of the app.
        StoreError: the file is damaged or not a database, busy, read-only, unreachable, or
            the disk is full.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the folder {path.parent}: {exc.strerror}") from None
    engine = _create_engine(path)
    try:
        with translate_errors(path):
            _migrate(engine, path)
    except BaseException:
        engine.dispose()
        raise
    return Database(path=path, engine=engine)


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration for the bundled migrations; no ``alembic.ini`` is needed.

    With ``connection``, ``env.py`` runs the migrations on it (inside its transaction).
    """
    from alembic.config import Config

    config = Config()
    # ConfigParser interpolates '%', which may appear in an install path.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@contextmanager
def translate_errors(path: Path) -> Iterator[None]:
    """Turn SQLite errors the environment causes into ``StoreError``; let the rest through."""
    try:
        yield
    except DBAPIError as exc:
        message = _environment_message(exc.orig, path)
        if message is None:
            raise
        raise StoreError(message) from exc
    except sqlite3.Error as exc:
        message = _environment_message(exc, path)
        if message is None:
            raise
        raise StoreError(message) from exc


def _environment_message(error: BaseException | None, path: Path) -> str | None:
    code = getattr(error, "sqlite_errorcode", None)
    if not isinstance(code, int):
        return None
    primary = code & 0xFF
    if primary in (_SQLITE_NOTADB, _SQLITE_CORRUPT):
        return f"{path} is not a spec_automation database or is damaged"
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return f"{path} is busy: another spec_automation process is writing to it"
    if primary == _SQLITE_FULL:
        return f"cannot write {path}: the disk is full; free some space and try again"
    if primary == _SQLITE_READONLY:
        return f"cannot write {path}: the database is read-only (check the file's permissions)"
    if primary in (_SQLITE_CANTOPEN, _SQLITE_PERM, _SQLITE_AUTH):
        return f"cannot open {path}: permission denied or the folder is not accessible"
    if primary == _SQLITE_IOERR:
        return f"cannot read or write {path}: disk I/O error"
    return None


def _create_engine(path: Path) -> Engine:
    engine = create_engine(
        URL.create("sqlite", database=str(path)),
        # The engine's worker thread and the GUI thread both use pooled connections.
        connect_args={"check_same_thread": False},
    )
    event.listen(engine, "connect", _configure_connection)
    event.listen(engine, "begin", _begin_transaction)
    return engine


def _configure_connection(dbapi_connection: Any, connection_record: Any) -> None:  # noqa: ARG001
    # The sqlite3 module's own transaction handling skips BEGIN before DDL, which would make
    # migrations non-atomic; take control and emit BEGIN ourselves (see _begin_transaction).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        # busy_timeout first, so switching to WAL waits for another writer instead of failing.
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
    finally:
        cursor.close()


def _begin_transaction(connection: Connection) -> None:
    # IMMEDIATE takes the write lock at BEGIN, where busy_timeout applies. A deferred BEGIN
    # that reads and then writes while another connection writes fails at once in WAL mode
    # ("database is locked": its snapshot is stale), however long the busy timeout.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _current_heads(connection: Connection) -> tuple[str, ...]:
    """The revisions recorded in ``alembic_version`` (none for a new or foreign database)."""
    table = connection.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).first()
    if table is None:
        return ()
    rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars()
    return tuple(sorted(str(row) for row in rows))


def _migrate(engine: Engine, path: Path) -> None:
    with engine.connect() as connection:
        if _current_heads(connection) == (SCHEMA_HEAD,):
            connection.rollback()
            return  # up to date: no Alembic needed
        connection.rollback()
        _upgrade(connection, path)


def _upgrade(connection: Connection, path: Path) -> None:
    from alembic import command
    from alembic.script import ScriptDirectory

    config = alembic_config()
    script = ScriptDirectory.from_config(config)
    # Batch migrations rebuild SQLite tables by dropping them; with foreign keys enforced
    # that would cascade into child tables. The pragma is ignored inside a transaction,
    # so it is set on the raw connection before the migration's BEGIN.
    raw = connection.connection.driver_connection
    assert raw is not None  # a live pooled connection always has one
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        with connection.begin():
            current = _current_heads(connection)
            known = {revision.revision for revision in script.walk_revisions()}
            for revision in current:
                if revision not in known:
                    raise SchemaTooNewError(str(path), revision)
            if set(current) != set(script.get_heads()):
                config.attributes["connection"] = connection
                command.upgrade(config, "heads")
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
    finally:
        raw.execute("PRAGMA foreign_keys=ON")
