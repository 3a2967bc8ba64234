"""A sprint change proposal: previewed (nothing written), then applied as user versions of
exactly the artifacts it names, and what they affect regenerated."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from spec_automation import services
from spec_automation.core.artifacts import content_hash
from spec_automation.resources import sample_brief_path
from spec_automation.services import ProjectError, ProjectService, RunOptions

SAMPLES = Path(__file__).resolve().parent.parent / "resources/samples/clinic-scheduling/documents"
OPTIONS = RunOptions(latency_scale=0.0, auto_approve=True)
NAMED = ("prd.md", "user-flows.md", "data-model.md", "api-spec.md", "epics.md")


@pytest.fixture
async def project(tmp_path: Path) -> Iterator[ProjectService]:
    service = services.create_project(
        tmp_path / "clinic", brief_text=sample_brief_path().read_text(encoding="utf-8")
    )
    await service.run_workflow(OPTIONS)
    service.documents.import_files([SAMPLES / "sprint-change-proposal.md"])
    yield service
    service.close()


def _hashes(project: ProjectService) -> dict[str, str]:
    return {
        name: content_hash(project.paths.artifact(name).read_text(encoding="utf-8"))
        for name in project.spec.artifacts
    }


def _versions(project: ProjectService) -> dict[str, int]:
    return {name: project.artifact_versions(name).total for name in project.spec.artifacts}


async def test_the_preview_maps_each_edit_and_writes_nothing(project: ProjectService) -> None:
    before, versions = _hashes(project), _versions(project)
    preview = project.documents.preview_proposal("sprint-change-proposal.md")
    assert [(e.target, e.lands_in) for e in preview.edits] == [
        ("prd.md", "Functional requirements"),
        ("user-flows.md", "Proposed changes"),  # the flows have no "Request time off" section
        ("data-model.md", "Entities"),
        ("api-spec.md", "Endpoints"),
        ("epics.md", "E-4: Time off"),
    ]
    assert preview.targets == NAMED
    affected = [a.artifact for a in preview.impact.affected]
    assert not set(affected) & set(NAMED)  # edited, not affected
    assert {"architecture.md", "tasks.md", "dependencies.md"} <= set(affected)
    assert preview.impact.change.sections[0].name == "prd.md › Functional requirements"
    assert _hashes(project) == before
    assert _versions(project) == versions


async def test_applying_changes_exactly_the_named_artifacts_and_regenerates_what_follows(
    project: ProjectService,
) -> None:
    before = _hashes(project)
    report = await project.documents.apply_proposal(
        "sprint-change-proposal.md", "regenerate_all", options=OPTIONS
    )
    assert report.status == "completed", report
    assert report.trigger_artifact == "inputs/sprint-change-proposal.md"
    after = _hashes(project)
    changed = {name for name in after if after[name] != before[name]}
    assert set(NAMED) <= changed
    for name in NAMED:  # the user's versions, with the change where the proposal says
        latest = project.artifact_versions(name).items[0]
        assert latest.kind == "user_edit"
        assert "Change from inputs/sprint-change-proposal.md" in project.read_artifact(name)
    assert "Amend FR-8" in project.read_artifact("prd.md").split("## Functional requirements")[1]
    # What the edited artifacts affect was regenerated from them, and nothing else was.
    assert {"architecture.md", "tasks.md"} <= set(report.artifacts_regenerated)
    assert changed - set(NAMED) == set(report.artifacts_regenerated)
    assert not {"analysis.md", "stack.md", "design-tokens.md"} & changed
    tasks = project.read_artifact("tasks.md")
    assert "## Changes to carry out" in tasks
    assert "second_approver_id" in tasks
    assert [a.name for a in project.status().artifacts if a.stale] == []
    committed = subprocess.run(
        ["git", "-C", str(project.paths.root), "show", "--name-only", "--format=", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert {f"artifacts/{name}" for name in NAMED} <= set(committed)
    with pytest.raises(ProjectError, match="applied already"):
        await project.documents.apply_proposal(
            "sprint-change-proposal.md", "regenerate_all", options=OPTIONS
        )


@pytest.mark.parametrize(
    ("strategy", "artifacts", "said"),
    [
        ("manual_review", (), "manual_review"),
        ("ignore", (), "confirm"),
        ("sideways", (), "strategy"),
    ],
)
async def test_a_choice_that_would_be_refused_is_refused_before_any_edit_is_written(
    project: ProjectService, strategy: str, artifacts: tuple[str, ...], said: str
) -> None:
    before, versions = _hashes(project), _versions(project)
    with pytest.raises(ProjectError, match=said):
        await project.documents.apply_proposal(
            "sprint-change-proposal.md", strategy, artifacts, options=OPTIONS
        )
    assert _hashes(project) == before
    assert _versions(project) == versions


async def test_ignore_confirmed_writes_the_edits_and_regenerates_nothing(
    project: ProjectService,
) -> None:
    report = await project.documents.apply_proposal(
        "sprint-change-proposal.md", "ignore", confirm=True, options=OPTIONS
    )
    assert report.status == "ignored"
    assert report.artifacts_regenerated == ()
    assert "Amend FR-8" in project.read_artifact("prd.md")


async def test_edits_naming_no_artifact_of_the_project_are_said_and_left_out(
    project: ProjectService, tmp_path: Path
) -> None:
    proposal = tmp_path / "small-change.md"
    proposal.write_text(
        "# Sprint change proposal: rename the rota\n\n## Issue\n\nStaff call it the roster.\n\n"
        "## Analysis\n\nA wording change only.\n\n## Proposed edits\n\n"
        "- prd.md › Overview: call the rota a roster everywhere.\n"
        "- marketing-plan.md › Launch: announce the new name.\n\n"
        "## Impact\n\nCosmetic.\n",
        encoding="utf-8",
    )
    project.documents.import_files([proposal])
    preview = project.documents.preview_proposal("small-change.md")
    assert [(e.target, e.applies) for e in preview.edits] == [
        ("prd.md", True),
        ("marketing-plan.md", False),
    ]
    assert "no artifact marketing-plan.md" in preview.edits[1].reason
    assert preview.targets == ("prd.md",)
    project.documents.import_files([SAMPLES / "technical-spec.md"])
    with pytest.raises(ProjectError, match="not a sprint change proposal"):
        project.documents.preview_proposal("technical-spec.md")
