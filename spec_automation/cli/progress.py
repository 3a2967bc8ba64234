"""The live progress of a run: a table on a terminal (drawn by rich), one line per event
otherwise."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.live import Live
from rich.table import Table

from spec_automation.cli.render import Output, escape
from spec_automation.core import events as ev
from spec_automation.core.ports import RunStatus
from spec_automation.services import ProjectService, RunReport

__all__ = ["ProgressView", "usage_line"]


class ProgressView:
    """Renders engine events: a live table on a terminal, one line per event otherwise."""

    def __init__(self, out: Output, project: ProjectService, *, auto_approve: bool) -> None:
        self.out = out
        self.project = project
        self.auto_approve = auto_approve
        graph = project.graph
        self.rows: dict[str, dict[str, Any]] = {
            name: {
                "wave": graph.wave_of[name],
                "state": "pending",
                "tokens": 0,
                "elapsed": None,
                "note": "",
                "started": None,
            }
            for name in graph.topological_order
        }
        self.elapsed = 0.0
        self.cached: list[str] = []
        self.live: Live | None = None
        self.interactive = out.is_terminal

    def __enter__(self) -> ProgressView:
        if self.interactive:
            console = Console(file=self.out.file, highlight=False)
            self.live = Live(self._table(), console=console, refresh_per_second=8, transient=False)
            self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.update(self._table())
            self.live.__exit__(None, None, None)

    def on_event(self, event: ev.EngineEvent) -> None:
        """Update the view from one engine event."""
        self.elapsed = event.elapsed_s
        line = self._apply(event)
        if self.live is not None:
            self.live.update(self._table())
        elif line:
            self.out.print(f"[{event.elapsed_s:7.2f}s] {line}")

    def _apply(self, event: ev.EngineEvent) -> str:
        row = self.rows.get(getattr(event, "phase", ""), {})
        match event:
            case ev.RunStarted(mode=mode, already_done=done, concurrency=concurrency):
                for name in done:
                    self.rows[name]["state"] = "up to date"
                resumed = f", resuming ({len(done)} phases already done)" if done else ""
                return f"run #{event.run_id} started: {mode}, up to {concurrency} at once{resumed}"
            case ev.PhaseQueued():
                row["state"] = "queued"
            case ev.PhaseStarted(phase=phase, wave=wave):
                row.update(state="running", started=event.elapsed_s)
                return f"{phase} started (wave {wave})"
            case ev.PhaseProgress(phase=phase, tokens=tokens, message=message):
                row["tokens"] = tokens
                if event.notable:
                    row["note"] = message
                    if self.live is not None:
                        self.live.console.print(f"{phase}: {escape(message)}")
                    return f"{phase}: {message}"
            case ev.PhaseSucceeded(
                phase=phase, duration_s=duration, artifacts=artifacts, cached=cached
            ):
                if cached:
                    self.cached.append(phase)
                    row.update(state="cached", elapsed=duration, note="reused, 0 tokens")
                    return (
                        f"{phase} cached (reused a stored reply, 0 tokens): {', '.join(artifacts)}"
                    )
                row.update(state="succeeded", elapsed=duration, note="")
                return f"{phase} succeeded in {duration:.2f}s: {', '.join(artifacts)}"
            case ev.PhaseFailed(phase=phase, error=error, duration_s=duration):
                row.update(state="failed", elapsed=duration, note=error)
                return f"{phase} FAILED: {error}"
            case ev.PhaseSkipped(phase=phase, reason=reason):
                row.update(state="skipped", note=reason)
                return f"{phase} skipped: {reason}"
            case ev.PhaseBlocked(phase=phase, blocked_by=by):
                row.update(state="blocked", note=f"by {by}")
                return f"{phase} blocked by {by}"
            case ev.PhaseCancelled(phase=phase):
                row["state"] = "cancelled"
                return f"{phase} cancelled"
            case ev.GateWaiting(gate=gate, phase=phase, waiting=waiting):
                if self.auto_approve:
                    return ""
                self.rows[phase]["note"] = f"awaiting approval: {gate}"
                root = self.project.paths.root
                held = ", ".join(waiting) or "nothing else"
                verb = "wait" if len(waiting) > 1 else "waits"
                message = (
                    f"gate {gate} waits for approval of {phase}'s artifacts; {held} {verb} "
                    "with it. Review them, then run "
                    f"`spec-automation approve {gate} -p {root}` (or `reject`) in another "
                    "terminal, or press Ctrl-C and resume later."
                )
                if self.live is not None:
                    self.live.console.print(message)
                return message
            case ev.GateDecided(gate=gate, phase=phase, approved=approved, decided_by=by):
                self.rows[phase]["note"] = ""
                return f"gate {gate} {'approved' if approved else 'rejected'} by {by}"
            case ev.WaveFinished(wave=wave, duration_s=duration, time_saved_s=saved):
                return f"wave {wave} finished in {duration:.2f}s (saved {saved:.2f}s)"
            case ev.RunFinished(status=status, wall_time_s=wall):
                return f"run finished: {status} in {wall:.2f}s"
        return ""

    def _table(self) -> Table:
        table = Table(
            box=None,
            header_style="bold",
            pad_edge=False,
            title=f"{self.project.info.name}: {self.elapsed:.1f}s",
        )
        for column in ("wave", "phase", "state", "time", "tokens", ""):
            table.add_column(column)
        colours = {
            "running": "cyan",
            "succeeded": "green",
            "cached": "green",
            "failed": "red",
            "blocked": "yellow",
            "queued": "blue",
            "cancelled": "magenta",
        }
        for name, row in self.rows.items():
            state = row["state"]
            if row["elapsed"] is not None:
                shown = f"{row['elapsed']:.1f}s"
            elif state == "running" and row["started"] is not None:
                shown = f"{self.elapsed - row['started']:.1f}s"
            else:
                shown = ""
            colour = colours.get(state, "dim")
            table.add_row(
                str(row["wave"]),
                name,
                f"[{colour}]{state}[/]",
                shown,
                str(row["tokens"] or ""),
                escape(row["note"]),
            )
        return table

    def summary(self, report: RunReport) -> None:
        """Print how the run ended."""
        out = self.out
        if report.up_to_date:
            for notice in report.notices:
                out.print(escape(notice))
            return
        colour = "green" if report.status == RunStatus.COMPLETED else "yellow"
        out.print(
            f"\nRun #{report.run_id} [{colour}]{report.status}[/] ({report.mode}"
            f"{', resumed' if report.resumed else ''}) in {report.wall_time_s:.2f}s"
        )
        out.print(
            f"Phases one after another would have taken {report.sequential_estimate_s:.2f}s: "
            f"saved {report.time_saved_s:.2f}s ({report.time_saved_pct:.1f}%)"
        )
        if report.person_wait_s >= 0.05:
            waits = ", ".join(f"{g} {s:.1f}s" for g, s in report.gate_waits.items())
            out.print(
                f"Waiting for your approval: {report.person_wait_s:.1f}s with nothing else to "
                f"run ({waits}); not counted against the time saved"
            )
        if report.unchanged:
            same = ", ".join(report.unchanged)
            out.print(f"Written again exactly as they were (nothing stored): {same}")
        if self.cached:
            out.print(
                f"Reused from the response cache (0 tokens): {', '.join(self.cached)}"
                " (run with --no-cache to ask the provider again)"
            )
        line = usage_line(
            report.input_tokens,
            report.cache_read_tokens,
            report.cache_write_tokens,
            report.output_tokens,
            report.cost_usd,
        )
        if line:
            out.print(line)
        for phase, error in report.failed.items():
            out.print(f"[red]failed[/] {phase}: {escape(error)}")
        for phase, by in report.blocked.items():
            out.print(f"[yellow]blocked[/] {phase} (by {escape(by)})")
        out.print(f"Artifacts: {report.artifacts_dir}")
        for notice in report.notices:
            out.print(f"[yellow]note:[/] {escape(notice)}")
        if report.status != RunStatus.COMPLETED:
            # Resuming goes on with the provider the run started with; name it if unusual.
            provider = f" --provider {report.provider}" if report.provider != "offline" else ""
            out.print(
                f"Finish it with: spec-automation run --resume{provider} "
                f"-p {self.project.paths.root}"
            )


def usage_line(
    input_tokens: int,
    cache_reads: int,
    cache_writes: int,
    output_tokens: int,
    cost_usd: float,
) -> str:
    """``Tokens: 2,820 in + 28,245 cache reads + 1,746 cache writes, 12,538 out; estimated
    cost $0.2461`` ('' when nothing was spent): the prompt tokens read from and written to the
    prompt cache are shown, as they are billed, apart from the rest."""
    if not (input_tokens or cache_reads or cache_writes or output_tokens):
        return ""
    prompt = [f"{input_tokens:,} in"]
    if cache_reads:
        prompt.append(f"{cache_reads:,} cache reads")
    if cache_writes:
        prompt.append(f"{cache_writes:,} cache writes")
    return f"Tokens: {' + '.join(prompt)}, {output_tokens:,} out; estimated cost ${cost_usd:.4f}"
