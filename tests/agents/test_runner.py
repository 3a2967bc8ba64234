"""The agent phase runner: prompts, response cache, reply parsing and the repair attempt."""

from __future__ import annotations

import pytest

from spec_automation.agents.offline import author_artifacts
from spec_automation.agents.reply import ReplyError, render_reply
from spec_automation.agents.runner import AgentPhaseRunner, ValidationFailed
from spec_automation.core.graph import WorkflowGraph
from spec_automation.core.ports import PhaseRequest, TokenUsage
from spec_automation.llm.cache import MemoryResponseCache
from spec_automation.llm.offline import OfflineProvider
from tests.helpers.providers import ScriptedProvider


def phase_request(spec, name, brief_text, inputs=None, feedback=""):
    return PhaseRequest(
        phase=spec.phases[name],
        project_name="clinic",
        brief=brief_text,
        inputs=inputs or {},
        run_id=1,
        feedback=feedback,
    )


@pytest.fixture
def brief_text(sample_brief):
    from tests.agents.conftest import SAMPLE_BRIEF

    return SAMPLE_BRIEF.read_text(encoding="utf-8")


def good_tokens(spec, sample_brief):
    return render_reply(
        author_artifacts(spec.phases["SPEC_DESIGN_TOKENS"], sample_brief, {}, "clinic")
    )


async def test_a_second_identical_run_makes_no_provider_call(
    default_spec, sample_brief, brief_text, chain
):
    provider = ScriptedProvider(answer=lambda _: good_tokens(default_spec, sample_brief))
    cache = MemoryResponseCache()
    runner = AgentPhaseRunner(provider, cache=cache, spec=default_spec)
    inputs = {"analysis.md": chain["analysis.md"]}
    request = phase_request(default_spec, "SPEC_DESIGN_TOKENS", brief_text, inputs)

    first = await runner.run(request, lambda *_: None)
    again = await runner.run(request, lambda *_: None)

    assert len(provider.requests) == 1
    assert (first.cached, again.cached) == (False, True)
    assert again.usage == TokenUsage()
    assert again.cost_usd == 0.0
    assert again.artifacts == first.artifacts
    # New front matter on an input (another run) is not a change; a new body is.
    restamped = {
        "analysis.md": chain["analysis.md"].replace("phase: ANALYSIS", "phase: ANALYSIS\nrun_id: 9")
    }
    assert (
        await runner.run(
            phase_request(default_spec, "SPEC_DESIGN_TOKENS", brief_text, restamped),
            lambda *_: None,
        )
    ).cached
    edited = {"analysis.md": chain["analysis.md"] + "\nA new constraint.\n"}
    assert not (
        await runner.run(
            phase_request(default_spec, "SPEC_DESIGN_TOKENS", brief_text, edited), lambda *_: None
        )
    ).cached
    assert len(provider.requests) == 2


async def test_every_part_of_the_key_matters(default_spec, brief_text):
    provider = ScriptedProvider()
    base = AgentPhaseRunner(provider, cache=MemoryResponseCache(), spec=default_spec)
    request = phase_request(default_spec, "ANALYSIS", brief_text)
    digest = base.cache_key(request).digest
    variants = [
        AgentPhaseRunner(provider, spec=default_spec, max_tokens=100).cache_key(request),
        AgentPhaseRunner(provider, spec=default_spec, constitution="No cookies.").cache_key(
            request
        ),
        AgentPhaseRunner(ScriptedProvider(model="other"), spec=default_spec).cache_key(request),
        base.cache_key(phase_request(default_spec, "ANALYSIS", brief_text + "More.")),
        base.cache_key(phase_request(default_spec, "ANALYSIS", brief_text, feedback="Shorter.")),
        base.cache_key(phase_request(default_spec, "STACK_SELECTION", brief_text)),
    ]
    assert len({digest, *(v.digest for v in variants)}) == 1 + len(variants)


async def test_without_a_cache_every_run_asks_the_provider(default_spec, sample_brief, brief_text):
    provider = ScriptedProvider(answer=lambda _: good_tokens(default_spec, sample_brief))
    runner = AgentPhaseRunner(provider, cache=None, spec=default_spec)
    request = phase_request(default_spec, "SPEC_DESIGN_TOKENS", brief_text)
    await runner.run(request, lambda *_: None)
    assert not (await runner.run(request, lambda *_: None)).cached
    assert len(provider.requests) == 2


@pytest.mark.parametrize("name", ["secrets.md", "../analysis.md", "/etc/passwd"])
async def test_a_reply_naming_a_foreign_file_is_rejected_and_not_cached(
    default_spec, brief_text, name
):
    reply = f"<<<FILE analysis.md>>>\n# A\n<<<END FILE>>>\n<<<FILE {name}>>>\n# X\n<<<END FILE>>>\n"
    cache = MemoryResponseCache()
    runner = AgentPhaseRunner(ScriptedProvider([reply]), cache=cache, spec=default_spec)
    with pytest.raises(ReplyError, match="which this phase does not produce"):
        await runner.run(phase_request(default_spec, "ANALYSIS", brief_text), lambda *_: None)
    assert cache.entries == {}


async def test_a_validation_error_gets_one_repair_attempt_with_the_issues(
    default_spec, sample_brief, brief_text
):
    good = good_tokens(default_spec, sample_brief)
    slop = good.replace("## Shape", "## Shape\n\nHero: a purple gradient behind the header.")
    provider = ScriptedProvider([slop, good])
    cache = MemoryResponseCache()
    runner = AgentPhaseRunner(provider, cache=cache, spec=default_spec)

    output = await runner.run(
        phase_request(default_spec, "SPEC_DESIGN_TOKENS", brief_text), lambda *_: None
    )

    assert len(provider.requests) == 2
    repair = provider.requests[1].task
    assert "failed the application's validation" in repair
    assert "design-tokens.md: uses a purple gradient [anti_ai_slop]" in repair
    assert "purple gradient" not in output.artifacts["design-tokens.md"]
    assert output.usage.input_tokens == 200  # both calls are paid for
    assert len(cache.entries) == 1  # only the reply that passed is kept


async def test_still_failing_after_the_repair_fails_with_the_report(
    default_spec, sample_brief, brief_text
):
    good = good_tokens(default_spec, sample_brief)
    weak = good.replace("| `color.text` |", "| `color.text` | #bbbbbb | unused |\n| `color.old` |")
    provider = ScriptedProvider([weak, weak])
    runner = AgentPhaseRunner(provider, spec=default_spec)
    with pytest.raises(ValidationFailed) as caught:
        await runner.run(
            phase_request(default_spec, "SPEC_DESIGN_TOKENS", brief_text), lambda *_: None
        )
    assert len(provider.requests) == 2
    assert str(caught.value).startswith(
        "validation failed after one repair attempt: design-tokens.md: "
    )
    assert "color.text on color.dominant has a contrast of" in str(caught.value)
    assert caught.value.report.errors


async def test_offline_replies_are_not_repaired(default_spec, brief_text):
    runner = AgentPhaseRunner(OfflineProvider(latency_scale=0.0), spec=default_spec)
    output = await runner.run(phase_request(default_spec, "ANALYSIS", brief_text), lambda *_: None)
    assert output.provider == "offline"
    assert "analysis.md" in output.artifacts


async def test_the_validator_starts_with_the_whole_context_the_tasks_were_written_from(
    default_spec, brief_text, chain
):
    runner = AgentPhaseRunner(ScriptedProvider(answer=lambda r: ""), spec=default_spec)
    graph = WorkflowGraph(default_spec)
    inputs = {a: chain[a] for a in graph.inputs_of("VALIDATE")}
    request = runner.build_prompt(phase_request(default_spec, "VALIDATE", brief_text, inputs))
    sent = [b.label for b in request.shared][1:]  # after the brief
    # The tasks' calls share stack ... dependencies (each gets its epic in its task); the
    # validator reads all of that too, so it sends that prefix first, cached by then, and
    # the rest after it in the context order.
    tasks = runner.contexts["SOLUTIONING_TASKS"]
    assert tasks == (
        "stack.md",
        "prd.md",
        "architecture.md",
        "data-model.md",
        "api-spec.md",
        "component-mapping.md",
        "journey-maps.md",
        "dependencies.md",
    )
    assert tuple(sent[: len(tasks)]) == tasks
    assert sent[len(tasks) :] == [
        "analysis.md",
        "design-tokens.md",
        "user-flows.md",
        "epics.md",
        "tasks.md",
    ]
    # The handoff, after the validator, starts with everything the validator was sent.
    done = runner.contexts["DONE"]
    assert done[: len(sent)] == tuple(sent)
    assert done[len(sent) :] == ("validation-report.md",)
    # A phase reading nothing an upstream phase read entirely keeps the context order.
    assert runner.contexts["SPEC_ARCHITECT"] == ("analysis.md", "stack.md", "prd.md")


async def test_every_request_carries_the_constitution_and_the_brief_first(
    default_spec, brief_text, chain
):
    provider = ScriptedProvider(answer=lambda r: "")
    runner = AgentPhaseRunner(
        provider, spec=default_spec, constitution="- Never store patient data."
    )
    inputs = {a: chain[a] for a in ("stack.md", "design-tokens.md", "prd.md", "user-flows.md")}
    request = runner.build_prompt(
        phase_request(default_spec, "SPEC_DESIGN_COMPONENTS", brief_text, inputs)
    )
    labels = [b.label for b in request.shared]
    assert labels[:2] == ["constitution", "brief"]
    assert "Never store patient data." in request.shared[0].text
    # Artifacts most phases read come first; the design branch's tokens go after the main line.
    assert labels[2:] == ["stack.md", "prd.md", "design-tokens.md", "user-flows.md"]
    # Breakpoints: the brief, the end, and where other phases' contexts part from this one:
    # the data model's and API's (stack, PRD, architecture) after the PRD, the dependencies'
    # (stack, architecture) after the stack.
    assert [b.label for b in request.shared if b.cache_point] == [
        "brief",
        "stack.md",
        "prd.md",
        "user-flows.md",
    ]
    assert "---\nphase:" not in "".join(b.text for b in request.shared)  # no front matter sent
    assert "Target UI kit: shadcn/ui" in request.task  # the stack's kit, computed
    assert "Write exactly these files: component-mapping.md, journey-maps.md" in request.task


async def test_a_context_that_starts_with_another_phases_whole_context_breaks_there(
    default_spec, brief_text, chain
):
    runner = AgentPhaseRunner(ScriptedProvider(answer=lambda r: ""), spec=default_spec)
    phase = default_spec.phases["SPEC_ARCHITECT"]
    inputs = {a: chain[a] for a in WorkflowGraph(default_spec).inputs_of(phase.name)}
    request = runner.build_prompt(phase_request(default_spec, phase.name, brief_text, inputs))
    labels = [b.label for b in request.shared]
    assert labels == ["brief", "analysis.md", "stack.md", "prd.md"]
    # analysis.md is what STACK_SELECTION was sent, analysis.md + stack.md what SPEC_PM was:
    # the architect reads those prefixes from the cache.
    assert [b.label for b in request.shared if b.cache_point] == [
        "brief",
        "analysis.md",
        "stack.md",
        "prd.md",
    ]


async def test_offline_analysis_and_architecture_restate_the_constitution(
    default_spec, brief_text, chain
):
    constitution = (
        "# ShiftCare constitution\n\n"
        "- Patient data never leaves the EU.\n"
        "- Every schedule change is reversible.\n"
    )
    runner = AgentPhaseRunner(
        OfflineProvider(latency_scale=0), spec=default_spec, constitution=constitution
    )
    analysis = await runner.run(
        phase_request(default_spec, "ANALYSIS", brief_text), lambda *_: None
    )
    body = analysis.artifacts["analysis.md"]
    assert "## Project principles (constitution.md)" in body
    assert "- Patient data never leaves the EU." in body
    assert "- Every schedule change is reversible." in body
    assert "ShiftCare constitution" not in body  # the title is not a principle

    inputs = {
        name: chain[name] for name in default_spec.phases["SPEC_PM"].produces if name in chain
    }
    pm = await runner.run(
        phase_request(default_spec, "SPEC_PM", brief_text, inputs), lambda *_: None
    )
    assert all("constitution.md" not in text for text in pm.artifacts.values())  # pm: not its role

    plain = AgentPhaseRunner(OfflineProvider(latency_scale=0), spec=default_spec)
    without = await plain.run(phase_request(default_spec, "ANALYSIS", brief_text), lambda *_: None)
    assert "Project principles" not in without.artifacts["analysis.md"]
