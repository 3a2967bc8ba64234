"""In-memory stand-ins for the protocols ``core`` talks through."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from spec_automation.core.ports import (
    CommittedArtifact,
    GateDecision,
    GateRequest,
    GateState,
    GateStatus,
    PhaseCompletion,
    PhaseError,
    PhaseOutput,
    PhaseRequest,
    ProgressCallback,
    ResumeState,
    RunMode,
    RunStart,
    RunSummary,
    TokenUsage,
    WaveRecord,
)
from spec_automation.core.spec import PhaseSpec, WorkflowSpec


def spec_of(
    deps: Mapping[str, list[str]],
    durations: Mapping[str, float] | None = None,
    gates: Mapping[str, list[str]] | None = None,
    name: str = "test",
) -> WorkflowSpec:
    """A spec from a name -> dependencies mapping; each phase produces '<name>.md'."""
    phases = {
        n: PhaseSpec(
            name=n,
            description=f"phase {n}",
            agent="generic",
            produces=(f"{n.lower()}.md",),
            depends_on=tuple(d),
            estimated_duration_s=(durations or {}).get(n, 1.0),
            approval_gates=tuple((gates or {}).get(n, ())),
        )
        for n, d in deps.items()
    }
    return WorkflowSpec(name=name, phases=phases)


@dataclass
class FakeRunner:
    """Sleeps a set time per phase and writes a body naming its inputs."""

    latency: Mapping[str, float] = field(default_factory=dict)
    default_latency: float = 0.0
    fail: set[str] = field(default_factory=set)
    hang: set[str] = field(default_factory=set)
    starts: list[tuple[str, float]] = field(default_factory=list)
    ends: list[tuple[str, float]] = field(default_factory=list)
    in_flight: int = 0
    peak: int = 0
    seen_inputs: dict[str, tuple[str, ...]] = field(default_factory=dict)

    async def run(self, request: PhaseRequest, progress: ProgressCallback) -> PhaseOutput:
        name = request.phase.name
        loop = asyncio.get_running_loop()
        self.starts.append((name, loop.time()))
        self.seen_inputs[name] = tuple(sorted(request.inputs))
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            progress(1, "started")
            if name in self.hang:
                await asyncio.Event().wait()
            await asyncio.sleep(self.latency.get(name, self.default_latency))
            if name in self.fail:
                raise PhaseError(f"{name} was made to fail")
            body = f"# {name}\n\nMade from: {', '.join(sorted(request.inputs)) or 'the brief'}.\n"
            return PhaseOutput(dict.fromkeys(request.phase.produces, body), provider="fake")
        finally:
            self.in_flight -= 1
            self.ends.append((name, loop.time()))

    def start_of(self, name: str) -> float:
        return next(t for n, t in self.starts if n == name)

    def end_of(self, name: str) -> float:
        return next(t for n, t in self.ends if n == name)


@dataclass
class MemoryRecorder:
    """Records everything in lists and dicts; mimics the store's semantics."""

    runs: dict[int, dict[str, object]] = field(default_factory=dict)
    phase_rows: list[dict[str, object]] = field(default_factory=list)
    versions: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    waves: list[WaveRecord] = field(default_factory=list)
    snapshots: list[tuple[int, str, dict[str, int]]] = field(default_factory=list)
    gate_rows: dict[str, tuple[GateState, dict[str, str]]] = field(default_factory=dict)
    summaries: list[RunSummary] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)

    def begin_run(self, start: RunStart) -> int:
        run_id = len(self.runs) + 1
        self.runs[run_id] = {"status": "running", "mode": start.mode, "wall": 0.0, "seq": 0.0}
        return run_id

    def resume_run(self, run_id: int, started_at: datetime) -> ResumeState:
        for row in self.phase_rows:
            if row["run_id"] == run_id and row["status"] == "running":
                row["status"] = "interrupted"
        run = self.runs[run_id]
        run["status"] = "running"
        done = frozenset(
            str(r["phase"])
            for r in self.phase_rows
            if r["run_id"] == run_id and r["status"] == "succeeded"
        )
        mode = run["mode"]
        assert isinstance(mode, RunMode)
        return ResumeState(run_id, mode, done, float(run["wall"]), float(run["seq"]))  # type: ignore[arg-type]

    def latest_artifacts(self) -> dict[str, tuple[int, str]]:
        return {name: versions[-1] for name, versions in self.versions.items()}

    def phase_started(
        self, run_id: int, phase: str, wave: int, attempt: int, started_at: datetime
    ) -> None:
        self.phase_rows.append(
            {"run_id": run_id, "phase": phase, "status": "running", "wave": wave}
        )

    def _row(self, run_id: int, phase: str) -> dict[str, object]:
        for row in reversed(self.phase_rows):
            if row["run_id"] == run_id and row["phase"] == phase:
                return row
        row = {"run_id": run_id, "phase": phase}
        self.phase_rows.append(row)
        return row

    def commit_phase(self, completion: PhaseCompletion) -> tuple[CommittedArtifact, ...]:
        for draft in completion.artifacts:
            self.versions.setdefault(draft.name, []).append((draft.version, draft.content))
            self.files[draft.name] = draft.content
        row = self._row(completion.run_id, completion.phase)
        row.update(status="succeeded", duration=completion.duration_s)
        return tuple(
            CommittedArtifact(d.name, d.version, d.content_hash) for d in completion.artifacts
        )

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
        self._row(run_id, phase).update(
            status="failed", error=error, usage=usage or TokenUsage(), cost_usd=cost_usd
        )

    def phase_blocked(self, run_id: int, phase: str, blocked_by: str) -> None:
        self._row(run_id, phase).update(status="blocked", blocked_by=blocked_by)

    def phase_cancelled(self, run_id: int, phase: str, finished_at: datetime) -> None:
        self._row(run_id, phase).update(status="cancelled")

    def record_wave(self, record: WaveRecord) -> None:
        self.waves.append(record)

    def snapshot(self, run_id: int, label: str, taken_at: datetime) -> int:
        self.snapshots.append((run_id, label, {n: v[-1][0] for n, v in self.versions.items()}))
        return len(self.snapshots)

    def open_gate(
        self, run_id: int, gate: str, phase: str, artifact_hashes: Mapping[str, str]
    ) -> GateState:
        current = self.gate_rows.get(gate)
        if (
            current
            and current[0].status == GateStatus.APPROVED
            and current[1] == dict(artifact_hashes)
        ):
            return current[0]
        state = GateState(gate, phase, GateStatus.PENDING)
        self.gate_rows[gate] = (state, dict(artifact_hashes))
        return state

    def gate_state(self, gate: str) -> GateState:
        return self.gate_rows[gate][0]

    def decide_gate(
        self, gate: str, approved: bool, decided_by: str, note: str, decided_at: datetime
    ) -> GateState:
        state, hashes = self.gate_rows[gate]
        status = GateStatus.APPROVED if approved else GateStatus.REJECTED
        new = replace(state, status=status, decided_by=decided_by, note=note)
        self.gate_rows[gate] = (new, hashes)
        return new

    def finish_run(self, summary: RunSummary) -> None:
        self.summaries.append(summary)
        run = self.runs[summary.run_id]
        run.update(
            status=str(summary.status), wall=summary.wall_time_s, seq=summary.sequential_estimate_s
        )


class AutoApprove:
    """Approves every gate at once."""

    async def wait(self, request: GateRequest, state: GateState) -> GateDecision:
        return GateDecision(True, "auto")


class ManualGate:
    """A gate a test decides when it likes."""

    def __init__(self) -> None:
        self.waiting = asyncio.Event()
        self.decision: asyncio.Future[GateDecision] | None = None
        self.requests: list[GateRequest] = []

    async def wait(self, request: GateRequest, state: GateState) -> GateDecision:
        self.requests.append(request)
        self.decision = asyncio.get_running_loop().create_future()
        self.waiting.set()
        return await self.decision

    def decide(self, approved: bool, note: str = "") -> None:
        assert self.decision is not None
        self.decision.set_result(GateDecision(approved, "tester", note))
