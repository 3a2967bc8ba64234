"""The tasks written one epic at a time, through the service: reuse per epic, retry per epic."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from spec_automation.agents import offline
from spec_automation.agents.brief import Brief
from spec_automation.agents.offline import scrum_master
from spec_automation.core import events as ev
from spec_automation.core.artifacts import split_front_matter
from spec_automation.core.fan_out import FanOutItem
from spec_automation.core.ports import PhaseError, RunStatus
from spec_automation.resources import sample_brief_path
from spec_automation.services import ProjectService, RunOptions, create_project

FAST = RunOptions(latency_scale=0, auto_approve=True)


@pytest.fixture
def project(tmp_path: Path) -> Iterator[ProjectService]:
    """The sample without the implementation stage: these are the tasks' tests (the code's
    parts are tested with the stage, and the plan's count of both below)."""
    brief = sample_brief_path(None).read_text(encoding="utf-8")
    with create_project(tmp_path / "p", brief_text=brief, code=False) as service:
        yield service


def parts(events: list[ev.EngineEvent]) -> dict[str, bool]:
    """Part heading → whether it came from the response cache."""
    return {e.item: e.cached for e in events if isinstance(e, ev.ItemFinished) and not e.error}


def test_the_sample_s_tasks_are_written_per_epic_and_cover_every_requirement(
    project: ProjectService,
) -> None:
    seen: list[ev.EngineEvent] = []
    report = asyncio.run(project.run_workflow(FAST, seen.append))
    assert report.status == RunStatus.COMPLETED, report.failed
    epics = re.findall(r"^### (E-\d+: .+)$", project.read_artifact("epics.md"), re.MULTILINE)
    assert len(epics) >= 5
    assert set(parts(seen)) == {"Foundation", *epics}
    tasks = project.read_artifact("tasks.md")
    assert [f"### {e}" for e in epics] == re.findall(r"^### E-\d+: .+$", tasks, re.MULTILINE)
    ids = re.findall(r"^#### (T-\d+):", tasks, re.MULTILINE)
    assert ids == [f"T-{n}" for n in range(1, len(ids) + 1)]
    report_md = project.read_artifact("validation-report.md")
    assert "- Not covered: 0" in report_md


def test_editing_one_epic_rewrites_the_tasks_of_that_epic_only(project: ProjectService) -> None:
    asyncio.run(project.run_workflow(FAST))
    before = project.read_artifact("tasks.md")
    epics = project.read_artifact("epics.md")
    edited = epics.replace("Goal: Deliver skill-mix rules end to end.", "Goal: Ship skill mix.")
    assert edited != epics
    saved = project.save_artifact("epics.md", edited)
    assert saved.change is not None

    seen: list[ev.EngineEvent] = []
    regenerated = asyncio.run(
        project.regenerate(saved.change.id, "regenerate_all", options=FAST, on_event=seen.append)
    )
    assert regenerated.status == RunStatus.COMPLETED, regenerated.failed
    called = {item for item, cached in parts(seen).items() if not cached}
    assert called == {"E-2: Skill mix"}, "one epic's call; the others reused"
    assert len(parts(seen)) > 5
    after = project.read_artifact("tasks.md")
    # The other epics' tasks are byte for byte the same text.
    assert _section(after, "E-1") == _section(before, "E-1")
    assert _section(after, "E-5") == _section(before, "E-5")


def test_a_failed_epic_fails_the_tasks_and_a_resume_redoes_that_epic_only(
    project: ProjectService, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def flaky(brief: Brief, inputs: Mapping[str, str], item: FanOutItem) -> str:
        calls.append(item.key)
        if item.key == "E-3" and calls.count("E-3") == 1:
            raise PhaseError("the connection dropped")
        return scrum_master.write_tasks_part(brief, inputs, item)

    monkeypatch.setitem(offline._ITEM_AUTHORS, "tasks.md", flaky)
    failed = asyncio.run(project.run_workflow(FAST))
    assert failed.status == RunStatus.PARTIAL
    message = failed.failed["SOLUTIONING_TASKS"]
    assert "E-3: Shift: the connection dropped" in message
    assert "the others are kept for a retry" in message
    assert set(failed.blocked) == {"VALIDATE", "DONE"}
    first = len(calls)

    seen: list[ev.EngineEvent] = []
    resumed = asyncio.run(
        project.run_workflow(RunOptions(resume=True, auto_approve=True), seen.append)
    )
    assert resumed.status == RunStatus.COMPLETED, resumed.failed
    assert calls[first:] == ["E-3"], "only the failed epic was asked again"
    assert sum(1 for cached in parts(seen).values() if not cached) == 1


def _section(tasks: str, epic: str) -> str:
    match = re.search(rf"^### {epic}: .*?(?=^### |^## |\Z)", tasks, re.MULTILINE | re.DOTALL)
    assert match is not None, epic
    # Task numbers follow the parts before; the text is what must not change.
    return re.sub(r"T-\d+", "T-n", match.group(0))


def test_the_plan_counts_the_epics_the_project_has(tmp_path: Path) -> None:
    brief = sample_brief_path(None).read_text(encoding="utf-8")
    with create_project(tmp_path / "p", brief_text=brief, git_enabled=False) as project:
        before = project.plan(4)
        fanned = ("SOLUTIONING_TASKS", "IMPLEMENTATION")  # the tasks, then the code
        guessed = {p.name: p for p in before.phases if p.name in fanned}
        assert {(p.parts, p.parts_known) for p in guessed.values()} == {(5, False)}  # a guess
        asyncio.run(project.run_workflow(FAST))
        epics = len(re.findall(r"^### E-\d+:", project.read_artifact("epics.md"), re.MULTILINE))
        after = project.plan(4)
        known = {p.name: p for p in after.phases if p.name in fanned}
        assert {(p.parts, p.parts_known) for p in known.values()} == {(epics + 1, True)}
        rounds = -(-(epics + 1) // 4)
        work = {"SOLUTIONING_TASKS": 40, "IMPLEMENTATION": 60}
        for name, part in known.items():
            assert part.estimated_wall_s == pytest.approx(rounds * work[name] / (epics + 1))
        assert after.critical_path_s == pytest.approx(
            before.critical_path_s
            - sum(p.estimated_wall_s for p in guessed.values())
            + sum(p.estimated_wall_s for p in known.values())
        )


def test_the_split_writes_what_the_phases_wrote_together_before(tmp_path: Path) -> None:
    """Offline, one artifact per call gives the same artifacts as the spec before the split;
    the tasks, written per epic, keep their sections and their tasks."""
    brief = sample_brief_path(None).read_text(encoding="utf-8")
    before = Path(__file__).resolve().parent.parent / "bench" / "specs" / "before-split.yml"
    bodies: list[dict[str, str]] = []
    for name, spec_text in (("old", before.read_text(encoding="utf-8")), ("new", None)):
        folder = tmp_path / name
        folder.mkdir()
        if spec_text is not None:
            (folder / "orchestrator_spec.yml").write_text(spec_text, encoding="utf-8")
        code = spec_text is not None  # the old spec is the folder's own: nothing replaces it
        with create_project(folder, brief_text=brief, git_enabled=False, code=code) as service:
            assert asyncio.run(service.run_workflow(FAST)).status == RunStatus.COMPLETED
            bodies.append(
                {a: split_front_matter(service.read_artifact(a))[1] for a in service.spec.artifacts}
            )
    old, new = bodies
    assert set(old) == set(new)
    assert {a for a in old if old[a] != new[a]} == {"tasks.md"}
    headings = [
        [line for line in text.splitlines() if line.startswith("## ")]
        for text in (old["tasks.md"], new["tasks.md"])
    ]
    assert headings[0] == headings[1] == ["## Tasks", "## Requirements in scope"]
    old_titles, new_titles = (
        re.findall(r"^#{3,4} T-\d+: (.+)$", text, re.MULTILINE)
        for text in (old["tasks.md"], new["tasks.md"])
    )
    assert new_titles == old_titles  # the same tasks, in the same order
