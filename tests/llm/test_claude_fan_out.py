"""The tasks written one epic at a time through Claude: one cached prefix for every call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from spec_automation import services
from spec_automation.core import events as ev
from spec_automation.core.ports import RunStatus
from spec_automation.resources import sample_brief_path
from tests.helpers.fake_claude import FakeClaude

KEY = "sk-ant-api03-FAKE-KEY-for-the-fan-out-test-0123456789"
CLAUDE = services.RunOptions(provider="anthropic", model="claude-sonnet-4-6", auto_approve=True)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    service = services.create_project(
        tmp_path / "clinic", brief_text=sample_brief_path().read_text(encoding="utf-8")
    )
    yield service
    service.close()


def _blocks(body: dict[str, Any]) -> list[dict[str, Any]]:
    content = body["messages"][0]["content"]
    return [b for b in content if b.get("type") == "text"]


async def test_every_epic_s_call_shares_one_cached_prefix_and_carries_its_own_epic(project):
    fake = FakeClaude(api_key=KEY)
    project.providers.http_client = fake.client()
    seen: list[ev.EngineEvent] = []
    report = await project.run_workflow(CLAUDE, seen.append)
    assert report.status == RunStatus.COMPLETED, report.failed

    parts = [
        e.item for e in seen if isinstance(e, ev.ItemStarted) and e.phase == "SOLUTIONING_TASKS"
    ]
    calls = [c for c in fake.replies if "one part of tasks.md" in str(c.body)]
    assert len(calls) == len(parts) > 2
    prefixes = {str(_blocks(c.body)[:-1]) for c in calls}
    assert len(prefixes) == 1, "the shared context is byte for byte the same in every call"
    shared = _blocks(calls[0].body)[:-1]
    assert shared[-1].get("cache_control") == {"type": "ephemeral"}
    assert not any("<epics.md>" in b["text"] or "### E-1:" in b["text"] for b in shared)
    tasks = {_blocks(c.body)[-1]["text"] for c in calls}
    assert len(tasks) == len(calls)  # each call's own task: its epic
    for part in parts:
        if part != "Foundation":
            assert sum(f"the epic {part}, and nothing else" in t for t in tasks) == 1, part
    # After the first call wrote the prefix to the cache, the others read it.
    assert sum(1 for c in calls if c.cache_read_tokens > 0) >= len(calls) - 1
