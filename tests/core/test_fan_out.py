"""Fan-out: a phase written one item at a time, the calls side by side, merged in item order."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field, replace

import pytest

from spec_automation.core import events as ev
from spec_automation.core.engine import EngineSettings, OrchestratorEngine
from spec_automation.core.fan_out import (
    FAN_OUT_RULES,
    FanOutRule,
    fan_out_wall_s,
    item_source,
    merge_items,
    split_items,
)
from spec_automation.core.graph import WorkflowGraph, simulate_schedule
from spec_automation.core.impact import ImpactAnalyzer
from spec_automation.core.ports import (
    PhaseError,
    PhaseOutput,
    PhaseRequest,
    PhaseStatus,
    ProgressCallback,
    RunStatus,
)
from spec_automation.core.spec import SpecError, WorkflowSpec, parse_spec
from tests.helpers.fakes import AutoApprove, MemoryRecorder

EPICS = FAN_OUT_RULES["epics"]


def epics_md(count: int, *, changed: int = 0) -> str:
    blocks = [
        f"### E-{n}: Epic {n}{' (edited)' if n == changed else ''}\n\nRequirements: FR-{n}\n"
        for n in range(1, count + 1)
    ]
    return "# Epics: demo\n\nSome epics.\n\n## Epics\n\n" + "\n".join(blocks)


def part(title: str, tasks: int, refer: bool = False) -> str:
    blocks = [f"### T-{n}: {title} task {n}\n\n- Estimate: 1 point" for n in range(1, tasks + 1)]
    if refer:
        blocks[-1] += f"\n- Depends on: T-{tasks - 1} (and T-42, no task of this part)"
    return (
        f"# Tasks: demo\n\n{tasks} tasks.\n\n## Tasks\n\n"
        + "\n\n".join(blocks)
        + f"\n\n## Requirements in scope\n\n- FR-1: shared\n- {title}: own\n"
    )


# --- the pure parts ----------------------------------------------------------------------------


def test_the_lead_part_then_one_part_per_epic_in_order() -> None:
    items = split_items(EPICS, "---\nartifact: epics.md\n---\n" + epics_md(3))
    assert [i.heading for i in items] == ["Foundation", "E-1: Epic 1", "E-2: Epic 2", "E-3: Epic 3"]
    assert [i.index for i in items] == [0, 1, 2, 3]
    assert {i.count for i in items} == {4}
    assert items[0].lead
    assert not items[1].lead
    assert items[2].text.startswith("### E-2: Epic 2")
    assert "FR-2" in items[2].text
    assert "E-3" not in items[2].text
    # No epics: no parts, the phase runs as one call.
    assert split_items(EPICS, "# Epics\n\nNone yet.\n") == ()
    assert split_items(EPICS, "") == ()


def test_each_part_sees_only_its_own_epic() -> None:
    source = epics_md(3)
    items = split_items(EPICS, source)
    second = item_source(EPICS, items[2], source)
    assert "### E-2: Epic 2" in second
    assert "E-1" not in second
    assert "E-3" not in second
    assert second.startswith("# Epics: demo\n\nSome epics.\n\n## Epics")
    lead = item_source(EPICS, items[0], source)
    assert "E-1" not in lead
    assert "## Epics" in lead
    # Editing one epic changes what that part sees, and no other part.
    edited = epics_md(3, changed=2)
    again = split_items(EPICS, edited)
    assert item_source(EPICS, again[1], edited) == item_source(EPICS, items[1], source)
    assert item_source(EPICS, again[2], edited) != second


def test_merging_nests_each_part_under_its_epic_and_renumbers_the_tasks() -> None:
    items = split_items(EPICS, epics_md(2))
    merged = merge_items(
        EPICS, items, [part("Set-up", 1), part("One", 2, refer=True), part("Two", 2)]
    )
    assert merged.startswith("# Tasks: demo\n\n")
    assert "5 tasks across 2 epics and the foundation, one section per epic, in epic order." in (
        merged
    )
    # A part's references to its own tasks follow the renumbering; others stay as written.
    assert "- Depends on: T-2 (and T-42, no task of this part)" in merged
    sections = [line for line in merged.splitlines() if line.startswith("#")]
    assert sections == [
        "# Tasks: demo",
        "## Tasks",
        "### Foundation",
        "#### T-1: Set-up task 1",
        "### E-1: Epic 1",
        "#### T-2: One task 1",
        "#### T-3: One task 2",
        "### E-2: Epic 2",
        "#### T-4: Two task 1",
        "#### T-5: Two task 2",
        "## Requirements in scope",
    ]
    # Other sections are gathered once: shared lines once, one list.
    tail = merged.split("## Requirements in scope\n\n")[1]
    assert tail == "- FR-1: shared\n- Set-up: own\n- One: own\n- Two: own\n"
    # Deterministic: same parts, same bytes.
    assert merged == merge_items(
        EPICS, items, [part("Set-up", 1), part("One", 2, refer=True), part("Two", 2)]
    )


def test_the_wall_time_of_a_fan_out_is_its_rounds() -> None:
    assert fan_out_wall_s(40, 10, 4) == pytest.approx(12.0)  # 3 rounds of 4 s
    assert fan_out_wall_s(40, 5, 8) == pytest.approx(8.0)
    assert fan_out_wall_s(40, 1, 4) == 40
    assert fan_out_wall_s(40, 0, 4) == 40


# --- the spec ----------------------------------------------------------------------------------

SPEC = """
phases:
  EPICS: {description: e, agent: pm, produces: [epics.md], depends_on: [],
          estimated_duration_s: 10}
  OTHER: {description: o, agent: x, produces: [other.md, notes.md], depends_on: [],
          estimated_duration_s: 5}
  TASKS: {description: t, agent: scrum_master, produces: [tasks.md],
          depends_on: [EPICS, notes.md], estimated_duration_s: 40, FANOUT}
  VALIDATE: {description: v, agent: x, produces: [report.md], depends_on: [TASKS],
             estimated_duration_s: 5}
"""


def spec(fan_out: str = "fan_out: epics") -> WorkflowSpec:
    return parse_spec(SPEC.replace("FANOUT", fan_out))


def test_a_spec_names_a_rule_or_gives_one() -> None:
    assert spec().phases["TASKS"].fan_out == EPICS
    given = spec("fan_out: {from: epics.md, items: E, label: Epic, renumber: T}")
    rule = given.phases["TASKS"].fan_out
    assert rule is not None
    assert (rule.source, rule.prefix, rule.label, rule.child_prefix) == (
        "epics.md",
        "E",
        "epic",
        "T",
    )
    assert rule.lead == ("", "")


def test_an_artifact_in_depends_on_means_that_artifact_only() -> None:
    loaded = spec()
    assert loaded.phases["TASKS"].depends_on == ("EPICS", "OTHER")
    assert loaded.phases["TASKS"].dependency_artifacts == ("notes.md",)
    assert WorkflowGraph(loaded).inputs_of("TASKS") == ("epics.md", "notes.md")
    with pytest.raises(SpecError, match=r"phase TASKS: field 'depends_on': no phase produces "):
        parse_spec(SPEC.replace("FANOUT", "reads: []").replace("EPICS, notes.md", "EPICS, note.md"))


@pytest.mark.parametrize(
    ("fan_out", "message"),
    [
        ("fan_out: epicz", r"field 'fan_out': unknown rule 'epicz' \(did you mean 'epics'\?\)"),
        ("fan_out: [epics]", r"field 'fan_out' must be a rule name or a mapping, got a list"),
        ("fan_out: {from: tasks}", r"'from' must name the artifact whose items are split out"),
        ("fan_out: {from: epics.md, items: 'E-'}", r"'items' must be a short ID prefix"),
        ("fan_out: {from: epics.md, items: E, by: x}", r"unknown key 'by'"),
        ("fan_out: {from: report.md, items: E}", r"splits report.md, which it does not read"),
    ],
)
def test_a_wrong_fan_out_is_one_clear_line(fan_out: str, message: str) -> None:
    with pytest.raises(SpecError, match=message) as caught:
        spec(fan_out)
    assert str(caught.value).startswith("phase TASKS: ")
    assert "\n" not in str(caught.value)


def test_a_phase_writing_two_artifacts_cannot_fan_out() -> None:
    text = SPEC.replace("FANOUT", "reads: []").replace(
        "produces: [other.md, notes.md], depends_on: []",
        "produces: [other.md, notes.md], depends_on: [EPICS], fan_out: epics",
    )
    with pytest.raises(SpecError, match="phase OTHER: field 'fan_out': a phase that fans out"):
        parse_spec(text)


def test_estimates_follow_the_split() -> None:
    graph = WorkflowGraph(spec(), items={"TASKS": 9}, concurrency=4)
    assert graph.estimated_wall_s("TASKS") == pytest.approx(3 * 40 / 9)
    assert graph.critical_path.length_s == pytest.approx(10 + 3 * 40 / 9 + 5)
    assert graph.sequential_estimate_s == 60  # the same work
    # The schedule gives the calls their slots: 9 calls of 4.44 s on 4 slots is 3 rounds.
    assert graph.parallel_estimate_s(4) == pytest.approx(10 + 3 * 40 / 9 + 5)
    durations = {n: p.estimated_duration_s for n, p in graph.spec.phases.items()}
    assert simulate_schedule(graph, durations, 1, items={"TASKS": 9}) == pytest.approx(60)
    # Before the epics exist, a few are assumed.
    assert WorkflowGraph(spec()).items == {"TASKS": 5}


# --- the engine --------------------------------------------------------------------------------


@dataclass
class EpicRunner:
    """Writes N epics, then each part of the tasks after a pause; can fail one part."""

    epics: int = 5
    latency: float = 0.05
    fail_item: str = ""
    in_flight: int = 0
    peak: int = 0
    parts: list[str] = field(default_factory=list)
    seen: dict[str, str] = field(default_factory=dict)

    async def run(self, request: PhaseRequest, progress: ProgressCallback) -> PhaseOutput:
        phase = request.phase
        if phase.fan_out is None:
            body = epics_md(self.epics) if phase.name == "EPICS" else f"# {phase.name}\n"
            return PhaseOutput(dict.fromkeys(phase.produces, body), provider="fake")
        item = request.item
        assert item is not None, "a phase that fans out is called per item"
        self.parts.append(item.key)
        self.seen[item.key] = request.inputs["epics.md"]
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            progress(1, "writing")
            await asyncio.sleep(self.latency)
            if item.key == self.fail_item:
                raise PhaseError("the model stopped answering")
            return PhaseOutput({"tasks.md": part(item.key, 2)}, provider="fake", model="m")
        finally:
            self.in_flight -= 1


async def run_fan_out(
    runner: EpicRunner, concurrency: int
) -> tuple[object, MemoryRecorder, list[ev.EngineEvent]]:
    events: list[ev.EngineEvent] = []
    recorder = MemoryRecorder()
    loaded = spec()
    no_validators = WorkflowSpec(
        name=loaded.name,
        phases={n: replace(p, validators=()) for n, p in loaded.phases.items()},
    )
    engine = OrchestratorEngine(
        WorkflowGraph(no_validators),
        runner=runner,
        recorder=recorder,
        gatekeeper=AutoApprove(),
        project_name="demo",
        brief="a brief",
        settings=EngineSettings(concurrency=concurrency),
        on_event=events.append,
    )
    return await engine.run(), recorder, events


async def test_five_epics_run_five_calls_at_once_and_merge_in_epic_order() -> None:
    runner = EpicRunner(epics=5)
    result, recorder, events = await run_fan_out(runner, concurrency=8)
    assert result.status == RunStatus.COMPLETED, result.failed  # type: ignore[attr-defined]
    # The foundation and 5 epics: six calls side by side (8 slots).
    assert runner.peak == 6
    assert sorted(runner.parts) == sorted(["Foundation", "E-1", "E-2", "E-3", "E-4", "E-5"])
    # Each call was given its own epic only.
    assert "E-3" in runner.seen["E-3"]
    assert "E-2" not in runner.seen["E-3"]
    tasks = recorder.files["tasks.md"]
    order = [line for line in tasks.splitlines() if line.startswith("### ")]
    assert order == ["### Foundation"] + [f"### E-{n}: Epic {n}" for n in range(1, 6)]
    assert "#### T-12: E-5 task 2" in tasks
    started = [e for e in events if isinstance(e, ev.ItemStarted)]
    finished = [e for e in events if isinstance(e, ev.ItemFinished)]
    assert len(started) == len(finished) == 6
    assert all(not e.error and e.count == 6 for e in finished)
    # Progress adds up the calls' tokens (each streamed 1), never jumping back.
    tokens = [e.tokens for e in events if isinstance(e, ev.PhaseProgress) and e.phase == "TASKS"]
    assert tokens == [1, 2, 3, 4, 5, 6]
    # The phase's work is the sum of its calls; its wall time about one call.
    durations = result.phase_durations  # type: ignore[attr-defined]
    assert durations["TASKS"] >= 6 * 0.05
    assert result.sequential_estimate_s > result.wall_time_s  # type: ignore[attr-defined]


async def test_the_calls_share_the_run_s_concurrency() -> None:
    runner = EpicRunner(epics=5)
    result, _, _ = await run_fan_out(runner, concurrency=2)
    assert result.status == RunStatus.COMPLETED  # type: ignore[attr-defined]
    assert runner.peak == 2
    assert result.peak_in_flight == 2  # type: ignore[attr-defined]


async def test_one_failed_part_fails_the_phase_naming_it_and_the_others_finish() -> None:
    runner = EpicRunner(epics=4, fail_item="E-3")
    result, recorder, events = await run_fan_out(runner, concurrency=8)
    assert result.phase_status["TASKS"] == PhaseStatus.FAILED  # type: ignore[attr-defined]
    message = result.failed["TASKS"]  # type: ignore[attr-defined]
    assert message.startswith("1 of 5 parts failed")
    assert "E-3: Epic 3: the model stopped answering" in message
    assert result.phase_status["VALIDATE"] == PhaseStatus.BLOCKED  # type: ignore[attr-defined]
    assert "tasks.md" not in recorder.files
    finished = {e.item: e.error for e in events if isinstance(e, ev.ItemFinished)}
    assert finished.pop("E-3: Epic 3") == "the model stopped answering"
    assert set(finished.values()) == {""}, "every other part finished (and was kept)"


async def test_no_epics_means_one_call_over_the_whole_list() -> None:
    runner = EpicRunner(epics=0)

    async def whole(request: PhaseRequest, progress: ProgressCallback) -> PhaseOutput:
        if request.phase.name == "TASKS":
            assert request.item is None
            return PhaseOutput({"tasks.md": part("all", 1)}, provider="fake")
        return await EpicRunner.run(runner, request, progress)

    runner.run = whole  # type: ignore[method-assign]
    result, recorder, _ = await run_fan_out(runner, concurrency=4)
    assert result.status == RunStatus.COMPLETED  # type: ignore[attr-defined]
    assert "### T-1: all task 1" in recorder.files["tasks.md"]


def test_a_rule_without_a_lead_part_has_only_items() -> None:
    rule = FanOutRule("x", "epics.md", "E", "epic")
    items = split_items(rule, epics_md(2))
    assert [i.key for i in items] == ["E-1", "E-2"]
    merged = merge_items(rule, items, ["# T\n\n## Tasks\n\nA\n", "# T\n\n## Tasks\n\nB\n"])
    assert "2 epics, one section per epic, in epic order." in merged
    assert "### E-1: Epic 1\n\nA" in merged
    assert "### E-2: Epic 2\n\nB" in merged


def test_impact_estimates_run_a_fan_out_s_calls_side_by_side() -> None:
    graph = WorkflowGraph(spec(), items={"TASKS": 4}, concurrency=4)
    analyzer = ImpactAnalyzer.for_graph(graph)
    # 40 s of measured work in 4 calls at once: 10 s of wall time, 40 s one after another.
    assert analyzer.estimate(["tasks.md"], {"TASKS": 40.0}) == (10.0, 40.0)
    assert analyzer.estimate(["tasks.md", "report.md"], {"TASKS": 40.0}) == (15.0, 45.0)
    unsplit = ImpactAnalyzer.for_graph(WorkflowGraph(spec(), items={"TASKS": 1}))
    assert unsplit.estimate(["tasks.md"], {"TASKS": 40.0}) == (40.0, 40.0)
