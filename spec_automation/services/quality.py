"""Quality gates: running ruff, basedpyright, pytest (or any command) on the code folder.

:func:`run_gates` runs every gate at once, each as a subprocess of its own (never through a
shell) in its own process group, with its own time limit: a gate that overruns is killed
with its children while the others go on, and cancelling the awaiting task kills them all.
A tool that is not installed, output that cannot be read or a command that crashes makes
that gate ``missing`` or ``error`` with a sentence saying why, never an exception. A gate's
folder outside the code folder, or reached through a link, is refused before anything runs.

:class:`Quality` (``ProjectService.quality``) runs the project's gates on its code folder
and records each run with every gate's result and findings; it lists and shows them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from spec_automation.core.copying import copy_fields
from spec_automation.core.quality import (
    DEFAULT_GATES,
    JUNIT_PLACEHOLDER,
    PYTHON_PLACEHOLDER,
    Finding,
    GateResult,
    QualityGateSpec,
    QualityRun,
    finding_counts,
    parse_output,
    rebase_findings,
)
from spec_automation.services.code_folder import code_root
from spec_automation.services.errors import ProjectError, check_page, said_as_project_error
from spec_automation.services.reports import Page
from spec_automation.store.errors import StoreError
from spec_automation.store.quality import QualityRunRecord, QualityStore
from spec_automation.workspace import UnsafeFileError, read_text_inside, refuse_links_below

if TYPE_CHECKING:
    from spec_automation.services.context import ProjectState

__all__ = [
    "GateProgress",
    "GateSummary",
    "Quality",
    "QualityRunInfo",
    "QualityRunPage",
    "QualityRunReport",
    "code_folder",
    "project_gates",
    "run_gates",
]

#: ``on_progress(gate, status)``: "running" when a gate starts, then its final status.
GateProgress = Callable[[str, str], None]

#: The most output kept from each of a gate's streams (and its JUnit report); the rest is
#: read and dropped, so a gate that floods cannot fill the memory.
MAX_OUTPUT_BYTES = 32 * 1024 * 1024
#: How long a killed gate is given to be gone before the run stops waiting for it.
_REAP_S = 5.0
_READ_CHUNK = 64 * 1024
#: The tools of the default gates, installed with the app from PyPI.
_PYTHON_TOOLS = frozenset({"ruff", "basedpyright", "pytest"})


def code_folder(project: ProjectState) -> Path:
    """The folder the implementation stage writes and the gates check (``code/``, or the one
    chosen for the project)."""
    return code_root(project.paths)


def project_gates(project: ProjectState) -> tuple[QualityGateSpec, ...]:
    """The gates the project's spec lists (``quality_gates:``), else the default three."""
    gates: tuple[QualityGateSpec, ...] = getattr(project.spec, "quality_gates", DEFAULT_GATES)
    return gates


# --- running the gates ----------------------------------------------------------------------


async def run_gates(
    code_dir: Path,
    gates: Sequence[QualityGateSpec],
    *,
    on_progress: GateProgress | None = None,
    python: str | None = None,
    on_cancelled: Callable[[QualityRun], object] | None = None,
) -> QualityRun:
    """Run every gate in ``code_dir`` at once and read what each found.

    ``python`` is the interpreter ``{python}`` stands for, and the one whose environment a
    tool is looked for in when it is not on PATH (default: the code folder's own ``.venv``,
    whose tools are then looked for first, else the app's own). Raises
    ``ProjectError`` before anything runs when ``code_dir`` is not a folder or a gate's folder
    is outside it or reached through a link.

    Cancelling the awaiting task stops every gate; ``on_cancelled`` is then handed the run as
    it stood (the gates that had finished, the others ``cancelled``) before the
    ``CancelledError`` goes on, unchanged, so ``asyncio.timeout`` still sees its own.
    """
    root = Path(code_dir)
    if not root.is_dir():
        raise ProjectError(f"the code folder {root} does not exist or is not a folder")
    folders = [_gate_folder(root, gate) for gate in gates]
    own = None if python else _own_python(root)
    interpreter = own or _interpreter(python)
    notify = on_progress or (lambda _gate, _status: None)
    started_at = datetime.now(UTC)
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="spec-automation-gates-") as scratch:
        tasks = [
            asyncio.ensure_future(
                _run_gate(
                    gate,
                    root,
                    folder,
                    Path(scratch) / f"junit-{index}.xml",
                    interpreter,
                    notify,
                    own_first=own is not None,
                )
            )
            for index, (gate, folder) in enumerate(zip(gates, folders, strict=True))
        ]
        try:
            results = tuple(await asyncio.gather(*tasks))
        except BaseException as exc:
            for task in tasks:
                task.cancel()
            if tasks:  # each kills its process when cancelled: wait until they have
                await asyncio.wait(tasks)
            if isinstance(exc, asyncio.CancelledError) and on_cancelled is not None:
                done = tuple(
                    _finished(task) or _cancelled(gate)
                    for task, gate in zip(tasks, gates, strict=True)
                )
                on_cancelled(QualityRun(done, time.monotonic() - start, started_at))
            raise
    return QualityRun(results, time.monotonic() - start, started_at)


def _finished(task: asyncio.Future[GateResult]) -> GateResult | None:
    if task.cancelled() or task.exception() is not None:
        return None
    return task.result()


def _cancelled(gate: QualityGateSpec) -> GateResult:
    return GateResult(
        gate.name,
        "cancelled",
        0.0,
        (),
        {},
        f"{gate.name} was cancelled before it finished.",
        gate.command,
        gate.parser,
    )


def _gate_folder(root: Path, gate: QualityGateSpec) -> Path:
    """Where ``gate`` runs: its ``cwd`` inside the code folder, reached through no link."""
    relative = PurePath(gate.cwd or ".")
    if relative.is_absolute() or relative.anchor or ".." in relative.parts:
        raise ProjectError(
            f"quality gate {gate.name!r}: its folder {gate.cwd!r} is outside the code folder "
            f"{root}; give a folder inside it, such as . or backend"
        )
    folder = root.joinpath(*relative.parts) if relative.parts else root
    try:
        refuse_links_below(root, folder)
    except UnsafeFileError as exc:
        raise ProjectError(f"quality gate {gate.name!r}: {exc}") from None
    if not folder.is_dir():
        raise ProjectError(
            f"quality gate {gate.name!r}: its folder {gate.cwd!r} does not exist in the code "
            f"folder {root}"
        )
    if not folder.resolve().is_relative_to(root.resolve()):  # pragma: no cover (links refused)
        raise ProjectError(f"quality gate {gate.name!r}: its folder is outside the code folder")
    return folder


def _interpreter(python: str | None) -> str:
    """The Python ``{python}`` stands for: the one given, else the app's own (a bundled app's
    executable is not a Python: then the one on PATH)."""
    if python:
        return python
    if sys.executable and not getattr(sys, "frozen", False):
        return sys.executable
    return shutil.which("python3") or shutil.which("python") or "python3"


def _own_python(root: Path) -> str | None:
    """The Python of the code folder's own virtual environment (``.venv``), if it has one:
    the code's dependencies are installed there, so its tests and types are checked there."""
    venv = root / ".venv"
    if venv.is_symlink() or not venv.is_dir():
        return None
    for python in (venv / "bin" / "python", venv / "Scripts" / "python.exe"):
        if python.is_file() and os.access(python, os.X_OK):
            return str(python)
    return None


def _program(word: str, folder: Path, interpreter: str, own_first: bool = False) -> str | None:
    """The executable a command's first word names: a path (from the gate's folder), a
    program on PATH, or one beside ``interpreter`` (the app's environment, where ruff,
    basedpyright and pytest are installed with it; looked at first when ``own_first``: it
    is the code folder's own). None: there is none."""
    if os.sep in word or (os.altsep and os.altsep in word):
        path = Path(word) if Path(word).is_absolute() else folder / word
        return str(path) if path.is_file() and os.access(path, os.X_OK) else None
    beside = str(Path(interpreter).parent)
    if own_first:
        found = shutil.which(word, path=beside)
        if found:
            return found
    return shutil.which(word) or shutil.which(word, path=beside)


async def _run_gate(
    gate: QualityGateSpec,
    root: Path,
    folder: Path,
    junit: Path,
    interpreter: str,
    notify: GateProgress,
    *,
    own_first: bool = False,
) -> GateResult:
    """Run one gate to its end, its time limit or its cancellation, and read its output."""
    start = time.monotonic()
    notify(gate.name, "running")

    def result(status: str, message: str, findings: tuple[Finding, ...] = ()) -> GateResult:
        done = GateResult(
            name=gate.name,
            status=status,
            duration_s=time.monotonic() - start,
            findings=findings,
            counts=finding_counts(gate.parser, findings),
            message=message,
            command=gate.command,
            parser=gate.parser,
        )
        notify(gate.name, status)
        return done

    argv = [
        word.replace(JUNIT_PLACEHOLDER, str(junit)).replace(PYTHON_PLACEHOLDER, interpreter)
        for word in gate.command
    ]
    program = _program(argv[0], folder, interpreter, own_first)
    if program is None:
        return result("missing", _missing(gate, argv[0], interpreter))
    spawn = asyncio.ensure_future(
        asyncio.create_subprocess_exec(
            program,
            *argv[1:],
            cwd=folder,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ, **dict(gate.env)} if gate.env else None,
            **_own_process_group(),
        )
    )
    try:
        # Shielded: a cancellation while the process starts must still find it to stop it.
        process = await asyncio.shield(spawn)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await _stop(await spawn)
        return result("cancelled", f"{gate.name} was stopped: the run was cancelled.")
    except FileNotFoundError:
        return result("missing", _missing(gate, argv[0], interpreter))
    except OSError as exc:
        return result(
            "error", f"{gate.name} could not be started ({program}: {exc.strerror or exc})."
        )
    try:
        exit_code, out, err = await asyncio.wait_for(_finish(process), gate.timeout_s)
    except TimeoutError:
        await _stop(process)
        return result(
            "timeout",
            f"{gate.name} did not finish within {_seconds(gate.timeout_s)} and was stopped; "
            "raise its timeout_s in the spec's quality_gates if it needs longer.",
        )
    except asyncio.CancelledError:
        await _stop(process)
        return result("cancelled", f"{gate.name} was stopped: the run was cancelled.")
    stdout, stderr = _text(out), _text(err)
    module = _module_run(argv)
    if module and exit_code != 0 and re.search(rf"No module named '?{re.escape(module)}\b", stderr):
        return result(
            "missing",
            f"{module} is not installed for {argv[0]}: pip install {module} there, or change "
            "the gate's command in the spec's quality_gates.",
        )
    junit_text = _read_report(junit) if any(JUNIT_PLACEHOLDER in w for w in gate.command) else ""
    status, findings, message = parse_output(
        gate.parser, stdout, stderr, exit_code, junit_text, gate=gate.name
    )
    if out.truncated or err.truncated:
        message += f" (its output was cut at {MAX_OUTPUT_BYTES // (1024 * 1024)} MiB)"
    roots = [root, root.resolve()]
    return result(status, message, rebase_findings(findings, cwd=folder, roots=roots))


@dataclass(frozen=True, slots=True)
class _Output:
    data: bytes
    truncated: bool


async def _finish(process: asyncio.subprocess.Process) -> tuple[int, _Output, _Output]:
    """Read both streams to their end (keeping at most ``MAX_OUTPUT_BYTES`` of each), then
    wait for the process: its exit code and what it printed."""
    assert process.stdout is not None  # both are pipes
    assert process.stderr is not None
    out, err = await asyncio.gather(_read_capped(process.stdout), _read_capped(process.stderr))
    return await process.wait(), out, err


async def _read_capped(stream: asyncio.StreamReader) -> _Output:
    chunks: list[bytes] = []
    kept = 0
    truncated = False
    while chunk := await stream.read(_READ_CHUNK):
        room = MAX_OUTPUT_BYTES - kept
        if len(chunk) > room:
            truncated = True
            chunk = chunk[:room]
        if chunk:
            chunks.append(chunk)
            kept += len(chunk)
    return _Output(b"".join(chunks), truncated)


def _own_process_group() -> dict[str, Any]:
    """Start the gate in a process group of its own, so stopping it stops its children."""
    if os.name == "posix":
        return {"start_new_session": True}
    return {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}


async def _stop(process: asyncio.subprocess.Process) -> None:
    """Kill the gate and everything it started, and wait (a little) for it to be gone."""
    if process.returncode is None:
        if os.name == "posix":
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
        else:  # pragma: no cover (Windows: no process groups to signal)
            _kill_tree(process.pid)
        with contextlib.suppress(ProcessLookupError):
            process.kill()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.shield(process.wait()), _REAP_S)


def _kill_tree(pid: int) -> None:  # pragma: no cover (Windows)
    import psutil  # type: ignore[import-untyped]

    with contextlib.suppress(psutil.Error):
        for child in psutil.Process(pid).children(recursive=True):
            with contextlib.suppress(psutil.Error):
                child.kill()


def _module_run(argv: Sequence[str]) -> str:
    """``pytest`` for ``python -m pytest ...``; "" for a command that runs no module."""
    if len(argv) >= 3 and argv[1] == "-m" and Path(argv[0]).name.lower().startswith("python"):
        return argv[2]
    return ""


def _missing(gate: QualityGateSpec, program: str, interpreter: str) -> str:
    name = Path(program).name
    if os.sep in program or (os.altsep and os.altsep in program):
        return f"{gate.name} cannot run: {program} does not exist or is not executable."
    how = f"pip install {name}" if name in _PYTHON_TOOLS else "install it"
    return (
        f"{name} is not installed: it is neither on PATH nor beside the Python in "
        f"{Path(interpreter).parent} (the code folder's .venv when it has one, else the "
        f"app's); {how}, or change the gate's command in the spec's quality_gates."
    )


def _read_report(path: Path) -> str:
    """The JUnit report a gate wrote ("" when it wrote none, or something that is not one)."""
    try:
        return read_text_inside(path.parent, path, limit=MAX_OUTPUT_BYTES)
    except (OSError, UnicodeDecodeError):
        return ""


def _text(output: _Output) -> str:
    return output.data.decode("utf-8", errors="replace")


def _seconds(value: float) -> str:
    return f"{value:g} s"


# --- the project's gates, recorded ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GateSummary:
    """One gate of a listed quality run: how it went, and how many findings it has."""

    name: str
    status: str
    duration_s: float
    counts: Mapping[str, int]
    message: str
    findings: int


@dataclass(frozen=True, slots=True)
class QualityRunInfo:
    """A recorded quality run as listed: when, how long, how it ended, each gate in short,
    and the workflow run and Dev-QA round it belongs to (``run_id`` None: run alone)."""

    id: int
    run_id: int | None
    round: int
    phase: str
    code_dir: str
    status: str
    started_at: datetime
    finished_at: datetime
    wall_s: float
    gates: tuple[GateSummary, ...]


@dataclass(frozen=True, slots=True)
class QualityRunReport:
    """A recorded quality run in full: every gate with its findings."""

    id: int
    run_id: int | None
    round: int
    phase: str
    code_dir: str
    status: str
    started_at: datetime
    finished_at: datetime
    wall_s: float
    gates: tuple[GateResult, ...]

    @property
    def passed(self) -> bool:
        """Whether every gate passed."""
        return self.status == "passed"

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every gate's findings, gate by gate."""
        return tuple(f for gate in self.gates for f in gate.findings)

    @property
    def problems(self) -> tuple[Finding, ...]:
        """Every gate's findings that are something to fix (not the tests that passed, were
        skipped or were expected to fail), gate by gate."""
        return tuple(f for gate in self.gates for f in gate.problems)


#: A page of recorded quality runs, newest first.
QualityRunPage = Page[QualityRunInfo]


class Quality:
    """The quality gates of one open project (``ProjectService.quality``): run them on the
    code folder and record the run; list and show recorded runs."""

    def __init__(self, project: ProjectState) -> None:
        self._project = project
        self._store: QualityStore = QualityStore(project.db, project.project_id)

    @property
    def folder(self) -> Path:
        """The code folder the gates check."""
        return code_folder(self._project)

    def gates(self) -> tuple[QualityGateSpec, ...]:
        """The gates the project runs."""
        return project_gates(self._project)

    async def run(
        self,
        *,
        run_id: int | None = None,
        round: int = 1,
        phase: str = "",
        gates: Sequence[QualityGateSpec] | None = None,
        on_progress: GateProgress | None = None,
        python: str | None = None,
    ) -> QualityRunReport:
        """Run the project's gates (or ``gates``) on the code folder, all at once, and record
        the run, as round ``round`` of workflow run ``run_id`` when it is one.

        A failing gate is a result, not an error. Raises ``ProjectError`` before anything runs
        when there is no code folder, no gate, or no such workflow run; cancelling the awaiting
        task stops the gates and records the run as cancelled.
        """
        folder = self._checked_folder()
        chosen = tuple(gates) if gates is not None else self.gates()
        if not chosen:
            raise ProjectError(
                "the spec lists no quality gates (quality_gates: []): add one, or remove the "
                "empty list to use ruff, basedpyright and pytest"
            )
        if round < 1:
            raise ProjectError(f"the Dev-QA round must be 1 or more, not {round}")
        with said_as_project_error(StoreError):
            if run_id is not None:
                await asyncio.to_thread(self._store.check_workflow_run, run_id)
        where = self._shown_folder(folder)

        def record(run: QualityRun) -> int:
            with said_as_project_error(StoreError):
                return self._store.record(
                    run, code_dir=where, run_id=run_id, round=round, phase=phase
                )

        run = await run_gates(
            folder,
            chosen,
            on_progress=on_progress,
            python=python,
            on_cancelled=record,  # in the loop's thread: a cancelled task awaits nothing more
        )
        recorded = await asyncio.to_thread(record, run)
        return await asyncio.to_thread(self.show, recorded)

    def list(self, limit: int = 50, offset: int = 0) -> QualityRunPage:
        """A page of the recorded quality runs, newest first."""
        check_page(limit, offset)
        with said_as_project_error(StoreError):
            records, total = self._store.runs(limit, offset)
        return Page(items=tuple(_info(record) for record in records), total=total)

    def show(self, quality_run_id: int) -> QualityRunReport:
        """One recorded quality run in full (``ProjectError`` when there is none by that id)."""
        with said_as_project_error(StoreError):
            record = self._store.run(quality_run_id)
        return copy_fields(QualityRunReport, record)

    def _checked_folder(self) -> Path:
        folder = self.folder
        root = self._project.paths.root
        if folder.is_relative_to(root):  # inside the project: never through a link
            try:
                refuse_links_below(root, folder)
            except UnsafeFileError as exc:
                raise ProjectError(
                    f"{exc}: the code folder must be a folder of the project"
                ) from None
        elif folder.is_symlink():  # a folder of its own, replaced by a link since chosen
            raise ProjectError(
                f"the code folder {folder} is a link; choose the folder it points to "
                "(code-folder FOLDER): the app does not work through links"
            )
        if not folder.exists():
            raise ProjectError(
                f"this project has no code folder yet ({folder}): the implementation stage "
                "writes it, or create it and put the code to check in it"
            )
        if not folder.is_dir():
            raise ProjectError(f"the code folder {folder} is a file, not a folder")
        return folder

    def _shown_folder(self, folder: Path) -> str:
        root = self._project.paths.root
        return folder.relative_to(root).as_posix() if folder.is_relative_to(root) else str(folder)


def _info(record: QualityRunRecord) -> QualityRunInfo:
    return copy_fields(
        QualityRunInfo,
        record,
        gates=tuple(
            GateSummary(g.name, g.status, g.duration_s, g.counts, g.message, count)
            for g, count in zip(record.gates, record.finding_counts, strict=True)
        ),
    )
