"""Prompt files: one per role, editable, versioned by content."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from spec_automation.agents.context import build_context
from spec_automation.agents.prompts import DEFAULT_ROLES, PromptError, PromptLibrary
from spec_automation.resources import resource_path

VALUES = dict.fromkeys(
    (
        "project",
        "phase",
        "agent",
        "description",
        "files",
        "files_line",
        "inputs",
        "role_notes",
        "feedback",
    ),
    "x",
)


def test_every_role_of_the_default_spec_has_its_own_prompt_file(default_spec):
    library = PromptLibrary()
    roles = {phase.agent for phase in default_spec.phases.values() if phase.agent != "quality"}
    assert roles == set(DEFAULT_ROLES)
    for role in roles:
        loaded = library.role(role)
        assert loaded.source == resource_path("prompts", f"{role}.md")
        assert loaded.persona.strip()
        assert "$files" in loaded.task_template
        assert loaded.render_task(VALUES).startswith(loaded.persona.strip())


def test_a_role_without_a_file_uses_the_generic_prompt():
    assert PromptLibrary().role("copywriter").source.name == "generic.md"


@pytest.fixture
def prompts(tmp_path: Path) -> Path:
    folder = tmp_path / "prompts"
    shutil.copytree(resource_path("prompts"), folder)
    return folder


def test_editing_a_prompt_changes_its_template_version(prompts: Path):
    before = PromptLibrary(prompts).role("analyst").version
    other = PromptLibrary(prompts).role("pm").version
    path = prompts / "analyst.md"
    path.write_text(path.read_text() + "\nAlso list open questions.\n")
    assert PromptLibrary(prompts).role("analyst").version != before
    assert PromptLibrary(prompts).role("pm").version == other
    (prompts / "system.md").write_text("New standing instructions.")
    assert PromptLibrary(prompts).role("pm").version != other


def test_a_broken_prompt_file_is_a_clear_error(prompts: Path):
    (prompts / "pm.md").write_text("# PM\n\nNo sections here.\n")
    with pytest.raises(PromptError, match=r"pm.md needs a '## Persona' and a '## Task' section"):
        PromptLibrary(prompts).role("pm")
    (prompts / "pm.md").write_text("## Persona\nA PM.\n## Task\nWrite $nonsense.\n")
    with pytest.raises(PromptError, match="bad placeholder"):
        PromptLibrary(prompts).role("pm").render_task(VALUES)
    (prompts / "system.md").unlink()
    with pytest.raises(PromptError, match=r"system\.md is missing"):
        PromptLibrary(prompts)


def test_over_the_budget_the_furthest_upstream_artifacts_are_left_out_first():
    inputs = {
        name: f"---\nphase: P\n---\n# {name}\n" + "words " * 400
        for name in ("a.md", "b.md", "c.md")
    }
    context = build_context(
        project_name="p",
        brief="# Brief\n",
        constitution="",
        inputs=inputs,
        direct=("c.md", "a.md"),
        budget_tokens=1300,
    )
    assert context.artifacts == ("a.md", "c.md")
    assert context.left_out == ("b.md",)


async def test_a_phase_sharing_a_prefix_in_flight_waits_for_that_reply_to_start():
    import asyncio

    from spec_automation.agents.context import PrefixWarmup
    from spec_automation.llm.provider import ContextBlock, ProviderRequest

    def request(*blocks: str) -> ProviderRequest:
        shared = [ContextBlock(b, b * 100, cache_point=True) for b in blocks]
        return ProviderRequest(system="s", shared=shared, task="t", max_tokens=10)

    warmup = PrefixWarmup(max_wait_s=5)
    first_started = await warmup.enter(request("a", "b"), "m")
    order: list[str] = []

    async def sibling() -> None:
        started = await warmup.enter(request("a", "b", "c"), "m")
        order.append("sibling sent")
        started()

    task = asyncio.create_task(sibling())
    await asyncio.sleep(0.01)
    assert order == []  # waiting for the first reply to start
    first_started()
    await task
    assert order == ["sibling sent"]
    # Unrelated prefixes never wait.
    (await warmup.enter(request("x"), "m"))()


def test_the_developer_of_the_implementation_stage_has_its_own_prompt_file():
    loaded = PromptLibrary().role("developer")
    assert loaded.source == resource_path("prompts", "developer.md")
    task = loaded.render_task(VALUES)
    assert "<<<FILE code/src/package/models.py>>>" in task
    assert "ruff check" in task
