"""The command line's arguments: one sub-command per action.

Building the parser loads nothing heavy (no store, no engine, no Qt), so ``--version`` and
``--help`` answer at once.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from spec_automation import __version__
from spec_automation.core.strategy import Strategy
from spec_automation.resources import samples
from spec_automation.settings import (
    MAX_RETRIES,
    PROVIDERS,
    SERVER_PRESETS,
    AppSettings,
    SettingsError,
    parse_fallback,
    parse_role_models,
    resolve_base_url,
)

__all__ = ["EXIT_USER_ERROR", "build_parser"]

EXIT_USER_ERROR = 2
_DEFAULT_LATENCY_SCALE = AppSettings().latency_scale
#: The largest row id SQLite stores: an id past it cannot name anything.
_MAX_ID = 2**63 - 1


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse's own exit code is 2 as well
        self.print_usage(sys.stderr)
        self.exit(EXIT_USER_ERROR, f"error: {message}\n")


def _base_url_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--base-url",
        type=_base_url,
        default=None,
        metavar="URL",
        help="openai_compatible: the server's address, e.g. http://localhost:11434/v1, or one "
        f"of {_PRESET_NAMES}; its key, if it takes one, from OPENAI_API_KEY or Settings "
        "(default: your settings, else Ollama's)",
    )


def _call_arguments(command: argparse.ArgumentParser) -> None:
    """--max-tokens and --retries: how long a model's reply may be, how often a call that
    failed for a passing reason is tried again."""
    command.add_argument(
        "--max-tokens",
        type=_whole("max tokens", 1, 200_000),
        default=None,
        metavar="N",
        help="the longest reply a model may write, 1 to 200000; raise it when a reply is cut "
        "off (default: your settings, 8192 out of the box)",
    )
    command.add_argument(
        "--retries",
        type=_whole("retries", 0, MAX_RETRIES),
        default=None,
        metavar="N",
        help="retries of a call that failed for a passing reason (overload, rate limit, "
        f"server error, dropped connection), 0 to {MAX_RETRIES}; each is shown "
        "(default: your settings, 2 out of the box)",
    )
    command.add_argument(
        "--budget",
        type=_budget,
        default=None,
        metavar="USD",
        help="the most this run (or this resume) may spend, in US dollars: it stops before a "
        "call that could take it past that, and can be resumed (default: your settings, none)",
    )
    command.add_argument(
        "--fallback",
        type=_checked(parse_fallback),
        default=None,
        metavar="PROVIDER:MODEL",
        help="where a call goes when the provider stays overloaded or unreachable after its "
        "retries, e.g. openai_compatible:llama3.1 or anthropic:claude-haiku-4-5 (default: "
        "your settings, none)",
    )
    command.add_argument(
        "--role-models",
        type=_checked(parse_role_models),
        default=None,
        metavar="ROLE=MODEL,...",
        help="a model per role for phases whose spec names none, e.g. "
        "'analyst=claude-haiku-4-5,designer=claude-haiku-4-5' (default: your settings)",
    )


def _budget(text: str) -> float:
    """An argument type: a budget in US dollars, more than 0."""
    try:
        value = float(text.strip().removeprefix("$"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an amount in dollars") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError("the budget must be more than 0 dollars")
    return value


def _checked(parse: Callable[[str], object]) -> Callable[[str], str]:
    """An argument type: the text as given, once ``parse`` accepts it."""

    def check(text: str) -> str:
        try:
            parse(text)
        except SettingsError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        return text

    return check


def _base_url(text: str) -> str:
    """An argument type: the OpenAI-compatible server's address, or a preset's name."""
    try:
        return resolve_base_url(text)
    except SettingsError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


_PRESET_NAMES = ", ".join(preset.name for preset in SERVER_PRESETS)


# --- numbers: each refused in a sentence by argparse (exit 2), not deep inside a command


def _whole(what: str, low: int, high: int) -> Callable[[str], int]:
    """An argument type: a whole number from ``low`` to ``high``, refused in words naming
    ``what`` (argparse reports the refusal as a usage error, exit 2)."""

    def parse(text: str) -> int:
        digits = text.strip()
        if len(digits) > 30 and digits.lstrip("+-").isdigit():
            # Out of range, and not converted: int() refuses past 4,300 digits.
            _check_range(what, low - 1 if digits.startswith("-") else high + 1, digits, low, high)
        try:
            value = int(digits)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{what} must be a whole number, not {_quoted(text)}"
            ) from None
        _check_range(what, value, digits, low, high)
        return value

    return parse


def _number(
    what: str, low: float, high: float, *, above_low: bool = False
) -> Callable[[str], float]:
    """An argument type: a number from ``low`` (or more than ``low``, with ``above_low``) to
    ``high``: never NaN, never infinite."""

    def parse(text: str) -> float:
        try:
            value = float(text)  # linear in the text's length, unlike int()
        except ValueError:
            value = math.nan
        if math.isnan(value):
            raise argparse.ArgumentTypeError(f"{what} must be a number, not {_quoted(text)}")
        if above_low and value <= low:
            raise argparse.ArgumentTypeError(
                f"{what} must be more than {_plain(low)}, not {_cut(text.strip())}"
            )
        _check_range(what, value, text, low, high)
        return value

    return parse


def _check_range(what: str, value: float, text: str, low: float, high: float) -> None:
    shown = _cut(text.strip())
    if value < low:
        least = "zero or more" if low == 0 else f"at least {_plain(low)}"
        raise argparse.ArgumentTypeError(f"{what} must be {least}, not {shown}")
    if value > high:
        raise argparse.ArgumentTypeError(f"{what} must be at most {_plain(high)}, not {shown}")


def _plain(number: float) -> str:
    return str(int(number)) if number == int(number) else str(number)


def _cut(text: str) -> str:
    return text if len(text) <= 30 else f"{text[:27]}..."


def _quoted(text: str) -> str:
    return repr(_cut(text))


_CONCURRENCY = _whole("concurrency", 1, 64)  # as the settings allow
_LATENCY_SCALE = _number("latency scale", 0.0, 10.0)  # as the settings allow
_PAGE_SIZE = _whole("page size", 1, 10_000)
_OFFSET = _whole("offset", 0, 1_000_000_000)


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
    init.add_argument(
        "--no-code",
        action="store_true",
        help="leave out the implementation stage (by default a developer writes code/ from "
        "the specification, then ruff, basedpyright and pytest check it); the project gets "
        "its own spec without it",
    )
    init.add_argument(
        "--code-dir",
        type=Path,
        default=None,
        metavar="FOLDER",
        help="where the implementation stage writes the code instead of code/ inside the "
        "project (a folder of the project, or one of its own such as an existing git "
        "repository)",
    )

    plan = sub.add_parser("plan", help="show waves, critical path and estimated times")
    project_arg(plan)
    plan.add_argument(
        "--spec",
        type=Path,
        metavar="FILE",
        help="plan (and check) this spec file instead of the project's",
    )
    plan.add_argument("--concurrency", type=_CONCURRENCY, default=4, metavar="N")
    plan.add_argument("--json", action="store_true", help="print JSON")

    run = sub.add_parser("run", help="run the workflow (parallel by default)")
    project_arg(run)
    run.add_argument("--sequential", action="store_true", help="one phase at a time (the baseline)")
    run.add_argument(
        "--concurrency",
        type=_CONCURRENCY,
        default=None,
        metavar="N",
        help="phases at once, 1 to 64 (default: your settings, 4 out of the box)",
    )
    run.add_argument(
        "--rate-limit",
        type=_number("rate limit", 0.0, 100_000.0),
        default=None,
        metavar="PER_MINUTE",
        help="at most this many phase requests a minute (0: no limit)",
    )
    run.add_argument(
        "--phase-timeout",
        type=_number("phase timeout", 0.0, 7 * 24 * 3600.0, above_low=True),
        default=None,
        metavar="SECONDS",
        help="fail a phase that takes longer, up to a week "
        "(default: your settings, 900 out of the box)",
    )
    run.add_argument(
        "--latency-scale",
        type=_LATENCY_SCALE,
        default=None,
        metavar="X",
        help="offline provider: simulated seconds per estimated second, 0 to 10 "
        f"(default: your settings, {_DEFAULT_LATENCY_SCALE} out of the box; 0 for no delay)",
    )
    run.add_argument(
        "--provider",
        choices=PROVIDERS,
        default=None,
        help="who writes the artifacts: the offline authors, Claude, or a model on an "
        "OpenAI-compatible server such as Ollama (default: your settings, else offline)",
    )
    run.add_argument(
        "--model",
        default=None,
        metavar="NAME",
        help="the provider's model, e.g. claude-sonnet-4-6 or llama3.2 (default: your settings)",
    )
    _base_url_argument(run)
    _call_arguments(run)
    run.add_argument(
        "--no-cache",
        action="store_true",
        help="ask the provider for every phase, even when a stored reply could be reused",
    )
    run.add_argument("--auto-approve", action="store_true", help="approve approval gates at once")
    run.add_argument(
        "--resume",
        action="store_true",
        help="finish the last unfinished run without re-running completed phases, with the "
        "provider and model it started with (unless you name others)",
    )
    run.add_argument(
        "--all",
        action="store_true",
        help="run every phase, not only those whose artifacts are missing, failed or stale",
    )
    _edit_choice(run, "the run")
    run.add_argument(
        "--json", action="store_true", help="print the outcome as JSON (no live table)"
    )

    approve = sub.add_parser("approve", help="approve an approval gate a run is waiting on")
    project_arg(approve)
    approve.add_argument("gate", help="the gate, e.g. architecture_approved")
    approve.add_argument("--note", default="", help="a note kept with the decision")
    approve.add_argument("--json", action="store_true")

    reject = sub.add_parser(
        "reject", help="reject an approval gate with a note: the next run redoes its phase with it"
    )
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
    _add_document_commands(sub, project_arg)
    _add_quality_commands(sub, project_arg)
    return parser


def _add_quality_commands(sub: Any, project_arg: Any) -> None:
    """``gates run|list|show``: the quality gates on the project's code folder."""
    gates = sub.add_parser(
        "gates",
        help="quality gates (ruff, basedpyright, pytest) on the code folder: run them, list "
        "the runs, show one",
    )
    project_arg(gates)
    gates.add_argument(
        "action",
        nargs="?",
        choices=("run", "list", "show"),
        default="list",
        help="run the gates now, list the recorded runs (the default), or show one",
    )
    gates.add_argument(
        "quality_run_id",
        nargs="?",
        type=_whole("gate run id", 1, _MAX_ID),
        metavar="ID",
        help="gates show: the run to show (gates list gives the ids)",
    )
    gates.add_argument("--limit", type=_PAGE_SIZE, default=20, metavar="N", help="1 to 10000")
    gates.add_argument("--offset", type=_OFFSET, default=0, metavar="N")
    gates.add_argument("--json", action="store_true", help="print JSON")

    folder = sub.add_parser(
        "code-folder",
        help="show or choose the folder the implementation stage writes and the gates check",
    )
    project_arg(folder)
    chosen = folder.add_mutually_exclusive_group()
    chosen.add_argument(
        "folder",
        nargs="?",
        type=Path,
        metavar="FOLDER",
        help="the new code folder: one inside the project, or a folder of its own",
    )
    chosen.add_argument("--default", action="store_true", help="back to code/ inside the project")


def _add_document_commands(sub: Any, project_arg: Any) -> None:
    """Sub-commands about the documents a user brings: import, documents."""
    imported = sub.add_parser(
        "import", help="import documents (PRD, functional or technical spec, change proposal)"
    )
    project_arg(imported)
    imported.add_argument(
        "files", nargs="+", type=Path, metavar="FILE", help="markdown or plain-text documents"
    )
    imported.add_argument(
        "--type",
        choices=("prd", "functional-spec", "technical-spec", "sprint-change-proposal"),
        help="the document type (default: detected from its structure and headings)",
    )
    imported.add_argument(
        "--name", metavar="NAME", help="the file name in inputs/ (one document; default: its own)"
    )
    imported.add_argument(
        "--use-as",
        choices=("prd.md", "architecture.md"),
        help="start from this document: an imported PRD becomes prd.md (a technical spec "
        "architecture.md) as your version, and what follows is built from it",
    )
    imported.add_argument("--json", action="store_true")

    proposal = sub.add_parser(
        "proposal",
        help="what an imported sprint change proposal changes and affects (--apply: do it)",
    )
    project_arg(proposal)
    proposal.add_argument("name", metavar="NAME", help="the proposal as imported, in inputs/")
    proposal.add_argument(
        "--apply",
        action="store_true",
        help="write its edits into the artifacts they name (as your versions), then "
        "regenerate what they affect as --strategy says",
    )
    _regeneration_choice(proposal, "applying the proposal", required=False)

    documents = sub.add_parser("documents", help="imported documents (or one: documents show NAME)")
    project_arg(documents)
    documents.add_argument("action", nargs="?", choices=("list", "show"), default="list")
    documents.add_argument("name", nargs="?", metavar="NAME", help="the document to show")
    documents.add_argument("--json", action="store_true")


def _edit_choice(command: argparse.ArgumentParser, what: str) -> None:
    """--keep-edits / --overwrite-edits: what to do with artifacts carrying your edits."""
    choice = command.add_mutually_exclusive_group()
    choice.add_argument(
        "--keep-edits",
        action="store_true",
        help=f"artifacts carrying your edits that {what} would rewrite are kept, and what "
        "depends on them is built from your text",
    )
    choice.add_argument(
        "--overwrite-edits",
        action="store_true",
        help=f"let {what} rewrite artifacts carrying your edits (your versions stay in history)",
    )


def _regeneration_choice(command: argparse.ArgumentParser, what: str, *, required: bool) -> None:
    """--strategy, --artifacts, --confirm and the run flags of a regeneration, and --json."""
    command.add_argument(
        "--strategy",
        required=required,
        choices=[s.value for s in Strategy],
        help="regenerate_all, high_impact_only, manual_review (with --artifacts) or ignore",
    )
    command.add_argument(
        "--artifacts",
        default="",
        metavar="A,B",
        help="manual_review: the affected artifacts to regenerate, comma-separated",
    )
    command.add_argument(
        "--confirm", action="store_true", help="ignore a change even though something is HIGH"
    )
    command.add_argument(
        "--concurrency",
        type=_CONCURRENCY,
        default=None,
        metavar="N",
        help="1 to 64 (default: your settings)",
    )
    command.add_argument(
        "--latency-scale",
        type=_LATENCY_SCALE,
        default=None,
        metavar="X",
        help="offline provider: simulated seconds per estimated second, 0 to 10 "
        "(default: settings)",
    )
    command.add_argument(
        "--provider", choices=PROVIDERS, default=None, help="default: your settings"
    )
    command.add_argument("--model", default=None, metavar="NAME", help="default: settings")
    _base_url_argument(command)
    _call_arguments(command)
    command.add_argument(
        "--auto-approve",
        action="store_true",
        help="approve a gate the regeneration re-opens at once (else what depends on it waits)",
    )
    _edit_choice(command, what)
    command.add_argument("--json", action="store_true")


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
    history.add_argument(
        "--limit", type=_PAGE_SIZE, default=20, metavar="N", help="page size, 1 to 10000 (20)"
    )
    history.add_argument(
        "--offset", type=_OFFSET, default=0, metavar="N", help="skip N, newest first"
    )
    history.add_argument("--json", action="store_true")
    _add_gui_commands(sub)

    impact = sub.add_parser("impact", help="what a change affects downstream, and how badly")
    project_arg(impact)
    impact.add_argument(
        "change",
        nargs="?",
        type=_whole("change id", 1, _MAX_ID),
        metavar="CHANGE_ID",
        help="default: your latest edit",
    )
    impact.add_argument("--json", action="store_true")

    regenerate = sub.add_parser("regenerate", help="regenerate what a change affects")
    project_arg(regenerate)
    regenerate.add_argument(
        "--change",
        type=_whole("change id", 1, _MAX_ID),
        metavar="ID",
        help="the change (default: your latest edit)",
    )
    _regeneration_choice(regenerate, "the regeneration", required=True)

    runs = sub.add_parser("runs", help="regeneration runs, newest first (or one: runs ID)")
    project_arg(runs)
    runs.add_argument(
        "run_id", nargs="?", type=_whole("run id", 1, _MAX_ID), metavar="ID", help="show this run"
    )
    runs.add_argument("--limit", type=_PAGE_SIZE, default=20, metavar="N", help="1 to 10000")
    runs.add_argument("--offset", type=_OFFSET, default=0, metavar="N")
    runs.add_argument("--json", action="store_true")

    run_show = sub.add_parser("run-show", help="one regeneration run in full")
    project_arg(run_show)
    run_show.add_argument("run_id", type=_whole("run id", 1, _MAX_ID), metavar="ID")
    run_show.add_argument("--json", action="store_true")

    snapshots = sub.add_parser("snapshots", help="snapshots to roll back to, newest first")
    project_arg(snapshots)
    snapshots.add_argument("--limit", type=_PAGE_SIZE, default=50, metavar="N", help="1 to 10000")
    snapshots.add_argument("--json", action="store_true")

    rollback = sub.add_parser("rollback", help="restore every artifact as a snapshot holds it")
    project_arg(rollback)
    rollback.add_argument(
        "snapshot_id", type=_whole("snapshot id", 1, _MAX_ID), metavar="SNAPSHOT_ID"
    )
    rollback.add_argument("--json", action="store_true")


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
