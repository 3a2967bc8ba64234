"""Whole workflows through the OpenAI-compatible provider and the real ``openai`` SDK, against
a fake server on a loopback port."""

from __future__ import annotations

import dataclasses
import logging
import re
from pathlib import Path

import pytest

from spec_automation import services
from spec_automation.core import events as ev
from spec_automation.core.ports import RunStatus
from spec_automation.core.validation import validate_artifacts
from spec_automation.resources import sample_brief_path
from spec_automation.store import queries
from tests.helpers.fake_openai import Failure, FakeOpenAI, unused_address
from tests.helpers.leaks import key_leaks

MODEL = "qwen2.5-coder:7b"
KEY = "sk-vllm-FAKE-KEY-never-to-be-written-0123456789"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_keyring):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    folder = tmp_path / "clinic"
    service = services.create_project(
        folder, brief_text=sample_brief_path().read_text(encoding="utf-8")
    )
    yield service
    service.close()


def local(base_url: str, **more: object) -> services.RunOptions:
    chosen: dict[str, object] = {"model": MODEL, "auto_approve": True, **more}
    return services.RunOptions(provider="openai_compatible", base_url=base_url, **chosen)


async def test_a_whole_sample_run_writes_every_artifact_and_records_the_usage(project):
    with FakeOpenAI() as fake:
        fake.fail_next(Failure(429, "rate_limit_error", "busy", {"retry-after-ms": "10"}))
        seen: list[ev.EngineEvent] = []
        report = await project.run_workflow(local(fake.base_url), seen.append)

        assert report.status == RunStatus.COMPLETED, report.failed
        phases = tuple(p for p in project.graph.topological_order if p != "QUALITY")
        assert fake.calls[0].status == 429  # retried by the SDK, and the run went on
        asked = {re.search(r"^Phase: (\S+)", c.task, re.M).group(1) for c in fake.replies}
        assert asked == set(phases)  # every phase asked the server (a phase may ask in parts)
        assert all(c.body["stream"] and c.body["model"] == MODEL for c in fake.replies)
        streamed = {e.phase for e in seen if isinstance(e, ev.PhaseProgress) and e.tokens > 0}
        assert streamed == set(phases)
        for phase in phases:  # every artifact written and accepted by its validators
            spec = project.spec.phases[phase]
            contents = {a: project.paths.artifact(a).read_text() for a in spec.produces}
            assert validate_artifacts(spec.validators, contents).ok
            first = next(iter(contents.values()))
            assert "provider: openai_compatible" in first
            assert f'model: "{MODEL}"' in first  # quoted: the name has a colon
        # The usage the server reported is what the run recorded, cached prompt tokens apart.
        stored = queries.get_run(project.db, report.run_id).phases
        assert sum(row.output_tokens for row in stored) == sum(
            c.output_tokens for c in fake.replies
        )
        assert sum(row.input_tokens for row in stored) == sum(c.input_tokens for c in fake.replies)
        reads = sum(row.cache_read_tokens for row in stored)
        assert reads == sum(c.cache_read_tokens for c in fake.replies) > 0
        assert report.input_tokens == sum(c.input_tokens for c in fake.replies)
        assert report.output_tokens > 0
        assert report.cost_usd == 0.0
        assert any(
            f"{MODEL} runs on your own server" in n and "cost nothing" in n for n in report.notices
        )
        assert not any("price" in n for n in report.notices)

        calls = len(fake.calls)
        again = await project.run_workflow(local(fake.base_url, everything=True))
        assert again.status == RunStatus.COMPLETED
        assert len(fake.calls) == calls  # the reply cache serves every phase: no call
        rows = queries.get_run(project.db, again.run_id).phases
        assert all(row.cached for row in rows if row.phase != "QUALITY")


async def test_a_lasting_500_fails_its_phase_with_a_sentence_and_blocks_what_depends_on_it(
    project,
):
    with FakeOpenAI() as fake:
        fake.fail_next(Failure(500, "server_error", "out of memory", {"retry-after-ms": "5"}), 3)
        report = await project.run_workflow(local(fake.base_url))
    assert report.status == RunStatus.FAILED
    assert [c.status for c in fake.calls] == [500, 500, 500]
    assert report.failed["ANALYSIS"].endswith(
        f"the OpenAI-compatible server at {fake.base_url} failed (HTTP 500) for ANALYSIS; "
        "the server asked to retry after 0.005 s: out of memory"
    )
    assert "STACK_SELECTION" in report.blocked


async def test_an_unreachable_server_fails_the_run_with_its_address(project):
    address = unused_address()
    report = await project.run_workflow(local(address))
    assert report.status == RunStatus.FAILED
    assert (
        f"Could not reach the OpenAI-compatible server at {address} for ANALYSIS"
        in (report.failed["ANALYSIS"])
    )
    assert "check that the server is running" in report.failed["ANALYSIS"]


async def test_without_a_model_the_run_is_refused_before_anything_runs(project):
    with pytest.raises(services.ProjectError, match=r"needs a model name: pass --model NAME"):
        await project.run_workflow(local("http://localhost:11434/v1", model=""))
    assert project.status().last_run_id is None


async def test_the_key_is_never_written_anywhere(project, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with FakeOpenAI(api_key=KEY) as fake:
        ok = await project.run_workflow(local(fake.base_url))
        assert ok.status == RunStatus.COMPLETED, ok.failed
        assert all(c.headers["authorization"] == f"Bearer {KEY}" for c in fake.replies)
    with FakeOpenAI(api_key="sk-some-other-key") as other:
        refused = await project.run_workflow(
            local(other.base_url, everything=True, use_cache=False)
        )
    assert refused.status == RunStatus.FAILED
    assert "refused the API key (HTTP 401)" in refused.failed["ANALYSIS"]

    assert key_leaks(project.paths.root, KEY) == []
    assert caplog.text
    assert KEY not in caplog.text
    assert KEY not in repr(refused) + repr(ok)


def test_a_run_resumed_goes_on_with_the_server_it_started_with():
    started = local("http://localhost:8000/v1")
    resumed = services.RunOptions(resume=True).resumed_with(started.recorded())
    assert (resumed.provider, resumed.model, resumed.base_url) == (
        "openai_compatible",
        MODEL,
        "http://localhost:8000/v1",
    )
    other = dataclasses.replace(
        services.RunOptions(base_url="http://localhost:1234/v1"), explicit=frozenset({"base_url"})
    )
    assert other.resumed_with(started.recorded()).base_url == "http://localhost:1234/v1"
