"""An `init` stopped half-way (killed, or the disk filled up) leaves a folder that `init` can
finish and every other command can open: never "already a project" to one and "holds no
project" to the rest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from spec_automation.store.database import open_database
from tests.cli.conftest import Result

Cli = Callable[..., Result]


@pytest.fixture(params=["empty file", "migrated store"])
def half_made(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A folder whose store exists but records no project, as a stopped init leaves it."""
    folder = tmp_path / "clinic"
    state = folder / ".spec_automation"
    state.mkdir(parents=True)
    if request.param == "empty file":
        (state / "state.db").write_bytes(b"")
    else:
        open_database(state / "state.db").close()
    return folder


def test_init_finishes_a_stopped_init(cli: Cli, half_made: Path) -> None:
    made = cli("init", half_made, "--sample")

    assert made.code == 0, made.err
    ran = cli("run", "-p", half_made, "--latency-scale", "0", "--auto-approve")
    assert ran.code == 0, ran.err
    assert (half_made / "artifacts" / "handoff.md").is_file()


def test_other_commands_open_a_stopped_init(cli: Cli, half_made: Path) -> None:
    (half_made / "brief.md").write_text("# Clinic rota\n\nA rota for a clinic.\n", "utf-8")

    status = cli("status", "-p", half_made, "--json")

    assert status.code == 0, status.err
    assert status.json()["project"]["name"] == "clinic"  # type: ignore[index]
    again = cli("init", half_made, "--sample")  # opened, it is a project now
    assert again.code == 2
    assert "is already a spec_automation project" in again.err


def test_a_store_lost_under_finished_artifacts_says_so_and_keeps_them_as_yours(
    cli: Cli, tmp_path: Path
) -> None:
    folder = tmp_path / "clinic"
    assert cli("init", folder, "--sample").code == 0
    assert cli("run", "-p", folder, "--latency-scale", "0", "--auto-approve").code == 0
    prd = (folder / "artifacts" / "prd.md").read_text(encoding="utf-8")
    state = folder / ".spec_automation"
    for name in ("state.db", "state.db-wal", "state.db-shm"):
        (state / name).unlink(missing_ok=True)
    (state / "state.db").write_bytes(b"")  # a disk that lost the store's contents

    shown = cli("status", "-p", folder)

    assert shown.code == 0, shown.err
    said = " ".join(shown.err.split())
    assert "note: The store held no record of this project (it was empty or lost)" in said
    assert "the 17 artifact files found were recorded as your versions" in said
    # Nothing is rewritten without asking: the run refuses until told what to do.
    again = cli("run", "-p", folder, "--latency-scale", "0", "--auto-approve")
    assert again.code == 2
    assert "carry your edits" in again.err
    assert (folder / "artifacts" / "prd.md").read_text(encoding="utf-8") == prd
    # The note is said once, when it happened, not on every later command.
    assert "no record" not in cli("status", "-p", folder).err
