"""A phase that fans out, as the visualizer shows it: a count on its node, sub-bars in the
timeline (issue 19).

Two kinds of test: events fed by hand to the workspace's bridge (every state a part can be in,
at times the test chooses), and real offline runs of the sample, where SOLUTIONING_TASKS runs
one call for the Foundation part and one per epic of epics.md (11 in all).
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter

from spec_automation.core import events as ev
from spec_automation.core.ports import (
    PhaseError,
    PhaseOutput,
    PhaseRequest,
    ProgressCallback,
    RunMode,
    RunStatus,
    TokenUsage,
)
from spec_automation.services import ProjectService
from spec_automation.ui.visualizer import RunWorkspace
from spec_automation.ui.visualizer.graph_view import PhaseNode
from spec_automation.ui.visualizer.palette import is_dark, state_colours
from spec_automation.ui.visualizer.run_state import NodeState, PartView
from spec_automation.ui.visualizer.timeline import PartBar, part_lanes
from tests.helpers.runners import ScriptedOfflineRunner
from tests.visualizer.conftest import LATENCY_SCALE, approve_when_asked

pytestmark = pytest.mark.gui

PHASE = "SOLUTIONING_TASKS"
PARTS = ["Foundation"] + [f"E-{n}: Epic {n}" for n in range(1, 5)]


class Feed:
    """Engine events of one run, sent by hand through the workspace's bridge."""

    def __init__(self, workspace: RunWorkspace, project: ProjectService) -> None:
        self.workspace = workspace
        self.graph = project.graph
        self.now = 0.0  # the run's clock: the time of the last event sent
        workspace.tracker.state.monotonic = lambda: self.now

    def send(self, event: ev.EngineEvent) -> None:
        self.now = max(self.now, event.elapsed_s)
        self.workspace.bridge.sink(event)
        self.workspace.tracker.flush()  # what the repaint timer would do on the next frame

    def start_run(self) -> None:
        graph = self.graph
        self.send(
            ev.RunStarted(
                run_id=1,
                elapsed_s=0.0,
                mode=RunMode.PARALLEL,
                phases=graph.topological_order,
                waves=graph.waves,
                already_done=tuple(p for p in graph.topological_order if p != PHASE),
                concurrency=4,
            )
        )
        wave = graph.wave_of[PHASE]
        self.send(ev.PhaseStarted(run_id=1, elapsed_s=1.0, phase=PHASE, wave=wave, attempt=1))

    def item_started(self, index: int, at: float) -> None:
        count = len(PARTS)
        self.send(
            ev.ItemStarted(
                run_id=1, elapsed_s=at, phase=PHASE, index=index, count=count, item=PARTS[index]
            )
        )

    def item_finished(
        self, index: int, at: float, took: float, *, cached: bool = False, error: str = ""
    ) -> None:
        self.send(
            ev.ItemFinished(
                run_id=1,
                elapsed_s=at,
                phase=PHASE,
                index=index,
                count=len(PARTS),
                item=PARTS[index],
                duration_s=took,
                cached=cached,
                error=error,
            )
        )

    def finish_run(self, at: float) -> None:
        self.send(
            ev.RunFinished(
                run_id=1,
                elapsed_s=at,
                status=RunStatus.COMPLETED,
                wall_time_s=at,
                sequential_estimate_s=at,
                time_saved_s=0.0,
                succeeded=(PHASE,),
                failed={},
                blocked={},
            )
        )


def ordered_by_start(bars: list[PartBar]) -> list[PartBar]:
    return sorted(bars, key=lambda b: (b.rect.left(), b.index))


def assert_rows_do_not_overlap(workspace: RunWorkspace) -> None:
    rows = list(workspace.timeline.rows().values())
    for upper, lower in itertools.pairwise(rows):
        assert lower.top() >= upper.bottom()
    assert rows[-1].bottom() <= workspace.timeline.height()


def assert_bars_stay_in_their_row(workspace: RunWorkspace, bars: list[PartBar]) -> None:
    row = workspace.timeline.rows()[PHASE]
    phase_bar_bottom = row.top() + 18  # the phase's own bar, drawn at the top of its row
    for bar in bars:
        assert bar.rect.top() >= phase_bar_bottom - 0.5, bar
        assert bar.rect.bottom() <= row.bottom(), bar
    # Parts share a lane only when they ran one after the other.
    parts = workspace.tracker.state.phases[PHASE].parts
    for lane in {b.lane for b in bars}:
        in_lane = ordered_by_start([b for b in bars if b.lane == lane])
        assert all(b.rect.top() == in_lane[0].rect.top() for b in in_lane)
        for before, after in itertools.pairwise(in_lane):
            ended = parts[before.index].finished_at
            assert ended is not None
            assert parts[after.index].started_at >= ended


def colour_at(workspace: RunWorkspace, rect: QRectF) -> str:
    """The colour drawn at the middle of ``rect``, at a pixel the bar covers whole."""
    image = workspace.timeline.grab().toImage()
    x, y = math.floor(rect.center().x()), math.floor(rect.center().y())
    return str(image.pixelColor(x, y).name())


def node_colour_at(workspace: RunWorkspace, node: PhaseNode, rect: QRectF) -> str:
    """The colour the scene draws at the middle of ``rect`` (in the node's coordinates)."""
    source = node.sceneBoundingRect()
    image = QImage(source.size().toSize(), QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    workspace.scene.render(painter, QRectF(image.rect()), source)
    painter.end()
    point = node.mapToScene(rect.center()) - source.topLeft()
    return str(image.pixelColor(math.floor(point.x()), math.floor(point.y())).name())


def test_parts_share_a_lane_only_when_one_ended_before_the_next_started() -> None:
    parts = [
        PartView(0, "Foundation", 0.0, 1.0),
        PartView(1, "E-1", 0.0, 2.0),
        PartView(2, "E-2", 1.0, None),  # starts as Foundation ends: takes its lane
        PartView(3, "E-3", 1.5, 1.8),  # both lanes busy: a third
        PartView(4, "E-4", 2.0, 2.5),  # E-1 ended at 2.0
    ]
    assert part_lanes(parts) == {0: 0, 1: 1, 2: 0, 3: 2, 4: 1}
    assert part_lanes(reversed(parts)) == part_lanes(parts)  # by start, not by arrival


async def test_the_node_counts_the_parts_and_the_timeline_draws_one_sub_bar_each(
    workspace: RunWorkspace, project: ProjectService
) -> None:
    feed = Feed(workspace, project)
    node = workspace.scene.nodes[PHASE]
    timeline = workspace.timeline
    height_before = timeline.height()
    feed.start_run()
    for index, at in enumerate((1.0, 1.05, 1.1, 1.15)):
        feed.item_started(index, at)
    feed.item_finished(0, 2.0, 0.95, cached=True)
    feed.item_started(4, 2.0)
    feed.item_finished(1, 2.2, 1.1, error="the model timed out")

    assert node.detail == "2/5 parts · 3 running"
    assert node.part_states == (
        NodeState.CACHED,
        NodeState.FAILED,
        NodeState.RUNNING,
        NodeState.RUNNING,
        NodeState.RUNNING,
    )
    segments = node.part_segments()
    assert len(segments) == 5
    assert [r.left() for r in segments] == sorted(r.left() for r in segments)
    assert all(a.right() < b.left() for a, b in itertools.pairwise(segments))
    look = workspace.scene.look.states
    assert node_colour_at(workspace, node, segments[1]) == look[NodeState.FAILED].border
    assert node_colour_at(workspace, node, segments[4]) == look[NodeState.RUNNING].border
    tip = node.toolTip()
    assert "Parts: 5" in tip
    assert "Foundation: cached" in tip
    assert "E-1: Epic 1: failed: the model timed out" in tip
    assert "E-4: Epic 4: running" in tip

    bars = timeline.part_bars(PHASE)
    assert [b.index for b in bars] == [0, 1, 2, 3, 4]
    assert [b.heading for b in bars] == PARTS
    assert [b.state for b in bars] == list(node.part_states)
    # Four calls side by side: four lanes; the fifth took the lane the first one freed.
    assert [b.lane for b in bars] == [0, 1, 2, 3, 0]
    assert [b.index for b in ordered_by_start(bars)] == [0, 1, 2, 3, 4]
    plot_left, span = bars[0].rect.left(), bars[4].rect.left() - bars[0].rect.left()
    assert bars[1].rect.left() == pytest.approx(plot_left + span * 0.05, abs=0.01)
    assert bars[0].rect.right() <= bars[4].rect.left()
    assert len({b.rect.top() for b in bars[:4]}) == 4
    assert_bars_stay_in_their_row(workspace, bars)
    assert timeline.height() > height_before  # its rows moved down for the lanes
    assert_rows_do_not_overlap(workspace)
    # What a person sees: each sub-bar in its state's colour, in this theme.
    colours = state_colours(dark=is_dark(timeline.palette()))
    assert colour_at(workspace, bars[1].rect) == colours[NodeState.FAILED].border
    assert colour_at(workspace, bars[0].rect) == colours[NodeState.CACHED].border
    assert colour_at(workspace, bars[2].rect) == colours[NodeState.RUNNING].border

    for index in (2, 3, 4):
        feed.item_finished(index, 2.5 + index / 10, 1.0)
    assert node.detail == "5/5 parts · merging"
    feed.send(
        ev.PhaseSucceeded(
            run_id=1,
            elapsed_s=3.0,
            phase=PHASE,
            duration_s=5.0,  # the time of the five calls together
            artifacts={"tasks.md": 1},
            usage=TokenUsage(output_tokens=500),
            cost_usd=0.0,
            cached=False,
            warnings=(),
        )
    )
    feed.finish_run(3.1)
    assert node.detail == "✓ done in 2.0 s · 5 parts"  # on the clock, not the calls' 5 s
    assert "5.0 s of calls in all" in node.toolTip()
    assert [b.state for b in timeline.part_bars(PHASE)][2:] == [NodeState.SUCCEEDED] * 3

    # A new run forgets the parts: no sub-bars, the rows close up again.
    feed.start_run()
    assert timeline.part_bars(PHASE) == []
    assert node.part_states == ()
    assert timeline.height() == height_before
    assert_rows_do_not_overlap(workspace)
    feed.finish_run(1.2)


async def test_a_real_run_fans_the_tasks_out_over_the_foundation_and_every_epic(
    workspace: RunWorkspace, project: ProjectService
) -> None:
    details: list[str] = []
    node = workspace.scene.nodes[PHASE]
    workspace.tracker.refreshed.connect(lambda phases: details.append(node.detail))

    task = workspace.start_run()
    assert task is not None
    await approve_when_asked(workspace)
    report = await task
    assert report is not None
    assert str(report.status) == "completed"

    counts = [d for d in details if re.fullmatch(r"\d+/11 parts · \d+ running", d)]
    assert counts, details  # the count was shown while the parts ran
    assert any(int(d.split(" · ")[1].split()[0]) >= 2 for d in counts)  # side by side
    assert re.fullmatch(r"✓ done in \d+\.\d s · 11 parts", node.detail)
    assert node.part_states == (NodeState.SUCCEEDED,) * 11
    tip = node.toolTip()
    assert "Parts: 11" in tip
    assert "Foundation: done in" in tip
    assert len(re.findall(r"E-\d+: [^<]+: done in", tip)) == 10

    bars = workspace.timeline.part_bars(PHASE)
    assert len(bars) == 11
    assert bars[0].heading == "Foundation"
    assert [b.heading.split(":")[0] for b in bars[1:]] == [f"E-{n}" for n in range(1, 11)]
    assert all(b.state == NodeState.SUCCEEDED for b in bars)
    # Started in merge order, at most four at once (the run's concurrency), some side by side.
    starts = [b.rect.left() for b in bars]
    assert starts == sorted(starts)
    assert 2 <= len({b.lane for b in bars}) <= 4
    # Each sub-bar lies under the phase's bar, from its own start to its own end.
    view = workspace.tracker.state.phases[PHASE]
    assert view.started_at is not None
    assert view.finished_at is not None
    parts = view.parts
    for bar in bars:
        assert parts[bar.index].started_at >= view.started_at
        finished = parts[bar.index].finished_at
        assert finished is not None
        assert finished <= view.finished_at
    assert_bars_stay_in_their_row(workspace, bars)
    assert_rows_do_not_overlap(workspace)


@dataclass
class ItemFailingRunner(ScriptedOfflineRunner):
    """The offline runner, except that the calls of the items in ``fail_items`` raise."""

    fail_items: dict[str, str] = field(default_factory=dict)  # item key -> error

    async def run(self, request: PhaseRequest, progress: ProgressCallback) -> PhaseOutput:
        if request.item is not None and request.item.key in self.fail_items:
            self.requests.append(request)
            progress(5, "writing")
            raise PhaseError(self.fail_items[request.item.key])
        return await super().run(request, progress)


async def test_a_failed_part_is_shown_red_and_named_with_its_error(
    workspace: RunWorkspace, project: ProjectService, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = ItemFailingRunner(LATENCY_SCALE, fail_items={"E-3": "the reply was cut off"})
    monkeypatch.setattr(ProjectService, "_phase_runner", lambda self, options: runner)

    task = workspace.start_run()
    assert task is not None
    await approve_when_asked(workspace)
    report = await task
    assert report is not None
    assert str(report.status) == "partial"

    node = workspace.scene.nodes[PHASE]
    assert node.state == NodeState.FAILED
    assert node.detail == "✗ 1 of 11 parts failed"
    assert node.part_states[3] == NodeState.FAILED
    assert node.part_states.count(NodeState.SUCCEEDED) == 10
    assert re.search(r"E-3: [^<]+: failed: the reply was cut off", node.toolTip())
    bars = workspace.timeline.part_bars(PHASE)
    assert [b.index for b in bars if b.state == NodeState.FAILED] == [3]
    colours = state_colours(dark=is_dark(workspace.timeline.palette()))
    assert colour_at(workspace, bars[3].rect) == colours[NodeState.FAILED].border
    # (a part that fails at once is drawn over the next part of its lane, never under it)
    other = next(b for b in bars if b.lane != bars[3].lane)
    assert colour_at(workspace, other.rect) == colours[NodeState.SUCCEEDED].border
    assert_rows_do_not_overlap(workspace)
