"""The headless command line: ``spec-automation`` (and ``python -m spec_automation``).

It uses only the service facade, as the GUI does. Exit status: 0 done, 1 a run that did not
complete, 2 a user error (bad spec, bad arguments, not a project), 130 cancelled.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.table import Table

from spec_automation import __version__
from spec_automation.core import events as ev
from spec_automation.core.ports import RunMode, RunStatus
from spec_automation.core.spec import load_spec
from spec_automation.llm.offline import DEFAULT_LATENCY_SCALE
from spec_automation.resources import sample_brief_path, samples
from spec_automation.services import (
    ProjectError,
    ProjectService,
    RunOptions,
    RunReport,
    ScanReport,
    SpecError,
    Strategy,
    create_project,
    open_project,
    plan_workflow,
    to_json,
)
from spec_automation.settings import PROVIDERS, AppSettings, data_dir, load_settings

EXIT_OK, EXIT_RUN_INCOMPLETE, EXIT_USER_ERROR, EXIT_CANCELLED = 0, 1, 2, 130
EXIT_INTERNAL_ERROR = 70


class UserError(Exception):
    """A mistake in how the command was called."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse's own exit code is 2 as well
        self.print_usage(sys.stderr)
        self.exit(EXIT_USER_ERROR, f"error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one sub-command per action."""
    parser = _Parser(
        prog="spec-automation",
        description="Spec-driven development: turn a project brief into PRD, architecture, "
        "design tokens, epics and tasks by running a graph of agent phases.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def project_arg(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "-p",
            "--project",
            type=Path,
            default=Path("."),
            metavar="DIR",
            help="the project folder (default: the current folder)",
        )

    init = sub.add_parser("init", help="create a project from a brief")
    init.add_argument("folder", type=Path, help="the project folder to create or use")
    source = init.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--brief", type=Path, metavar="FILE", help="a markdown or text file with the brief"
    )
    source.add_argument("--brief-text", metavar="TEXT", help="the brief itself")
    source.add_argument(
        "--sample",
        nargs="?",
        const="",
        metavar="NAME",
        help=f"start from a bundled sample ({', '.join(samples()) or 'none'})",
    )
    init.add_argument("--name", help="the project's name (default: the folder's name)")

    plan = sub.add_parser("plan", help="show waves, critical path and estimated times")
    project_arg(plan)
    plan.add_argument(
        "--spec",
        type=Path,
        metavar="FILE",
        help="plan (and check) this spec file instead of the project's",
    )
    plan.add_argument("--concurrency", type=int, default=4, metavar="N")
    plan.add_argument("--json", action="store_true", help="print JSON")

    run = sub.add_parser("run", help="run the workflow (parallel by default)")
    project_arg(run)
    run.add_argument("--sequential", action="store_true", help="one phase at a time (the baseline)")
    run.add_argument(
        "--concurrency",
        type=int,
        default=None,
        metavar="N",
        help="phases at once (default: your settings, 4 out of the box)",
    )
    run.add_argument(
        "--rate-limit",
        type=float,
        default=None,
        metavar="PER_MINUTE",
        help="at most this many phase requests a minute",
    )
    run.add_argument(
        "--phase-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="fail a phase that takes longer (default: your settings, 900 out of the box)",
    )
    run.add_argument(
        "--latency-scale",
        type=float,
        default=None,
        metavar="X",
        help="offline provider: simulated seconds per estimated second "
        f"(default: your settings, {DEFAULT_LATENCY_SCALE} out of the box; 0 for no delay)",
    )
    run.add_argument(
        "--provider",
        choices=PROVIDERS,
        default=None,
        help="who writes the artifacts: the offline authors or Claude "
        "(default: your settings, else offline)",
    )
    run.add_argument(
        "--model", default=None, metavar="NAME", help="the Claude model (default: your settings)"
    )
    run.add_argument(
        "--no-cache",
        action="store_true",
        help="ask the provider for every phase, even when a stored reply could be reused",
    )
    run.add_argument("--auto-approve", action="store_true", help="approve approval gates at once")
    run.add_argument(
        "--resume",
        action="store_true",
        help="finish the last unfinished run without re-running completed phases",
    )
    run.add_argument(
        "--json", action="store_true", help="print the outcome as JSON (no live table)"
    )

    approve = sub.add_parser("approve", help="approve an approval gate a run is waiting on")
    project_arg(approve)
    approve.add_argument("gate", help="the gate, e.g. architecture_approved")
    approve.add_argument("--note", default="", help="a note kept with the decision")
    approve.add_argument("--json", action="store_true")

    reject = sub.add_parser("reject", help="reject an approval gate (its dependents are blocked)")
    project_arg(reject)
    reject.add_argument("gate")
    reject.add_argument("--note", required=True, help="why, so the phase can be redone with it")
    reject.add_argument("--json", action="store_true")

    status = sub.add_parser("status", help="artifacts, gates and the last run")
    project_arg(status)
    status.add_argument("--json", action="store_true")

    metrics = sub.add_parser("metrics", help="time saved by parallel execution")
    project_arg(metrics)
    metrics.add_argument(
        "--since", type=_date, metavar="DATE", help="from this date (YYYY-MM-DD or ISO time)"
    )
    metrics.add_argument(
        "--until", type=_until, metavar="DATE", help="up to this date (a whole day: inclusive)"
    )
    metrics.add_argument("--json", action="store_true")
    _add_change_commands(sub, project_arg)
    return parser


def _add_change_commands(sub: Any, project_arg: Any) -> None:
    """Sub-commands about edits, their impact, regeneration, snapshots and rollback."""
    scan = sub.add_parser(
        "scan", help="record artifact files edited outside the app as new versions"
    )
    project_arg(scan)
    scan.add_argument("--json", action="store_true")

    history = sub.add_parser("history", help="the changes (or versions) of one artifact")
    project_arg(history)
    history.add_argument("artifact", help="an artifact file name, e.g. prd.md")
    history.add_argument("--versions", action="store_true", help="list versions, not changes")
    history.add_argument("--limit", type=int, default=20, metavar="N", help="page size (20)")
    history.add_argument("--offset", type=int, default=0, metavar="N", help="skip N, newest first")
    history.add_argument("--json", action="store_true")
    _add_gui_commands(sub)

    impact = sub.add_parser("impact", help="what a change affects downstream, and how badly")
    project_arg(impact)
    impact.add_argument(
        "change", nargs="?", type=int, metavar="CHANGE_ID", help="default: your latest edit"
    )
    impact.add_argument("--json", action="store_true")

    regenerate = sub.add_parser("regenerate", help="regenerate what a change affects")
    project_arg(regenerate)
    regenerate.add_argument(
        "--change", type=int, metavar="ID", help="the change (default: your latest edit)"
    )
    regenerate.add_argument(
        "--strategy",
        required=True,
        choices=[s.value for s in Strategy],
        help="regenerate_all, high_impact_only, manual_review (with --artifacts) or ignore",
    )
    regenerate.add_argument(
        "--artifacts",
        default="",
        metavar="A,B",
        help="manual_review: the affected artifacts to regenerate, comma-separated",
    )
    regenerate.add_argument(
        "--confirm", action="store_true", help="ignore a change even though something is HIGH"
    )
    regenerate.add_argument(
        "--concurrency", type=int, default=None, metavar="N", help="default: your settings"
    )
    regenerate.add_argument(
        "--latency-scale",
        type=float,
        default=None,
        metavar="X",
        help="offline provider: simulated seconds per estimated second (default: settings)",
    )
    regenerate.add_argument("--json", action="store_true")

    runs = sub.add_parser("runs", help="regeneration runs, newest first (or one: runs ID)")
    project_arg(runs)
    runs.add_argument("run_id", nargs="?", type=int, metavar="ID", help="show this run")
    runs.add_argument("--limit", type=int, default=20, metavar="N")
    runs.add_argument("--offset", type=int, default=0, metavar="N")
    runs.add_argument("--json", action="store_true")

    run_show = sub.add_parser("run-show", help="one regeneration run in full")
    project_arg(run_show)
    run_show.add_argument("run_id", type=int, metavar="ID")
    run_show.add_argument("--json", action="store_true")

    snapshots = sub.add_parser("snapshots", help="snapshots to roll back to, newest first")
    project_arg(snapshots)
    snapshots.add_argument("--limit", type=int, default=50, metavar="N")
    snapshots.add_argument("--json", action="store_true")

    rollback = sub.add_parser("rollback", help="restore every artifact as a snapshot holds it")
    project_arg(rollback)
    rollback.add_argument("snapshot_id", type=int, metavar="SNAPSHOT_ID")
    rollback.add_argument("--json", action="store_true")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    out = Console(highlight=False)  # a terminal: rich wraps at word boundaries
    if not out.is_terminal:
        out = Console(highlight=False, soft_wrap=True, width=120)  # logs and pipes: not 80
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    if args.command is None:
        args = parser.parse_args(["gui"])
    try:
        return _COMMANDS[args.command](args, out)
    except (ProjectError, SpecError, UserError) as exc:
        err.print(f"[bold red]error:[/] {_escape(str(exc))}")
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        err.print("\nCancelled. Resume with: spec-automation run --resume")
        return EXIT_CANCELLED
    except Exception as exc:  # a bug: one line for the user, the details in a log file
        log = _log_unexpected(exc)
        what = _escape(f"{type(exc).__name__}: {exc}")
        err.print(f"[bold red]internal error:[/] {what}")
        err.print(f"Details were written to {log}; please report them.")
        return EXIT_INTERNAL_ERROR


# --- commands ----------------------------------------------------------------------------


def _init(args: argparse.Namespace, out: Console) -> int:
    if args.brief is not None:
        try:
            text = args.brief.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UserError(f"brief file {args.brief} not found") from None
        except (UnicodeDecodeError, IsADirectoryError):
            raise UserError(f"{args.brief} is not a text file") from None
    elif args.brief_text is not None:
        text = args.brief_text
    else:
        try:
            text = sample_brief_path(args.sample or None).read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise UserError(str(exc)) from None
    with create_project(args.folder, brief_text=text, name=args.name) as project:
        out.print(f"Created project [bold]{_escape(project.info.name)}[/] in {project.paths.root}")
        out.print(f"Brief: {project.paths.brief}")
        if project.git is not None:
            out.print("Git: the folder is a repository (.spec_automation/ is ignored)")
        for notice in project.notices:
            Console(stderr=True).print(f"[yellow]note:[/] {_escape(notice)}")
        out.print(f"Next:  spec-automation plan -p {project.paths.root}")
        out.print(f"       spec-automation run -p {project.paths.root}")
    return EXIT_OK


def _plan(args: argparse.Namespace, out: Console) -> int:
    if args.spec is not None:
        plan = plan_workflow(load_spec(args.spec), str(args.spec), args.concurrency)
    else:
        with open_project(args.project) as project:
            plan = project.plan(args.concurrency)
    if args.json:
        return _print_json(out, plan)
    out.print(f"[bold]{_escape(plan.spec_name)}[/] ({plan.spec_source})")
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("wave", justify="right")
    table.add_column("phase", no_wrap=True)
    table.add_column("agent", no_wrap=True)
    table.add_column("depends on", overflow="fold")
    table.add_column("produces", overflow="fold")
    table.add_column("est. s", justify="right")
    for phase in plan.phases:
        mark = "*" if phase.on_critical_path else " "
        gates = f" [gate: {', '.join(phase.approval_gates)}]" if phase.approval_gates else ""
        table.add_row(
            str(phase.wave),
            f"{mark} {phase.name}{gates}",
            phase.agent,
            "\n".join(phase.depends_on) or "-",
            "\n".join(phase.produces),
            f"{phase.estimated_duration_s:g}",
        )
    out.print(table)
    out.print(f"\n{len(plan.waves)} waves. Critical path (*): {' -> '.join(plan.critical_path)}")
    out.print(
        f"Estimated: sequential {plan.sequential_estimate_s:g} s, parallel "
        f"{plan.parallel_estimate_s:g} s with {plan.concurrency} at once "
        f"(critical path {plan.critical_path_s:g} s)"
    )
    for warning in plan.warnings:
        out.print(f"[yellow]warning:[/] {_escape(warning)}")
    return EXIT_OK


def _user_settings() -> AppSettings:
    """The saved settings; a damaged settings file is a warning, and the defaults are used."""
    loaded = load_settings()
    if loaded.problem:
        Console(stderr=True).print(f"[yellow]warning:[/] {_escape(loaded.problem)}")
    return loaded.settings


def _run(args: argparse.Namespace, out: Console) -> int:
    settings = _user_settings()
    given = {
        "provider": args.provider,
        "model": args.model,
        "concurrency": args.concurrency,
        "rate_limit_per_minute": args.rate_limit,
        "phase_timeout_s": args.phase_timeout,
        "latency_scale": args.latency_scale,
    }
    options = RunOptions.from_settings(
        settings,
        mode=RunMode.SEQUENTIAL if args.sequential else RunMode.PARALLEL,
        auto_approve=args.auto_approve,
        resume=args.resume,
        **{name: value for name, value in given.items() if value is not None},
    )
    if args.no_cache:
        options = dataclasses.replace(options, use_cache=False)
    with open_project(args.project) as project:
        for warning in project.plan(options.concurrency).warnings:
            Console(stderr=True).print(f"[yellow]warning:[/] {_escape(warning)}")
        if args.json:
            report = asyncio.run(project.run_workflow(options))
            _print_json(out, report)
        else:
            view = ProgressView(out, project, auto_approve=args.auto_approve)
            with view:
                report = asyncio.run(project.run_workflow(options, view.on_event))
            view.summary(report)
    return EXIT_OK if report.status == RunStatus.COMPLETED else EXIT_RUN_INCOMPLETE


def _approve(args: argparse.Namespace, out: Console) -> int:
    return _decide(args, out, approved=True)


def _reject(args: argparse.Namespace, out: Console) -> int:
    return _decide(args, out, approved=False)


def _decide(args: argparse.Namespace, out: Console, *, approved: bool) -> int:
    with open_project(args.project) as project:
        info = project.decide_gate(args.gate, approved=approved, note=args.note, decided_by="cli")
    if args.json:
        return _print_json(out, info)
    out.print(f"Gate {info.gate} ({info.phase}): {info.status}")
    return EXIT_OK


def _status(args: argparse.Namespace, out: Console) -> int:
    with open_project(args.project) as project:
        status = project.status()
    if args.json:
        return _print_json(out, status)
    out.print(f"[bold]{_escape(status.project.name)}[/] in {status.project.root}")
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("artifact", "phase", "version", "state"):
        table.add_column(column)
    for a in status.artifacts:
        if a.version is None:
            state = "missing" if not a.on_disk else "on disk, not generated"
        elif not a.on_disk:
            state = "[red]file removed[/]"
        elif not a.matches_store:
            state = "[yellow]edited outside the app[/]"
        else:
            state = "generated"
        table.add_row(a.name, a.phase, str(a.version or "-"), state)
    out.print(table)
    for gate in status.gates:
        out.print(
            f"Gate {gate.gate} ({gate.phase}): {gate.status}"
            + (f" by {gate.decided_by}" if gate.decided_by else "")
        )
    if status.last_run_id is not None:
        out.print(f"Last run: #{status.last_run_id} {status.last_run_status}")
    if status.resumable_run_id is not None:
        out.print(
            f"Run #{status.resumable_run_id} did not finish: "
            f"spec-automation run --resume -p {status.project.root}"
        )
    return EXIT_OK


def _metrics(args: argparse.Namespace, out: Console) -> int:
    with open_project(args.project) as project:
        metrics = project.metrics(args.since, args.until)
    if args.json:
        return _print_json(out, metrics)
    if not metrics.runs_analysed:
        out.print("No finished parallel runs in that range yet: run the workflow first.")
        return EXIT_OK
    out.print(f"Runs analysed: {metrics.runs_analysed}")
    out.print(f"Sequential (sum of phase durations): {metrics.sequential_duration_s:.2f} s")
    out.print(f"Parallel (wall time):                {metrics.parallel_duration_s:.2f} s")
    out.print(f"Time saved: {metrics.time_saved_s:.2f} s ({metrics.time_saved_pct:.1f}%)")
    table = Table(box=None, header_style="bold", pad_edge=False, title="Per wave (average per run)")
    for column in ("wave", "phases", "wall s", "sequential s", "saved s"):
        table.add_column(column)
    for w in metrics.waves:
        table.add_row(
            str(w.wave),
            ", ".join(w.phases),
            f"{w.duration_s:.2f}",
            f"{w.sequential_estimate_s:.2f}",
            f"{w.time_saved_s:.2f}",
        )
    out.print(table)
    return EXIT_OK


def _scan(args: argparse.Namespace, out: Console) -> int:
    with open_project(args.project) as project:
        # Opening the project scans already; report what that found plus anything since.
        first = project.last_scan
        again = project.scan()
    changes = (first.changes if first else ()) + again.changes
    report = ScanReport(
        checked=again.checked, changes=changes, missing=again.missing, unreadable=again.unreadable
    )
    if args.json:
        return _print_json(out, report)
    if not report.changes:
        out.print(f"No edits found: {report.checked} artifact files match the store.")
    for change in report.changes:
        sections = ", ".join(f"{s.name} ({s.kind})" for s in change.sections[:6])
        more = f" and {len(change.sections) - 6} more" if len(change.sections) > 6 else ""
        cosmetic = ", cosmetic" if change.cosmetic else ""
        out.print(
            f"change #{change.id} {change.artifact}: {change.impact_level}{cosmetic}; "
            f"{_escape(sections)}{more}"
        )
    for name in report.missing:
        out.print(f"[yellow]missing:[/] {name} (its stored versions are kept)")
    for name in report.unreadable:
        out.print(f"[yellow]not UTF-8 text, left alone:[/] {name}")
    return EXIT_OK


def _history(args: argparse.Namespace, out: Console) -> int:
    with open_project(args.project) as project:
        if args.versions:
            page: Any = project.artifact_versions(args.artifact, args.limit, args.offset)
        else:
            page = project.change_history(args.artifact, args.limit, args.offset)
    if args.json:
        return _print_json(out, page)
    shown = f"{args.offset + 1}-{args.offset + len(page.items)}" if page.items else "none"
    what = "versions" if args.versions else "changes"
    out.print(f"{args.artifact}: {what} {shown} of {page.total}, newest first")
    table = Table(box=None, header_style="bold", pad_edge=False)
    if args.versions:
        for column in ("id", "version", "when", "kind", "by", "reason"):
            table.add_column(column)
        for v in page.items:
            table.add_row(
                str(v.id),
                str(v.version),
                _when(v.created_at),
                v.kind,
                v.changed_by,
                _escape(v.reason or ""),
            )
    else:
        for column in ("change", "when", "by", "impact", "sections"):
            table.add_column(column, overflow="fold")
        for c in page.items:
            sections = ", ".join(f"{s.name} ({s.kind})" for s in c.sections[:4])
            if len(c.sections) > 4:
                sections += f" +{len(c.sections) - 4}"
            impact = c.impact_level + (" cosmetic" if c.cosmetic else "")
            table.add_row(str(c.id), _when(c.detected_at), c.changed_by, impact, _escape(sections))
    out.print(table)
    return EXIT_OK


def _add_gui_commands(sub: Any) -> None:
    gui = sub.add_parser("gui", help="open the desktop app (the default with no command)")
    gui.add_argument(
        "-p",
        "--project",
        type=Path,
        default=None,
        metavar="DIR",
        help="open this project (default: the last one, or the welcome screen)",
    )
    shots = sub.add_parser("screenshots", help="render the desktop app's main views to PNG")
    shots.add_argument("folder", type=Path, help="where to write app-*.png")


def _gui(args: argparse.Namespace, out: Console) -> int:
    del out
    from spec_automation.ui.app import run_gui  # Qt only when the GUI opens

    if args.project is not None:
        open_project(args.project).close()  # a clear error now rather than in a dialog
    return run_gui(args.project)


def _screenshots(args: argparse.Namespace, out: Console) -> int:
    from spec_automation.ui.screenshots import render_screenshots

    for path in render_screenshots(args.folder):
        out.print(str(path))
    return EXIT_OK


def _impact(args: argparse.Namespace, out: Console) -> int:
    with open_project(args.project) as project:
        report = project.analyze_impact(args.change)
    if args.json:
        return _print_json(out, report)
    change = report.change
    cosmetic = ", cosmetic" if change.cosmetic else ""
    out.print(
        f"Change #{change.id} to [bold]{report.trigger_artifact}[/] by {change.changed_by}: "
        f"{report.trigger_level}{cosmetic}"
    )
    if not report.affected:
        out.print("Nothing downstream depends on it.")
        return EXIT_OK
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("artifact", "level", "path", "reason"):
        table.add_column(column, overflow="fold")
    for a in report.affected:
        edited = " [yellow](your edits)[/]" if a.user_edited else ""
        table.add_row(a.artifact + edited, a.level, " -> ".join(a.path), _escape(a.reason))
    out.print(table)
    counts = ", ".join(f"{n} {level}" for level, n in report.counts.items())
    out.print(f"Affected: {counts}")
    for cycle in report.cycles:
        out.print(f"[yellow]cycle:[/] {' -> '.join(cycle)}")
    out.print(
        f"Recommended: [bold]{report.recommended_strategy}[/] ({_escape(report.recommendation)}); "
        f"about {report.estimated_duration_s:.0f} s"
    )
    out.print(
        f"Next: spec-automation regenerate --change {change.id} "
        f"--strategy {report.recommended_strategy} -p {args.project}"
    )
    return EXIT_OK


def _regenerate(args: argparse.Namespace, out: Console) -> int:
    artifacts = tuple(a.strip() for a in args.artifacts.split(",") if a.strip())
    given = {"concurrency": args.concurrency, "latency_scale": args.latency_scale}
    options = RunOptions.from_settings(
        _user_settings(), **{name: value for name, value in given.items() if value is not None}
    )
    with open_project(args.project) as project:
        report = asyncio.run(
            project.regenerate(
                args.change, args.strategy, artifacts, confirm=args.confirm, options=options
            )
        )
    if args.json:
        _print_json(out, report)
    else:
        out.print(
            f"Regeneration #{report.run_id} ({report.strategy}) after change "
            f"#{report.change_id} to {report.trigger_artifact}: {report.status}"
        )
        if report.snapshot_id is not None:
            out.print(f"Snapshot #{report.snapshot_id} taken before (rollback restores it)")
        out.print(f"Regenerated: {', '.join(report.artifacts_regenerated) or 'nothing'}")
        if report.artifacts_unchanged:
            out.print(f"Unchanged:   {', '.join(report.artifacts_unchanged)}")
        for phase, error in report.failures.items():
            out.print(f"[red]failed[/] {phase}: {_escape(error)}")
        if report.user_edits_replaced:
            out.print(
                f"[yellow]Your edits to {', '.join(report.user_edits_replaced)} were replaced; "
                "they stay in history.[/]"
            )
        for gate in report.gates_reopened:
            out.print(f"Gate {gate} is open again: review and approve it")
        if report.git_commit:
            out.print(f"Committed {report.git_commit[:10]}")
    for notice in report.notices:
        Console(stderr=True).print(f"[yellow]note:[/] {_escape(notice)}")
    return EXIT_OK if report.status in ("completed", "ignored") else EXIT_RUN_INCOMPLETE


def _runs(args: argparse.Namespace, out: Console) -> int:
    if args.run_id is not None:
        return _run_show(args, out)
    with open_project(args.project) as project:
        page = project.regeneration_runs(args.limit, args.offset)
    if args.json:
        return _print_json(out, page)
    if not page.items:
        out.print("No regeneration runs yet.")
        return EXIT_OK
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("run", "started", "trigger", "strategy", "status", "regenerated", "s"):
        table.add_column(column, overflow="fold")
    for r in page.items:
        table.add_row(
            str(r.id),
            _when(r.started_at),
            f"{r.trigger_artifact} #{r.trigger_change_id}",
            r.strategy,
            r.status,
            ", ".join(r.artifacts_regenerated) or "-",
            f"{r.duration_s:.1f}",
        )
    out.print(table)
    out.print(f"{len(page.items)} of {page.total}")
    return EXIT_OK


def _run_show(args: argparse.Namespace, out: Console) -> int:
    with open_project(args.project) as project:
        run = project.regeneration_run(args.run_id)
    if args.json:
        return _print_json(out, run)
    out.print(f"Regeneration #{run.id}: {run.status} ({run.strategy})")
    out.print(f"Trigger: change #{run.trigger_change_id} to {run.trigger_artifact}")
    out.print(f"Started {_when(run.started_at)}, took {run.duration_s:.2f} s")
    out.print(f"To regenerate: {', '.join(run.artifacts_to_regenerate) or 'nothing'}")
    out.print(f"Regenerated:   {', '.join(run.artifacts_regenerated) or 'nothing'}")
    out.print(f"Unchanged:     {', '.join(run.artifacts_unchanged) or 'nothing'}")
    for phase, error in run.failures.items():
        out.print(f"[red]failed[/] {phase}: {_escape(error)}")
    if run.snapshot_id is not None:
        out.print(f"Snapshot before: #{run.snapshot_id}")
    if run.git_commit:
        out.print(f"Commit: {run.git_commit}")
    return EXIT_OK


def _snapshots(args: argparse.Namespace, out: Console) -> int:
    with open_project(args.project) as project:
        snapshots = project.snapshots(args.limit)
    if args.json:
        return _print_json(out, snapshots)
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("snapshot", "taken", "label", "artifacts"):
        table.add_column(column)
    for snap in snapshots:
        table.add_row(str(snap.id), _when(snap.created_at), snap.label, str(len(snap.artifacts)))
    out.print(table)
    return EXIT_OK


def _rollback(args: argparse.Namespace, out: Console) -> int:
    with open_project(args.project) as project:
        report = project.rollback(args.snapshot_id)
    if args.json:
        _print_json(out, report)
    else:
        restored = ", ".join(f"{v.artifact} (v{v.version})" for v in report.restored)
        out.print(f"Rolled back to snapshot #{report.snapshot_id}: {restored or 'nothing to do'}")
        if report.git_commit:
            out.print(f"Committed {report.git_commit[:10]}")
    for notice in report.notices:
        Console(stderr=True).print(f"[yellow]note:[/] {_escape(notice)}")
    return EXIT_OK


_COMMANDS = {
    "gui": _gui,
    "screenshots": _screenshots,
    "impact": _impact,
    "regenerate": _regenerate,
    "runs": _runs,
    "run-show": _run_show,
    "snapshots": _snapshots,
    "rollback": _rollback,
    "scan": _scan,
    "history": _history,
    "init": _init,
    "plan": _plan,
    "run": _run,
    "approve": _approve,
    "reject": _reject,
    "status": _status,
    "metrics": _metrics,
}


# --- live progress -----------------------------------------------------------------------


class ProgressView:
    """Renders engine events: a live table on a terminal, one line per event otherwise."""

    def __init__(self, out: Console, project: ProjectService, *, auto_approve: bool) -> None:
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
            self.live = Live(self._table(), console=self.out, refresh_per_second=8, transient=False)
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
                    self.rows[name]["state"] = "done earlier"
                resumed = f", resuming ({len(done)} phases already done)" if done else ""
                return f"run #{event.run_id} started: {mode}, up to {concurrency} at once{resumed}"
            case ev.PhaseQueued():
                row["state"] = "queued"
            case ev.PhaseStarted(phase=phase, wave=wave):
                row.update(state="running", started=event.elapsed_s)
                return f"{phase} started (wave {wave})"
            case ev.PhaseProgress(tokens=tokens):
                row["tokens"] = tokens
            case ev.PhaseSucceeded(
                phase=phase, duration_s=duration, artifacts=artifacts, cached=cached
            ):
                if cached:
                    self.cached.append(phase)
                    row.update(state="cached", elapsed=duration, note="reused, 0 tokens")
                    return (
                        f"{phase} cached (reused a stored reply, 0 tokens): {', '.join(artifacts)}"
                    )
                row.update(state="succeeded", elapsed=duration)
                return f"{phase} succeeded in {duration:.2f}s: {', '.join(artifacts)}"
            case ev.PhaseFailed(phase=phase, error=error, duration_s=duration):
                row.update(state="failed", elapsed=duration, note=error)
                return f"{phase} FAILED: {error}"
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
                _escape(row["note"]),
            )
        return table

    def summary(self, report: RunReport) -> None:
        """Print how the run ended."""
        out = self.out
        colour = "green" if report.status == RunStatus.COMPLETED else "yellow"
        out.print(
            f"\nRun #{report.run_id} [{colour}]{report.status}[/] ({report.mode}"
            f"{', resumed' if report.resumed else ''}) in {report.wall_time_s:.2f}s"
        )
        out.print(
            f"Phases one after another would have taken {report.sequential_estimate_s:.2f}s: "
            f"saved {report.time_saved_s:.2f}s ({report.time_saved_pct:.1f}%)"
        )
        if self.cached:
            out.print(
                f"Reused from the response cache (0 tokens): {', '.join(self.cached)}"
                " (run with --no-cache to ask the provider again)"
            )
        if report.input_tokens or report.output_tokens:
            out.print(
                f"Tokens: {report.input_tokens} in, {report.output_tokens} out; "
                f"estimated cost ${report.cost_usd:.4f}"
            )
        for phase, error in report.failed.items():
            out.print(f"[red]failed[/] {phase}: {_escape(error)}")
        for phase, by in report.blocked.items():
            out.print(f"[yellow]blocked[/] {phase} (by {_escape(by)})")
        out.print(f"Artifacts: {report.artifacts_dir}")
        if report.status != RunStatus.COMPLETED:
            out.print(f"Finish it with: spec-automation run --resume -p {self.project.paths.root}")


# --- small pieces ------------------------------------------------------------------------


def _print_json(out: Console, value: Any) -> int:
    out.file.write(json.dumps(to_json(value), indent=2) + "\n")
    out.file.flush()
    return EXIT_OK


def _when(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _date(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-22") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _until(text: str) -> datetime:
    """The end of a range: a date alone means up to the end of that day."""
    value = _date(text)
    if len(text.strip()) == len("2026-11-22"):
        value += timedelta(days=1)
    return value


def _log_unexpected(exc: BaseException) -> Path:
    """Append the traceback to the user's log file and return its path."""
    log = data_dir() / "logs" / "cli.log"
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {datetime.now(UTC).isoformat()} spec-automation {__version__}\n")
            handle.write("".join(traceback.format_exception(exc)))
    except OSError:
        return Path("(the log could not be written)")
    return log


def _escape(text: str) -> str:
    return text.replace("[", r"\[")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
