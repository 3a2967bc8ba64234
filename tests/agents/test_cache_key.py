"""The reply-cache key holds what a reply depends on and nothing that is never sent."""

from __future__ import annotations

from spec_automation.agents.runner import AgentPhaseRunner
from spec_automation.core.ports import PhaseRequest
from spec_automation.llm.claude import ClaudeProvider
from spec_automation.llm.openai_compatible import OpenAICompatibleProvider
from tests.helpers.fake_claude import FakeClaude
from tests.helpers.fake_openai import FakeOpenAI


def analysis(spec) -> PhaseRequest:
    return PhaseRequest(
        phase=spec.phases["ANALYSIS"], project_name="clinic", brief="# Brief", inputs={}, run_id=1
    )


def digest(provider, spec, **options) -> str:
    return AgentPhaseRunner(provider, spec=spec, **options).cache_key(analysis(spec)).digest


async def test_claude_s_key_ignores_the_temperature_it_never_sends(default_spec):
    claude = ClaudeProvider(api_key="sk-ant-k", model="m", http_client=FakeClaude().client())
    assert digest(claude, default_spec, temperature=0.2) == digest(
        claude, default_spec, temperature=0.9
    )
    assert digest(claude, default_spec, max_tokens=100) != digest(claude, default_spec)


async def test_two_servers_with_same_named_models_never_share_replies(default_spec):
    one = OpenAICompatibleProvider(base_url="http://127.0.0.1:11434/v1", model="llama3.2")
    other = OpenAICompatibleProvider(base_url="http://10.0.0.7:8000/v1", model="llama3.2")
    try:
        assert digest(one, default_spec) != digest(other, default_spec)
        # A server takes the temperature: it is part of the key.
        assert digest(one, default_spec, temperature=0.2) != digest(
            one, default_spec, temperature=0.9
        )
    finally:
        await one.aclose()
        await other.aclose()


async def test_the_temperature_goes_only_to_a_provider_that_takes_it(default_spec):
    with FakeOpenAI() as server:
        local = OpenAICompatibleProvider(base_url=server.base_url, model="llama3.2")
        runner = AgentPhaseRunner(local, spec=default_spec, temperature=0.3)
        await runner.run(analysis(default_spec), lambda *_: None)
        await local.aclose()
    assert server.calls[0].body["temperature"] == 0.3
    fake = FakeClaude()  # it refuses any request carrying a temperature (HTTP 400)
    claude = ClaudeProvider(api_key="sk-ant-k", model="m", http_client=fake.client())
    await AgentPhaseRunner(claude, spec=default_spec, temperature=0.3).run(
        analysis(default_spec), lambda *_: None
    )
    assert "temperature" not in fake.calls[0].body
