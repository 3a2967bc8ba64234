"""Spec texts and the checks of a spec error that several test modules share."""

from __future__ import annotations

import pytest

from spec_automation.core.spec import SpecError, WorkflowSpec, parse_spec
from spec_automation.services.project import spec_text_without_code

#: The default spec without its implementation stage (what ``init --no-code`` writes).
SPEC_ONLY: WorkflowSpec = parse_spec(spec_text_without_code(), source="no-code")
#: The artifacts of the default spec's specification phases (DESIGN.md's table), in order.
SPECIFICATION_ARTIFACTS = (
    "analysis.md", "stack.md", "design-tokens.md", "prd.md", "user-flows.md", "architecture.md",
    "data-model.md", "api-spec.md", "component-mapping.md", "journey-maps.md", "dependencies.md",
    "epics.md", "tasks.md", "validation-report.md", "handoff.md",
)  # fmt: skip
#: The artifacts of its implementation stage: the code's manifest, and its gates' report.
STAGE_ARTIFACTS = ("implementation.md", "quality-report.md")

#: A whole spec of one valid phase, A, producing a.md.
PHASE_A = """\
version: 1
name: t
phases:
  A:
    description: first
    agent: analyst
    produces: [a.md]
    depends_on: []
    estimated_duration_s: 1
"""


def spec_error(text: str) -> str:
    """The message of the ``SpecError`` that ``text`` raises: one line, naming the source."""
    with pytest.raises(SpecError) as info:
        parse_spec(text, source="spec.yml")
    message = str(info.value)
    assert "\n" not in message, "errors are one line"
    assert message.startswith("spec.yml: ")
    return message
