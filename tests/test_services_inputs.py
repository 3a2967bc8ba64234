"""The brief, the constitution and imported documents are tracked like artifacts: edits are
detected and versioned, shown in history, analysed for impact, and regenerate from."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from spec_automation import services
from spec_automation.resources import sample_brief_path
from spec_automation.services import ProjectError, ProjectService, RunOptions

SAMPLES = Path(__file__).resolve().parent.parent / "resources/samples/clinic-scheduling/documents"
OPTIONS = RunOptions(latency_scale=0.0, auto_approve=True)


@pytest.fixture
async def generated(tmp_path: Path) -> Iterator[ProjectService]:
    project = services.create_project(
        tmp_path / "clinic", brief_text=sample_brief_path().read_text(encoding="utf-8")
    )
    report = await project.run_workflow(OPTIONS)
    assert report.status.value == "completed"
    yield project
    project.close()


def _states(project: ProjectService) -> dict[str, str]:
    return {a.name: a.reason for a in project.status().artifacts if a.stale}


async def test_a_brief_edit_is_a_change_with_its_sections_and_reaches_every_phase(
    generated: ProjectService,
) -> None:
    assert generated.change_history("brief.md").total == 0  # the first text starts history
    assert generated.artifact_versions("brief.md").total == 1
    brief = generated.paths.brief
    brief.write_text(
        brief.read_text().replace(
            "- **Audit trail**",
            "- **Shift handover notes**: the outgoing clinician leaves "
            "notes for the next shift.\n- **Audit trail**",
        )
    )
    scan = generated.scan()
    assert [c.artifact for c in scan.changes] == ["brief.md"]
    change = scan.changes[0]
    assert [s.name for s in change.sections] == ["Features"]
    assert generated.change_history("brief.md").items[0].id == change.id
    assert generated.artifact_versions("brief.md").total == 2

    stale = _states(generated)
    assert set(stale) == set(generated.spec.artifacts)  # every phase reads the brief
    assert "the brief changed since it was made" in stale["analysis.md"]

    impact = generated.analyze_impact()
    assert impact.change.artifact == "brief.md"
    assert {a.artifact for a in impact.affected} == set(generated.spec.artifacts)

    done = await generated.regenerate(None, "regenerate_all", options=OPTIONS)
    assert done.status == "completed", done
    assert "Shift handover notes" in generated.read_artifact("prd.md")
    assert "Shift handover notes" in generated.read_artifact("epics.md")
    assert _states(generated) == {}


async def test_an_edited_document_is_read_again_and_reaches_only_its_readers(
    generated: ProjectService, tmp_path: Path
) -> None:
    source = tmp_path / "prd.md"
    source.write_text((SAMPLES / "prd.md").read_text())
    generated.documents.import_files([source])
    await generated.run_workflow(OPTIONS)
    assert _states(generated) == {}
    stored = generated.paths.inputs / "prd.md"
    stored.write_text(
        stored.read_text().replace(
            "- **FR-12** (Could):",
            "- **FR-99** (Should): Managers print the week's rota as a PDF.\n- **FR-12** (Could):",
        )
    )

    scan = generated.scan()
    assert [c.artifact for c in scan.changes] == ["inputs/prd.md"]
    shown = generated.documents.show("prd.md")
    assert shown.document.version == 2
    assert "FR-99" in {r.identifier for r in shown.extraction.requirements}  # read again
    impact = generated.analyze_impact()
    affected = {a.artifact for a in impact.affected}
    assert {"analysis.md", "prd.md", "epics.md", "tasks.md"} <= affected
    # The designer reads no document: design tokens are reached only through the analysis.
    tokens = next(a for a in impact.affected if a.artifact == "design-tokens.md")
    assert tokens.path == ("inputs/prd.md", "analysis.md", "design-tokens.md")


async def test_the_brief_is_saved_like_an_artifact_and_snapshots_leave_inputs_alone(
    generated: ProjectService,
) -> None:
    text = generated.read_artifact("brief.md")
    saved = generated.save_artifact("brief.md", text + "\n## Notes\n\nPilot in two clinics.\n")
    assert saved.change is not None
    assert saved.change.artifact == "brief.md"
    assert generated.paths.brief.read_text().endswith("Pilot in two clinics.\n")
    for snapshot in generated.snapshots():
        assert "brief.md" not in snapshot.artifacts
    rolled = generated.rollback(generated.snapshots()[-1].id)
    assert "brief.md" not in {v.artifact for v in rolled.restored}
    assert generated.paths.brief.read_text().endswith("Pilot in two clinics.\n")
    with pytest.raises(ProjectError, match="not one of the project's inputs"):
        generated.save_artifact("notes.md", "x")
    assert not (generated.paths.root / "notes.md").exists()
