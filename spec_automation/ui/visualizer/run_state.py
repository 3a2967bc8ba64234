"""What the visualizer knows about the run it shows: one ``PhaseView`` per phase.

Plain Python, no Qt: the bridge feeds engine events in through ``apply``; the views read the
result. State changes (a phase starting, failing, waiting for approval) are reported back to
the caller at once, because they are rare and the user must see every one; progress (tokens
streamed, a part of a fanned-out phase starting or ending) only marks the phase dirty, and
the workspace refreshes dirty phases on one repaint timer, so a phase streaming fifty events
a second costs one repaint per frame, not fifty.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from spec_automation.core import events as ev
from spec_automation.core.ports import RunMode, RunStatus

__all__ = [
    "NodeState",
    "PartView",
    "PhaseView",
    "RunState",
    "format_duration",
    "format_tokens",
]


class NodeState(enum.StrEnum):
    """What a phase's node shows."""

    PENDING = "pending"
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    CACHED = "cached"
    FAILED = "failed"
    BLOCKED = "blocked"
    WAITING = "waiting for approval"
    CANCELLED = "cancelled"
    DONE_EARLIER = "done earlier"  # succeeded in an earlier segment of a resumed run
    SKIPPED = "skipped"  # a regeneration's early cutoff: what it reads came out unchanged

    @property
    def finished(self) -> bool:
        """Whether the phase has reached an end state in this run."""
        return self in _FINISHED


_FINISHED = frozenset(
    {
        NodeState.SUCCEEDED,
        NodeState.CACHED,
        NodeState.FAILED,
        NodeState.BLOCKED,
        NodeState.CANCELLED,
        NodeState.DONE_EARLIER,
        NodeState.SKIPPED,
    }
)

# A phase status as the store records it -> what its node shows when a project is opened.
_RECORDED = {
    "succeeded": NodeState.SUCCEEDED,
    "failed": NodeState.FAILED,
    "blocked": NodeState.BLOCKED,
    "cancelled": NodeState.CANCELLED,
    "interrupted": NodeState.CANCELLED,
}


@dataclass(slots=True)
class PartView:
    """One call of a phase that fans out (the foundation part, one epic's tasks...)."""

    index: int  # 0-based, in merge order
    heading: str  # "E-2: Skill mix", "Foundation"
    started_at: float  # seconds since the run segment started
    finished_at: float | None = None
    duration_s: float | None = None
    cached: bool = False
    error: str = ""
    cancelled: bool = False  # the run stopped while the call was still going

    @property
    def state(self) -> NodeState:
        """What the part shows: running, succeeded, cached, failed or cancelled."""
        if self.cancelled:
            return NodeState.CANCELLED
        if self.finished_at is None:
            return NodeState.RUNNING
        if self.error:
            return NodeState.FAILED
        return NodeState.CACHED if self.cached else NodeState.SUCCEEDED


@dataclass(slots=True)
class PhaseView:
    """One phase as the user sees it during (and after) a run."""

    name: str
    wave: int
    state: NodeState = NodeState.PENDING
    queued_at: float | None = None  # seconds since the run segment started
    started_at: float | None = None
    finished_at: float | None = None
    tokens: int = 0
    duration_s: float | None = None
    error: str = ""
    blocked_by: str = ""
    skipped_because: str = ""
    gate: str = ""
    cost_usd: float = 0.0
    warnings: tuple[str, ...] = ()
    #: A phase that fans out: its calls by index, as they start, and how many it makes.
    parts: dict[int, PartView] = field(default_factory=dict)
    part_count: int = 0

    @property
    def fanned_out(self) -> bool:
        """Whether the phase runs (or ran) as one call per item in this segment."""
        return self.part_count > 0

    def parts_in(self, *states: NodeState) -> list[PartView]:
        """The parts started so far that are in any of ``states``, by index."""
        return [p for _i, p in sorted(self.parts.items()) if p.state in states]

    @property
    def parts_done(self) -> int:
        """Parts that have ended, whichever way."""
        return sum(1 for p in self.parts.values() if p.finished_at is not None)

    @property
    def work_s(self) -> float:
        """The time the phase's calls took together (more than its wall time, side by side)."""
        return sum(p.duration_s or 0.0 for p in self.parts.values())


@dataclass(slots=True)
class RunState:
    """The run the visualizer shows, updated from engine events.

    ``monotonic`` is the clock the live elapsed times are read from (tests may pass a fake).
    """

    phases: dict[str, PhaseView] = field(default_factory=dict)
    waves: tuple[tuple[str, ...], ...] = ()
    run_id: int | None = None
    mode: RunMode | None = None
    status: RunStatus | None = None
    wave_ends: dict[int, float] = field(default_factory=dict)
    #: Each wait for a person at a gate: (gate, since, until; None while it waits), seconds
    #: since the segment started.
    gate_waits: list[tuple[str, float, float | None]] = field(default_factory=list)
    tokens: int = 0  # output tokens streamed so far, this segment
    cost_usd: float = 0.0
    finished: ev.RunFinished | None = None
    dirty: set[str] = field(default_factory=set)
    monotonic: Callable[[], float] = time.monotonic
    _t0: float | None = None  # local monotonic time at which the segment started
    _streamed: dict[str, int] = field(default_factory=dict)

    # --- set up --------------------------------------------------------------------------

    def reset(self, waves: tuple[tuple[str, ...], ...]) -> None:
        """Forget any run: every phase pending."""
        self.waves = waves
        self.phases = {
            name: PhaseView(name, number)
            for number, wave in enumerate(waves, start=1)
            for name in wave
        }
        self.run_id = None
        self.mode = None
        self.status = None
        self.wave_ends = {}
        self.gate_waits = []
        self.tokens = 0
        self.cost_usd = 0.0
        self.finished = None
        self.dirty = set(self.phases)
        self._t0 = None
        self._streamed = {}

    def load(self, statuses: dict[str, str]) -> None:
        """Show how a recorded run left each phase (opening a project), with no live run."""
        for name, status in statuses.items():
            view = self.phases.get(name)
            if view is not None:
                view.state = _RECORDED.get(status, NodeState.PENDING)
                self.dirty.add(name)

    # --- reading -------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether a run segment has started and not finished."""
        return self._t0 is not None and self.finished is None

    def now_s(self) -> float:
        """Seconds since the run segment started (0 before it does)."""
        if self._t0 is None:
            return 0.0
        if self.finished is not None:
            return self.finished.elapsed_s
        return self.monotonic() - self._t0

    def elapsed_of(self, phase: str) -> float | None:
        """How long the phase has run (so far, if it still runs); ``None`` if it never ran."""
        view = self.phases[phase]
        if view.started_at is None:
            return None
        # A fanned-out phase reports the time of all its calls as its duration; what it took
        # on the clock (its bar on the timeline) is from its start to its end.
        if view.duration_s is not None and not view.fanned_out:
            return view.duration_s
        end = view.finished_at if view.finished_at is not None else self.now_s()
        return max(0.0, end - view.started_at)

    def in_state(self, *states: NodeState) -> list[str]:
        """Phases currently in any of ``states``, in wave order."""
        return [n for n, v in self.phases.items() if v.state in states]

    def progress(self) -> tuple[int, int]:
        """(phases finished, phases in the workflow), for "7/11 phases"."""
        done = sum(1 for v in self.phases.values() if v.state.finished)
        return done, len(self.phases)

    # --- events --------------------------------------------------------------------------

    def apply(self, event: ev.EngineEvent) -> list[str]:
        """Update from one engine event; return the phases whose *state* changed.

        Progress events never return a phase: they only mark it dirty for the next repaint.
        """
        match event:
            case ev.PhaseProgress(phase=phase, tokens=tokens):
                view = self.phases[phase]
                self.tokens += max(0, tokens - self._streamed.get(phase, 0))
                self._streamed[phase] = tokens
                view.tokens = tokens
                self.dirty.add(phase)
                return []
            case ev.ItemStarted(phase=phase):
                view = self.phases[phase]
                view.part_count = event.count
                view.parts[event.index] = PartView(event.index, event.item, event.elapsed_s)
                self.dirty.add(phase)
                return []
            case ev.ItemFinished(phase=phase):
                view = self.phases[phase]
                view.part_count = event.count
                part = view.parts.get(event.index)
                if part is None:  # started before this view followed the run
                    start = event.elapsed_s - event.duration_s
                    part = view.parts[event.index] = PartView(event.index, event.item, start)
                part.finished_at = event.elapsed_s
                part.duration_s = event.duration_s
                part.cached = event.cached
                part.error = event.error
                self.dirty.add(phase)
                return []
            case ev.RunStarted():
                self._start(event)
                return []
            case ev.PhaseQueued(phase=phase):
                view = self.phases[phase]
                view.queued_at = event.elapsed_s
                return self._set(phase, NodeState.QUEUED)
            case ev.PhaseStarted(phase=phase):
                view = self.phases[phase]
                view.started_at = event.elapsed_s
                view.finished_at = None
                view.duration_s = None
                view.tokens = 0
                view.error = ""
                view.parts = {}
                view.part_count = 0
                self._streamed[phase] = 0
                return self._set(phase, NodeState.RUNNING)
            case ev.PhaseSucceeded(phase=phase):
                view = self.phases[phase]
                view.finished_at = event.elapsed_s
                view.duration_s = event.duration_s
                view.tokens = event.usage.output_tokens or view.tokens
                self.tokens += max(0, event.usage.output_tokens - self._streamed.get(phase, 0))
                self._streamed[phase] = event.usage.output_tokens
                view.cost_usd = event.cost_usd
                view.warnings = event.warnings
                self.cost_usd += event.cost_usd
                return self._set(phase, NodeState.CACHED if event.cached else NodeState.SUCCEEDED)
            case ev.PhaseFailed(phase=phase):
                view = self.phases[phase]
                view.finished_at = event.elapsed_s
                view.duration_s = event.duration_s
                view.error = event.error
                return self._set(phase, NodeState.FAILED)
            case ev.PhaseBlocked(phase=phase):
                self.phases[phase].blocked_by = event.blocked_by
                return self._set(phase, NodeState.BLOCKED)
            case ev.PhaseSkipped(phase=phase):
                self.phases[phase].skipped_because = event.reason
                return self._set(phase, NodeState.SKIPPED)
            case ev.PhaseCancelled(phase=phase):
                view = self.phases[phase]
                view.finished_at = event.elapsed_s
                for part in view.parts.values():
                    if part.finished_at is None:
                        part.finished_at = event.elapsed_s
                        part.cancelled = True
                return self._set(phase, NodeState.CANCELLED)
            case ev.GateWaiting(phase=phase):
                self.phases[phase].gate = event.gate
                self.gate_waits.append((event.gate, event.elapsed_s, None))
                return self._set(phase, NodeState.WAITING)
            case ev.GateDecided(phase=phase):
                view = self.phases[phase]
                view.gate = ""
                self._close_wait(event.gate, event.elapsed_s)
                if view.state == NodeState.WAITING:
                    return self._set(phase, NodeState.SUCCEEDED)
                return []
            case ev.WaveFinished(wave=wave):
                self.wave_ends[wave] = event.elapsed_s
                return []
            case ev.RunFinished():
                self.finished = event
                self.status = event.status
                for gate, _since, until in list(self.gate_waits):
                    if until is None:
                        self._close_wait(gate, event.elapsed_s)
                # A gate still waiting when the run ends (cancelled) leaves its phase done.
                return [
                    changed
                    for phase in self.in_state(NodeState.WAITING)
                    for changed in self._set(phase, NodeState.SUCCEEDED)
                ]
        return []

    def _start(self, event: ev.RunStarted) -> None:
        if tuple(self.waves) != event.waves or not self.phases:
            self.reset(event.waves)
        else:
            self.reset(self.waves)
        self.run_id = event.run_id
        self.mode = event.mode
        self.status = RunStatus.RUNNING
        self._t0 = self.monotonic() - event.elapsed_s
        for phase in event.already_done:
            self.phases[phase].state = NodeState.DONE_EARLIER

    def _close_wait(self, gate: str, at: float) -> None:
        for index in range(len(self.gate_waits) - 1, -1, -1):
            name, since, until = self.gate_waits[index]
            if name == gate and until is None:
                self.gate_waits[index] = (name, since, at)
                return

    def _set(self, phase: str, state: NodeState) -> list[str]:
        view = self.phases[phase]
        self.dirty.add(phase)
        if view.state == state:
            return []
        view.state = state
        return [phase]


def format_duration(seconds: float | None) -> str:
    """``"4.2 s"``, ``"1 min 05 s"``; an em dash for no value."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def format_tokens(tokens: int) -> str:
    """``"950 tok"``, ``"12.3k tok"``."""
    if tokens < 1000:
        return f"{tokens} tok"
    return f"{tokens / 1000:.1f}k tok"
