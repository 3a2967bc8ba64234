"""The quality gates from the command line: ``gates run`` (on the code folder), ``gates list``
(the recorded runs) and ``gates show ID`` (one run with its findings); ``code-folder`` shows
or chooses the code folder."""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING

from spec_automation.cli import EXIT_CANCELLED, UserError
from spec_automation.cli.project_commands import opened
from spec_automation.cli.render import EXIT_OK, Output, Table, escape, print_json, when

if TYPE_CHECKING:
    from collections.abc import Mapping

    from spec_automation.services.quality import QualityRunReport

__all__ = ["COMMANDS", "EXIT_GATES_FAILED"]

#: A gate did not pass: a result, said as the run command says a run that did not complete.
EXIT_GATES_FAILED = 1
#: Findings printed after ``gates run`` (``gates show`` prints them all).
_SHOWN_AFTER_RUN = 40
_STYLE = {
    "passed": "green",
    "failed": "red",
    "error": "yellow",
    "missing": "yellow",
    "timeout": "yellow",
    "cancelled": "dim",
}


def _gates(args: argparse.Namespace, out: Output) -> int:
    with opened(args.project) as project:
        if args.action == "run":
            if args.quality_run_id is not None:
                raise UserError("gates run takes no id; to see a recorded run: gates show ID")
            if not args.json:
                out.print(f"Running {_names(project.quality.gates())} on {project.quality.folder}")
            try:
                report = asyncio.run(project.quality.run())
            except KeyboardInterrupt:
                out.print("Cancelled: the gates were stopped, and the run is recorded as such.")
                return EXIT_CANCELLED
            if args.json:
                print_json(out, report)
            else:
                _print_run(out, report, limit=_SHOWN_AFTER_RUN, project=str(args.project))
            return EXIT_OK if report.passed else EXIT_GATES_FAILED
        if args.action == "show":
            if args.quality_run_id is None:
                raise UserError("say which run to show: gates show ID (gates list lists them)")
            report = project.quality.show(args.quality_run_id)
            if args.json:
                return print_json(out, report)
            _print_run(out, report, limit=None, project=str(args.project))
            return EXIT_OK
        page = project.quality.list(args.limit, args.offset)
    if args.json:
        return print_json(out, page)
    if not page.items:
        out.print("No quality gate runs yet. Run them: spec-automation gates run")
        return EXIT_OK
    table = Table.of("id", "started", "status", "wall s", "round", "gates")
    for run in page.items:
        round_of = f"{run.round} of run {run.run_id}" if run.run_id is not None else "-"
        table.add_row(
            str(run.id),
            when(run.started_at),
            _status(run.status),
            f"{run.wall_s:.2f}",
            round_of,
            ", ".join(f"{gate.name} {_status(gate.status)}" for gate in run.gates),
        )
    out.print(table)
    shown = len(page.items) + args.offset
    if shown < page.total:
        out.print(f"{shown} of {page.total}; more with --offset {shown}")
    return EXIT_OK


def _print_run(out: Output, report: QualityRunReport, *, limit: int | None, project: str) -> None:
    out.print(
        f"Quality gates on {escape(report.code_dir)}: {_status(report.status)} in "
        f"{report.wall_s:.2f} s (run {report.id}, {when(report.started_at)})"
    )
    table = Table.of("gate", "status", "time", "found")
    for gate in report.gates:
        table.add_row(
            gate.name, _status(gate.status), f"{gate.duration_s:.2f} s", _counts(gate.counts)
        )
    out.print(table)
    for gate in report.gates:
        if gate.status != "passed" and gate.message:
            out.print(f"  {escape(gate.name)}: {escape(gate.message)}")
    problems = report.problems
    if problems:
        table = Table.of("where", "gate", "rule or test", "message", title="Findings")
        for finding in problems[:limit]:
            where = finding.file or "-"
            if finding.line:
                where += f":{finding.line}" + (f":{finding.column}" if finding.column else "")
            first_line = finding.message.strip().splitlines()[0] if finding.message.strip() else ""
            label = (
                finding.rule
                if finding.severity in ("error", "failed")
                else (f"{finding.rule} ({finding.severity})")
            )
            table.add_row(escape(where), finding.gate, escape(label), escape(first_line))
        out.print(table)
        if limit is not None and len(problems) > limit:
            out.print(
                f"... and {len(problems) - limit} more: spec-automation gates show {report.id} "
                f"-p {project}"
            )
    elif report.passed:
        out.print("[green]Every gate passed.[/]")


def _status(status: str) -> str:
    return f"[{_STYLE.get(status, 'bold')}]{status}[/]"


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{count} {kind}" for kind, count in counts.items() if count) or "-"


def _names(gates: tuple[object, ...]) -> str:
    names = [str(getattr(gate, "name", gate)) for gate in gates]
    return ", ".join(names) if names else "no gates"


def _code_folder(args: argparse.Namespace, out: Output) -> int:
    with opened(args.project) as project:
        if args.default or args.folder is not None:
            folder = project.choose_code_folder(None if args.default else args.folder)
            out.print(f"Code folder: {escape(str(folder))} (the implementation stage writes it)")
        else:
            folder = project.code_folder()
            there = "" if folder.is_dir() else " (not there yet: the implementation stage makes it)"
            out.print(f"Code folder: {escape(str(folder))}{there}")
    return EXIT_OK


COMMANDS = {"gates": _gates, "code-folder": _code_folder}
