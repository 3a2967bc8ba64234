"""Tokens and cost of a regeneration, estimated from the measured history of its phases."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from spec_automation.core.ports import TokenUsage
from spec_automation.llm.pricing import estimate_cost
from spec_automation.resources import sample_brief_path
from spec_automation.services import ProjectError, ProjectService, RunOptions, create_project
from spec_automation.store import queries


@pytest.fixture
def project(tmp_path: Path) -> Iterator[ProjectService]:
    brief = sample_brief_path(None).read_text(encoding="utf-8")
    with create_project(tmp_path / "p", brief_text=brief, git_enabled=False) as service:
        asyncio.run(service.run_workflow(RunOptions(latency_scale=0, auto_approve=True)))
        yield service


def test_the_estimate_adds_up_the_measured_tokens_of_the_phases_involved(
    project: ProjectService,
) -> None:
    run = queries.get_run(project.db, 1)
    measured = {p.phase: (p.input_tokens, p.output_tokens) for p in run.phases}
    # component-mapping.md and journey-maps.md come from one phase: it counts once
    estimate = project.estimate_usage(
        ["component-mapping.md", "journey-maps.md", "epics.md"], "claude-sonnet-4-6"
    )
    phases = ("SPEC_DESIGN_COMPONENTS", "SOLUTIONING_EPICS")
    assert estimate.measured == phases
    assert estimate.unmeasured == ()
    assert estimate.input_tokens == sum(measured[p][0] for p in phases)
    assert estimate.output_tokens == sum(measured[p][1] for p in phases)
    usage = TokenUsage(input_tokens=estimate.input_tokens, output_tokens=estimate.output_tokens)
    assert estimate.cost_usd == pytest.approx(estimate_cost("claude-sonnet-4-6", usage))
    assert estimate.cost_usd > 0
    assert project.estimate_usage(["epics.md"], "some-unknown-model").cost_usd == 0.0


def test_an_unknown_artifact_is_refused_by_name(project: ProjectService) -> None:
    with pytest.raises(ProjectError, match=r"no artifact named 'nope\.md'"):
        project.estimate_usage(["nope.md"], "claude-sonnet-4-6")
