"""Runs in real processes: killed mid-run, interrupted with Ctrl-C, approved from elsewhere."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from spec_automation.core.artifacts import content_hash, split_front_matter
from spec_automation.store.database import Database, open_database
from spec_automation.store.models import ArtifactVersion, PhaseRun
from tests.cli.conftest import Result, spawn
from tests.helpers.specs import SPEC_ONLY

pytestmark = pytest.mark.slow

Cli = Callable[..., Result]


#: Phases of the bundled spec.
PHASES = len(SPEC_ONLY.phases)  # the sample made with init --no-code


def db_of(project: Path) -> Database:
    return open_database(project / ".spec_automation" / "state.db")


def phase_rows(project: Path) -> list[tuple[str, str, int]]:
    db = db_of(project)
    try:
        with db.session() as session:
            rows = session.execute(select(PhaseRun.phase, PhaseRun.status, PhaseRun.run_id)).all()
        return [(p, s, r) for p, s, r in rows]
    finally:
        db.close()


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


def kill_when(proc: subprocess.Popen[str], condition: Callable[[], bool]) -> None:
    """SIGKILL ``proc`` as soon as ``condition`` holds (as a crash would), and reap it."""
    try:
        wait_for(condition)
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def succeeded(project: Path) -> set[str]:
    return {p for p, s, _ in phase_rows(project) if s == "succeeded"}


def test_a_run_killed_with_sigkill_resumes_without_rerunning_completed_phases(
    sample_project: Path, cli: Cli
) -> None:
    proc = spawn("run", "-p", str(sample_project), "--latency-scale", "0.02", "--auto-approve")
    kill_when(proc, lambda: len(succeeded(sample_project)) >= 4)
    done_before = succeeded(sample_project)
    assert 4 <= len(done_before) < 11, "killed mid-run"

    status = cli("status", "-p", sample_project, "--json").json()
    assert isinstance(status, dict)
    assert status["resumable_run_id"] == 1
    assert status["last_run_status"] == "interrupted", "a dead run is not shown as running"
    assert status["resumable_provider"] == "offline"
    hint = cli("status", "-p", sample_project).out
    assert "Run #1 did not finish (offline): spec-automation run --resume -p" in hint

    result = cli("run", "-p", sample_project, "--resume", "--latency-scale", "0", "--auto-approve")
    assert result.code == 0, result.out + result.err
    assert "resumed" in result.out

    rows = phase_rows(sample_project)
    assert {r for _, _, r in rows} == {1}, "the same run was resumed"
    for phase in done_before:
        runs = [s for p, s, _ in rows if p == phase]
        assert runs == ["succeeded"], f"{phase} ran again: {runs}"
    assert len(succeeded(sample_project)) == PHASES

    db = db_of(sample_project)
    try:
        assert db.integrity_check() == "ok"
        with db.session() as session:
            versions = session.execute(
                select(
                    ArtifactVersion.artifact, ArtifactVersion.version, ArtifactVersion.content_hash
                )
            ).all()
    finally:
        db.close()
    latest = {
        a: (v, h)
        for a, v, h in sorted(versions, key=lambda row: row[1])
        if a != "brief.md"  # the store versions the brief too; it is not an artifact
    }
    assert len(latest) == 15
    for artifact, (version, digest) in latest.items():
        text = (sample_project / "artifacts" / artifact).read_text(encoding="utf-8")
        assert content_hash(text) == digest, f"{artifact} on disk differs from the store"
        meta, body = split_front_matter(text)
        assert meta is not None
        assert meta["version"] == version
        assert body.startswith("# ")
    leftovers = [p.name for p in (sample_project / "artifacts").iterdir() if p.name.startswith(".")]
    assert leftovers == [], "no temporary files left behind"
    # Every artifact is committed as the store holds it, the waves before the kill included.
    uncommitted = subprocess.run(
        ["git", "status", "--porcelain", "--", "artifacts"],
        cwd=sample_project, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert uncommitted == ""


def test_opening_a_project_removes_what_an_interrupted_write_left(
    sample_project: Path, cli: Cli
) -> None:
    assert cli("run", "-p", sample_project, "--latency-scale", "0", "--auto-approve").code == 0
    artifacts = sample_project / "artifacts"
    torn = artifacts / ".prd.md.k3j4h5.tmp"  # as write_atomic names them
    torn.write_text("half a PRD", encoding="utf-8")
    mine = artifacts / ".my-notes.tmp"  # not one of the app's: left alone
    mine.write_text("mine", encoding="utf-8")

    assert cli("status", "-p", sample_project).code == 0

    assert not torn.exists()
    assert mine.read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("stop", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_ctrl_c_or_a_stop_signal_cancels_cleanly_and_the_run_can_be_resumed(
    sample_project: Path, cli: Cli, stop: str
) -> None:
    proc = spawn("run", "-p", str(sample_project), "--latency-scale", "0.03", "--auto-approve")
    try:
        wait_for(lambda: len(succeeded(sample_project)) >= 2)
    except AssertionError:
        proc.kill()
        proc.communicate()
        raise
    proc.send_signal(getattr(signal, stop))
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130, out + err
    assert "Resume with: spec-automation run --resume" in err
    assert "Traceback" not in err
    statuses = {s for _, s, _ in phase_rows(sample_project)}
    assert "running" not in statuses
    assert "cancelled" in statuses
    status = cli("status", "-p", sample_project, "--json").json()
    assert isinstance(status, dict)
    assert status["last_run_status"] == "cancelled"
    assert all(a["matches_store"] for a in status["artifacts"])
    resumed = cli(
        "run",
        "-p",
        sample_project,
        "--resume",
        "--sequential",
        "--latency-scale",
        "0",
        "--auto-approve",
    )
    assert resumed.code == 0, resumed.out + resumed.err
    assert "(sequential, resumed)" in resumed.out
    assert len(succeeded(sample_project)) == PHASES


def test_the_gate_holds_only_its_dependents_until_approved_from_another_process(
    sample_project: Path, cli: Cli
) -> None:
    proc = spawn("run", "-p", str(sample_project), "--latency-scale", "0.01")
    try:
        wait_for(
            lambda: (
                "SPEC_ARCHITECT" in succeeded(sample_project)
                and "SPEC_DESIGN_COMPONENTS" in succeeded(sample_project)
            )
        )
        time.sleep(0.5)
        started = {p for p, _, _ in phase_rows(sample_project)}
        assert "DEPENDENCIES" not in started
        assert "SOLUTIONING_EPICS" not in started
        status = cli("status", "-p", sample_project, "--json").json()
        assert status["gates"][0]["status"] == "pending"  # type: ignore[index]
        approved = cli(
            "approve", "architecture_approved", "-p", sample_project, "--note", "looks right"
        )
        assert approved.code == 0
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, out + err
    assert "spec-automation approve architecture_approved" in out
    assert "gate architecture_approved approved by cli" in out
    assert len(succeeded(sample_project)) == PHASES


def test_a_second_run_on_the_same_project_is_refused(sample_project: Path, cli: Cli) -> None:
    proc = spawn("run", "-p", str(sample_project), "--latency-scale", "0.02", "--auto-approve")
    try:
        wait_for(lambda: len(phase_rows(sample_project)) >= 1)
        second = cli("run", "-p", sample_project, "--latency-scale", "0")
        assert second.code == 2
        assert "another run is in progress on this project" in second.err
    finally:
        proc.kill()
        proc.communicate()


def test_a_killed_regeneration_is_shown_interrupted_not_running(
    sample_project: Path, cli: Cli
) -> None:
    assert cli("run", "-p", sample_project, "--latency-scale", "0", "--auto-approve").code == 0
    prd = sample_project / "artifacts" / "prd.md"
    prd.write_text(prd.read_text(encoding="utf-8") + "\n### FR-12: Swap shifts\n", "utf-8")
    assert cli("scan", "-p", sample_project).code == 0
    proc = spawn(
        "regenerate", "-p", str(sample_project), "--strategy", "regenerate_all",
        "--latency-scale", "0.03", "--auto-approve", "--keep-edits",
    )  # fmt: skip
    kill_when(proc, lambda: len([r for _, s, r in phase_rows(sample_project) if r == 2]) >= 2)

    status = cli("status", "-p", sample_project, "--json").json()
    runs = cli("runs", "-p", sample_project, "--json").json()

    assert isinstance(status, dict)
    assert (status["last_run_id"], status["last_run_status"]) == (2, "interrupted")
    assert isinstance(runs, dict)
    assert [r["status"] for r in runs["items"]] == ["interrupted"]
    # The project goes on: the regeneration can be made again.
    again = cli(
        "regenerate", "-p", sample_project, "--strategy", "regenerate_all",
        "--latency-scale", "0", "--auto-approve", "--keep-edits",
    )  # fmt: skip
    assert again.code == 0, again.err
