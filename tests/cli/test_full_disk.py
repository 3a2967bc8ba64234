"""A full disk is a sentence and a resumable run, never an internal error: the store stays
intact (SQLite's own errors are translated in the store) and `run --resume` finishes once
there is room again."""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path

import pytest

import spec_automation.workspace as workspace
from tests.cli.conftest import Result

Cli = Callable[..., Result]
FAST = ("--latency-scale", "0", "--auto-approve")


def fill_the_disk_after(monkeypatch: pytest.MonkeyPatch, writes: int) -> None:
    """Every atomic write after the first ``writes`` fails as on a full disk."""
    real = workspace.write_atomic
    done = [0]

    def write(path: Path, text: str) -> None:
        done[0] += 1
        if done[0] > writes:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real(path, text)

    monkeypatch.setattr(workspace, "write_atomic", write)


def test_a_full_disk_before_the_run_is_a_sentence(
    cli: Cli, sample_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill_the_disk_after(monkeypatch, 0)

    result = cli("run", "-p", sample_project, *FAST)

    assert result.code == 2, result.err
    assert result.err.startswith("error: cannot start: No space left on device")
    assert "free some space" in result.err
    assert "Traceback" not in result.err + result.out
    monkeypatch.undo()
    assert cli("run", "-p", sample_project, *FAST).code == 0


def test_a_disk_filling_up_during_a_run_leaves_it_resumable(
    cli: Cli, sample_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fill_the_disk_after(monkeypatch, 4)  # the lock owner file, then the first artifacts

    result = cli("run", "-p", sample_project, *FAST)

    assert result.code == 1, result.err
    assert "No space left on device" in result.out
    assert "Finish it with: spec-automation run --resume" in result.out
    assert "Traceback" not in result.err + result.out
    monkeypatch.undo()
    resumed = cli("run", "-p", sample_project, "--resume", *FAST)
    assert resumed.code == 0, resumed.err
    assert len(list((sample_project / "artifacts").glob("*.md"))) == 15
