"""The timeline's marks: the time waited at a gate as a band, wave ends that never overlap."""

from __future__ import annotations

import itertools

import pytest

from spec_automation.core import events as ev
from spec_automation.core.ports import RunMode
from spec_automation.services import ProjectService
from spec_automation.ui.visualizer import RunWorkspace

pytestmark = pytest.mark.gui


def send(workspace: RunWorkspace, event: ev.EngineEvent) -> None:
    workspace.tracker.state.monotonic = lambda: event.elapsed_s
    workspace.bridge.sink(event)
    workspace.tracker.flush()


def started(workspace: RunWorkspace, project: ProjectService) -> None:
    graph = project.graph
    send(
        workspace,
        ev.RunStarted(
            run_id=1,
            elapsed_s=0.0,
            mode=RunMode.PARALLEL,
            phases=graph.topological_order,
            waves=graph.waves,
            already_done=(),
            concurrency=4,
        ),
    )


async def test_a_wait_at_a_gate_is_a_band_saying_how_long(
    workspace: RunWorkspace, project: ProjectService
) -> None:
    started(workspace, project)
    timeline = workspace.timeline
    waiting = ("SOLUTIONING_EPICS",)
    send(
        workspace,
        ev.GateWaiting(
            run_id=1,
            elapsed_s=2.0,
            gate="architecture_approved",
            phase="SPEC_ARCHITECT",
            waiting=waiting,
        ),
    )
    send(
        workspace, ev.PhaseProgress(run_id=1, elapsed_s=3.0, phase="ANALYSIS", tokens=1, message="")
    )
    [(band, text)] = timeline.gate_bands()
    assert text == "waiting for approval of architecture_approved: 1.0 s"
    send(
        workspace,
        ev.GateDecided(
            run_id=1,
            elapsed_s=6.5,
            gate="architecture_approved",
            phase="SPEC_ARCHITECT",
            approved=True,
            decided_by="me",
            note="",
        ),
    )
    [(band, text)] = timeline.gate_bands()
    assert text == "waited for approval of architecture_approved: 4.5 s"
    rows = timeline.rows()
    # Across every row, from the gate's opening to its decision.
    assert band.top() <= min(r.top() for r in rows.values())
    assert band.bottom() >= max(r.bottom() for r in rows.values())
    assert band.left() == pytest.approx(timeline._to_x(2.0), abs=1)
    assert band.right() == pytest.approx(timeline._to_x(6.5), abs=1)


async def test_wave_ends_close_together_are_labelled_without_overlapping(
    workspace: RunWorkspace, project: ProjectService
) -> None:
    started(workspace, project)
    for number, at in enumerate((1.0, 1.01, 1.02, 5.0, 9.0), start=1):
        send(
            workspace,
            ev.WaveFinished(
                run_id=1,
                elapsed_s=at,
                wave=number,
                duration_s=1.0,
                sequential_estimate_s=1.0,
                time_saved_s=0.0,
                phases_completed=(),
                phases_failed={},
            ),
        )
    labels = workspace.timeline.wave_end_labels()
    assert [n for n, _ in labels] == [1, 2, 3, 4, 5]
    for (_a, first), (_b, second) in itertools.combinations(labels, 2):
        assert not first.intersects(second)
    # The labels stay inside the widget.
    assert max(r.bottom() for _, r in labels) <= workspace.timeline.sizeHint().height()
