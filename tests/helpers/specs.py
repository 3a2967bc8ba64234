"""Spec texts and the checks of a spec error that several test modules share."""

from __future__ import annotations

import pytest

from spec_automation.core.spec import SpecError, parse_spec

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
