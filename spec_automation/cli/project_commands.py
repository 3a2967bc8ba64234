"""Commands about a project as a whole: init, plan, status, approve, reject, metrics."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from spec_automation.cli import UserError
from spec_automation.cli.progress import usage_line
from spec_automation.cli.render import EXIT_OK, Output, Table, escape, note, print_json, warn
from spec_automation.core.spec import load_spec
from spec_automation.resources import sample_brief_path
from spec_automation.services import (
    create_project,
    open_project,
    plan_project,
    plan_workflow,
    read_brief_file,
)
from spec_automation.settings import AppSettings, load_settings

if TYPE_CHECKING:
    from pathlib import Path

    from spec_automation.services import ProjectService
    from spec_automation.services.reports import ArtifactStatus, RunUsage

__all__ = ["COMMANDS", "opened", "user_settings"]


def _init(args: argparse.Namespace, out: Output) -> int:
    if args.brief is not None:
        text = read_brief_file(args.brief)
    elif args.brief_text is not None:
        text = args.brief_text
    else:
        try:
            text = sample_brief_path(args.sample or None).read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise UserError(str(exc)) from None
    if args.code_dir is not None and args.no_code:
        raise UserError(
            "--code-dir and --no-code contradict each other: a project without the "
            "implementation stage has no code folder"
        )
    with create_project(
        args.folder,
        brief_text=text,
        name=args.name,
        code=not args.no_code,
        code_dir=args.code_dir,
    ) as project:
        code = project.code_folder()
        out.print(f"Created project [bold]{escape(project.info.name)}[/] in {project.paths.root}")
        out.print(f"Brief: {project.paths.brief}")
        if project.git is not None:
            out.print("Git: the folder is a repository (.spec_automation/ is ignored)")
        for notice in project.notices:
            note(notice)
        if args.no_code:
            out.print(
                "Code: none; the project's own orchestrator_spec.yml ends at the "
                "specification (no implementation stage)"
            )
        else:
            out.print(
                f"Code: the implementation stage writes {code} and checks it with the "
                "quality gates (--no-code leaves the stage out)"
            )
        out.print(f"Next:  spec-automation plan -p {project.paths.root}")
        out.print(f"       spec-automation run -p {project.paths.root}")
    return EXIT_OK


def _plan(args: argparse.Namespace, out: Output) -> int:
    if args.spec is not None:
        plan = plan_workflow(load_spec(args.spec), str(args.spec), args.concurrency)
    else:
        plan = plan_project(args.project, args.concurrency)
    if args.json:
        return print_json(out, plan)
    out.print(f"[bold]{escape(plan.spec_name)}[/] ({plan.spec_source})")
    table = Table()
    table.add_column("wave", justify="right")
    table.add_column("phase", wrap=False)
    table.add_column("agent", wrap=False)
    table.add_column("depends on")
    table.add_column("produces")
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
    for phase in plan.phases:
        if phase.fan_out_of:
            count = (
                f"{phase.parts} calls"
                if phase.parts_known
                else f"{phase.parts} calls (a guess until {phase.fan_out_source} exists)"
            )
            out.print(
                f"{phase.name} writes {', '.join(phase.produces)} in {count} side by side, "
                f"one per part: the {phase.fan_out_of}. {phase.estimated_duration_s:g} s of "
                f"work, {phase.estimated_wall_s:.3g} s at {plan.concurrency} at once."
            )
    out.print(f"\n{len(plan.waves)} waves. Critical path (*): {' -> '.join(plan.critical_path)}")
    out.print(
        f"Estimated: sequential {plan.sequential_estimate_s:.4g} s, parallel "
        f"{plan.parallel_estimate_s:.4g} s with {plan.concurrency} at once "
        f"(critical path {plan.critical_path_s:.4g} s)"
    )
    for warning in plan.warnings:
        out.print(f"[yellow]warning:[/] {escape(warning)}")
    return EXIT_OK


def _approve(args: argparse.Namespace, out: Output) -> int:
    return _decide(args, out, approved=True)


def _reject(args: argparse.Namespace, out: Output) -> int:
    return _decide(args, out, approved=False)


def _decide(args: argparse.Namespace, out: Output, *, approved: bool) -> int:
    with opened(args.project) as project:
        info = project.decide_gate(args.gate, approved=approved, note=args.note, decided_by="cli")
    if args.json:
        return print_json(out, info)
    out.print(f"Gate {info.gate} ({info.phase}): {info.status}")
    if not approved:
        out.print(
            f"The next `spec-automation run -p {args.project}` redoes {info.phase} with your "
            "note; a run waiting at the gate stops what depends on it."
        )
    return EXIT_OK


def _status(args: argparse.Namespace, out: Output) -> int:
    with opened(args.project) as project:
        status = project.status()
    if args.json:
        return print_json(out, status)
    out.print(f"[bold]{escape(status.project.name)}[/] in {status.project.root}")
    table = Table.of("artifact", "phase", "version", "state")
    for a in status.artifacts:
        table.add_row(a.name, a.phase, str(a.version or "-"), _state_words(a))
    out.print(table)
    for gate in status.gates:
        out.print(
            f"Gate {gate.gate} ({gate.phase}): {gate.status}"
            + (f" by {gate.decided_by}" if gate.decided_by else "")
        )
    if status.last_run_id is not None:
        out.print(f"Last run: #{status.last_run_id} {status.last_run_status}")
        usage = status.last_run_usage
        if usage is not None and (line := _usage_words(usage)):
            out.print(f"  {line}")
    if status.resumable_run_id is not None:
        provider = status.resumable_provider
        named = f" --provider {provider}" if provider and provider != "offline" else ""
        out.print(
            f"Run #{status.resumable_run_id} did not finish ({provider or 'offline'}): "
            f"spec-automation run --resume{named} -p {status.project.root}"
        )
    return EXIT_OK


def _usage_words(usage: RunUsage) -> str:
    """The tokens line of a run (or of several), with the model that spent them."""
    line = usage_line(
        usage.input_tokens,
        usage.cache_read_tokens,
        usage.cache_write_tokens,
        usage.output_tokens,
        usage.cost_usd,
    )
    return f"{line} ({escape(usage.model)})" if line and usage.model else line


def _state_words(a: ArtifactStatus) -> str:
    """An artifact's state as the explorer shows it, with the reason (markup)."""
    if a.on_disk and not a.matches_store:
        return "[yellow]edited outside the app (not scanned yet)[/]"
    if a.version is not None and not a.on_disk:
        return "[red]file removed[/]"
    words = {
        "missing": "missing",
        "generated": "generated",
        "edited": "[cyan]edited by you[/]" + (" (kept)" if a.edit_kept else ""),
        "stale": "[yellow]stale[/]",
        "failed": "[red]failed[/]",
    }.get(a.state, escape(a.state))
    if a.state == "stale" and a.edited:
        words += " [cyan](carries your edits)[/]"
    return words + (f": {escape(a.reason)}" if a.reason else "")


def _metrics(args: argparse.Namespace, out: Output) -> int:
    with opened(args.project) as project:
        metrics = project.metrics(args.since, args.until)
    if args.json:
        return print_json(out, metrics)
    gates = (
        f"Quality gates: {metrics.gate_runs} run{'s' if metrics.gate_runs != 1 else ''}, "
        f"{metrics.gate_time_s:.2f} s in all"
    )
    if not metrics.runs_analysed:
        out.print("No finished parallel runs in that range yet: run the workflow first.")
        if metrics.gate_runs:
            out.print(gates)
        return EXIT_OK
    out.print(f"Runs analysed: {metrics.runs_analysed}")
    out.print(f"Sequential (sum of phase durations): {metrics.sequential_duration_s:.2f} s")
    out.print(f"Parallel (wall time):                {metrics.parallel_duration_s:.2f} s")
    out.print(f"Time saved: {metrics.time_saved_s:.2f} s ({metrics.time_saved_pct:.1f}%)")
    if line := _usage_words(metrics.usage):
        out.print(line)
    if metrics.person_wait_s > 0:
        out.print(f"Waiting for approvals (not counted above): {metrics.person_wait_s:.2f} s")
    if metrics.gate_runs:
        out.print(gates)
    table = Table.of(
        "wave", "phases", "wall s", "sequential s", "saved s", title="Per wave (average per run)"
    )
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


def opened(folder: Path) -> ProjectService:
    """Open the project, saying on standard error what opening it found and put right (a
    write a dead run left half-done, a lost store, git not in use)."""
    project = open_project(folder)
    for notice in project.notices:
        note(notice)
    return project


def user_settings() -> AppSettings:
    """The saved settings; a damaged settings file is a warning, and the defaults are used."""
    loaded = load_settings()
    if loaded.problem:
        warn(loaded.problem)
    return loaded.settings


COMMANDS = {
    "init": _init,
    "plan": _plan,
    "status": _status,
    "approve": _approve,
    "reject": _reject,
    "metrics": _metrics,
}
