"""Regeneration through the service: runs recorded, versions, snapshots, gates, git, rollback."""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from spec_automation.resources import sample_brief_path
from spec_automation.services import (
    ProjectError,
    ProjectService,
    RunOptions,
    create_project,
    open_project,
)
from spec_automation.services.errors import EditsAtRisk

FAST = RunOptions(latency_scale=0, auto_approve=True)
NEW_REQUIREMENT = (
    "\n### FR-90: Calendar feed\n\n"
    "- Statement: The product shall publish each clinician's shifts as a calendar feed.\n"
    "- Priority: Should\n"
)


@pytest.fixture
def project(tmp_path: Path) -> Iterator[ProjectService]:
    brief = sample_brief_path(None).read_text(encoding="utf-8")
    with create_project(tmp_path / "p", brief_text=brief, git_enabled=True) as service:
        asyncio.run(service.run_workflow(FAST))
        yield service


def add_requirement(project: ProjectService) -> int:
    result = project.save_artifact("prd.md", project.read_artifact("prd.md") + NEW_REQUIREMENT)
    assert result.change is not None
    return result.change.id


def git_log(project: ProjectService) -> list[str]:
    out = subprocess.run(
        ["git", "log", "--format=%s"], cwd=project.paths.root, capture_output=True, text=True
    )
    return out.stdout.splitlines()


def test_a_regeneration_run_is_recorded_with_every_field(project: ProjectService) -> None:
    change_id = add_requirement(project)
    report = asyncio.run(project.regenerate(change_id, "high_impact_only", options=FAST))

    run = project.regeneration_run(report.run_id)
    assert run.trigger_artifact == "prd.md"
    assert run.trigger_change_id == change_id
    assert run.strategy == "high_impact_only"
    assert run.impact_analysis["trigger_level"] == "HIGH"
    assert len(run.impact_analysis["affected"]) == 13  # the code's manifest and report too
    assert set(run.artifacts_to_regenerate) == set(report.artifacts_to_regenerate)
    assert "architecture.md" in run.artifacts_regenerated
    assert run.completed_at is not None
    assert run.completed_at >= run.started_at
    assert run.duration_s >= 0
    assert run.success is True
    assert run.status == "completed"
    assert run.error == ""
    assert run.snapshot_id == report.snapshot_id
    assert run.workflow_run_id is not None
    assert run.git_commit == report.git_commit != ""
    assert project.regeneration_runs().total == 1


def test_versions_carry_the_run_id_and_reason_and_a_system_change(
    project: ProjectService,
) -> None:
    change_id = add_requirement(project)
    report = asyncio.run(project.regenerate(change_id, "regenerate_all", options=FAST))
    latest = project.artifact_versions("architecture.md").items[0]
    assert latest.kind == "regeneration"
    assert latest.regeneration_run_id == report.run_id
    assert latest.reason is not None
    assert f"change #{change_id}" in latest.reason
    assert "FR-90" in project.read_artifact("architecture.md")
    change = project.change_history("architecture.md").items[0]
    assert change.changed_by == "system"
    assert change.new_version_id == latest.id


def test_the_snapshot_before_holds_the_old_versions_and_rollback_restores_them(
    project: ProjectService,
) -> None:
    before = project.read_artifact("epics.md")
    report = asyncio.run(
        project.regenerate(add_requirement(project), "regenerate_all", options=FAST)
    )
    assert project.read_artifact("epics.md") != before
    snapshot = next(s for s in project.snapshots() if s.id == report.snapshot_id)
    assert snapshot.label == f"before regeneration #{report.run_id}"
    assert snapshot.artifacts["epics.md"] == 1

    rollback = project.rollback(report.snapshot_id)
    assert project.read_artifact("epics.md") == before
    restored = {v.artifact: v for v in rollback.restored}
    assert restored["epics.md"].kind == "rollback"
    assert restored["epics.md"].reason == "rollback"
    assert restored["epics.md"].version == 3
    # Nothing was lost: the regenerated version is still in history.
    assert project.artifact_versions("epics.md").total == 3
    assert git_log(project)[0].startswith(f"Roll back to snapshot #{report.snapshot_id}")


def test_gates_whose_artifacts_changed_are_reopened(project: ProjectService) -> None:
    assert {g.gate: g.status for g in project.status().gates}["architecture_approved"] == "approved"
    # Only the gated phase is regenerated, so nothing waits on the decision: it stays open.
    report = asyncio.run(
        project.regenerate(
            add_requirement(project),
            "manual_review",
            ("architecture.md",),
            options=RunOptions(latency_scale=0),
        )
    )
    assert report.gates_reopened == ("architecture_approved",)
    assert {g.gate: g.status for g in project.status().gates}["architecture_approved"] == "pending"
    assert project.decide_gate("architecture_approved", approved=True).status == "approved"


def test_git_commits_the_regenerated_artifacts_as_stored(project: ProjectService) -> None:
    report = asyncio.run(
        project.regenerate(add_requirement(project), "regenerate_all", options=FAST)
    )
    assert git_log(project)[0].startswith("Regenerate after change")
    committed = subprocess.run(
        ["git", "show", "HEAD:artifacts/architecture.md"],
        cwd=project.paths.root,
        capture_output=True,
        text=True,
    ).stdout
    assert committed == project.read_artifact("architecture.md")
    assert report.git_commit


def test_ignore_is_refused_on_high_without_confirmation(project: ProjectService) -> None:
    change_id = add_requirement(project)
    with pytest.raises(ProjectError, match="confirm to ignore"):
        asyncio.run(project.regenerate(change_id, "ignore", options=FAST))
    assert project.regeneration_runs().total == 0
    report = asyncio.run(project.regenerate(change_id, "ignore", confirm=True, options=FAST))
    assert report.status == "ignored"
    assert report.artifacts_regenerated == ()
    assert project.regeneration_run(report.run_id).strategy == "ignore"


def test_manual_review_refuses_unaffected_artifacts_before_writing(
    project: ProjectService,
) -> None:
    change_id = add_requirement(project)
    with pytest.raises(ProjectError, match=r"analysis\.md is not affected"):
        asyncio.run(project.regenerate(change_id, "manual_review", ["analysis.md"], options=FAST))
    assert project.regeneration_runs().total == 0
    report = asyncio.run(project.regenerate(change_id, "manual_review", ["epics.md"], options=FAST))
    assert report.artifacts_regenerated == ("epics.md",)


def test_user_edits_are_marked_and_stay_in_history_when_replaced(
    project: ProjectService,
) -> None:
    mine = project.read_artifact("epics.md") + "\nMy own note.\n"
    project.save_artifact("epics.md", mine)
    change_id = add_requirement(project)
    impact = project.analyze_impact()
    assert impact.change.id == change_id
    assert impact.user_edited == ("epics.md",)
    with pytest.raises(EditsAtRisk, match=r"epics\.md carries your edits"):
        asyncio.run(project.regenerate(change_id, "regenerate_all", options=FAST))
    assert project.regeneration_runs().total == 0  # refused before anything was written
    overwrite = dataclasses.replace(FAST, edits="overwrite")
    report = asyncio.run(project.regenerate(change_id, "regenerate_all", options=overwrite))
    assert report.user_edits_replaced == ("epics.md",)
    contents = [project.version_content(v.id) for v in project.artifact_versions("epics.md").items]
    assert mine in contents


def test_a_failed_phase_is_reported_and_the_rest_goes_on(
    project: ProjectService, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = project._phase_runner(FAST)

    class Failing:
        async def run(self, request, progress):  # type: ignore[no-untyped-def]
            if request.phase.name == "SOLUTIONING_EPICS":
                raise RuntimeError("provider down")
            return await real.run(request, progress)

        async def aclose(self) -> None:
            await real.aclose()

    monkeypatch.setattr(project, "_phase_runner", lambda _options: Failing())
    report = asyncio.run(
        project.regenerate(add_requirement(project), "regenerate_all", options=FAST)
    )
    assert report.status == "partial"
    assert "SOLUTIONING_EPICS" in report.failures
    assert "architecture.md" in report.artifacts_regenerated
    run = project.regeneration_run(report.run_id)
    assert run.success is False
    assert "provider down" in run.error


def test_metrics_count_workflow_runs_only(project: ProjectService) -> None:
    asyncio.run(project.regenerate(add_requirement(project), "regenerate_all", options=FAST))
    assert project.metrics().runs_analysed == 1


def test_impact_without_any_edit_says_what_to_do(project: ProjectService) -> None:
    with pytest.raises(ProjectError, match="no edit has been recorded yet"):
        project.analyze_impact()


def test_a_regeneration_left_running_by_a_dead_process_is_marked_interrupted(
    project: ProjectService,
) -> None:
    change_id = add_requirement(project)
    # What a process killed mid-regeneration leaves behind: the run recorded as running.
    run_id = project.regenerations.begin(
        trigger_artifact="prd.md",
        trigger_change_id=change_id,
        strategy="regenerate_all",
        impact_analysis={},
        artifacts_to_regenerate=["architecture.md"],
        started_at=project.clock.now(),
    )
    assert project.regeneration_run(run_id).status == "running"
    folder = project.paths.root
    project.close()
    with open_project(folder) as reopened:
        run = reopened.regeneration_run(run_id)
        assert run.status == "interrupted"
        assert run.success is False
        assert "stopped before this regeneration finished" in run.error


def test_stale_artifacts_follow_an_edit_and_clear_after_regenerating(
    project: ProjectService,
) -> None:
    assert project.stale_artifacts() == {}
    change_id = add_requirement(project)
    stale = project.stale_artifacts()
    assert set(stale) == set(project.graph.downstream_artifacts("prd.md"))
    assert stale["architecture.md"] == "prd.md changed since it was made"
    asyncio.run(project.regenerate(change_id, "regenerate_all", options=FAST))
    # Regenerated, or confirmed unchanged by the run (early cutoff): nothing is stale.
    assert project.stale_artifacts() == {}
