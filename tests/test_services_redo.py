"""``ProjectService.redo_phase``: regenerating a phase with a reviewer's feedback."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update

from spec_automation.core.ports import RunStatus
from spec_automation.resources import sample_brief_path
from spec_automation.services import ProjectError, RunOptions, create_project
from spec_automation.store.models import WorkflowRun


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SPEC_AUTOMATION_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("SPEC_AUTOMATION_DATA_DIR", str(tmp_path / "data"))
    service = create_project(tmp_path / "p", brief_text=sample_brief_path().read_text("utf-8"))
    yield service
    service.close()


async def test_bad_requests_are_refused_before_anything_runs(project) -> None:
    with pytest.raises(ProjectError, match="no phase named 'NOPE'"):
        await project.redo_phase("NOPE", "x", RunOptions())
    with pytest.raises(ProjectError, match="give the feedback"):
        await project.redo_phase("SPEC_ARCHITECT", "  ", RunOptions())
    with pytest.raises(ProjectError, match="nothing to resume"):
        await project.redo_phase("SPEC_ARCHITECT", "more detail", RunOptions(latency_scale=0))


async def test_a_done_phase_is_redone_with_the_feedback_in_the_same_run(project) -> None:
    options = RunOptions(latency_scale=0, auto_approve=True)
    first = await project.run_workflow(options)
    # Only an unfinished run can be resumed: mark this one partial, as a rejection leaves it.

    with project.db.session() as session:
        session.execute(update(WorkflowRun).values(status="partial"))
    redone = await project.redo_phase("SPEC_PM", "Add a waiting list", options)
    assert redone.run_id == first.run_id
    assert redone.status == RunStatus.COMPLETED
    assert "Add a waiting list" in (project.paths.artifacts / "prd.md").read_text("utf-8")
    assert "Add a waiting list" not in (project.paths.artifacts / "analysis.md").read_text("utf-8")
    assert project.status().artifacts[0].version == 1  # analysis.md was not redone
