"""Running the workflow from the command line, with live progress."""

from __future__ import annotations

import argparse
import asyncio

from spec_automation.cli.progress import ProgressView
from spec_automation.cli.project_commands import opened, user_settings
from spec_automation.cli.render import EXIT_OK, Output, escape, print_json, warn
from spec_automation.core.ports import RunMode, RunStatus
from spec_automation.services import RunOptions, RunPreview

__all__ = ["COMMANDS", "EXIT_RUN_INCOMPLETE", "run_options"]

EXIT_RUN_INCOMPLETE = 1


def run_options(args: argparse.Namespace, **extra: object) -> RunOptions:
    """The run options of ``run`` and ``regenerate``: the saved settings, then the flags the
    user gave (remembered as given on purpose, so a resumed run keeps the rest as it was)."""
    given = {
        "provider": args.provider,
        "model": args.model,
        "base_url": getattr(args, "base_url", None),
        "concurrency": args.concurrency,
        "rate_limit_per_minute": getattr(args, "rate_limit", None),
        "phase_timeout_s": getattr(args, "phase_timeout", None),
        "latency_scale": args.latency_scale,
        "max_tokens": getattr(args, "max_tokens", None),
        "retries": getattr(args, "retries", None),
        "budget_usd": getattr(args, "budget", None),
        "fallback": getattr(args, "fallback", None),
        "role_models": getattr(args, "role_models", None),
    }
    if getattr(args, "no_cache", False):
        given["use_cache"] = False
    chosen = {name: value for name, value in given.items() if value is not None}
    edits = "keep" if args.keep_edits else "overwrite" if args.overwrite_edits else "ask"
    return RunOptions.from_settings(
        user_settings(),
        auto_approve=args.auto_approve,
        edits=edits,
        explicit=frozenset(chosen),
        **chosen,
        **extra,
    )


def _run(args: argparse.Namespace, out: Output) -> int:
    options = run_options(
        args,
        mode=RunMode.SEQUENTIAL if args.sequential else RunMode.PARALLEL,
        resume=args.resume,
        everything=args.all,
    )
    with opened(args.project) as project:
        for warning in project.plan(options.concurrency).warnings:
            warn(warning)
        if args.json:
            report = asyncio.run(project.run_workflow(options))
            print_json(out, report)
        else:
            if not options.resume:
                _show_preview(out, project.preview_run(options))
            cost = project.estimate_cost(options).sentence()
            if cost:
                out.print(escape(cost))
            view = ProgressView(out, project, auto_approve=args.auto_approve)
            with view:
                report = asyncio.run(project.run_workflow(options, view.on_event))
            view.summary(report)
    return EXIT_OK if report.status == RunStatus.COMPLETED else EXIT_RUN_INCOMPLETE


def _show_preview(out: Output, preview: RunPreview) -> None:
    """Say which phases the run will run and why, before it starts."""
    if preview.up_to_date:
        return
    count = len(preview.phases)
    out.print(f"Will run {count} phase{'s' if count != 1 else ''}:")
    for phase, why in preview.phases.items():
        out.print(f"  {phase}: {escape(why)}")


COMMANDS = {"run": _run}
