"""Whole workflows through the Anthropic provider and the real SDK, against a fake Claude."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest

from spec_automation import services
from spec_automation.core import events as ev
from spec_automation.core.ports import RunStatus
from spec_automation.core.validation import validate_artifacts
from spec_automation.resources import sample_brief_path
from spec_automation.store import queries
from tests.helpers.fake_claude import FakeClaude, offline_responder
from tests.helpers.leaks import key_leaks

KEY = "sk-ant-api03-FAKE-KEY-never-to-be-written-0123456789"
CLAUDE = services.RunOptions(provider="anthropic", model="claude-sonnet-4-6", auto_approve=True)
EVERY_PHASE = dataclasses.replace(CLAUDE, everything=True)
NO_CACHE = dataclasses.replace(EVERY_PHASE, use_cache=False)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    folder = tmp_path / "clinic"
    service = services.create_project(
        folder, brief_text=sample_brief_path().read_text(encoding="utf-8")
    )
    (folder / "constitution.md").write_text(
        "# Constitution\n\n- Patient data never leaves the EU.\n"
    )
    yield service
    service.close()


async def run(project, fake: FakeClaude, options=CLAUDE):
    project.providers.http_client = fake.client()
    seen: list[ev.EngineEvent] = []
    report = await project.run_workflow(options, seen.append)
    return report, seen


async def test_every_phase_streams_and_finishes_then_an_unchanged_rerun_makes_no_call(project):
    fake = FakeClaude(api_key=KEY)
    report, seen = await run(project, fake)

    assert report.status == RunStatus.COMPLETED, report.failed
    every = project.graph.topological_order
    phases = tuple(p for p in every if p != "QUALITY")  # the gates check the code: no model
    # One call per phase, except the tasks and the code: one per epic and the foundation.
    parts = [e for e in seen if isinstance(e, ev.ItemStarted)]
    assert {e.phase for e in parts} == {"SOLUTIONING_TASKS", "IMPLEMENTATION"}
    assert len(parts) > 4
    assert len(fake.replies) == len(phases) - 2 + len(parts)
    streamed = {e.phase for e in seen if isinstance(e, ev.PhaseProgress) and e.tokens > 0}
    assert streamed == set(phases)
    assert (project.paths.root / "code" / "tests" / "test_e1_rota.py").is_file()
    succeeded = [e for e in seen if isinstance(e, ev.PhaseSucceeded)]
    assert {e.phase for e in succeeded} == set(every)
    assert not any(e.cached for e in succeeded if e.phase != "QUALITY")
    assert sum(e.usage.cache_read_tokens for e in succeeded) > 0  # cache tokens are recorded
    assert report.cost_usd > 0
    stored = queries.get_run(project.db, report.run_id).phases
    assert sum(row.cache_read_tokens for row in stored) == sum(
        c.cache_read_tokens for c in fake.replies
    )
    assert sum(row.cache_write_tokens for row in stored) == sum(
        c.cache_write_tokens for c in fake.replies
    )
    for phase in phases:  # every artifact was accepted by its phase's validators
        spec = project.spec.phases[phase]
        contents = {a: project.paths.artifact(a).read_text() for a in spec.produces}
        assert validate_artifacts(spec.validators, contents).ok
        assert "provider: anthropic" in next(iter(contents.values()))
    # Every agent was given the constitution.
    assert all("Patient data never leaves the EU." in str(c.body) for c in fake.replies)

    calls = len(fake.calls)
    plain, _ = await run(project, fake)  # a plain run: nothing is stale, nothing runs
    assert plain.up_to_date
    assert len(fake.calls) == calls
    again, seen = await run(project, fake, EVERY_PHASE)
    assert again.status == RunStatus.COMPLETED
    assert len(fake.calls) == calls  # a 100% hit rate: zero provider calls
    cached = [e for e in seen if isinstance(e, ev.PhaseSucceeded) and e.phase != "QUALITY"]
    assert all(e.cached and e.usage.output_tokens == 0 for e in cached)
    assert len(cached) == len(phases)
    detail = queries.get_run(project.db, again.run_id)
    assert all(row.cached for row in detail.phases if row.phase != "QUALITY")
    # The gates check the code again: what they say is never taken from a cache.
    assert [row.cached for row in detail.phases if row.phase == "QUALITY"] == [False]
    assert (again.input_tokens, again.output_tokens, again.cost_usd) == (0, 0, 0.0)

    bypass, _ = await run(project, fake, NO_CACHE)
    assert bypass.status == RunStatus.COMPLETED
    assert len(fake.calls) == calls + len(phases) - 2 + len(parts)  # --no-cache asks again


async def test_without_an_api_key_the_run_is_refused_before_anything_runs(project, no_keyring):
    with pytest.raises(
        services.ProjectError, match=r"needs an API key.*no system keyring.*ANTHROPIC_API_KEY"
    ):
        await project.run_workflow(CLAUDE)
    assert project.status().last_run_id is None


async def test_the_key_is_never_written_anywhere(project, caplog):
    caplog.set_level(logging.DEBUG)
    ok, _ = await run(project, FakeClaude(api_key=KEY))
    assert ok.status == RunStatus.COMPLETED
    refused, _ = await run(project, FakeClaude(api_key="sk-ant-some-other-key"), NO_CACHE)
    assert refused.status == RunStatus.FAILED
    assert "refused the API key (HTTP 401)" in refused.failed["ANALYSIS"]

    assert key_leaks(project.paths.root, KEY) == []
    assert KEY not in caplog.text
    assert caplog.text
    assert KEY not in repr(refused)


async def test_a_hung_phase_does_not_make_its_sibling_waiting_on_its_cache_prefix_time_out(
    project,
):
    # STACK_SELECTION and SPEC_DESIGN_TOKENS send the same prefix (brief + analysis.md): the
    # tokens wait for the stack's reply to start, to read the prefix from the prompt cache.
    # The stack's call hangs until its time limit; the tokens then go on, with their own
    # limit intact (the wait is not theirs), and finish.
    fake = FakeClaude(api_key=KEY, latency_s=0.4)
    fake.stall = lambda body: "Phase: STACK_SELECTION" in str(body)
    options = dataclasses.replace(NO_CACHE, phase_timeout_s=1.0)
    report, seen = await run(project, fake, options)

    assert report.failed["STACK_SELECTION"] == "timed out after 1 s"
    assert "SPEC_DESIGN_TOKENS" not in report.failed
    succeeded = {e.phase: e for e in seen if isinstance(e, ev.PhaseSucceeded)}
    assert {"ANALYSIS", "SPEC_DESIGN_TOKENS"} <= set(succeeded)
    # The wait ended when the stack's call was given up, not at the warm-up's 60 s bound.
    assert succeeded["SPEC_DESIGN_TOKENS"].elapsed_s < 10
    # The tokens did wait for the stack (they went out after its call had hung a while).
    asked = [c.task for c in fake.calls]
    assert asked.index(next(t for t in asked if "STACK_SELECTION" in t)) < asked.index(
        next(t for t in asked if "SPEC_DESIGN_TOKENS" in t)
    )


async def test_a_phase_failing_after_its_repair_is_recorded_with_both_calls_tokens(project):
    # The designer keeps answering with a file that fails validation: it is repaired once,
    # fails, and both of its calls were billed; the run's totals and its phase row say so.
    def respond(body):
        if "Phase: SPEC_DESIGN_TOKENS" in str(body):
            return "# Design tokens\n\nPurple gradients everywhere.\n"
        return offline_responder(body)

    fake = FakeClaude(respond, api_key=KEY)
    report, seen = await run(project, fake, NO_CACHE)

    assert report.failed["SPEC_DESIGN_TOKENS"].startswith(
        "validation failed after one repair attempt"
    )
    billed = [c for c in fake.calls if "Phase: SPEC_DESIGN_TOKENS" in c.task]
    assert len(billed) == 2
    failed = next(e for e in seen if isinstance(e, ev.PhaseFailed))
    assert failed.usage.output_tokens == sum(c.output_tokens for c in billed) > 0
    assert failed.cost_usd > 0
    row = next(
        r for r in queries.get_run(project.db, report.run_id).phases if r.phase == failed.phase
    )
    assert row.status == "failed"
    assert row.input_tokens == sum(c.input_tokens for c in billed) > 0
    assert row.cache_read_tokens == sum(c.cache_read_tokens for c in billed)
    assert row.cost_usd == pytest.approx(failed.cost_usd)
    # The run's totals hold every call, the failed phase's included.
    assert report.output_tokens == sum(c.output_tokens for c in fake.calls if c.status == 200)
    assert report.input_tokens == sum(c.input_tokens for c in fake.calls if c.status == 200)


async def test_a_reply_cut_off_at_max_tokens_is_recorded_with_its_tokens(project):
    fake = FakeClaude(api_key=KEY)
    fake.cut_off_next()  # the first call, ANALYSIS's
    report, _ = await run(project, fake, NO_CACHE)

    assert "cut off at the limit of 8,192 tokens" in report.failed["ANALYSIS"]
    assert "--max-tokens" in report.failed["ANALYSIS"]
    row = next(
        r for r in queries.get_run(project.db, report.run_id).phases if r.phase == "ANALYSIS"
    )
    assert row.output_tokens == fake.calls[0].output_tokens > 0
    assert report.output_tokens == fake.calls[0].output_tokens
    assert report.cost_usd > 0
