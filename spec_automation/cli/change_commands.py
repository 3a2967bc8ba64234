"""Commands about edits and what follows them: scan, history, impact, regenerate, runs,
snapshots and rollback."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from typing import Any

from spec_automation.cli.project_commands import opened
from spec_automation.cli.render import EXIT_OK, Output, Table, escape, note, print_json, when
from spec_automation.cli.run_commands import EXIT_RUN_INCOMPLETE, run_options
from spec_automation.core import events as ev
from spec_automation.services import RegenerationReport, ScanReport

__all__ = ["COMMANDS", "gate_hints", "print_regeneration"]


def _scan(args: argparse.Namespace, out: Output) -> int:
    with opened(args.project) as project:
        # Opening the project scans already; report what that found plus anything since.
        first = project.last_scan
        again = project.scan()
    changes = (first.changes if first else ()) + again.changes
    report = ScanReport(
        checked=again.checked, changes=changes, missing=again.missing, unreadable=again.unreadable
    )
    if args.json:
        return print_json(out, report)
    if not report.changes:
        out.print(f"No edits found: {report.checked} artifact files match the store.")
    for change in report.changes:
        sections = ", ".join(f"{s.name} ({s.kind})" for s in change.sections[:6])
        more = f" and {len(change.sections) - 6} more" if len(change.sections) > 6 else ""
        cosmetic = ", cosmetic" if change.cosmetic else ""
        out.print(
            f"change #{change.id} {change.artifact}: {change.impact_level}{cosmetic}; "
            f"{escape(sections)}{more}"
        )
    for name in report.missing:
        out.print(f"[yellow]missing:[/] {name} (its stored versions are kept)")
    for name in report.unreadable:
        out.print(f"[yellow]not UTF-8 text, left alone:[/] {name}")
    return EXIT_OK


def _history(args: argparse.Namespace, out: Output) -> int:
    with opened(args.project) as project:
        if args.versions:
            page: Any = project.artifact_versions(args.artifact, args.limit, args.offset)
        else:
            page = project.change_history(args.artifact, args.limit, args.offset)
    if args.json:
        return print_json(out, page)
    shown = f"{args.offset + 1}-{args.offset + len(page.items)}" if page.items else "none"
    what = "versions" if args.versions else "changes"
    out.print(f"{args.artifact}: {what} {shown} of {page.total}, newest first")
    if args.versions:
        table = Table.of("id", "version", "when", "kind", "by", "reason")
        for v in page.items:
            table.add_row(
                str(v.id),
                str(v.version),
                when(v.created_at),
                v.kind,
                v.changed_by,
                escape(v.reason or ""),
            )
    else:
        table = Table.of("change", "when", "by", "impact", "sections")
        for c in page.items:
            sections = ", ".join(f"{s.name} ({s.kind})" for s in c.sections[:4])
            if len(c.sections) > 4:
                sections += f" +{len(c.sections) - 4}"
            impact = c.impact_level + (" cosmetic" if c.cosmetic else "")
            table.add_row(str(c.id), when(c.detected_at), c.changed_by, impact, escape(sections))
    out.print(table)
    return EXIT_OK


def _impact(args: argparse.Namespace, out: Output) -> int:
    with opened(args.project) as project:
        report = project.analyze_impact(args.change)
    if args.json:
        return print_json(out, report)
    change = report.change
    cosmetic = ", cosmetic" if change.cosmetic else ""
    out.print(
        f"Change #{change.id} to [bold]{report.trigger_artifact}[/] by {change.changed_by}: "
        f"{report.trigger_level}{cosmetic}"
    )
    if not report.affected:
        out.print("Nothing downstream depends on it.")
        return EXIT_OK
    table = Table.of("artifact", "level", "path", "reason")
    for a in report.affected:
        edited = " [yellow](your edits)[/]" if a.user_edited else ""
        table.add_row(a.artifact + edited, a.level, " -> ".join(a.path), escape(a.reason))
    out.print(table)
    counts = ", ".join(f"{n} {level}" for level, n in report.counts.items())
    out.print(f"Affected: {counts}")
    for cycle in report.cycles:
        out.print(f"[yellow]cycle:[/] {' -> '.join(cycle)}")
    out.print(
        f"Recommended: [bold]{report.recommended_strategy}[/] ({escape(report.recommendation)}); "
        f"about {report.estimated_duration_s:.0f} s"
    )
    out.print(
        f"Next: spec-automation regenerate --change {change.id} "
        f"--strategy {report.recommended_strategy} -p {args.project}"
    )
    return EXIT_OK


def _regenerate(args: argparse.Namespace, out: Output) -> int:
    artifacts = tuple(a.strip() for a in args.artifacts.split(",") if a.strip())
    options = run_options(args)
    with opened(args.project) as project:
        report = asyncio.run(
            project.regenerate(
                args.change,
                args.strategy,
                artifacts,
                confirm=args.confirm,
                options=options,
                on_event=None
                if args.json or args.auto_approve
                else gate_hints(out, project.paths.root),
            )
        )
    return print_regeneration(out, report, args.project, as_json=args.json)


def print_regeneration(
    out: Output, report: RegenerationReport, project: object, *, as_json: bool, after: str = ""
) -> int:
    """Print how a regeneration went (or its JSON); its exit status."""
    if as_json:
        print_json(out, report)
    else:
        after = after or f"change #{report.change_id} to {report.trigger_artifact}"
        out.print(
            f"Regeneration #{report.run_id} ({report.strategy}) after {after}: {report.status}"
        )
        if report.snapshot_id is not None:
            out.print(f"Snapshot #{report.snapshot_id} taken before (rollback restores it)")
        out.print(f"Regenerated: {', '.join(report.artifacts_regenerated) or 'nothing'}")
        if report.artifacts_unchanged:
            out.print(f"Unchanged:   {', '.join(report.artifacts_unchanged)}")
        for phase, error in report.failures.items():
            out.print(f"[red]failed[/] {phase}: {escape(error)}")
        if report.edits_kept:
            out.print(f"Kept your edits to {', '.join(report.edits_kept)}.")
        if report.user_edits_replaced:
            out.print(
                f"[yellow]Your edits to {', '.join(report.user_edits_replaced)} were replaced; "
                "they stay in history.[/]"
            )
        for gate in report.gates_reopened:
            out.print(
                f"Gate {gate} is open again: review, then `spec-automation approve {gate} "
                f"-p {project}` (or `reject {gate} --note TEXT`)"
            )
        if report.git_commit:
            out.print(f"Committed {report.git_commit[:10]}")
    for notice in report.notices:
        note(notice)
    return EXIT_OK if report.status in ("completed", "ignored") else EXIT_RUN_INCOMPLETE


def gate_hints(out: Output, root: object) -> Callable[[ev.EngineEvent], None]:
    """Tell the user when the regeneration waits at a gate, and how to decide it."""

    def on_event(event: ev.EngineEvent) -> None:
        if isinstance(event, ev.GateWaiting):
            out.print(
                f"Gate {event.gate} is open again for the regenerated {event.phase}; "
                f"{', '.join(event.waiting) or 'nothing'} waits for it. Review, then run "
                f"`spec-automation approve {event.gate} -p {root}` (or `reject`) in another "
                "terminal."
            )

    return on_event


def _runs(args: argparse.Namespace, out: Output) -> int:
    if args.run_id is not None:
        return _run_show(args, out)
    with opened(args.project) as project:
        page = project.regeneration_runs(args.limit, args.offset)
    if args.json:
        return print_json(out, page)
    if not page.items:
        out.print("No regeneration runs yet.")
        return EXIT_OK
    table = Table.of("run", "started", "trigger", "strategy", "status", "regenerated", "s")
    for r in page.items:
        table.add_row(
            str(r.id),
            when(r.started_at),
            f"{r.trigger_artifact} #{r.trigger_change_id}",
            r.strategy,
            r.status,
            ", ".join(r.artifacts_regenerated) or "-",
            f"{r.duration_s:.1f}",
        )
    out.print(table)
    out.print(f"{len(page.items)} of {page.total}")
    return EXIT_OK


def _run_show(args: argparse.Namespace, out: Output) -> int:
    with opened(args.project) as project:
        run = project.regeneration_run(args.run_id)
    if args.json:
        return print_json(out, run)
    out.print(f"Regeneration #{run.id}: {run.status} ({run.strategy})")
    out.print(f"Trigger: change #{run.trigger_change_id} to {run.trigger_artifact}")
    out.print(f"Started {when(run.started_at)}, took {run.duration_s:.2f} s")
    out.print(f"To regenerate: {', '.join(run.artifacts_to_regenerate) or 'nothing'}")
    out.print(f"Regenerated:   {', '.join(run.artifacts_regenerated) or 'nothing'}")
    out.print(f"Unchanged:     {', '.join(run.artifacts_unchanged) or 'nothing'}")
    for phase, error in run.failures.items():
        out.print(f"[red]failed[/] {phase}: {escape(error)}")
    if run.snapshot_id is not None:
        out.print(f"Snapshot before: #{run.snapshot_id}")
    if run.git_commit:
        out.print(f"Commit: {run.git_commit}")
    return EXIT_OK


def _snapshots(args: argparse.Namespace, out: Output) -> int:
    with opened(args.project) as project:
        snapshots = project.snapshots(args.limit)
    if args.json:
        return print_json(out, snapshots)
    table = Table.of("snapshot", "taken", "label", "artifacts")
    for snap in snapshots:
        table.add_row(str(snap.id), when(snap.created_at), snap.label, str(len(snap.artifacts)))
    out.print(table)
    return EXIT_OK


def _rollback(args: argparse.Namespace, out: Output) -> int:
    with opened(args.project) as project:
        report = project.rollback(args.snapshot_id)
    if args.json:
        print_json(out, report)
    else:
        restored = ", ".join(f"{v.artifact} (v{v.version})" for v in report.restored)
        out.print(f"Rolled back to snapshot #{report.snapshot_id}: {restored or 'nothing to do'}")
        if report.git_commit:
            out.print(f"Committed {report.git_commit[:10]}")
    for notice in report.notices:
        note(notice)
    return EXIT_OK


COMMANDS = {
    "scan": _scan,
    "history": _history,
    "impact": _impact,
    "regenerate": _regenerate,
    "runs": _runs,
    "run-show": _run_show,
    "snapshots": _snapshots,
    "rollback": _rollback,
}
