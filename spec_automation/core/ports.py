"""The small protocols ``core`` talks through, and the records that cross them.

``core`` never imports the store, an LLM SDK or Qt. The engine is handed objects that satisfy
these protocols: ``store/`` implements ``RunRecorder`` with SQLite, ``agents/`` implements
``PhaseRunner`` on top of an LLM provider, and ``services.py`` wires real ones together. Tests
hand in in-memory fakes.

The recorder is synchronous on purpose: the engine calls it on one worker thread of its own, so
SQLite work never blocks the event loop and calls stay in order.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from spec_automation.core.fan_out import FanOutItem
from spec_automation.core.spec import PhaseSpec
from spec_automation.core.time_limit import TimeLimit

__all__ = [
    "ArtifactDraft",
    "Clock",
    "CommittedArtifact",
    "GateDecision",
    "GateRequest",
    "GateState",
    "GateStatus",
    "Gatekeeper",
    "PhaseCompletion",
    "PhaseError",
    "PhaseOutput",
    "PhaseRequest",
    "PhaseRunner",
    "PhaseStatus",
    "ProgressCallback",
    "ResumeState",
    "RunMode",
    "RunRecorder",
    "RunStart",
    "RunStatus",
    "RunSummary",
    "SystemClock",
    "TokenUsage",
    "WaveRecord",
]


class RunMode(enum.StrEnum):
    """How a workflow run schedules its phases."""

    PARALLEL = "parallel"
    SEQUENTIAL = "sequential"


class RunStatus(enum.StrEnum):
    """Outcome of a workflow run. ``RUNNING`` in the store after a crash means interrupted."""

    RUNNING = "running"
    COMPLETED = "completed"
    PARTIAL = "partial"  # some phases failed or were blocked, others finished
    FAILED = "failed"  # nothing finished
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"  # the process died mid-run; resumable


class PhaseStatus(enum.StrEnum):
    """Where one phase of a run stands."""

    PENDING = "pending"
    QUEUED = "queued"  # ready, waiting for a concurrency slot or the rate limit
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    BLOCKED = "blocked"  # an upstream phase failed, or its gate was rejected
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"
    SKIPPED = "skipped"  # a regeneration's early cutoff: nothing it reads changed


class GateStatus(enum.StrEnum):
    """State of an approval gate."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Clock(Protocol):
    """Time source: monotonic seconds for durations, aware UTC datetimes for records."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes backwards."""
        ...

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        """``time.monotonic()``."""
        return time.monotonic()

    def now(self) -> datetime:
        """``datetime.now(UTC)``."""
        return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class TokenUsage:
    """Tokens a provider spent on one phase."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0

    def __add__(self, other: TokenUsage) -> TokenUsage:
        return TokenUsage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cache_write_tokens + other.cache_write_tokens,
            self.cache_read_tokens + other.cache_read_tokens,
        )


# --- running a phase -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PhaseRequest:
    """Everything a phase may read. ``inputs`` is a read-only snapshot taken when it starts."""

    phase: PhaseSpec
    project_name: str
    brief: str
    inputs: Mapping[str, str]  # upstream artifact name -> full content (with front matter)
    run_id: int
    attempt: int = 1
    feedback: str = ""  # a reviewer's note when a rejected gate sends the phase back
    #: One call of a phase that fans out: the item it writes. ``inputs`` then holds the
    #: split artifact as this item sees it (its other items left out).
    item: FanOutItem | None = None
    #: The call's time limit, which the runner tells of waits that are not the phase's own
    #: work (None: the runner keeps its own deadline, if any).
    time_limit: TimeLimit | None = field(default=None, compare=False)


#: Progress from a running phase: (tokens produced so far, short human message).
ProgressCallback = Callable[[int, str], None]


@dataclass(frozen=True, slots=True)
class PhaseOutput:
    """What a phase produced: artifact bodies (markdown, without front matter)."""

    artifacts: Mapping[str, str]
    provider: str
    model: str = ""
    usage: TokenUsage = field(default_factory=TokenUsage)
    cost_usd: float = 0.0
    cached: bool = False
    #: Files outside the artifacts an implementation phase wrote: path in the code folder
    #: → text (written to the code folder by the stage's runner, never by the engine).
    files: Mapping[str, str] = field(default_factory=dict)
    #: What the run should record about how the output was made (a fallback wrote it),
    #: kept with the phase beside its validation warnings.
    notes: tuple[str, ...] = ()


class PhaseRunner(Protocol):
    """Runs one phase through its agent. Raises on failure; the engine records the error."""

    async def run(self, request: PhaseRequest, progress: ProgressCallback) -> PhaseOutput:
        """Produce the phase's artifacts."""
        ...


# --- recording a run -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunStart:
    """A new workflow run about to start."""

    mode: RunMode
    spec_name: str
    phases: tuple[str, ...]
    concurrency: int
    started_at: datetime
    purpose: str = "workflow"  # or "regeneration": a run of some phases after a change
    provider: str = ""  # what the run was started with; a resumed run goes on with them
    model: str = ""
    options: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ArtifactDraft:
    """An artifact a phase produced, ready to be stored: full file content, front matter in."""

    name: str
    content: str
    content_hash: str  # sha256 hex of content
    version: int


@dataclass(frozen=True, slots=True)
class CommittedArtifact:
    """An artifact version as stored."""

    name: str
    version: int
    content_hash: str


@dataclass(frozen=True, slots=True)
class PhaseCompletion:
    """A phase that succeeded and passed validation: recorded in one transaction."""

    run_id: int
    phase: str
    wave: int  # 1-based
    attempt: int
    started_at: datetime
    finished_at: datetime
    duration_s: float
    artifacts: tuple[ArtifactDraft, ...]
    provider: str
    model: str
    usage: TokenUsage
    cost_usd: float
    cached: bool
    warnings: tuple[str, ...] = ()
    #: What the artifacts were made from: input artifact or context input -> content hash.
    made_from: Mapping[str, str] = field(default_factory=dict)
    #: Artifacts the phase wrote again exactly as they are: not stored again, only confirmed
    #: as made from ``made_from``.
    confirmed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WaveRecord:
    """One wave of a run, recorded when its last phase reaches an end state."""

    run_id: int
    wave: int  # 1-based
    phases: tuple[str, ...]
    started_at: datetime | None  # None when no phase of the wave ran in this run
    completed_at: datetime
    duration_s: float  # first start to last finish within the wave
    sequential_estimate_s: float  # sum of the wave's measured phase durations
    time_saved_s: float  # sequential_estimate_s - duration_s
    phases_completed: tuple[str, ...]
    phases_failed: Mapping[str, str]  # phase -> error (blocked phases name their blocker)


@dataclass(frozen=True, slots=True)
class RunSummary:
    """How a run ended."""

    run_id: int
    status: RunStatus
    finished_at: datetime
    wall_time_s: float  # this run's wall time, over all of its resumed segments
    sequential_estimate_s: float  # sum of every phase's measured duration
    time_saved_s: float
    phases_succeeded: tuple[str, ...]
    phases_failed: Mapping[str, str]
    phases_blocked: Mapping[str, str]  # phase -> the failed phase or rejected gate blocking it
    error: str = ""
    person_wait_s: float = 0.0  # nothing ran while a gate waited for a person (all segments)
    gate_waits: Mapping[str, float] = field(default_factory=dict)  # gate -> seconds to decide


@dataclass(frozen=True, slots=True)
class ResumeState:
    """What an interrupted run had already done."""

    run_id: int
    mode: RunMode
    succeeded: frozenset[str]  # phases never to run again
    wall_time_s: float  # wall time already spent in earlier segments
    sequential_estimate_s: float  # summed durations of the phases already done
    person_wait_s: float = 0.0  # time earlier segments spent waiting for a person


class RunRecorder(Protocol):
    """Persistence the engine needs. Called from one worker thread, in order.

    Every method is one transaction; ``commit_phase`` writes the artifact files atomically and
    records versions, phase status and timing together, so a crash leaves either all of a
    phase's completion or none of it.
    """

    def begin_run(self, start: RunStart) -> int:
        """Record a new run (status running) and return its id."""
        ...

    def resume_run(self, run_id: int, started_at: datetime) -> ResumeState:
        """Mark an unfinished run running again and say what it already did.

        Phases left ``running`` by a crash become ``interrupted``.
        """
        ...

    def latest_artifacts(self) -> dict[str, tuple[int, str]]:
        """Latest stored version of every artifact: name -> (version, content)."""
        ...

    def phase_started(
        self, run_id: int, phase: str, wave: int, attempt: int, started_at: datetime
    ) -> None:
        """Record that a phase started."""
        ...

    def commit_phase(self, completion: PhaseCompletion) -> tuple[CommittedArtifact, ...]:
        """Write the artifact files and record the phase's success, in one transaction."""
        ...

    def phase_failed(
        self,
        run_id: int,
        phase: str,
        error: str,
        finished_at: datetime,
        duration_s: float,
        usage: TokenUsage | None = None,
        cost_usd: float = 0.0,
    ) -> None:
        """Record a phase failure with its error, and what its calls were billed."""
        ...

    def phase_blocked(self, run_id: int, phase: str, blocked_by: str) -> None:
        """Record that a phase will not run because ``blocked_by`` failed or was rejected."""
        ...

    def phase_cancelled(self, run_id: int, phase: str, finished_at: datetime) -> None:
        """Record that a running phase was cancelled."""
        ...

    def record_wave(self, record: WaveRecord) -> None:
        """Record a wave's metrics (one ``parallel_execution_runs`` row)."""
        ...

    def snapshot(self, run_id: int, label: str, taken_at: datetime) -> int:
        """Snapshot the latest version of every artifact; return the snapshot id."""
        ...

    def open_gate(
        self, run_id: int, gate: str, phase: str, artifact_hashes: Mapping[str, str]
    ) -> GateState:
        """Open ``gate`` for review of the given artifact versions.

        A gate already approved for exactly these artifact hashes stays approved.
        """
        ...

    def gate_state(self, gate: str) -> GateState:
        """Current state of a gate."""
        ...

    def decide_gate(
        self, gate: str, approved: bool, decided_by: str, note: str, decided_at: datetime
    ) -> GateState:
        """Approve or reject a gate."""
        ...

    def finish_run(self, summary: RunSummary) -> None:
        """Record how the run ended."""
        ...


# --- approval gates -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GateState:
    """A gate's current decision."""

    gate: str
    phase: str
    status: GateStatus
    decided_by: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class GateRequest:
    """A gate the engine waits on before the gated phase's dependents may start."""

    run_id: int
    gate: str
    phase: str
    artifacts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GateDecision:
    """A person's (or ``--auto-approve``'s) answer to a gate."""

    approved: bool
    decided_by: str
    note: str = ""


class Gatekeeper(Protocol):
    """Waits for a gate decision. Only the gated phase's dependents wait on it."""

    async def wait(self, request: GateRequest, state: GateState) -> GateDecision:
        """Return the decision once made (``state`` is the gate as just opened)."""
        ...


class PhaseError(Exception):
    """A phase failed for a reason the user can act on; ``str()`` is shown as is.

    ``usage`` and ``cost_usd`` are what the phase's calls were billed before it failed (a
    reply that failed validation, a reply cut off at ``max_tokens``): a failed phase is
    recorded with them, and the run's totals include them.
    """

    def __init__(
        self, message: str = "", *, usage: TokenUsage | None = None, cost_usd: float = 0.0
    ) -> None:
        super().__init__(message)
        self.usage = usage if usage is not None else TokenUsage()
        self.cost_usd = cost_usd

    def billed(self, usage: TokenUsage, cost_usd: float) -> PhaseError:
        """This error with ``usage`` and ``cost_usd`` (earlier attempts) added to its own."""
        self.usage = usage + self.usage
        self.cost_usd += cost_usd
        return self
