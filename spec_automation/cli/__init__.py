"""The headless command line: ``spec-automation`` (and ``python -m spec_automation``).

It uses only the service facade, as the GUI does. Exit status: 0 done, 1 a run that did not
complete or the machine refused (a full disk, a read-only folder), 2 a user error (bad spec,
bad arguments, not a project), 130 cancelled.

``parser`` holds the arguments; each group of commands lives in its own module
(``project_commands``, ``run_commands``, ``change_commands``, ``document_commands``,
``quality_commands``, ``gui_commands``), imported only
when one of its commands runs, so a quick command does not load what a run needs.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from spec_automation import __version__
from spec_automation.cli.parser import EXIT_USER_ERROR, build_parser
from spec_automation.settings import log_dir, prepare_private_log

if TYPE_CHECKING:
    from spec_automation.cli.render import Output

__all__ = ["UserError", "main"]

EXIT_OK, EXIT_CANCELLED, EXIT_INTERNAL_ERROR = 0, 130, 70
#: The machine refused (a full disk, a read-only folder): nothing the command could change.
EXIT_ENVIRONMENT = 1


class UserError(Exception):
    """A mistake in how the command was called."""


#: Where each command is handled.
_GROUPS = {
    "project_commands": ("init", "plan", "status", "approve", "reject", "metrics"),
    "run_commands": ("run",),
    "change_commands": (
        "scan",
        "history",
        "impact",
        "regenerate",
        "runs",
        "run-show",
        "snapshots",
        "rollback",
    ),
    "document_commands": ("import", "documents", "proposal"),
    "quality_commands": ("gates", "code-folder"),
    "gui_commands": ("gui", "screenshots"),
}


def _handler(command: str) -> Callable[..., int]:
    for module, commands in _GROUPS.items():
        if command in commands:
            handlers = importlib.import_module(f"spec_automation.cli.{module}").COMMANDS
            handler: Callable[..., int] = handlers[command]
            return handler
    raise KeyError(command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    _give_streams()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["gui"])
    from spec_automation.cli.render import Output, escape
    from spec_automation.services import ProjectError, SpecError

    out, err = Output(sys.stdout), Output(sys.stderr)
    try:
        with _stops_as_interrupts():
            return _handler(args.command)(args, out)
    except (ProjectError, SpecError, UserError) as exc:
        err.print(f"[bold red]error:[/] {escape(str(exc))}")
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        err.print("\nCancelled. Resume with: spec-automation run --resume")
        return EXIT_CANCELLED
    except BrokenPipeError:  # the reader went away (`| head`): nothing more to say
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:
        from spec_automation.services.errors import environment_message

        message = environment_message(exc)
        if message is None:
            return _internal_error(exc, err)
        err.print(f"[bold red]error:[/] {escape(message)}")
        return EXIT_ENVIRONMENT
    except Exception as exc:  # a bug: one line for the user, the details in a log file
        return _internal_error(exc, err)


def _give_streams() -> None:
    """A windowed executable (Windows' spec-automation-gui.exe) starts with no stdout and no
    stderr: what would be printed there (an error opening a project, say) goes to the log
    folder's console.log instead of failing to be printed."""
    if sys.stdout is not None and sys.stderr is not None:
        return
    try:
        log = log_dir() / "console.log"
        prepare_private_log(log)
        stream: TextIO = log.open("a", encoding="utf-8")  # kept open for the process
    except OSError:
        stream = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    if sys.stdout is None:
        sys.stdout = stream
    if sys.stderr is None:
        sys.stderr = stream


@contextlib.contextmanager
def _stops_as_interrupts() -> Iterator[None]:
    """While a command runs, SIGTERM and SIGHUP (a closed terminal, a service manager
    stopping it) stop it the way Ctrl-C does: a run cancels its phases, records itself as
    cancelled and can be resumed, instead of dying mid-write."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # A signal someone chose to ignore (``nohup`` ignores SIGHUP) stays ignored.
    wanted = [
        number
        for name in ("SIGTERM", "SIGHUP")
        if (number := getattr(signal, name, None)) is not None
        and signal.getsignal(number) is signal.SIG_DFL
    ]

    def as_interrupt(_signum: int, _frame: object) -> None:
        if callable(signal.getsignal(signal.SIGINT)):
            # The SIGINT handler in force (asyncio's while a run goes on) does the rest.
            signal.raise_signal(signal.SIGINT)
        else:  # SIGINT is ignored (a background job): interrupt directly
            raise KeyboardInterrupt

    previous = {number: signal.signal(number, as_interrupt) for number in wanted}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _internal_error(exc: BaseException, err: Output) -> int:
    from spec_automation.cli.render import escape

    log = _log_unexpected(exc)
    what = escape(f"{type(exc).__name__}: {exc}")
    err.print(f"[bold red]internal error:[/] {what}")
    err.print(f"Details were written to {log}; please report them.")
    return EXIT_INTERNAL_ERROR


def _log_unexpected(exc: BaseException) -> Path:
    """Append the traceback to the user's log file and return its path."""
    import traceback

    log = log_dir() / "cli.log"
    try:
        prepare_private_log(log)
        with log.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {datetime.now(UTC).isoformat()} spec-automation {__version__}\n")
            handle.write("".join(traceback.format_exception(exc)))
    except OSError:
        return Path("(the log could not be written)")
    return log
