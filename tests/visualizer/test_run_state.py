"""The visualizer's run state, fed engine events by hand (no Qt)."""

from __future__ import annotations

from spec_automation.core import events as ev
from spec_automation.core.ports import RunMode, RunStatus, TokenUsage
from spec_automation.ui.visualizer.run_state import (
    NodeState,
    RunState,
    format_duration,
    format_tokens,
)

WAVES = (("A",), ("B", "C"), ("D",))


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def started(clock: Clock, *, done: tuple[str, ...] = ()) -> RunState:
    state = RunState(monotonic=clock)
    state.reset(WAVES)
    state.apply(
        ev.RunStarted(
            run_id=1,
            elapsed_s=0.0,
            mode=RunMode.PARALLEL,
            phases=("A", "B", "C", "D"),
            waves=WAVES,
            already_done=done,
            concurrency=2,
        )
    )
    return state


def test_state_changes_are_reported_and_progress_only_marks_dirty() -> None:
    clock = Clock()
    state = started(clock)
    state.dirty.clear()
    assert state.apply(ev.PhaseQueued(run_id=1, elapsed_s=0.0, phase="A", wave=1)) == ["A"]
    assert state.apply(ev.PhaseStarted(run_id=1, elapsed_s=0.1, phase="A", wave=1, attempt=1)) == [
        "A"
    ]
    state.dirty.clear()
    for tokens in (10, 20, 30):
        assert (
            state.apply(
                ev.PhaseProgress(run_id=1, elapsed_s=0.2, phase="A", tokens=tokens, message="")
            )
            == []
        )
    assert state.dirty == {"A"}
    assert state.phases["A"].tokens == 30
    assert state.tokens == 30
    clock.now += 1.5
    assert state.elapsed_of("A") == 1.5 - 0.1
    changed = state.apply(
        ev.PhaseSucceeded(
            run_id=1,
            elapsed_s=1.6,
            phase="A",
            duration_s=1.5,
            artifacts={"a.md": 1},
            usage=TokenUsage(output_tokens=40),
            cost_usd=0.25,
            cached=False,
            warnings=(),
        )
    )
    assert changed == ["A"]
    assert state.phases["A"].state == NodeState.SUCCEEDED
    assert state.tokens == 40
    assert state.cost_usd == 0.25
    assert state.elapsed_of("A") == 1.5
    assert state.progress() == (1, 4)


def test_failure_blocks_and_gates_wait() -> None:
    state = started(Clock())
    state.apply(ev.PhaseFailed(run_id=1, elapsed_s=1.0, phase="B", error="boom", duration_s=0.5))
    state.apply(ev.PhaseBlocked(run_id=1, elapsed_s=1.0, phase="D", blocked_by="B"))
    state.apply(ev.GateWaiting(run_id=1, elapsed_s=1.0, gate="g", phase="C", waiting=("D",)))
    assert state.phases["B"].state == NodeState.FAILED
    assert state.phases["B"].error == "boom"
    assert state.phases["D"].state == NodeState.BLOCKED
    assert state.phases["D"].blocked_by == "B"
    assert state.phases["C"].state == NodeState.WAITING
    assert state.phases["C"].gate == "g"
    assert state.progress() == (2, 4)  # waiting is not finished
    changed = state.apply(
        ev.RunFinished(
            run_id=1,
            elapsed_s=2.0,
            status=RunStatus.CANCELLED,
            wall_time_s=2.0,
            sequential_estimate_s=2.0,
            time_saved_s=0.0,
            succeeded=(),
            failed={"B": "boom"},
            blocked={"D": "B"},
        )
    )
    assert changed == ["C"]
    assert not state.running


def test_a_resumed_run_shows_phases_done_earlier() -> None:
    state = started(Clock(), done=("A",))
    assert state.phases["A"].state == NodeState.DONE_EARLIER
    assert state.progress() == (1, 4)


def test_a_recorded_run_is_loaded_when_a_project_opens() -> None:
    state = RunState()
    state.reset(WAVES)
    state.load({"A": "succeeded", "B": "failed", "C": "interrupted", "D": "blocked"})
    assert [v.state for v in state.phases.values()] == [
        NodeState.SUCCEEDED,
        NodeState.FAILED,
        NodeState.CANCELLED,
        NodeState.BLOCKED,
    ]


def test_formats() -> None:
    assert format_duration(None) == "—"
    assert format_duration(4.24) == "4.2 s"
    assert format_duration(65) == "1 min 05 s"
    assert format_duration(3700) == "1 h 01 min"
    assert format_tokens(950) == "950 tok"
    assert format_tokens(12_345) == "12.3k tok"


def test_a_phase_cut_off_by_a_regeneration_shows_as_skipped_and_done() -> None:
    state = started(Clock())
    reason = "everything it was selected for came out unchanged"
    assert state.apply(ev.PhaseSkipped(run_id=1, elapsed_s=1.0, phase="D", reason=reason)) == [
        "D"
    ]
    assert state.phases["D"].state == NodeState.SKIPPED
    assert state.phases["D"].skipped_because == reason
    assert state.progress() == (1, 4)  # counted as finished, like a phase that ran


def item_started(index: int, at: float, count: int = 3) -> ev.ItemStarted:
    return ev.ItemStarted(
        run_id=1, elapsed_s=at, phase="B", index=index, count=count, item=f"E-{index}: Epic"
    )


def item_finished(
    index: int, at: float, took: float, *, cached: bool = False, error: str = "", count: int = 3
) -> ev.ItemFinished:
    return ev.ItemFinished(
        run_id=1,
        elapsed_s=at,
        phase="B",
        index=index,
        count=count,
        item=f"E-{index}: Epic",
        duration_s=took,
        cached=cached,
        error=error,
    )


def test_the_parts_of_a_phase_that_fans_out_are_kept_and_repaint_it() -> None:
    clock = Clock()
    state = started(clock)
    state.apply(ev.PhaseStarted(run_id=1, elapsed_s=1.0, phase="B", wave=2, attempt=1))
    state.dirty.clear()
    assert state.apply(item_started(0, 1.0)) == []  # no state change, only a repaint
    assert state.dirty == {"B"}
    state.apply(item_started(1, 1.1))
    state.apply(item_finished(0, 2.0, 1.0, cached=True))
    state.apply(item_started(2, 2.0))
    state.apply(item_finished(1, 2.5, 1.4, error="the model timed out"))

    view = state.phases["B"]
    assert view.fanned_out
    assert view.part_count == 3
    assert [(p.index, p.heading, p.started_at, p.finished_at) for p in view.parts.values()] == [
        (0, "E-0: Epic", 1.0, 2.0),
        (1, "E-1: Epic", 1.1, 2.5),
        (2, "E-2: Epic", 2.0, None),
    ]
    assert [p.state for p in view.parts.values()] == [
        NodeState.CACHED,
        NodeState.FAILED,
        NodeState.RUNNING,
    ]
    assert view.parts[1].error == "the model timed out"
    assert view.parts_done == 2
    assert [p.index for p in view.parts_in(NodeState.RUNNING)] == [2]
    assert view.work_s == 2.4
    assert not state.phases["C"].fanned_out  # a phase that runs as one call has no parts


def test_a_fanned_out_phase_shows_its_wall_time_not_the_time_of_its_calls() -> None:
    state = started(Clock())
    state.apply(ev.PhaseStarted(run_id=1, elapsed_s=1.0, phase="B", wave=2, attempt=1))
    for index in range(3):
        state.apply(item_started(index, 1.0))
        state.apply(item_finished(index, 2.0, 1.0))
    state.apply(
        ev.PhaseSucceeded(
            run_id=1,
            elapsed_s=2.1,
            phase="B",
            duration_s=3.0,  # the three calls' time together
            artifacts={"b.md": 1},
            usage=TokenUsage(output_tokens=90),
            cost_usd=0.0,
            cached=False,
            warnings=(),
        )
    )
    assert state.elapsed_of("B") == 2.1 - 1.0
    assert state.phases["B"].work_s == 3.0


def test_parts_go_with_a_new_run_or_a_new_attempt_and_stop_when_cancelled() -> None:
    clock = Clock()
    state = started(clock)
    state.apply(ev.PhaseStarted(run_id=1, elapsed_s=1.0, phase="B", wave=2, attempt=1))
    state.apply(item_started(0, 1.0))
    state.apply(item_started(1, 1.0))
    state.apply(item_finished(0, 1.5, 0.5))
    state.apply(ev.PhaseCancelled(run_id=1, elapsed_s=1.8, phase="B"))
    parts = state.phases["B"].parts
    assert [p.state for p in parts.values()] == [NodeState.SUCCEEDED, NodeState.CANCELLED]
    assert parts[1].finished_at == 1.8

    # Retried: the phase starts again with no parts yet.
    state.apply(ev.PhaseStarted(run_id=1, elapsed_s=2.0, phase="B", wave=2, attempt=1))
    assert state.phases["B"].parts == {}
    assert not state.phases["B"].fanned_out

    state.apply(item_started(0, 2.1))
    assert state.phases["B"].part_count == 3
    state.apply(  # a new run: every part forgotten
        ev.RunStarted(
            run_id=2,
            elapsed_s=0.0,
            mode=RunMode.PARALLEL,
            phases=("A", "B", "C", "D"),
            waves=WAVES,
            already_done=(),
            concurrency=2,
        )
    )
    assert state.phases["B"].parts == {}
    assert state.phases["B"].part_count == 0
