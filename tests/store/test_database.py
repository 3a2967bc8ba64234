"""Opening the store: SQLite settings, environment errors, and refusing newer schemas."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import IntegrityError

from spec_automation.store import Database, SchemaTooNewError, StoreError, open_database


def test_open_creates_the_folder_and_a_healthy_database(db_path: Path) -> None:
    assert not db_path.parent.exists()
    with open_database(db_path) as db:
        assert db_path.is_file()
        assert db.integrity_check() == "ok"
        assert db.schema_revision() is not None


def test_connections_use_wal_foreign_keys_and_a_busy_timeout(db: Database) -> None:
    with db.engine.connect() as connection:

        def pragma(name: str) -> object:
            return connection.exec_driver_sql(f"PRAGMA {name}").scalar()

        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == 5000
        assert pragma("synchronous") == 1  # NORMAL


def test_a_row_pointing_at_a_missing_project_is_refused(db: Database) -> None:
    with pytest.raises(IntegrityError), db.session() as session:
        session.execute(
            text(
                "INSERT INTO snapshots (project_id, label, created_at) "
                "VALUES (999, 'orphan', '2026-01-01 00:00:00')"
            )
        )


def test_the_database_can_be_used_from_a_worker_thread(db: Database) -> None:
    results: list[Any] = []

    def work() -> None:
        with db.session() as session:
            results.append(session.execute(text("SELECT 41 + 1")).scalar())

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert results == [42]


def test_reopening_keeps_data(db_path: Path) -> None:
    with open_database(db_path) as db, db.session() as session:
        session.execute(
            text(
                "INSERT INTO projects (name, root_path, created_at, spec_name) "
                "VALUES ('kept', '/p', '2026-01-01 00:00:00', 'default')"
            )
        )
    with open_database(db_path) as db, db.session() as session:
        assert session.execute(text("SELECT name FROM projects")).scalars().all() == ["kept"]


def test_a_file_that_is_not_a_database_is_reported_clearly(db_path: Path) -> None:
    db_path.parent.mkdir(parents=True)
    db_path.write_bytes(b"this is not SQLite, just some garbage bytes\x00\xff" * 100)
    with pytest.raises(StoreError, match="is not a spec_automation database or is damaged"):
        open_database(db_path)


def test_a_database_from_a_newer_app_is_refused_and_left_untouched(db_path: Path) -> None:
    open_database(db_path).close()
    raw = sqlite3.connect(db_path)
    with raw:
        raw.execute("UPDATE alembic_version SET version_num = 'abc123'")
    raw.close()

    with pytest.raises(SchemaTooNewError) as caught:
        open_database(db_path)

    message = str(caught.value)
    assert "newer version of spec_automation (schema abc123)" in message
    assert "update the app" in message
    assert "\n" not in message
    raw = sqlite3.connect(db_path)
    assert raw.execute("SELECT version_num FROM alembic_version").fetchall() == [("abc123",)]
    raw.close()


def test_a_database_busy_in_another_process_is_reported_clearly(db: Database) -> None:
    # Drop pooled connections so new ones pick up a short timeout: the test need not wait 5 s.
    db.engine.dispose()
    event.listen(
        db.engine, "connect", lambda dbapi, _record: dbapi.execute("PRAGMA busy_timeout=50")
    )
    other = sqlite3.connect(db.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the write lock
    try:
        busy = "is busy: another spec_automation process is writing to it"
        with pytest.raises(StoreError, match=busy), db.session() as session:
            session.execute(
                text(
                    "INSERT INTO projects (name, root_path, created_at, spec_name) "
                    "VALUES ('x', '/p', '2026-01-01 00:00:00', 'default')"
                )
            )
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_an_unreachable_folder_is_reported_clearly(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot create the folder"):
        open_database(blocker / ".spec_automation" / "state.db")


def test_a_read_then_write_waits_for_a_concurrent_writer_instead_of_failing(db_path: Path) -> None:
    # The interleaving that broke an auto-approved gate during a run: one connection reads,
    # another commits a write, then the first writes. It must wait, not fail as "locked".
    first, second = open_database(db_path), open_database(db_path)
    errors: list[BaseException] = []

    def reader_then_writer() -> None:
        try:
            with first.session() as session:
                session.execute(text("SELECT count(*) FROM projects")).scalar_one()
                read_done.set()
                threading.Event().wait(0.2)  # the other writer tries to commit meanwhile
                session.execute(
                    text(
                        "INSERT INTO projects (name, root_path, spec_name, created_at) "
                        "VALUES ('a', '/a', 's', '2026-01-01 00:00:00')"
                    )
                )
        except BaseException as exc:  # recorded for the assertion below
            errors.append(exc)

    read_done = threading.Event()
    worker = threading.Thread(target=reader_then_writer)
    worker.start()
    read_done.wait(5)
    with second.session() as session:
        session.execute(
            text(
                "INSERT INTO projects (name, root_path, spec_name, created_at) "
                "VALUES ('b', '/b', 's', '2026-01-01 00:00:00')"
            )
        )
    worker.join(10)
    try:
        assert errors == []
        with second.session() as session:
            names = session.execute(text("SELECT name FROM projects ORDER BY name")).scalars().all()
        assert names == ["a", "b"]
    finally:
        first.close()
        second.close()
