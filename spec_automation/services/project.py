"""Creating and opening projects, planning, and the facade: :class:`ProjectService`.

``ProjectService`` is the one object the CLI and the GUI talk to. Each of its methods is one
user action, handed to the module of the services that owns that capability (artifacts,
runs, gates, status, metrics, impact, regeneration, snapshots). The modules that load the
engine, the agents and the impact analysis are imported when first used, so a command that
only reads the store starts without them.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import glob
import os
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from spec_automation.core.spec import parse_spec
from spec_automation.core.strategy import Strategy
from spec_automation.git_repo import GitError, GitRepo, git_notice
from spec_automation.resources import bundled_spec_path
from spec_automation.services import artifacts, gates, metrics, status
from spec_automation.services.context import ProjectState
from spec_automation.services.errors import ProjectError, environment_message
from spec_automation.services.options import RunOptions
from spec_automation.services.plan import (
    fan_out_parts,
    load_project_spec,
    plan_workflow,
    project_paths,
)
from spec_automation.services.reports import (
    ChangePage,
    GateInfo,
    ImpactReport,
    MetricsReport,
    PlanReport,
    ProjectInfo,
    RegenerationReport,
    RegenerationRunInfo,
    RegenerationRunPage,
    RollbackReport,
    RunPreview,
    RunReport,
    SaveResult,
    ScanReport,
    SnapshotInfo,
    StatusReport,
    UsageEstimate,
    VersionPage,
)
from spec_automation.settings import load_settings
from spec_automation.store import queries
from spec_automation.store.database import Database, open_database
from spec_automation.store.errors import StoreError
from spec_automation.store.regeneration import RegenerationStore
from spec_automation.workspace import (
    MAX_TEXT_BYTES,
    ProjectPaths,
    UnsafeFileError,
    read_chosen_text,
    refuse_links_below,
    run_lock_is_free,
)

if TYPE_CHECKING:
    from spec_automation.core.events import EventSink
    from spec_automation.services.documents import Documents
    from spec_automation.services.phase_models import ClosingRunner
    from spec_automation.services.quality import Quality
    from spec_automation.services.spending import CostEstimate

__all__ = ["ProjectService", "create_project", "open_project", "plan_workflow", "read_brief_file"]


def read_brief_file(path: Path) -> str:
    """The text of a brief file the user chose, or a ``ProjectError`` saying why it cannot be
    one: missing, a folder, a pipe or device, larger than the app reads, or not UTF-8."""
    try:
        return read_chosen_text(path)
    except FileNotFoundError:
        raise ProjectError(f"brief file {path} not found") from None
    except UnicodeDecodeError:
        raise ProjectError(
            f"{path} is not UTF-8 text (perhaps Latin-1 or Windows-1252); save it as UTF-8 "
            "and try again"
        ) from None
    except UnsafeFileError as exc:
        raise ProjectError(str(exc)) from None
    except OSError as exc:
        raise ProjectError(f"{path} cannot be read ({exc.strerror or exc})") from None


def create_project(
    folder: Path,
    *,
    brief_text: str,
    name: str | None = None,
    git_enabled: bool | None = None,
    code: bool = True,
    code_dir: Path | None = None,
) -> ProjectService:
    """Make ``folder`` a new project with the given brief and open it.

    Everything is checked before anything is written: the brief must not be empty, the folder
    must not already be a project, an existing different ``brief.md`` is never overwritten, and
    the spec the project will use must load. With git (``git_enabled``, default: the user's
    settings) the folder becomes a git repository ignoring ``.spec_automation/``. The default
    spec ends with the implementation stage (a developer writing ``code/``, then the quality
    gates checking it); ``code_dir`` is where that code goes instead of ``code/`` (see
    ``choose_code_folder``). Without ``code`` the project gets its own spec: the default one
    without that stage.
    """
    folder = folder.expanduser().resolve()
    paths = ProjectPaths(folder)
    if code_dir is not None and not code:
        raise ProjectError(
            "a project without code has no code folder: leave out the code folder, or keep "
            "the implementation stage"
        )
    if code_dir is not None:
        from spec_automation.services.code_folder import check_code_root

        check_code_root(folder, code_dir)  # refused before anything is written
    if folder.exists() and not folder.is_dir():
        raise ProjectError(f"{folder} exists and is not a folder")
    _refuse_unwritable(folder)
    if paths.is_project() and _holds_project(paths):
        raise ProjectError(f"{folder} is already a spec_automation project; open it instead")
    if not brief_text.strip():
        raise ProjectError("the brief is empty: describe the product you want to specify")
    if len(brief_text.encode("utf-8")) > MAX_TEXT_BYTES:
        raise ProjectError(
            f"the brief is larger than {MAX_TEXT_BYTES // (1024 * 1024)} MiB; a brief describes "
            "the product in words: shorten it, or import long documents separately"
        )
    if (paths.brief.exists() or paths.brief.is_symlink()) and _existing_brief(paths) != brief_text:
        raise ProjectError(
            f"{paths.brief} already exists with other text; move it away or use it as the brief"
        )
    stage_text = None if code else spec_text_without_code()
    if stage_text is not None:
        if paths.spec_override.exists() or paths.spec_override.is_symlink():
            raise ProjectError(
                f"{paths.spec_override} already exists; a project without code gets its own "
                "spec there: move that one away, or take the implementation stage out of it "
                "yourself"
            )
        spec = parse_spec(stage_text, source=str(paths.spec_override))
    else:
        spec, _ = load_project_spec(paths)
    project_name = (name or folder.name).strip() or "project"

    for folder_inside in (paths.artifacts, paths.inputs, paths.state):
        _refuse_link(paths, folder_inside)
    try:
        paths.artifacts.mkdir(parents=True, exist_ok=True)
        paths.inputs.mkdir(exist_ok=True)
        if not paths.brief.exists():
            paths.write_text(
                paths.brief, brief_text if brief_text.endswith("\n") else brief_text + "\n"
            )
        if stage_text is not None:
            paths.write_text(paths.spec_override, stage_text)
    except OSError as exc:
        message = environment_message(exc)
        if message is None:
            raise
        raise ProjectError(message) from None
    db = _open_db(paths)
    try:
        queries.ensure_project(db, project_name, str(folder), spec.name)
    finally:
        db.close()
    service = open_project(folder, git_enabled=git_enabled)
    if code_dir is not None:
        service.choose_code_folder(code_dir)
    return service


#: The line of the default spec after which its implementation stage is written.
STAGE_MARK = "  # --- The implementation stage:"


def spec_text_without_code() -> str:
    """The default spec without its implementation stage (the phases after ``STAGE_MARK``)."""
    default = bundled_spec_path().read_text(encoding="utf-8")
    head, mark, _stage = default.partition(STAGE_MARK)
    assert mark, "the default spec marks where its implementation stage starts"
    return head.rstrip("\n") + "\n"


def _refuse_unwritable(folder: Path) -> None:
    """Refuse a folder that cannot be made: below a file, or in a folder the user may not
    write to (checked before anything is written, so nothing is left half-made)."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ProjectError(f"cannot create {folder}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ProjectError(
            f"cannot create a project in {folder}: {existing} cannot be written to "
            "(a read-only disk, or no permission); choose another folder"
        )


def _holds_project(paths: ProjectPaths) -> bool:
    """Whether the folder's store records a project (an init stopped half-way does not)."""
    db = _open_db(paths)
    try:
        return queries.find_project(db) is not None
    finally:
        db.close()


def _existing_brief(paths: ProjectPaths) -> str | None:
    """The text of a ``brief.md`` already in the folder (None: not readable as a brief)."""
    try:
        return paths.read_text(paths.brief)
    except UnsafeFileError as exc:
        raise ProjectError(str(exc)) from None
    except (OSError, UnicodeDecodeError):
        return None


def _remove_torn_writes(paths: ProjectPaths, artifacts: Iterable[str]) -> None:
    """Delete the temporary files an interrupted atomic write left beside the artifacts
    (``.NAME.*.tmp``: never the artifact itself, which holds the old text or the new)."""
    if paths.artifacts.is_symlink() or not paths.artifacts.is_dir():
        return
    for name in artifacts:
        for leftover in paths.artifacts.glob(f".{glob.escape(name)}.*.tmp"):
            if leftover.is_file() or leftover.is_symlink():
                with contextlib.suppress(OSError):
                    leftover.unlink()


def _refuse_link(paths: ProjectPaths, path: Path) -> None:
    try:
        refuse_links_below(paths.root, path)
    except UnsafeFileError as exc:
        raise ProjectError(f"{exc}: replace it with a folder of the project") from None


def open_project(folder: Path, *, git_enabled: bool | None = None) -> ProjectService:
    """Open an existing project (upgrading its store if it is older than the app).

    Artifact files edited outside the app are recorded as user versions (``last_scan``).
    With git (``git_enabled``, default: the user's settings) and git installed, the folder is
    made a repository if it is not one yet; otherwise ``notices`` says why git is not used.
    """
    paths = project_paths(folder)
    folder = paths.root
    spec, source = load_project_spec(paths)
    db = _open_db(paths)
    try:
        record = queries.find_project(db)
        recovered = record is None
        if record is None:  # an init stopped before it recorded the project: finish it
            record = queries.ensure_project(db, folder.name, str(folder), spec.name)
        running = queries.running_run_ids(db, record.id)
        regenerations = RegenerationStore(db, record.id)
        # Recorded as running, yet no process holds the project's run lock: it died. Say so,
        # for a workflow run and for the run a regeneration drives alike.
        # (The lock is only looked at when something claims to be running.)
        if (running or regenerations.running()) and run_lock_is_free(paths.lock):
            for run_id in running:
                queries.mark_interrupted(db, run_id)
            regenerations.mark_interrupted()
    except StoreError as exc:
        db.close()
        raise ProjectError(str(exc)) from None
    except Exception:
        db.close()
        raise
    lock_free = run_lock_is_free(paths.lock)
    if lock_free:
        _remove_torn_writes(paths, spec.artifacts)
    info = ProjectInfo(record.name, folder, source, record.created_at)
    service = ProjectService(paths, info, spec, db, record.id)
    if lock_free and recovered:
        # With no store to compare against, a journal cannot tell a dead run's write from
        # a finished one: every file stays, recorded as the user's by the scan below.
        with contextlib.suppress(OSError):
            paths.write_journal.unlink()
    elif lock_free:  # no run is writing: a journal left behind is from one that died
        undone = artifacts.undo_uncommitted_writes(service)
        if undone:
            service.notices.append(
                f"A run stopped while writing {', '.join(undone)}; the files are back as the "
                "store holds them, and resuming the run writes them again."
            )
    service.git, notice = _project_git(paths, git_enabled)
    if notice:
        service.notices.append(notice)
    try:
        # Edits made outside the app since it last looked become user versions now.
        service.last_scan = service.scan()
    except BaseException:
        db.close()
        raise
    found = len(service.last_scan.changes)
    if recovered and found:
        service.notices.append(
            f"The store held no record of this project (it was empty or lost): the {found} "
            "artifact files found were recorded as your versions, so no run rewrites them "
            "without asking you first."
        )
    return service


def _project_git(paths: ProjectPaths, enabled: bool | None) -> tuple[GitRepo | None, str]:
    """The project's repository (made one if needed), or None with the reason when unused."""
    if enabled is None:
        enabled = load_settings().settings.git_enabled
    if not enabled:
        return None, ""
    missing = git_notice()
    if missing:
        return None, missing
    repo = GitRepo(paths.root)
    try:
        repo.init()
    except (GitError, OSError) as exc:
        return None, f"git is not used for this project: {exc}"
    return repo, ""


def _open_db(paths: ProjectPaths) -> Database:
    """The project's store, never through a link, readable by its owner only."""
    for path in (paths.state, paths.database):
        try:
            refuse_links_below(paths.root, path)
        except UnsafeFileError as exc:
            raise ProjectError(f"{exc}: the project's store must be inside the project") from None
    try:
        db = open_database(paths.database)
    except StoreError as exc:
        raise ProjectError(str(exc)) from None
    with contextlib.suppress(OSError):  # the store holds the user's text: keep it private
        os.chmod(paths.database, 0o600)
    return db


class ProjectService(ProjectState):
    """Everything a user can do with one open project, one method per action."""

    def __enter__(self) -> ProjectService:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- plan and run ----------------------------------------------------------------

    def plan(self, concurrency: int = 4) -> PlanReport:
        """Waves, critical path and estimated sequential and parallel time."""
        parts = fan_out_parts(self.spec, self.paths)
        return plan_workflow(self.spec, self.info.spec_source, concurrency, parts)

    async def run_workflow(
        self, options: RunOptions, on_event: EventSink | None = None
    ) -> RunReport:
        """Run the workflow (or resume the last unfinished run) and report how it ended.

        Raises ``ProjectError`` when another run holds the project, when there is nothing to
        resume, or when the brief is missing. Cancelling the awaiting task cancels the run,
        which is recorded as cancelled and can be resumed.
        """
        from spec_automation.services import runs

        return await runs.run_workflow(
            self, options, on_event, phase_runner=self._phase_runner, redo={}
        )

    async def redo_phase(
        self,
        phase: str,
        feedback: str,
        options: RunOptions,
        on_event: EventSink | None = None,
    ) -> RunReport:
        """Regenerate ``phase`` with a reviewer's feedback, resuming the last unfinished run.

        This is what rejecting a gate leads to: the rejected phase runs again with the note in
        its request (even though it succeeded before), its gate re-opens for the new artifacts,
        and the dependents the rejection blocked run once it is approved. Phases already done
        stay done. ``options.resume`` is implied when a run is unfinished; with none (a gate
        a regeneration left pending), a new run redoes the phase and what is out of date.
        """
        from spec_automation.services import runs

        if phase not in self.spec.phases:
            raise ProjectError(f"the spec has no phase named {phase!r}")
        if not feedback.strip():
            raise ProjectError("give the feedback the phase should be regenerated with")
        unfinished = await asyncio.to_thread(
            queries.latest_unfinished_run, self.db, self.project_id
        )
        if unfinished is None:
            earlier = await asyncio.to_thread(queries.list_runs, self.db, self.project_id, 1)
            if not earlier:
                raise ProjectError("nothing to resume: run the workflow first (`run`)")
        return await runs.run_workflow(
            self,
            dataclasses.replace(options, resume=unfinished is not None),
            on_event,
            phase_runner=self._phase_runner,
            redo={phase: feedback.strip()},
        )

    def preview_run(self, options: RunOptions) -> RunPreview:
        """Which phases a run with ``options`` would run now and why, and the artifacts with
        the user's edits it would rewrite (nothing is written)."""
        from spec_automation.services import runs

        return runs.preview_run(self, options)

    def estimate_cost(
        self, options: RunOptions, phases: Sequence[str] | None = None
    ) -> CostEstimate:
        """What the phases a run with ``options`` would run (or ``phases``) are likely to
        cost, from the tokens they took before (nothing is written)."""
        from spec_automation.services.spending import estimate_cost

        chosen = list(self.preview_run(options).phases if phases is None else phases)
        return estimate_cost(self, options, chosen)

    def _phase_runner(self, options: RunOptions) -> ClosingRunner:
        """The runner every phase of a run goes through (tests replace it)."""
        from spec_automation.services import runs

        return runs.build_phase_runner(self, options)

    # --- documents, artifacts and their history -----------------------------------------

    @functools.cached_property
    def documents(self) -> Documents:
        """The documents imported into ``inputs/``: import, list and show them."""
        from spec_automation.services.documents import Documents

        return Documents(self, self._phase_runner)

    @functools.cached_property
    def quality(self) -> Quality:
        """The quality gates on the code folder: run them, list and show recorded runs."""
        from spec_automation.services.quality import Quality

        return Quality(self)

    def code_folder(self) -> Path:
        """The folder the implementation stage writes and the gates check."""
        from spec_automation.services.code_folder import code_root

        return code_root(self.paths)

    def choose_code_folder(self, folder: Path | None) -> Path:
        """Make ``folder`` the project's code folder (None: ``code/`` inside the project);
        ``ProjectError`` for a folder that cannot be one (see ``choose_code_root``)."""
        from spec_automation.services.code_folder import choose_code_root

        return choose_code_root(self.paths, folder)

    def read_artifact(self, name: str) -> str:
        """The text of an artifact's file (``ProjectError`` when there is none)."""
        return artifacts.read_artifact(self, name)

    def save_artifact(self, name: str, text: str) -> SaveResult:
        """Save the user's text of an artifact: the file (atomically) and a new user version."""
        return artifacts.save_artifact(self, name, text)

    def artifact_versions(self, name: str, limit: int = 50, offset: int = 0) -> VersionPage:
        """A page of an artifact's stored versions, newest first."""
        return artifacts.artifact_versions(self, name, limit, offset)

    def version_content(self, version_id: int) -> str:
        """The full content of one stored version."""
        return artifacts.version_content(self, version_id)

    def change_history(self, name: str, limit: int = 50, offset: int = 0) -> ChangePage:
        """A page of the changes detected in an artifact, newest first."""
        return artifacts.change_history(self, name, limit, offset)

    def scan(self) -> ScanReport:
        """Record every artifact file that differs from its latest stored version."""
        return artifacts.scan(self)

    # --- gates, status and metrics ---------------------------------------------------

    def decide_gate(
        self, gate: str, *, approved: bool, note: str = "", decided_by: str = "user"
    ) -> GateInfo:
        """Approve or reject a gate that is waiting (a running workflow picks it up)."""
        return gates.decide_gate(self, gate, approved=approved, note=note, decided_by=decided_by)

    def status(self) -> StatusReport:
        """Each artifact's version and whether the file on disk still matches the store."""
        return status.project_status(self)

    def stale_artifacts(self) -> dict[str, str]:
        """Artifacts out of date with what they were made from, each with the reason."""
        return status.stale_artifacts(self)

    def metrics(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> MetricsReport:
        """Sequential against parallel time over the finished parallel runs in the range."""
        return metrics.execution_metrics(self, since, until)

    # --- impact and regeneration -----------------------------------------------------

    def analyze_impact(self, change_id: int | None = None) -> ImpactReport:
        """The impact of a change (by default the latest change made by the user)."""
        from spec_automation.services import impact

        return impact.analyze_impact(self, change_id)[0]

    def estimate_usage(self, artifacts: Sequence[str], model: str) -> UsageEstimate:
        """Tokens and cost of regenerating ``artifacts`` with ``model``, from history."""
        from spec_automation.services import impact

        return impact.estimate_usage(self, artifacts, model)

    async def regenerate(
        self,
        change_id: int | None,
        strategy: Strategy | str,
        artifacts: Sequence[str] = (),
        confirm: bool = False,
        on_event: EventSink | None = None,
        options: RunOptions | None = None,
    ) -> RegenerationReport:
        """Regenerate what a change affects, as the strategy says; record the run."""
        from spec_automation.services import regeneration

        return await regeneration.regenerate(
            self,
            change_id,
            strategy,
            artifacts,
            confirm=confirm,
            on_event=on_event,
            options=options or RunOptions(),
            phase_runner=self._phase_runner,
        )

    def regeneration_runs(self, limit: int = 50, offset: int = 0) -> RegenerationRunPage:
        """A page of recorded regeneration runs, newest first."""
        from spec_automation.services import regeneration

        return regeneration.regeneration_runs(self, limit, offset)

    def regeneration_run(self, run_id: int) -> RegenerationRunInfo:
        """One recorded regeneration run."""
        from spec_automation.services import regeneration

        return regeneration.regeneration_run(self, run_id)

    def snapshots(self, limit: int = 200, offset: int = 0) -> tuple[SnapshotInfo, ...]:
        """Snapshots to roll back to, newest first."""
        from spec_automation.services import snapshots

        return snapshots.snapshots(self, limit, offset)

    def rollback(self, snapshot_id: int) -> RollbackReport:
        """Restore every artifact to its version in a snapshot (new versions, git commit)."""
        from spec_automation.services import snapshots

        return snapshots.rollback(self, snapshot_id)
