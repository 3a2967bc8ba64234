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
