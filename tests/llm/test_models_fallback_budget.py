"""Per-phase models, the fallback chain and the budget, through the real SDKs against the fake
Claude (the Messages API over a mock transport) and the fake OpenAI-compatible server (a
loopback port)."""

from __future__ import annotations

import dataclasses
from contextlib import contextmanager
from pathlib import Path

import pytest

from spec_automation import services
from spec_automation.core import events as ev
from spec_automation.core.ports import RunStatus
from spec_automation.core.spec import parse_spec
from spec_automation.resources import bundled_spec_path, sample_brief_path
from spec_automation.services.errors import ProjectError
from spec_automation.services.phase_models import ModelChoice, model_choices
from spec_automation.store import queries
from tests.helpers.fake_claude import FakeClaude
from tests.helpers.fake_models import Failure
from tests.helpers.fake_openai import FakeOpenAI

KEY = "sk-ant-api03-FAKE-KEY-never-to-be-written-0123456789"
SONNET, HAIKU, LOCAL = "claude-sonnet-4-6", "claude-haiku-4-5", "qwen2.5-coder:7b"
CLAUDE = services.RunOptions(provider="anthropic", model=SONNET, auto_approve=True)


def _spec_with(extra: dict[str, str]) -> str:
    """The bundled spec with lines added under phases (phase -> indented lines)."""
    text = bundled_spec_path().read_text(encoding="utf-8")
    for phase, lines in extra.items():
        head = f"\n  {phase}:\n"
        assert head in text
        text = text.replace(head, head + lines, 1)
    return text


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_keyring) -> Path:
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    folder = tmp_path / "clinic"
    services.create_project(
        folder, brief_text=sample_brief_path().read_text(encoding="utf-8")
    ).close()
    return folder


@contextmanager
def opened(folder: Path, fake: FakeClaude | None = None):
    """The project in ``folder``, its Claude calls going to ``fake`` (a new one if None)."""
    project = services.open_project(folder)
    fake = fake or FakeClaude(api_key=KEY)
    project.providers.http_client = fake.client()
    try:
        yield project, fake
    finally:
        project.close()


def _model_of(project, artifact: str) -> str:
    text = project.paths.artifact(artifact).read_text(encoding="utf-8")
    [line] = [x for x in text.splitlines() if x.startswith("model:")]
    return line.removeprefix("model:").strip().strip('"')


def _phase_of(call) -> str:
    return next(x for x in call.task.splitlines() if x.startswith("Phase: ")).split()[1]


async def test_a_phase_with_its_own_model_is_asked_there_and_the_artifact_says_so(folder):
    (folder / "orchestrator_spec.yml").write_text(
        _spec_with({"ANALYSIS": f"    model: {HAIKU}\n"}), encoding="utf-8"
    )
    with opened(folder) as (project, fake):
        report = await project.run_workflow(CLAUDE)

        assert report.status == RunStatus.COMPLETED, report.failed
        asked = {_phase_of(c): c.body["model"] for c in fake.replies}
        assert asked["ANALYSIS"] == HAIKU
        assert {m for p, m in asked.items() if p != "ANALYSIS"} == {SONNET}
        assert _model_of(project, "analysis.md") == HAIKU
        assert _model_of(project, "prd.md") == SONNET
        stored = {r.phase: r.model for r in queries.get_run(project.db, report.run_id).phases}
        assert stored["ANALYSIS"] == HAIKU
        assert stored["SPEC_PM"] == SONNET
        # Both models are priced: the analysis at Haiku's price, the rest at Sonnet's.
        assert report.cost_usd > 0


async def test_models_per_role_send_the_designers_phase_to_a_small_model(folder):
    with opened(folder) as (project, fake):
        options = dataclasses.replace(CLAUDE, role_models=f"designer={HAIKU}")
        report = await project.run_workflow(options)

        assert report.status == RunStatus.COMPLETED, report.failed
        asked = {_phase_of(c): c.body["model"] for c in fake.replies}
        designer = [n for n, p in project.spec.phases.items() if p.agent == "designer"]
        assert designer
        assert all(asked[n] == HAIKU for n in designer)
        assert asked["SPEC_ARCHITECT"] == SONNET
        assert _model_of(project, "design-tokens.md") == HAIKU


def test_the_spec_wins_over_the_roles_and_offline_stays_offline() -> None:
    text = _spec_with(
        {
            "ANALYSIS": f"    model: {HAIKU}\n",
            "STACK_SELECTION": "    provider: offline\n",
            "SPEC_DESIGN_TOKENS": f"    provider: openai_compatible\n    model: {LOCAL}\n",
        }
    )
    parsed = parse_spec(text)
    chosen = model_choices(parsed, "anthropic", SONNET, {"analyst": "claude-opus-4-5"})
    assert chosen["ANALYSIS"] == ModelChoice("anthropic", HAIKU)  # the spec over the role
    assert chosen["STACK_SELECTION"] == ModelChoice("offline", "")
    assert chosen["SPEC_DESIGN_TOKENS"] == ModelChoice("openai_compatible", LOCAL)
    assert chosen["SPEC_PM"] == ModelChoice("anthropic", SONNET)
    offline = model_choices(parsed, "offline", SONNET, {"analyst": HAIKU})
    assert set(offline.values()) == {ModelChoice("offline", "")}  # nothing leaves the machine


async def test_after_persistent_529s_the_fallback_answers_and_is_recorded(folder):
    claude = FakeClaude(api_key=KEY)
    claude.fail_next(Failure(529, "overloaded_error", "Overloaded"), times=10_000)
    with opened(folder, claude) as (project, _):
        seen: list[ev.EngineEvent] = []
        with FakeOpenAI() as local:
            options = dataclasses.replace(
                CLAUDE, retries=1, fallback=f"openai_compatible:{LOCAL}", base_url=local.base_url
            )
            report = await project.run_workflow(options, seen.append)

            assert report.status == RunStatus.COMPLETED, report.failed
            assert claude.calls
            assert all(c.status == 529 for c in claude.calls)
            assert len(claude.calls) == 2 * len(local.replies)  # each call tried twice first
            assert {c.body["model"] for c in local.replies} == {LOCAL}
        assert _model_of(project, "prd.md") == LOCAL
        assert "provider: openai_compatible" in project.paths.artifact("prd.md").read_text()
        said = [e.message for e in seen if isinstance(e, ev.PhaseProgress) and e.notable]
        assert any(f"falling back to openai_compatible {LOCAL}" in m for m in said)
        stored = [
            r for r in queries.get_run(project.db, report.run_id).phases if r.phase != "QUALITY"
        ]
        assert {r.provider for r in stored} == {"openai_compatible"}
        note = f"written by the fallback openai_compatible {LOCAL}: anthropic {SONNET} stayed"
        assert [r.phase for r in stored if not any(note in w for w in r.warnings)] == []


async def test_a_refused_key_is_said_and_never_sent_to_the_fallback(folder):
    refusing = FakeClaude(api_key="sk-ant-another-key")  # ours is refused: 401
    with opened(folder, refusing) as (project, _):
        with FakeOpenAI() as local:
            options = dataclasses.replace(
                CLAUDE, fallback=f"openai_compatible:{LOCAL}", base_url=local.base_url
            )
            report = await project.run_workflow(options)
            assert not local.calls
        assert report.status == RunStatus.FAILED
        assert all("key" in why.lower() for why in report.failed.values())


async def test_the_budget_stops_the_run_before_a_call_would_pass_it_and_resume_goes_on(folder):
    with opened(folder) as (project, fake):
        budget = 0.40
        first = await project.run_workflow(dataclasses.replace(CLAUDE, budget_usd=budget))

        assert first.status == RunStatus.PARTIAL
        assert 0 < first.cost_usd <= budget
        stopped = [why for why in first.failed.values() if "stopped before" in why]
        assert stopped, first.failed
        assert f"of its ${budget:.2f} budget" in stopped[0]
        assert "--resume --budget" in stopped[0]
        # No refused phase called the model: every call made was billed to a phase that ran.
        done = [r for r in queries.get_run(project.db, first.run_id).phases if r.cost_usd > 0]
        assert len(fake.replies) >= len(done) > 0
        calls_before = len(fake.calls)

        resumed = await project.run_workflow(
            dataclasses.replace(
                CLAUDE, resume=True, budget_usd=100.0, explicit=frozenset({"budget_usd"})
            )
        )
        assert resumed.status == RunStatus.COMPLETED, resumed.failed
        assert resumed.run_id == first.run_id
        assert len(fake.calls) > calls_before
        for phase in project.spec.phases.values():
            for artifact in phase.produces:
                assert project.paths.artifact(artifact).exists()


async def test_a_budget_with_a_model_of_unknown_price_is_refused_before_anything_runs(folder):
    with opened(folder) as (project, fake):
        before = project.status().last_run_id
        options = dataclasses.replace(CLAUDE, model="claude-next-preview", budget_usd=1.0)
        with pytest.raises(ProjectError, match=r"budget of \$1\.00 cannot be kept"):
            await project.run_workflow(options)
        assert not fake.calls
        assert project.status().last_run_id == before


async def test_the_estimate_before_a_run_comes_from_the_tokens_phases_took_before(folder):
    with opened(folder) as (project, _fake):
        fresh = project.estimate_cost(CLAUDE)
        assert not fresh.estimated  # nothing has run yet: no guess
        assert set(fresh.unknown) == set(project.spec.phases)
        assert "No estimate yet" in fresh.sentence()
        await project.run_workflow(CLAUDE)

        again = dataclasses.replace(CLAUDE, everything=True, budget_usd=0.01)
        estimate = project.estimate_cost(again)
        assert set(estimate.estimated) == set(project.spec.phases)
        assert estimate.known_usd > 0.01
        assert "(the estimate is over it)" in estimate.sentence()
        # The same tokens on Haiku cost a third of Sonnet's (1/5 vs 3/15 per million).
        haiku = project.estimate_cost(dataclasses.replace(again, model=HAIKU))
        assert haiku.known_usd == pytest.approx(estimate.known_usd / 3)
        assert project.estimate_cost(dataclasses.replace(again, provider="offline")).free
