"""Fixtures for the agent tests: the sample brief, the default spec and a full offline chain."""

from __future__ import annotations

from pathlib import Path

import pytest

from spec_automation.agents.brief import Brief, parse_brief
from spec_automation.agents.offline import author_artifacts
from spec_automation.core.spec import WorkflowSpec, load_spec

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_BRIEF = ROOT / "resources" / "samples" / "clinic-scheduling" / "brief.md"


def as_input(phase: str, body: str) -> str:
    """Wrap a body in front matter, as the engine stores artifacts on disk."""
    return f"---\nphase: {phase}\n---\n{body}"


def run_chain(spec: WorkflowSpec, brief: Brief) -> dict[str, str]:
    """Run every phase in spec order, feeding all earlier artifacts forward as inputs."""
    inputs: dict[str, str] = {}
    for phase in spec.phases.values():
        bodies = author_artifacts(phase, brief, dict(inputs), "clinic")
        inputs.update({name: as_input(phase.name, body) for name, body in bodies.items()})
    return inputs


@pytest.fixture(scope="session")
def default_spec() -> WorkflowSpec:
    return load_spec(ROOT / "orchestrator_spec.yml")


@pytest.fixture(scope="session")
def sample_brief() -> Brief:
    return parse_brief(SAMPLE_BRIEF.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def chain(default_spec: WorkflowSpec, sample_brief: Brief) -> dict[str, str]:
    return run_chain(default_spec, sample_brief)


@pytest.fixture(scope="session")
def wrap():
    """The ``as_input`` function, for tests that build inputs by hand."""
    return as_input


@pytest.fixture(scope="session")
def chain_runner():
    """The ``run_chain`` function, for tests that rerun the whole workflow."""
    return run_chain
