"""Service calls for reading, saving and scanning artifacts, and their history."""

from __future__ import annotations

import asyncio
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


@pytest.fixture
def project(tmp_path: Path) -> Iterator[ProjectService]:
    brief = sample_brief_path(None).read_text(encoding="utf-8")
    with create_project(tmp_path / "p", brief_text=brief) as service:
        asyncio.run(service.run_workflow(RunOptions(latency_scale=0, auto_approve=True)))
        yield service


def test_read_artifact_gives_the_file_text(project: ProjectService) -> None:
    text = project.read_artifact("prd.md")
    assert text == project.paths.artifact("prd.md").read_text(encoding="utf-8")
    assert "# Product requirements" in text


@pytest.mark.parametrize("name", ["nope.md", "../brief.md"])
def test_unknown_artifacts_are_refused_and_nothing_is_written(
    project: ProjectService, name: str
) -> None:
    target = project.paths.artifacts / name
    before = target.read_text(encoding="utf-8") if target.exists() else None
    with pytest.raises(ProjectError, match="no artifact named"):
        project.read_artifact(name)
    with pytest.raises(ProjectError, match="no artifact named"):
        project.save_artifact(name, "# hi\n")
    after = target.read_text(encoding="utf-8") if target.exists() else None
    assert after == before


def test_saving_stores_a_user_version_and_the_change(project: ProjectService) -> None:
    text = project.read_artifact("prd.md") + "\n### FR-99: Calendar export\n\n- Statement: x\n"
    result = project.save_artifact("prd.md", text)
    assert result.version.version == 2
    assert (result.version.kind, result.version.changed_by) == ("user_edit", "user")
    assert result.change is not None
    assert result.change.impact_level == "HIGH"
    assert [(s.name, s.kind) for s in result.change.sections] == [
        ("FR-99: Calendar export", "added")
    ]
    assert project.paths.artifact("prd.md").read_text(encoding="utf-8") == text
    assert project.version_content(result.version.id) == text


def test_saving_unchanged_text_stores_nothing(project: ProjectService) -> None:
    result = project.save_artifact("prd.md", project.read_artifact("prd.md"))
    assert result.change is None
    assert project.artifact_versions("prd.md").total == 1


def test_an_unrecorded_disk_edit_is_kept_when_the_app_saves_over_it(
    project: ProjectService,
) -> None:
    path = project.paths.artifact("epics.md")
    original = path.read_text(encoding="utf-8")
    path.write_text(original + "\nEdited in another editor.\n", encoding="utf-8")
    project.save_artifact("epics.md", original + "\nEdited in the app.\n")
    page = project.artifact_versions("epics.md")
    assert page.total == 3
    contents = [project.version_content(v.id) for v in page.items]
    assert any("another editor" in c for c in contents)


def test_scan_records_files_edited_on_disk_and_reports_missing_ones(
    project: ProjectService,
) -> None:
    prd = project.paths.artifact("prd.md")
    prd.write_text(prd.read_text(encoding="utf-8").replace("Must", "Should", 1), encoding="utf-8")
    project.paths.artifact("handoff.md").unlink()
    report = project.scan()
    assert [c.artifact for c in report.changes] == ["prd.md"]
    assert report.changes[0].changed_by == "user"
    assert report.missing == ("handoff.md",)
    assert project.scan().changes == ()  # recorded once
    history = project.change_history("prd.md")
    assert history.total == 1
    assert history.items[0].id == report.changes[0].id


def test_opening_a_project_scans_it(project: ProjectService) -> None:
    tasks = project.paths.artifact("tasks.md")
    tasks.write_text(tasks.read_text(encoding="utf-8") + "\n- one more\n", encoding="utf-8")
    with open_project(project.paths.root) as reopened:
        assert reopened.last_scan is not None
        assert [c.artifact for c in reopened.last_scan.changes] == ["tasks.md"]


def test_pages_must_be_sensible(project: ProjectService) -> None:
    with pytest.raises(ProjectError, match="limit"):
        project.artifact_versions("prd.md", limit=0)
    with pytest.raises(ProjectError, match="offset"):
        project.change_history("prd.md", offset=-1)
    with pytest.raises(ProjectError, match="no artifact version 999"):
        project.version_content(999)
