"""A full sample run with the offline provider: every design artifact passes validation."""

from __future__ import annotations

from pathlib import Path

from spec_automation import services
from spec_automation.core.ports import RunStatus
from spec_automation.core.validation import check_flowchart, contrast_checks, validate_artifacts
from spec_automation.resources import sample_brief_path

DESIGN = ("design-tokens.md", "component-mapping.md", "journey-maps.md")
ALL_VALIDATORS = ("presence", "markdown_frontmatter", "structure", "anti_ai_slop")


async def test_the_offline_sample_run_produces_design_artifacts_that_pass_every_validator(
    tmp_path: Path,
):
    brief = sample_brief_path().read_text(encoding="utf-8")
    with services.create_project(tmp_path / "sample", brief_text=brief) as project:
        report = await project.run_workflow(
            services.RunOptions(latency_scale=0.001, auto_approve=True)
        )
        assert report.status == RunStatus.COMPLETED, report.failed
        files = {name: project.paths.artifact(name).read_text(encoding="utf-8") for name in DESIGN}

    result = validate_artifacts(ALL_VALIDATORS, files)
    assert result.issues == ()  # not even a warning
    checks = contrast_checks(files["design-tokens.md"])
    assert {(c.foreground, c.background) for c in checks} >= {
        ("color.text", "color.dominant"),
        ("color.on-accent", "color.accent"),
    }
    assert all(c.ratio >= 4.5 for c in checks)
    journeys = files["journey-maps.md"].split("```mermaid\n")[1:]
    assert journeys
    assert all(check_flowchart(j.split("```")[0]) == [] for j in journeys)
    assert "shadcn/ui" in files["component-mapping.md"]  # the sample is a React web app
