"""What a run is given and what it gives back: its limits, a regeneration's scope, its result."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from spec_automation.core.ports import PhaseStatus, RunMode, RunStatus, TokenUsage

__all__ = ["EngineSettings", "RunResult", "RunScope"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RunScope:
    """A regeneration: run only some phases, on the current upstream artifacts.

    Phases outside ``phases`` count as done, and their artifacts are read from the store as
    they are now. Only ``artifacts`` are stored: another artifact a run phase also produces
    keeps its current content. ``changed`` names phases outside the scope whose artifacts
    changed before the run (the edited artifact's producer).

    Early cutoff: a phase selected only because of in-scope dependencies whose artifacts all
    came out identical is skipped (unless it is ``required``). Gates of a phase whose artifacts
    changed are re-opened; with ``hold_on_gates`` its dependents also wait for the decision.

    An incremental workflow run is a scope too (``purpose="workflow"``): the phases whose
    artifacts are missing, failed or stale, and what depends on them.
    """

    phases: frozenset[str]
    artifacts: frozenset[str]
    changed: frozenset[str] = frozenset()
    early_cutoff: bool = True
    hold_on_gates: bool = False
    #: Phases that run whatever their in-scope dependencies come out as (never cut off).
    required: frozenset[str] = frozenset()
    #: "regeneration" (its own record, not resumable) or "workflow" (an incremental run).
    purpose: str = "regeneration"


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineSettings:
    """Limits a run obeys."""

    concurrency: int = 4
    rate_limit_per_minute: float | None = None
    phase_timeout_s: float | None = 900.0

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        if self.phase_timeout_s is not None and self.phase_timeout_s <= 0:
            raise ValueError("the phase timeout must be more than zero seconds")


@dataclass(frozen=True, slots=True)
class RunResult:
    """How a run ended, as the engine saw it."""

    run_id: int
    status: RunStatus
    mode: RunMode
    wall_time_s: float
    sequential_estimate_s: float
    time_saved_s: float  # against the wall time less the time spent waiting for a person
    phase_status: Mapping[str, PhaseStatus]
    failed: Mapping[str, str]
    blocked: Mapping[str, str]
    usage: TokenUsage
    cost_usd: float
    peak_in_flight: int
    phase_durations: Mapping[str, float] = field(default_factory=dict)
    unchanged: tuple[str, ...] = ()  # phases whose artifacts came out identical
    skipped: tuple[str, ...] = ()  # scoped run: phases skipped by early cutoff
    person_wait_s: float = 0.0  # nothing ran while a gate waited for a person
    gate_waits: Mapping[str, float] = field(default_factory=dict)  # gate -> seconds waited

    @property
    def succeeded(self) -> tuple[str, ...]:
        """Phases that succeeded (in this run or an earlier segment of it)."""
        return tuple(n for n, s in self.phase_status.items() if s == PhaseStatus.SUCCEEDED)
