"""Running the workflow from the command line, with live progress."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses

from spec_automation.cli.progress import ProgressView
from spec_automation.cli.project_commands import user_settings
from spec_automation.cli.render import EXIT_OK, Output, print_json, warn
from spec_automation.core.ports import RunMode, RunStatus
from spec_automation.services import RunOptions, open_project

__all__ = ["COMMANDS", "EXIT_RUN_INCOMPLETE"]

EXIT_RUN_INCOMPLETE = 1


def _run(args: argparse.Namespace, out: Output) -> int:
    settings = user_settings()
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
            warn(warning)
        if args.json:
            report = asyncio.run(project.run_workflow(options))
            print_json(out, report)
        else:
            view = ProgressView(out, project, auto_approve=args.auto_approve)
            with view:
                report = asyncio.run(project.run_workflow(options, view.on_event))
            view.summary(report)
    return EXIT_OK if report.status == RunStatus.COMPLETED else EXIT_RUN_INCOMPLETE


COMMANDS = {"run": _run}
