"""Typed progress events the engine publishes while a workflow runs.

The CLI renders them as a live table; the GUI bridges them to Qt signals. Every event carries
the run id and the seconds elapsed since the run (segment) started.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from spec_automation.core.ports import RunMode, RunStatus, TokenUsage

__all__ = [
    "EngineEvent",
    "EventSink",
    "GateDecided",
    "GateWaiting",
    "ItemFinished",
    "ItemStarted",
    "PhaseBlocked",
    "PhaseCancelled",
    "PhaseFailed",
    "PhaseProgress",
    "PhaseQueued",
    "PhaseSkipped",
    "PhaseStarted",
    "PhaseSucceeded",
    "RunFinished",
    "RunStarted",
    "WaveFinished",
    "WaveStarted",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineEvent:
    """Base of every event."""

    run_id: int
    elapsed_s: float


@dataclass(frozen=True, slots=True, kw_only=True)
class RunStarted(EngineEvent):
    """A run (or a resumed segment of one) started."""

    mode: RunMode
    phases: tuple[str, ...]
    waves: tuple[tuple[str, ...], ...]
    already_done: tuple[str, ...]  # phases a resumed run will not run again
    concurrency: int


@dataclass(frozen=True, slots=True, kw_only=True)
class WaveStarted(EngineEvent):
    """The first phase of a wave started."""

    wave: int
    phases: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class WaveFinished(EngineEvent):
    """Every phase of a wave reached an end state."""

    wave: int
    duration_s: float
    sequential_estimate_s: float
    time_saved_s: float
    phases_completed: tuple[str, ...]
    phases_failed: Mapping[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class PhaseQueued(EngineEvent):
    """A phase's dependencies are done; it waits for a slot."""

    phase: str
    wave: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PhaseStarted(EngineEvent):
    """A phase started running."""

    phase: str
    wave: int
    attempt: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PhaseProgress(EngineEvent):
    """A running phase reported progress.

    Most reports only count tokens ("writing"); a ``notable`` one says something the user
    should see as a line of its own: a retry ("retrying after HTTP 529 (attempt 2 of 3)") or
    a repair attempt.
    """

    phase: str
    tokens: int
    message: str

    @property
    def notable(self) -> bool:
        """Whether the message is worth a line of its own (a retry, a repair, a fallback)."""
        return any(word in self.message for word in _NOTABLE)


#: What a notable progress message says (after a fan-out call's "E-1: ").
_NOTABLE = ("retrying after ", "repairing", "falling back to ")


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemStarted(EngineEvent):
    """One call of a phase that fans out started (one epic's tasks, say)."""

    phase: str
    index: int  # 0-based, in merge order
    count: int  # calls the phase makes
    item: str  # the item's heading: "E-2: Skill mix"


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemFinished(EngineEvent):
    """One call of a phase that fans out ended; ``error`` is empty when it succeeded."""

    phase: str
    index: int
    count: int
    item: str
    duration_s: float
    cached: bool
    error: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class PhaseSucceeded(EngineEvent):
    """A phase finished, passed validation and was recorded."""

    phase: str
    duration_s: float
    artifacts: Mapping[str, int]  # artifact -> version
    usage: TokenUsage
    cost_usd: float
    cached: bool
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PhaseFailed(EngineEvent):
    """A phase failed; its dependents will be blocked. ``usage`` and ``cost_usd`` are what its
    calls were billed all the same (a reply that failed validation, one cut off)."""

    phase: str
    error: str
    duration_s: float
    usage: TokenUsage = field(default_factory=TokenUsage)
    cost_usd: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class PhaseBlocked(EngineEvent):
    """A phase will not run because something upstream failed or was rejected."""

    phase: str
    blocked_by: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PhaseSkipped(EngineEvent):
    """A regeneration skipped a phase: everything it was selected for came out unchanged."""

    phase: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PhaseCancelled(EngineEvent):
    """A running phase was cancelled."""

    phase: str


@dataclass(frozen=True, slots=True, kw_only=True)
class GateWaiting(EngineEvent):
    """A gate waits for approval; the gated phase's dependents wait with it."""

    gate: str
    phase: str
    waiting: tuple[str, ...]  # the dependents held back


@dataclass(frozen=True, slots=True, kw_only=True)
class GateDecided(EngineEvent):
    """A gate was approved or rejected."""

    gate: str
    phase: str
    approved: bool
    decided_by: str
    note: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RunFinished(EngineEvent):
    """The run ended."""

    status: RunStatus
    wall_time_s: float
    sequential_estimate_s: float
    time_saved_s: float
    succeeded: tuple[str, ...]
    failed: Mapping[str, str]
    blocked: Mapping[str, str]


#: Where events go. Must not block; the GUI bridge re-emits them as Qt signals.
EventSink = Callable[[EngineEvent], None]
