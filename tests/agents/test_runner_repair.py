"""The repair attempt for a reply that is empty or lacks a file, through the real SDK against a
fake Claude: the problem is fed back, both attempts are paid for and recorded."""

from __future__ import annotations

from typing import Any

import pytest

from spec_automation.agents.reply import IncompleteReply, parse_reply, render_reply
from spec_automation.agents.runner import AgentPhaseRunner
from spec_automation.core.ports import PhaseRequest
from spec_automation.llm.claude import ClaudeProvider
from spec_automation.llm.offline import OfflineProvider
from tests.helpers.fake_claude import FakeClaude, offline_responder

KEY = "sk-ant-test-repair-0123456789"


def phase_request(spec, name, brief_text, inputs=None):
    return PhaseRequest(
        phase=spec.phases[name],
        project_name="clinic",
        brief=brief_text,
        inputs=inputs or {},
        run_id=1,
    )


@pytest.fixture
def brief_text():
    from tests.agents.conftest import SAMPLE_BRIEF

    return SAMPLE_BRIEF.read_text(encoding="utf-8")


def scripted(*first: str):
    """A responder giving ``first`` replies, then the offline authors' good ones."""
    queue = list(first)

    def respond(body: dict[str, Any]) -> str:
        return queue.pop(0) if queue else offline_responder(body)

    return respond


def without(reply: str, name: str) -> str:
    """``reply`` with the file ``name`` left out."""
    files = parse_reply(reply, ("component-mapping.md", "journey-maps.md"))
    return render_reply({n: b for n, b in files.items() if n != name})


def claude(fake: FakeClaude) -> ClaudeProvider:
    return ClaudeProvider(api_key=KEY, model="claude-sonnet-4-6", http_client=fake.client())


def components_inputs(chain):
    return {a: chain[a] for a in ("stack.md", "design-tokens.md", "prd.md", "user-flows.md")}


def dropping(name: str):
    """A responder whose first reply leaves out the file ``name``; the later ones are good."""
    calls: list[int] = []

    def respond(body: dict[str, Any]) -> str:
        calls.append(1)
        good = offline_responder(body)
        return without(good, name) if len(calls) == 1 else good

    return respond


async def test_a_reply_lacking_a_file_is_repaired_with_the_problem_fed_back(
    default_spec, brief_text, chain
):
    inputs = components_inputs(chain)
    fake = FakeClaude(dropping("journey-maps.md"), api_key=KEY)
    runner = AgentPhaseRunner(claude(fake), spec=default_spec)
    request = phase_request(default_spec, "SPEC_DESIGN_COMPONENTS", brief_text, inputs)
    messages: list[str] = []

    output = await runner.run(request, lambda _, message: messages.append(message))

    assert set(output.artifacts) == {"component-mapping.md", "journey-maps.md"}
    assert len(fake.replies) == 2
    repair = fake.replies[1].task
    assert "Your previous reply could not be used: the reply lacks journey-maps.md." in repair
    assert "repairing: the reply lacks journey-maps.md" in messages
    # Both calls were billed: the output carries both.
    assert output.usage.output_tokens == sum(c.output_tokens for c in fake.replies)
    assert output.usage.input_tokens == sum(c.input_tokens for c in fake.replies)


async def test_an_empty_reply_is_repaired(default_spec, brief_text):
    fake = FakeClaude(scripted(""), api_key=KEY)
    runner = AgentPhaseRunner(claude(fake), spec=default_spec)
    output = await runner.run(phase_request(default_spec, "ANALYSIS", brief_text), lambda *_: None)
    assert "analysis.md" in output.artifacts
    assert len(fake.replies) == 2
    assert "the reply is empty (it should hold analysis.md)" in fake.replies[1].task


async def test_an_empty_file_is_repaired(default_spec, brief_text, chain):
    inputs = components_inputs(chain)
    empty = render_reply({"component-mapping.md": "\n", "journey-maps.md": "# Journeys\n"})
    fake = FakeClaude(scripted(empty), api_key=KEY)
    runner = AgentPhaseRunner(claude(fake), spec=default_spec)
    request = phase_request(default_spec, "SPEC_DESIGN_COMPONENTS", brief_text, inputs)
    output = await runner.run(request, lambda *_: None)
    assert output.artifacts["component-mapping.md"].strip()
    assert "the reply leaves component-mapping.md empty" in fake.replies[1].task


async def test_still_lacking_after_the_repair_fails_with_both_attempts_billed(
    default_spec, brief_text
):
    fake = FakeClaude(scripted("", "   "), api_key=KEY)
    runner = AgentPhaseRunner(claude(fake), spec=default_spec)
    with pytest.raises(IncompleteReply) as caught:
        await runner.run(phase_request(default_spec, "ANALYSIS", brief_text), lambda *_: None)
    assert str(caught.value) == (
        "the reply is empty (it should hold analysis.md) after one repair attempt"
    )
    assert len(fake.replies) == 2
    assert caught.value.usage.input_tokens == sum(c.input_tokens for c in fake.replies) > 0
    assert caught.value.cost_usd > 0


async def test_offline_replies_are_still_not_repaired(default_spec, brief_text, monkeypatch):
    from spec_automation.agents import runner as runner_module

    monkeypatch.setattr(runner_module, "author_artifacts", lambda *a, **k: {})
    offline = AgentPhaseRunner(OfflineProvider(latency_scale=0.0), spec=default_spec)
    messages: list[str] = []
    with pytest.raises(
        IncompleteReply, match=r"^the reply is empty \(it should hold analysis.md\)$"
    ):
        await offline.run(
            phase_request(default_spec, "ANALYSIS", brief_text),
            lambda _, message: messages.append(message),
        )
    assert not any(m.startswith("repairing") for m in messages)
