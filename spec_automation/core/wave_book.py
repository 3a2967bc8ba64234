"""The bookkeeping of waves: when each phase started and ended, and a wave's record once its
last phase reaches an end state (waves are for people and metrics; execution ignores them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from spec_automation.core.ports import PhaseStatus, WaveRecord

__all__ = ["PhaseTiming", "wave_record"]


@dataclass
class PhaseTiming:
    """When each phase of a run started and ended (monotonic seconds), and how long it took."""

    started_mono: dict[str, float] = field(default_factory=dict)
    finished_mono: dict[str, float] = field(default_factory=dict)
    started_wall: dict[str, datetime] = field(default_factory=dict)
    durations: dict[str, float] = field(default_factory=dict)


def wave_record(
    run_id: int,
    number: int,
    phases: tuple[str, ...],
    *,
    timing: PhaseTiming,
    status: Mapping[str, PhaseStatus],
    failed: Mapping[str, str],
    blocked: Mapping[str, str],
    now_mono: float,
    now: datetime,
    t0: float,
) -> WaveRecord:
    """The record of a finished wave: from its first phase's start to its last phase's end,
    the one-at-a-time time of the phases that ran, and what failed or was blocked."""
    ran = [p for p in phases if p in timing.started_mono]
    first = min((timing.started_mono[p] for p in ran), default=None)
    last = max((timing.finished_mono.get(p, t0) for p in ran), default=now_mono)
    duration = 0.0 if first is None else last - first
    sequential = sum(timing.durations.get(p, 0.0) for p in ran)
    failures = {
        p: failed.get(p) or f"blocked by {blocked[p]}"
        for p in phases
        if p in failed or p in blocked
    }
    return WaveRecord(
        run_id=run_id,
        wave=number,
        phases=phases,
        started_at=min((timing.started_wall[p] for p in ran), default=None),
        completed_at=now,
        duration_s=duration,
        sequential_estimate_s=sequential,
        time_saved_s=sequential - duration,
        phases_completed=tuple(p for p in phases if status[p] == PhaseStatus.SUCCEEDED),
        phases_failed=failures,
    )
