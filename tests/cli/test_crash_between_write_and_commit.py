"""A run killed after it renamed an artifact into place but before the store's COMMIT leaves a
file the store does not know. Opening the project recognises it by the hash the run recorded
before the rename and puts the stored text back: it is never taken for the user's edit, and
resuming writes it again."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.cli.conftest import Result

Cli = Callable[..., Result]

#: Runs the CLI with a fault injected: the process dies (as with kill -9) right after the
#: files of the phase writing ``$DIE_AFTER`` are in place, before the store commits them.
DIE_AFTER_WRITING = """
import os, sys
from spec_automation.workspace import ProjectPaths
from spec_automation.cli import main

real = ProjectPaths.write_artifacts

def write_then_die(self, drafts):
    real(self, drafts)
    if any(d.name == os.environ["DIE_AFTER"] for d in drafts):
        os._exit(137)

ProjectPaths.write_artifacts = write_then_die
sys.exit(main(sys.argv[1:]))
"""


def run_and_die(artifact: str, *args: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", DIE_AFTER_WRITING, *args],
        capture_output=True,
        text=True,
        env=dict(os.environ, DIE_AFTER=artifact),
    )
    return done.returncode


def kinds(cli: Cli, project: Path, artifact: str) -> list[str]:
    history = cli("history", artifact, "-p", project, "--versions", "--json").json()
    assert isinstance(history, dict)
    return [v["kind"] for v in history["items"]]


def test_a_first_write_never_committed_is_removed_and_rewritten_on_resume(
    cli: Cli, sample_project: Path
) -> None:
    code = run_and_die(
        "prd.md", "run", "-p", str(sample_project), "--latency-scale", "0", "--auto-approve"
    )
    assert code == 137
    assert (sample_project / "artifacts" / "prd.md").exists()  # in place, not committed

    status = cli("status", "-p", sample_project, "--json")

    assert status.code == 0, status.err
    assert not (sample_project / "artifacts" / "prd.md").exists()
    assert kinds(cli, sample_project, "prd.md") == []  # no phantom edit
    resumed = cli("run", "-p", sample_project, "--resume", "--latency-scale", "0", "--auto-approve")
    assert resumed.code == 0, resumed.err
    assert kinds(cli, sample_project, "prd.md") == ["generated"]


def test_a_rewrite_never_committed_is_put_back_and_no_edit_is_invented(
    cli: Cli, sample_project: Path
) -> None:
    assert cli("run", "-p", sample_project, "--latency-scale", "0", "--auto-approve").code == 0
    architecture = sample_project / "artifacts" / "architecture.md"
    stored = architecture.read_text(encoding="utf-8")
    # A rejection's note makes SPEC_ARCHITECT write a new architecture; the process dies
    # after the rename, before the store's COMMIT.
    note = "Add a PDF export service"
    assert cli("reject", "architecture_approved", "-p", sample_project, "--note", note).code == 0
    code = run_and_die(
        "architecture.md", "run", "-p", str(sample_project), "--latency-scale", "0",
        "--auto-approve",
    )  # fmt: skip
    assert code == 137
    assert note in architecture.read_text(encoding="utf-8")  # in place, uncommitted

    status = cli("status", "-p", sample_project)

    assert status.code == 0, status.err
    assert architecture.read_text(encoding="utf-8") == stored
    assert kinds(cli, sample_project, "architecture.md") == ["generated"]  # no phantom edit
    resumed = cli("run", "-p", sample_project, "--resume", "--latency-scale", "0", "--auto-approve")
    assert resumed.code == 0, resumed.err
    assert note in architecture.read_text(encoding="utf-8")
    assert kinds(cli, sample_project, "architecture.md") == ["generated", "generated"]
