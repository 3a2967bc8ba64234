"""Execution metrics: parallel against one-at-a-time time over the finished runs, and the
time the quality gates took."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from spec_automation.core.ports import RunMode, RunStatus
from spec_automation.services.context import ProjectState
from spec_automation.services.errors import ProjectError
from spec_automation.services.reports import MetricsReport, RunMetrics, RunUsage, WaveMetrics
from spec_automation.store import queries
from spec_automation.store.quality import QualityStore
from spec_automation.store.records import RunDetail

__all__ = ["execution_metrics", "percent", "run_usage", "total_usage"]


def execution_metrics(
    project: ProjectState, since: datetime | None = None, until: datetime | None = None
) -> MetricsReport:
    """Sequential against parallel time over the finished parallel runs in the range."""
    if since and until and since > until:
        raise ProjectError("the start of the date range is after its end")
    details = [
        d
        for d in queries.runs_in_range(project.db, project.project_id, since, until)
        if d.run.mode == RunMode.PARALLEL
        and d.run.status in (RunStatus.COMPLETED, RunStatus.PARTIAL)
    ]
    sequential = sum(d.run.sequential_estimate_s for d in details)
    # Time a gate waited for a person is not the scheduler's: it is reported apart.
    waits = sum(d.run.person_wait_s for d in details)
    parallel = sum(d.run.wall_time_s for d in details) - waits
    gates = QualityStore(project.db, project.project_id)
    gate_time, gate_runs = gates.gate_time(since, until)
    gate_time_by_run = gates.gate_time_by_run([d.run.id for d in details])
    return MetricsReport(
        since=since,
        until=until,
        runs_analysed=len(details),
        sequential_duration_s=sequential,
        parallel_duration_s=parallel,
        time_saved_s=sequential - parallel,
        time_saved_pct=percent(sequential - parallel, sequential),
        waves=_wave_metrics(details),
        person_wait_s=waits,
        usage=total_usage([run_usage(d) for d in details]),
        gate_runs=gate_runs,
        gate_time_s=gate_time,
        runs=tuple(
            RunMetrics(
                run_id=d.run.id,
                mode=d.run.mode,
                status=d.run.status,
                started_at=d.run.started_at,
                wall_time_s=d.run.wall_time_s,
                sequential_estimate_s=d.run.sequential_estimate_s,
                time_saved_s=d.run.time_saved_s,
                time_saved_pct=percent(d.run.time_saved_s, d.run.sequential_estimate_s),
                person_wait_s=d.run.person_wait_s,
                parallel_time_s=d.run.wall_time_s - d.run.person_wait_s,
                usage=run_usage(d),
                gate_time_s=gate_time_by_run.get(d.run.id, 0.0),
            )
            for d in details
        ),
    )


def run_usage(detail: RunDetail) -> RunUsage:
    """A run's tokens and cost: every phase attempt's, failed ones included."""
    phases = detail.phases
    return RunUsage(
        provider=detail.run.provider,
        model=detail.run.model,
        input_tokens=sum(p.input_tokens for p in phases),
        cache_read_tokens=sum(p.cache_read_tokens for p in phases),
        cache_write_tokens=sum(p.cache_write_tokens for p in phases),
        output_tokens=sum(p.output_tokens for p in phases),
        cost_usd=sum(p.cost_usd for p in phases),
    )


def total_usage(usages: Sequence[RunUsage]) -> RunUsage:
    """Several runs' tokens and cost together, with every provider and model they used."""

    def names(values: Sequence[str]) -> str:
        return ", ".join(dict.fromkeys(v for v in values if v))

    return RunUsage(
        provider=names([u.provider for u in usages]),
        model=names([u.model for u in usages]),
        input_tokens=sum(u.input_tokens for u in usages),
        cache_read_tokens=sum(u.cache_read_tokens for u in usages),
        cache_write_tokens=sum(u.cache_write_tokens for u in usages),
        output_tokens=sum(u.output_tokens for u in usages),
        cost_usd=sum(u.cost_usd for u in usages),
    )


def percent(part: float, whole: float) -> float:
    """``part`` as a percentage of ``whole`` to one decimal (0 when there is no whole)."""
    return round(100.0 * part / whole, 1) if whole > 0 else 0.0


def _wave_metrics(details: Sequence[RunDetail]) -> tuple[WaveMetrics, ...]:
    by_wave: dict[int, list[Any]] = {}
    for detail in details:
        for wave in detail.waves:
            by_wave.setdefault(wave.wave, []).append(wave)
    result = []
    for number in sorted(by_wave):
        rows = by_wave[number]
        count = len(rows)
        result.append(
            WaveMetrics(
                wave=number,
                phases=tuple(rows[-1].phases),
                runs=count,
                duration_s=sum(r.duration_s for r in rows) / count,
                sequential_estimate_s=sum(r.sequential_estimate_s for r in rows) / count,
                time_saved_s=sum(r.time_saved_s for r in rows) / count,
            )
        )
    return tuple(result)
