"""Migrations: the migrated schema equals the models, and every revision upgrades to head.

These tests read the revision list from the script directory, so they keep covering the
revisions later versions add.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, inspect

from spec_automation.store import open_database
from spec_automation.store.database import SCHEMA_HEAD, alembic_config
from spec_automation.store.models import Base

SCRIPT = ScriptDirectory.from_config(alembic_config())
HEAD = SCRIPT.get_current_head()
REVISIONS = ["base", *reversed([script.revision for script in SCRIPT.walk_revisions()])]


def _schema_differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def _upgrade_to(path: Path, revision: str) -> None:
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            if revision != "base":
                command.upgrade(alembic_config(connection), revision)
    finally:
        engine.dispose()


def test_there_is_a_single_head() -> None:
    assert len(SCRIPT.get_heads()) == 1


def test_migrated_schema_matches_the_models(tmp_path: Path) -> None:
    with open_database(tmp_path / "state.db") as db:
        assert _schema_differences(db.engine) == []


def test_the_schema_comparison_notices_a_missing_table(tmp_path: Path) -> None:
    # Guards the test above: a comparison that found nothing would pass vacuously.
    with open_database(tmp_path / "state.db") as db:
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE approval_gates")
        differences = _schema_differences(db.engine)
    assert [(d[0], d[1].name) for d in differences] == [("add_table", "approval_gates")]  # type: ignore[index]


@pytest.mark.parametrize("revision", REVISIONS)
def test_opening_a_database_at_any_revision_brings_it_to_head(
    tmp_path: Path, revision: str
) -> None:
    path = tmp_path / "state.db"
    _upgrade_to(path, revision)

    with open_database(path) as db:
        assert db.schema_revision() == HEAD
        assert _schema_differences(db.engine) == []
        assert db.integrity_check() == "ok"


def test_downgrade_to_base_removes_every_table(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    open_database(path).close()
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()


def test_the_schema_head_the_store_checks_is_the_newest_migration() -> None:
    # A store at SCHEMA_HEAD opens without loading Alembic: a new migration must move it.
    assert SCRIPT.get_heads() == [SCHEMA_HEAD]


def test_opening_an_up_to_date_store_does_not_load_alembic(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    open_database(path).close()
    code = (
        "import sys; from pathlib import Path; from spec_automation.store import open_database\n"
        f"open_database(Path({str(path)!r})).close()\n"
        "print('alembic' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
