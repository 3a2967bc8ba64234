"""Nothing outside the project is read, written or truncated through a link; a file the app
cannot read as text (another encoding, a binary, a pipe) is never overwritten; the store and
the logs are private. Each bad case ends in one sentence and exit 2, and the project works
again once the file is put right."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from spec_automation.settings import LOG_ROTATE_BYTES, log_dir, prepare_private_log
from tests.cli.conftest import Result

FAST = ("--latency-scale", "0", "--auto-approve")

Cli = Callable[..., Result]


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the project, holding a private file the app must never touch."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.md").write_text("# Secret\n\nnot part of any project\n", encoding="utf-8")
    return folder


def refused(result: Result, *words: str) -> None:
    """Exit 2 with one `error:` sentence naming the problem, and no traceback."""
    assert result.code == 2, (result.code, result.out, result.err)
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result.err
    assert lines[0].startswith("error: "), result.err
    for word in words:
        assert word in result.err, (word, result.err)
    assert "Traceback" not in result.err + result.out


def store_texts(cli: Cli, project: Path, artifact: str) -> list[str]:
    """Every stored version of an artifact, as text."""
    import sqlite3

    db = sqlite3.connect(project / ".spec_automation" / "state.db")
    try:
        rows = db.execute(
            "select content from artifact_versions where artifact = ?", (artifact,)
        ).fetchall()
    finally:
        db.close()
    return [row[0] for row in rows]


def test_a_prd_saved_in_another_encoding_is_never_overwritten(cli: Cli, generated: Path) -> None:
    prd = generated / "artifacts" / "prd.md"
    edited = prd.read_text(encoding="utf-8") + "\n### FR-12: Café rota for the night shift\n"
    prd.write_bytes(edited.encode("cp1252"))
    saved = prd.read_bytes()

    assert "prd.md" in cli("scan", "-p", generated).out  # reported as left alone
    result = cli("run", "-p", generated, *FAST, "--overwrite-edits", "--all")

    refused(result, "prd.md is not UTF-8 text", "nothing was written")
    assert prd.read_bytes() == saved  # the user's bytes are all still there
    status = cli("status", "-p", generated, "--json")
    assert status.code == 0, status.err  # status copes with a file it cannot read
    # Put right (saved as UTF-8), the edit is recorded and the run goes on from it.
    prd.write_text(edited, encoding="utf-8")
    assert cli("run", "-p", generated, *FAST, "--keep-edits").code == 0
    assert "Café rota" in prd.read_text(encoding="utf-8")


def test_a_binary_artifact_is_never_overwritten_and_status_still_works(
    cli: Cli, generated: Path
) -> None:
    prd = generated / "artifacts" / "prd.md"
    prd.write_text(prd.read_text(encoding="utf-8") + "\n### FR-12: Swap shifts\n", "utf-8")
    assert cli("scan", "-p", generated).code == 0  # a change to regenerate from
    tasks = generated / "artifacts" / "tasks.md"
    tasks.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")

    status = cli("status", "-p", generated)
    regenerate = cli("regenerate", "-p", generated, "--strategy", "regenerate_all", *FAST)
    run = cli("run", "-p", generated, *FAST, "--all", "--keep-edits")

    assert status.code == 0, status.err
    refused(regenerate, "the regeneration would replace", "tasks.md is not UTF-8 text")
    refused(run, "tasks.md is not UTF-8 text")
    assert tasks.read_bytes() == b"\x89PNG\r\n\x1a\n\x00\x00binary"


def test_a_run_lock_that_is_a_link_is_refused_and_its_target_kept(
    cli: Cli, generated: Path, outside: Path
) -> None:
    lock = generated / ".spec_automation" / "run.lock"
    lock.unlink(missing_ok=True)
    lock.symlink_to(outside / "secret.md")

    refused(cli("run", "-p", generated, *FAST, "--all"), "run.lock is a link")

    assert (outside / "secret.md").read_text(encoding="utf-8").startswith("# Secret")
    lock.unlink()
    assert cli("run", "-p", generated, *FAST, "--all").code == 0


def test_an_artifact_linked_to_an_outside_file_is_never_read_or_written(
    cli: Cli, generated: Path, outside: Path
) -> None:
    prd = generated / "artifacts" / "prd.md"
    prd.unlink()
    prd.symlink_to(outside / "secret.md")

    scan = cli("scan", "-p", generated)
    run = cli("run", "-p", generated, *FAST, "--all", "--overwrite-edits")

    assert scan.code == 0, scan.err
    refused(run, "prd.md is a link")
    assert not any("not part of any project" in t for t in store_texts(cli, generated, "prd.md"))
    assert (outside / "secret.md").read_text(encoding="utf-8").startswith("# Secret")
    assert prd.is_symlink()


@pytest.mark.parametrize("name", ["brief.md", "constitution.md"])
def test_a_brief_or_constitution_linked_outside_is_refused(
    cli: Cli, generated: Path, outside: Path, name: str
) -> None:
    path = generated / name
    path.unlink(missing_ok=True)
    path.symlink_to(outside / "secret.md")

    refused(cli("run", "-p", generated, *FAST, "--all"), f"{name} is a link")

    assert (outside / "secret.md").read_text(encoding="utf-8").startswith("# Secret")
    path.unlink()
    if name == "brief.md":
        path.write_text("# Rota app\n\nA rota for a small clinic.\n", encoding="utf-8")
    assert cli("run", "-p", generated, *FAST, "--all").code == 0


def test_a_linked_artifacts_folder_makes_the_run_write_nothing_outside(
    cli: Cli, sample_project: Path, outside: Path
) -> None:
    artifacts = sample_project / "artifacts"
    artifacts.rmdir()
    artifacts.symlink_to(outside, target_is_directory=True)

    refused(cli("run", "-p", sample_project, *FAST), "artifacts is a link")

    assert sorted(p.name for p in outside.iterdir()) == ["secret.md"]


def test_a_pipe_in_place_of_an_artifact_blocks_nothing(cli: Cli, generated: Path) -> None:
    epics = generated / "artifacts" / "epics.md"
    epics.unlink()
    os.mkfifo(epics)

    scan = cli("scan", "-p", generated)
    status = cli("status", "-p", generated)
    run = cli("run", "-p", generated, *FAST, "--all")

    assert scan.code == 0, scan.err
    assert "epics.md" in scan.out
    assert status.code == 0, status.err
    refused(run, "epics.md is not a regular file")
    assert stat.S_ISFIFO(epics.lstat().st_mode)


def test_a_link_to_dev_zero_is_refused_not_read(cli: Cli, generated: Path) -> None:
    epics = generated / "artifacts" / "epics.md"
    epics.unlink()
    epics.symlink_to("/dev/zero")

    refused(cli("run", "-p", generated, *FAST, "--all"), "epics.md is a link")


def test_the_store_and_the_logs_are_private(cli: Cli, sample_project: Path) -> None:
    mode = stat.S_IMODE((sample_project / ".spec_automation" / "state.db").stat().st_mode)
    assert mode == 0o600
    from spec_automation.cli import _log_unexpected

    log = _log_unexpected(RuntimeError("a bug"))
    assert log == log_dir() / "cli.log"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_a_log_is_rotated_once_it_is_large(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "cli.log"
    log.parent.mkdir()
    log.write_bytes(b"x" * (LOG_ROTATE_BYTES + 1))

    prepare_private_log(log)

    assert log.stat().st_size == 0
    assert (tmp_path / "logs" / "cli.log.1").stat().st_size == LOG_ROTATE_BYTES + 1
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_a_brief_too_long_to_be_one_is_refused_before_anything_is_written(
    cli: Cli, tmp_path: Path
) -> None:
    brief = tmp_path / "huge.md"
    line = "- Feature: plan the clinic's rota with the staff it has\n"
    brief.write_text("# Rota\n\n## Features\n" + line * (5 * 1024 * 1024 // len(line)))
    folder = tmp_path / "huge-project"

    refused(cli("init", folder, "--brief", brief), f"{brief} is larger than 4 MiB")

    assert not (folder / ".spec_automation").exists()


def test_a_brief_that_grew_too_long_stops_the_run_before_it_writes(
    cli: Cli, generated: Path
) -> None:
    before = {p.name: p.read_bytes() for p in (generated / "artifacts").iterdir()}
    line = "- Another feature someone pasted in\n"
    with (generated / "brief.md").open("a", encoding="utf-8") as handle:
        handle.write(line * (5 * 1024 * 1024 // len(line)))

    refused(cli("run", "-p", generated, *FAST, "--all"), "brief.md is larger than 4 MiB")

    assert {p.name: p.read_bytes() for p in (generated / "artifacts").iterdir()} == before
