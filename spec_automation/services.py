"""The application facade: one call per user action, used by the CLI and the GUI alike.

Every result is a frozen dataclass that ``to_json`` turns into plain data. Every error a user
can cause is a ``ProjectError`` (or a ``SpecError``) whose message can be shown as it is; bad
input is rejected before anything is written.
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx2

from spec_automation.agents.runner import AgentPhaseRunner
from spec_automation.core import events as ev
from spec_automation.core.artifacts import content_hash
from spec_automation.core.changes import ChangedBy, ImpactLevel
from spec_automation.core.engine import EngineSettings, OrchestratorEngine, RunResult
from spec_automation.core.events import EventSink
from spec_automation.core.graph import WorkflowGraph
from spec_automation.core.impact import (
    AffectedArtifact,
    ImpactAnalysis,
    ImpactAnalyzer,
    Strategy,
    select_for_strategy,
)
from spec_automation.core.ports import (
    Clock,
    GateDecision,
    GateRequest,
    GateState,
    GateStatus,
    PhaseOutput,
    PhaseRequest,
    PhaseRunner,
    ProgressCallback,
    ResumeState,
    RunMode,
    RunRecorder,
    RunStatus,
    SystemClock,
    TokenUsage,
)
from spec_automation.core.regeneration import (
    RegenerationError,
    RegenerationPlanner,
    parse_strategy,
)
from spec_automation.core.spec import SpecError, WorkflowSpec, load_spec
from spec_automation.core.staleness import stale_artifacts
from spec_automation.git_repo import GitError, GitRepo, git_notice
from spec_automation.llm.cache import CachedReply
from spec_automation.llm.claude import ClaudeProvider
from spec_automation.llm.keys import ENV_VAR, load_api_key
from spec_automation.llm.offline import DEFAULT_LATENCY_SCALE, OfflineProvider
from spec_automation.llm.pricing import estimate_cost
from spec_automation.llm.provider import Provider
from spec_automation.resources import bundled_spec_path
from spec_automation.settings import PROVIDERS, AppSettings, load_settings
from spec_automation.store import cache as reply_cache
from spec_automation.store import queries
from spec_automation.store.database import Database, open_database
from spec_automation.store.errors import StoreError
from spec_automation.store.history import ArtifactHistory
from spec_automation.store.recorder import SqlRunRecorder, WriteFiles
from spec_automation.store.records import (
    ChangeRecord,
    RegenerationRunRecord,
    RunDetail,
    SectionChangeRecord,
    VersionRecord,
)
from spec_automation.store.regeneration import RegenerationStore
from spec_automation.workspace import (
    ProjectPaths,
    RunLockedError,
    run_lock,
    run_lock_is_free,
    write_atomic,
)

__all__ = [
    "AffectedArtifact",
    "ArtifactStatus",
    "ChangeInfo",
    "ChangePage",
    "GateInfo",
    "ImpactReport",
    "MetricsReport",
    "PhasePlan",
    "PlanReport",
    "ProjectError",
    "ProjectInfo",
    "ProjectService",
    "RegenerationReport",
    "RegenerationRunInfo",
    "RegenerationRunPage",
    "RollbackReport",
    "RunMetrics",
    "RunOptions",
    "RunReport",
    "SaveResult",
    "ScanReport",
    "SectionChangeInfo",
    "SnapshotInfo",
    "SpecError",
    "StatusReport",
    "Strategy",
    "UsageEstimate",
    "VersionInfo",
    "VersionPage",
    "WaveMetrics",
    "create_project",
    "open_project",
    "plan_workflow",
    "to_json",
]

_RESUMABLE = (
    RunStatus.RUNNING,
    RunStatus.INTERRUPTED,
    RunStatus.CANCELLED,
    RunStatus.PARTIAL,
    RunStatus.FAILED,
)


class ProjectError(Exception):
    """Something the user asked for cannot be done; ``str()`` says why and what to do."""


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProjectInfo:
    """An opened project."""

    name: str
    root: Path
    spec_source: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class PhasePlan:
    """One phase as the plan shows it."""

    name: str
    agent: str
    wave: int
    depends_on: tuple[str, ...]
    produces: tuple[str, ...]
    estimated_duration_s: float
    on_critical_path: bool
    approval_gates: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PlanReport:
    """What a run will do and how long it should take."""

    spec_name: str
    spec_source: str
    concurrency: int
    waves: tuple[tuple[str, ...], ...]
    critical_path: tuple[str, ...]
    critical_path_s: float
    sequential_estimate_s: float
    parallel_estimate_s: float
    phases: tuple[PhasePlan, ...]
    warnings: tuple[str, ...]


_SETTINGS = AppSettings()  # the defaults of a run's provider options


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How to run a workflow.

    The provider options default to the application's settings defaults; the CLI and the GUI
    pass the user's saved settings.
    """

    mode: RunMode = RunMode.PARALLEL
    concurrency: int = 4
    rate_limit_per_minute: float | None = None
    phase_timeout_s: float | None = 900.0
    latency_scale: float = DEFAULT_LATENCY_SCALE
    auto_approve: bool = False
    resume: bool = False
    gate_poll_interval_s: float = 0.5
    provider: str = _SETTINGS.provider
    model: str = _SETTINGS.model
    max_tokens: int = _SETTINGS.max_tokens
    temperature: float = _SETTINGS.temperature
    use_cache: bool = _SETTINGS.use_cache  # False: --no-cache, every phase asks its provider

    @classmethod
    def from_settings(cls, settings: AppSettings, **overrides: Any) -> RunOptions:
        """The options the user's saved settings describe, with ``overrides`` applied.

        The CLI and the GUI both start from here, so a run behaves the same from either.
        """
        base = cls(
            concurrency=settings.concurrency,
            rate_limit_per_minute=settings.rate_limit_per_minute or None,
            phase_timeout_s=settings.phase_timeout_s,
            latency_scale=settings.latency_scale,
            provider=settings.provider,
            model=settings.model,
            max_tokens=settings.max_tokens,
            temperature=settings.temperature,
            use_cache=settings.use_cache,
        )
        return dataclasses.replace(base, **overrides)


@dataclass(frozen=True, slots=True)
class RunReport:
    """How a run ended."""

    run_id: int
    status: RunStatus
    mode: RunMode
    resumed: bool
    wall_time_s: float
    sequential_estimate_s: float
    time_saved_s: float
    time_saved_pct: float
    succeeded: tuple[str, ...]
    failed: dict[str, str]
    blocked: dict[str, str]
    artifacts_dir: Path
    input_tokens: int
    output_tokens: int
    cost_usd: float
    git_commits: tuple[str, ...] = ()  # one per completed wave (and one for a partial end)
    notices: tuple[str, ...] = ()  # e.g. git missing or a commit that failed


@dataclass(frozen=True, slots=True)
class ArtifactStatus:
    """One artifact of the spec, in the store and on disk."""

    name: str
    phase: str
    version: int | None  # None: never generated
    on_disk: bool
    matches_store: bool  # False: edited or removed outside the app since it was stored


@dataclass(frozen=True, slots=True)
class GateInfo:
    """An approval gate of the spec."""

    gate: str
    phase: str
    status: str  # pending, approved, rejected, or "not opened"
    decided_by: str
    note: str


@dataclass(frozen=True, slots=True)
class StatusReport:
    """Where a project stands."""

    project: ProjectInfo
    artifacts: tuple[ArtifactStatus, ...]
    gates: tuple[GateInfo, ...]
    last_run_id: int | None
    last_run_status: str | None
    last_run_phases: dict[str, str]
    resumable_run_id: int | None


@dataclass(frozen=True, slots=True)
class WaveMetrics:
    """One wave, averaged over the runs analysed."""

    wave: int
    phases: tuple[str, ...]
    runs: int
    duration_s: float
    sequential_estimate_s: float
    time_saved_s: float


@dataclass(frozen=True, slots=True)
class RunMetrics:
    """One run's timing."""

    run_id: int
    mode: RunMode
    status: RunStatus
    started_at: datetime
    wall_time_s: float
    sequential_estimate_s: float
    time_saved_s: float
    time_saved_pct: float


@dataclass(frozen=True, slots=True)
class MetricsReport:
    """Parallel against sequential execution over finished runs in a date range."""

    since: datetime | None
    until: datetime | None
    runs_analysed: int
    sequential_duration_s: float  # sum of the measured phase durations: the one-at-a-time time
    parallel_duration_s: float  # sum of the runs' wall times
    time_saved_s: float
    time_saved_pct: float
    waves: tuple[WaveMetrics, ...]
    runs: tuple[RunMetrics, ...] = field(default_factory=tuple)


#: One stored version of an artifact (no content; ``version_content`` reads it). ``kind`` is
#: generated, user_edit, regeneration or rollback.
VersionInfo = VersionRecord
#: A detected change: hashes, who, when, impact level, cosmetic, and the sections changed.
ChangeInfo = ChangeRecord
#: One section added, modified or deleted, with its old and new text.
SectionChangeInfo = SectionChangeRecord


@dataclass(frozen=True, slots=True)
class SaveResult:
    """An artifact saved by the user: its latest version, and the change (None: unchanged)."""

    version: VersionInfo
    change: ChangeInfo | None


@dataclass(frozen=True, slots=True)
class VersionPage:
    """A page of an artifact's versions, newest first, and how many there are in all."""

    items: tuple[VersionInfo, ...]
    total: int


@dataclass(frozen=True, slots=True)
class ChangePage:
    """A page of an artifact's detected changes, newest first, and how many there are."""

    items: tuple[ChangeInfo, ...]
    total: int


@dataclass(frozen=True, slots=True)
class ScanReport:
    """Artifact files compared with their latest stored versions.

    Every file that differed became a new user version with a change row (``changes``).
    """

    checked: int  # artifact files found on disk
    changes: tuple[ChangeInfo, ...]
    missing: tuple[str, ...]  # stored artifacts whose file is gone (left alone)
    unreadable: tuple[str, ...]  # files that are not UTF-8 text (left alone)


@dataclass(frozen=True, slots=True)
class ImpactReport:
    """What a change affects downstream and what the app recommends.

    ``affected`` is nearest first, each with its level, reason, dependency path and whether
    it carries user edits. ``selections`` says which artifacts each strategy would regenerate
    (``manual_review``: the user's pick, so every affected artifact is offered) and
    ``strategy_estimates_s`` how long each would take with enough slots.
    """

    change: ChangeInfo
    trigger_artifact: str
    trigger_level: ImpactLevel
    affected: tuple[AffectedArtifact, ...]
    counts: dict[str, int]
    recommended_strategy: Strategy
    recommendation: str
    estimated_duration_s: float
    estimated_sequential_s: float
    measured_phases: tuple[str, ...]
    cycles: tuple[tuple[str, ...], ...]
    user_edited: tuple[str, ...]
    selections: dict[str, tuple[str, ...]]
    strategy_estimates_s: dict[str, float]


@dataclass(frozen=True, slots=True)
class RegenerationReport:
    """How a regeneration went."""

    run_id: int
    change_id: int
    trigger_artifact: str
    strategy: Strategy
    status: str  # completed, partial, failed or ignored
    artifacts_to_regenerate: tuple[str, ...]
    artifacts_regenerated: tuple[str, ...]  # got a new version
    artifacts_unchanged: tuple[str, ...]  # came out identical, or skipped by early cutoff
    failures: dict[str, str]  # phase -> error, or what blocked it
    user_edits_replaced: tuple[str, ...]  # regenerated artifacts that carried user edits
    gates_reopened: tuple[str, ...]
    snapshot_id: int | None  # taken before anything was regenerated
    workflow_run_id: int | None
    git_commit: str
    duration_s: float
    notices: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UsageEstimate:
    """Tokens and cost of regenerating some artifacts with an LLM, from measured history.

    Each phase counts with the median tokens of its recent successful attempts; phases never
    measured are listed in ``unmeasured`` and count as nothing.
    """

    model: str
    input_tokens: int
    output_tokens: int
    cost_usd: float  # 0 for a model without a known price
    measured: tuple[str, ...]
    unmeasured: tuple[str, ...]


#: A recorded regeneration run (trigger, impact analysis, strategy, artifacts, outcome).
RegenerationRunInfo = RegenerationRunRecord


@dataclass(frozen=True, slots=True)
class RegenerationRunPage:
    """A page of regeneration runs, newest first, and how many there are."""

    items: tuple[RegenerationRunInfo, ...]
    total: int


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    """A snapshot to roll back to: artifact -> the version it holds."""

    id: int
    label: str
    created_at: datetime
    run_id: int | None
    artifacts: dict[str, int]


@dataclass(frozen=True, slots=True)
class RollbackReport:
    """A rollback: the versions it restored (reason ``rollback``) and what already matched."""

    snapshot_id: int
    restored: tuple[VersionInfo, ...]
    unchanged: tuple[str, ...]
    git_commit: str
    notices: tuple[str, ...]


# --- entry points ------------------------------------------------------------------------


def create_project(
    folder: Path, *, brief_text: str, name: str | None = None, git_enabled: bool | None = None
) -> ProjectService:
    """Make ``folder`` a new project with the given brief and open it.

    Everything is checked before anything is written: the brief must not be empty, the folder
    must not already be a project, an existing different ``brief.md`` is never overwritten, and
    the spec the project will use must load. With git (``git_enabled``, default: the user's
    settings) the folder becomes a git repository ignoring ``.spec_automation/``.
    """
    folder = folder.expanduser().resolve()
    paths = ProjectPaths(folder)
    if folder.exists() and not folder.is_dir():
        raise ProjectError(f"{folder} exists and is not a folder")
    if paths.is_project():
        raise ProjectError(f"{folder} is already a spec_automation project; open it instead")
    if not brief_text.strip():
        raise ProjectError("the brief is empty: describe the product you want to specify")
    if paths.brief.exists() and paths.brief.read_text(encoding="utf-8") != brief_text:
        raise ProjectError(
            f"{paths.brief} already exists with other text; move it away or use it as the brief"
        )
    spec, _ = _load_project_spec(paths)
    project_name = (name or folder.name).strip() or "project"

    paths.artifacts.mkdir(parents=True, exist_ok=True)
    paths.inputs.mkdir(exist_ok=True)
    if not paths.brief.exists():
        write_atomic(paths.brief, brief_text if brief_text.endswith("\n") else brief_text + "\n")
    db = _open_db(paths)
    try:
        queries.ensure_project(db, project_name, str(folder), spec.name)
    finally:
        db.close()
    return open_project(folder, git_enabled=git_enabled)


def open_project(folder: Path, *, git_enabled: bool | None = None) -> ProjectService:
    """Open an existing project (upgrading its store if it is older than the app).

    Artifact files edited outside the app are recorded as user versions (``last_scan``).
    With git (``git_enabled``, default: the user's settings) and git installed, the folder is
    made a repository if it is not one yet; otherwise ``notices`` says why git is not used.
    """
    folder = folder.expanduser().resolve()
    paths = ProjectPaths(folder)
    if not paths.is_project():
        raise ProjectError(
            f"{folder} is not a spec_automation project "
            f"(create one with: spec-automation init {folder} --brief FILE)"
        )
    spec, source = _load_project_spec(paths)
    db = _open_db(paths)
    try:
        record = queries.get_project(db)
        if record is None:
            record = queries.ensure_project(db, folder.name, str(folder), spec.name)
        unfinished = queries.latest_unfinished_run(db, record.id)
        if (
            unfinished is not None
            and unfinished.status == RunStatus.RUNNING
            and run_lock_is_free(paths.lock)
        ):
            # Recorded as running, yet no process holds the run: it died. Say so.
            queries.mark_interrupted(db, unfinished.id)
        if run_lock_is_free(paths.lock):
            RegenerationStore(db, record.id).mark_interrupted()
    except StoreError as exc:
        db.close()
        raise ProjectError(str(exc)) from None
    except Exception:
        db.close()
        raise
    info = ProjectInfo(record.name, folder, source, record.created_at)
    service = ProjectService(paths, info, spec, db, record.id)
    service.git, notice = _project_git(paths, git_enabled)
    if notice:
        service.notices.append(notice)
    try:
        # Edits made outside the app since it last looked become user versions now.
        service.last_scan = service.scan()
    except BaseException:
        db.close()
        raise
    return service


def plan_workflow(spec: WorkflowSpec, source: str, concurrency: int = 4) -> PlanReport:
    """The plan of any checked spec: waves, critical path, estimates, conflict warnings."""
    if concurrency < 1:
        raise ProjectError("concurrency must be at least 1")
    graph = WorkflowGraph(spec)
    critical = graph.critical_path
    phases = tuple(
        PhasePlan(
            name=name,
            agent=graph.phase(name).agent,
            wave=graph.wave_of[name],
            depends_on=graph.dependencies(name),
            produces=graph.phase(name).produces,
            estimated_duration_s=graph.phase(name).estimated_duration_s,
            on_critical_path=name in critical.phases,
            approval_gates=graph.phase(name).approval_gates,
        )
        for name in graph.topological_order
    )
    return PlanReport(
        spec_name=spec.name,
        spec_source=source,
        concurrency=concurrency,
        waves=graph.waves,
        critical_path=critical.phases,
        critical_path_s=critical.length_s,
        sequential_estimate_s=graph.sequential_estimate_s,
        parallel_estimate_s=graph.parallel_estimate_s(concurrency),
        phases=phases,
        warnings=tuple(c.message for c in graph.conflicts),
    )


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


def _load_project_spec(paths: ProjectPaths) -> tuple[WorkflowSpec, str]:
    path = paths.spec_override if paths.spec_override.is_file() else bundled_spec_path()
    return load_spec(path), str(path)


def _open_db(paths: ProjectPaths) -> Database:
    try:
        return open_database(paths.database)
    except StoreError as exc:
        raise ProjectError(str(exc)) from None


# --- the facade --------------------------------------------------------------------------


class ProjectService:
    """Everything a user can do with one open project."""

    def __init__(
        self,
        paths: ProjectPaths,
        info: ProjectInfo,
        spec: WorkflowSpec,
        db: Database,
        project_id: int,
        *,
        clock: Clock | None = None,
    ) -> None:
        self.paths = paths
        self.info = info
        self.spec = spec
        self.graph = WorkflowGraph(spec)
        self.db = db
        self.project_id = project_id
        self.clock = clock or SystemClock()
        # The HTTP client the Anthropic provider sends with; tests and the bench hand in one
        # whose transport is a fake Claude server. None: the SDK's own.
        self.http_client: httpx2.AsyncClient | None = None
        self.history = ArtifactHistory(db, project_id, clock=self.clock)
        self.regenerations = RegenerationStore(db, project_id, clock=self.clock)
        #: The project's git repository, or None (git off, missing, or failing: see notices).
        self.git: GitRepo | None = None
        #: Things the user should know once (git missing, ...).
        self.notices: list[str] = []
        #: What the scan on opening found (edits made outside the app).
        self.last_scan: ScanReport | None = None

    def close(self) -> None:
        """Release the store."""
        self.db.close()

    def __enter__(self) -> ProjectService:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def recorder(self) -> SqlRunRecorder:
        """A recorder writing this project's store and artifact files."""
        return SqlRunRecorder(self.db, self.project_id, self.paths.write_artifacts)

    # --- plan and run ----------------------------------------------------------------

    def plan(self, concurrency: int = 4) -> PlanReport:
        """Waves, critical path and estimated sequential and parallel time."""
        return plan_workflow(self.spec, self.info.spec_source, concurrency)

    async def run_workflow(
        self, options: RunOptions, on_event: EventSink | None = None
    ) -> RunReport:
        """Run the workflow (or resume the last unfinished run) and report how it ended.

        Raises ``ProjectError`` when another run holds the project, when there is nothing to
        resume, or when the brief is missing. Cancelling the awaiting task cancels the run,
        which is recorded as cancelled and can be resumed.
        """
        return await self._run(options, on_event, redo={})

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
        stay done. ``options.resume`` is implied.
        """
        if phase not in self.spec.phases:
            raise ProjectError(f"the spec has no phase named {phase!r}")
        if not feedback.strip():
            raise ProjectError("give the feedback the phase should be regenerated with")
        return await self._run(
            dataclasses.replace(options, resume=True), on_event, redo={phase: feedback.strip()}
        )

    async def _run(
        self, options: RunOptions, on_event: EventSink | None, *, redo: dict[str, str]
    ) -> RunReport:
        brief = self._read_brief()
        try:
            settings = EngineSettings(
                concurrency=options.concurrency,
                rate_limit_per_minute=options.rate_limit_per_minute,
                phase_timeout_s=options.phase_timeout_s,
            )
            runner = self._phase_runner(options)
        except ValueError as exc:
            raise ProjectError(str(exc)) from None
        phase_runner: PhaseRunner = _FeedbackRunner(runner, redo) if redo else runner
        committer = _WaveCommitter(self, on_event)
        try:
            with run_lock(self.paths.lock):
                resume_id = await asyncio.to_thread(self._prepare_run, options.resume)
                recorder = (
                    _RedoRecorder(
                        self.db, self.project_id, self.paths.write_artifacts, redo=frozenset(redo)
                    )
                    if redo
                    else self.recorder()
                )
                gatekeeper = (
                    AutoApprover(recorder, self.clock)
                    if options.auto_approve
                    else StoreGatekeeper(recorder, options.gate_poll_interval_s)
                )
                engine = OrchestratorEngine(
                    self.graph,
                    runner=phase_runner,
                    recorder=recorder,
                    gatekeeper=gatekeeper,
                    project_name=self.info.name,
                    brief=brief,
                    settings=settings,
                    clock=self.clock,
                    on_event=committer.on_event,
                )
                try:
                    result = await engine.run(options.mode, resume_run_id=resume_id)
                finally:
                    # Whatever the outcome, commit only what the store holds.
                    await asyncio.shield(committer.finish())
        except (RunLockedError, StoreError) as exc:
            raise ProjectError(str(exc)) from None
        finally:
            await runner.aclose()
        report = self._report(result, resumed=resume_id is not None)
        return dataclasses.replace(
            report, git_commits=tuple(committer.commits), notices=tuple(committer.notices)
        )

    def _phase_runner(self, options: RunOptions) -> AgentPhaseRunner:
        """The runner every phase of a run goes through, as the options choose.

        Raises ``ProjectError`` before anything runs when the provider is unknown or needs an
        API key that cannot be found.
        """
        provider: Provider | OfflineProvider
        if options.provider == "offline":
            provider = OfflineProvider(latency_scale=options.latency_scale)
        elif options.provider == "anthropic":
            lookup = load_api_key()
            if not lookup.key:
                raise ProjectError(
                    f"the anthropic provider needs an API key and none was found "
                    f"({lookup.notice}); set {ENV_VAR}, save a key in Settings, "
                    "or run with --provider offline"
                )
            provider = ClaudeProvider(
                api_key=lookup.key, model=options.model, http_client=self.http_client
            )
        else:
            raise ProjectError(
                f"unknown provider {options.provider!r} (choose one of {', '.join(PROVIDERS)})"
            )
        return AgentPhaseRunner(
            provider,
            cache=StoreResponseCache(self.db) if options.use_cache else None,
            constitution=self._read_constitution(),
            spec=self.spec,
            max_tokens=options.max_tokens,
            temperature=options.temperature,
            deadline_s=options.phase_timeout_s,
        )

    def _read_constitution(self) -> str:
        """The project's non-negotiable principles (``constitution.md``), or ''."""
        path = self.paths.root / "constitution.md"
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return ""
        except (OSError, UnicodeDecodeError) as exc:
            raise ProjectError(f"{path} cannot be read ({exc})") from None

    def _prepare_run(self, resume: bool) -> int | None:
        # An edit made on disk since the last look is kept as a user version before the run
        # overwrites the file.
        self.scan()
        unfinished = queries.latest_unfinished_run(self.db, self.project_id)
        if resume:
            if unfinished is None:
                raise ProjectError(
                    "nothing to resume: the last run finished (start a new one with `run`)"
                )
            return unfinished.id
        if unfinished is not None and unfinished.status == RunStatus.RUNNING:
            # We hold the run lock, so no process is running it: it was interrupted.
            queries.mark_interrupted(self.db, unfinished.id)
        return None

    def _read_brief(self) -> str:
        try:
            brief = self.paths.brief.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ProjectError(
                f"the brief {self.paths.brief} is missing; write one first"
            ) from None
        if not brief.strip():
            raise ProjectError(f"the brief {self.paths.brief} is empty; describe the product first")
        return brief

    def _report(self, result: RunResult, *, resumed: bool) -> RunReport:
        return RunReport(
            run_id=result.run_id,
            status=result.status,
            mode=result.mode,
            resumed=resumed,
            wall_time_s=result.wall_time_s,
            sequential_estimate_s=result.sequential_estimate_s,
            time_saved_s=result.time_saved_s,
            time_saved_pct=_percent(result.time_saved_s, result.sequential_estimate_s),
            succeeded=result.succeeded,
            failed=dict(result.failed),
            blocked=dict(result.blocked),
            artifacts_dir=self.paths.artifacts,
            input_tokens=result.usage.input_tokens,
            output_tokens=result.usage.output_tokens,
            cost_usd=result.cost_usd,
        )

    # --- artifacts and their history ---------------------------------------------------

    def read_artifact(self, name: str) -> str:
        """The text of an artifact's file.

        Raises ``ProjectError`` when the spec has no such artifact or its file does not exist.
        """
        path = self.paths.artifact(self._artifact_name(name))
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ProjectError(
                f"{name} has not been generated yet (no file {path}); run the workflow first"
            ) from None
        except UnicodeDecodeError:
            raise ProjectError(f"{path} is not UTF-8 text") from None
        except OSError as exc:
            raise ProjectError(f"cannot read {path}: {exc.strerror}") from None

    def save_artifact(self, name: str, text: str) -> SaveResult:
        """Save the user's text of an artifact: the file (atomically) and a new user version.

        The name must be an artifact of the spec (checked before anything is written). An edit
        of the file made outside the app and not yet recorded is recorded first, so it stays in
        history. When ``text`` equals the latest version nothing new is stored (``change`` is
        None) and the file is only rewritten if it differs.
        """
        name = self._artifact_name(name)
        if not isinstance(text, str):
            raise ProjectError(f"{name}: the text to save must be a string")
        path = self.paths.artifact(name)
        self._scan_one(name)
        try:
            version, change = self.history.record(
                name,
                text,
                changed_by=ChangedBy.USER,
                phase=self.spec.producer_of(name).name,
                write=lambda content: write_atomic(path, content),
            )
            if change is None and _file_text(path) != text:
                write_atomic(path, text)
        except StoreError as exc:
            raise ProjectError(str(exc)) from None
        except OSError as exc:
            raise ProjectError(f"cannot write {path}: {exc.strerror}") from None
        assert version is not None  # a version was just stored or already existed
        return SaveResult(version=version, change=change)

    def artifact_versions(self, name: str, limit: int = 50, offset: int = 0) -> VersionPage:
        """A page of an artifact's stored versions, newest first."""
        name = self._artifact_name(name)
        _check_page(limit, offset)
        items, total = self.history.versions(name, limit, offset)
        return VersionPage(items=tuple(items), total=total)

    def version_content(self, version_id: int) -> str:
        """The full content of one stored version."""
        try:
            return self.history.content(version_id)
        except StoreError as exc:
            raise ProjectError(str(exc)) from None

    def change_history(self, name: str, limit: int = 50, offset: int = 0) -> ChangePage:
        """A page of the changes detected in an artifact, newest first."""
        name = self._artifact_name(name)
        _check_page(limit, offset)
        items, total = self.history.changes(name, limit, offset)
        return ChangePage(items=tuple(items), total=total)

    def scan(self) -> ScanReport:
        """Compare every artifact file with its latest stored version.

        A file that differs (or that was never stored) becomes a new version by the user, with
        a change row saying which sections changed. A missing or unreadable file is reported
        and left alone: nothing in the store is ever deleted.
        """
        changes: list[ChangeInfo] = []
        missing: list[str] = []
        unreadable: list[str] = []
        checked = 0
        for name in self.spec.artifacts:
            outcome = self._scan_one(name)
            if outcome == "missing":
                missing.append(name)
            elif outcome == "unreadable":
                unreadable.append(name)
            else:
                checked += outcome != "absent"
                if isinstance(outcome, ChangeRecord):
                    changes.append(outcome)
        return ScanReport(
            checked=checked,
            changes=tuple(changes),
            missing=tuple(missing),
            unreadable=tuple(unreadable),
        )

    def _scan_one(self, name: str) -> ChangeInfo | str:
        """Record the artifact's file if it differs from the store.

        Returns the change, or what was found: "same", "absent" (never generated, no file),
        "missing" (stored, file gone) or "unreadable".
        """
        path = self.paths.artifact(name)
        problem: list[str] = []

        def read() -> str | None:
            # Called inside the store's write transaction: a run committing this artifact
            # right now is either wholly before or wholly after this read.
            try:
                return path.read_text(encoding="utf-8")
            except FileNotFoundError:
                problem.append("absent")
            except (UnicodeDecodeError, IsADirectoryError):
                problem.append("unreadable")
            return None

        try:
            latest, change = self.history.record(
                name,
                read,
                changed_by=ChangedBy.USER,
                phase=self.spec.producer_of(name).name,
            )
        except StoreError as exc:
            raise ProjectError(str(exc)) from None
        if change is not None:
            return change
        if problem == ["absent"]:
            return "absent" if latest is None else "missing"
        return problem[0] if problem else "same"

    def _artifact_name(self, name: str) -> str:
        if name not in self.spec.artifacts:
            known = ", ".join(self.spec.artifacts)
            raise ProjectError(f"the spec has no artifact named {name!r} (artifacts: {known})")
        return name

    # --- gates -----------------------------------------------------------------------

    def decide_gate(
        self, gate: str, *, approved: bool, note: str = "", decided_by: str = "user"
    ) -> GateInfo:
        """Approve or reject a gate that is waiting (a running workflow picks it up)."""
        gates = self.spec.gates()
        if gate not in gates:
            known = ", ".join(sorted(gates)) or "none"
            raise ProjectError(f"the spec has no approval gate named {gate!r} (gates: {known})")
        if not approved and not note.strip():
            raise ProjectError(
                "say why the gate is rejected (a note), so the phase can be redone with it"
            )
        recorder = self.recorder()
        try:
            recorder.gate_state(gate)
        except StoreError:
            raise ProjectError(
                f"gate {gate} has not been opened yet: it opens when phase {gates[gate]} finishes"
            ) from None
        state = recorder.decide_gate(gate, approved, decided_by, note, self.clock.now())
        return GateInfo(state.gate, state.phase, str(state.status), state.decided_by, state.note)

    # --- queries ---------------------------------------------------------------------

    def status(self) -> StatusReport:
        """Each artifact's version and whether the file on disk still matches the store."""
        latest = self.recorder().latest_artifacts()
        artifacts = []
        for artifact in self.spec.artifacts:
            path = self.paths.artifact(artifact)
            stored = latest.get(artifact)
            on_disk = path.is_file()
            matches = False
            if stored is not None and on_disk:
                matches = content_hash(path.read_text(encoding="utf-8")) == content_hash(stored[1])
            artifacts.append(
                ArtifactStatus(
                    name=artifact,
                    phase=self.spec.producer_of(artifact).name,
                    version=stored[0] if stored else None,
                    on_disk=on_disk,
                    matches_store=matches or (stored is None and not on_disk),
                )
            )
        gate_rows = {g.gate: g for g in queries.gates(self.db, self.project_id)}
        gates = tuple(
            GateInfo(
                gate,
                phase,
                str(gate_rows[gate].status),
                gate_rows[gate].decided_by,
                gate_rows[gate].note,
            )
            if gate in gate_rows
            else GateInfo(gate, phase, "not opened", "", "")
            for gate, phase in self.spec.gates().items()
        )
        runs = queries.list_runs(self.db, self.project_id, limit=1, offset=0)
        last = queries.get_run(self.db, runs[0].id) if runs else None
        unfinished = queries.latest_unfinished_run(self.db, self.project_id)
        last_phases: dict[str, str] = {}
        if last is not None:
            for row in last.phases:
                last_phases[row.phase] = str(row.status)
        return StatusReport(
            project=self.info,
            artifacts=tuple(artifacts),
            gates=gates,
            last_run_id=last.run.id if last else None,
            last_run_status=str(last.run.status) if last else None,
            last_run_phases=last_phases,
            resumable_run_id=unfinished.id if unfinished else None,
        )

    def metrics(
        self, since: datetime | None = None, until: datetime | None = None
    ) -> MetricsReport:
        """Sequential against parallel time over the finished parallel runs in the range."""
        if since and until and since > until:
            raise ProjectError("the start of the date range is after its end")
        details = [
            d
            for d in queries.runs_in_range(self.db, self.project_id, since, until)
            if d.run.mode == RunMode.PARALLEL
            and d.run.status in (RunStatus.COMPLETED, RunStatus.PARTIAL)
        ]
        sequential = sum(d.run.sequential_estimate_s for d in details)
        parallel = sum(d.run.wall_time_s for d in details)
        return MetricsReport(
            since=since,
            until=until,
            runs_analysed=len(details),
            sequential_duration_s=sequential,
            parallel_duration_s=parallel,
            time_saved_s=sequential - parallel,
            time_saved_pct=_percent(sequential - parallel, sequential),
            waves=_wave_metrics(details),
            runs=tuple(
                RunMetrics(
                    run_id=d.run.id,
                    mode=d.run.mode,
                    status=d.run.status,
                    started_at=d.run.started_at,
                    wall_time_s=d.run.wall_time_s,
                    sequential_estimate_s=d.run.sequential_estimate_s,
                    time_saved_s=d.run.time_saved_s,
                    time_saved_pct=_percent(d.run.time_saved_s, d.run.sequential_estimate_s),
                )
                for d in details
            ),
        )

    # --- impact and regeneration -----------------------------------------------------

    def analyze_impact(self, change_id: int | None = None) -> ImpactReport:
        """The impact of a change (by default the latest change made by the user).

        Every artifact downstream of the changed one, with a level, a reason and the path
        that reaches it; counts per level; a recommended strategy; an estimated duration from
        the measured history of the phases involved; and which affected artifacts carry user
        edits since they were last generated.
        """
        return self._impact(change_id)[0]

    def _impact(self, change_id: int | None) -> tuple[ImpactReport, ImpactAnalysis]:
        """The report of :meth:`analyze_impact`, and the analysis it was made from."""
        try:
            if change_id is None:
                change = self.history.latest_change(ChangedBy.USER)
                if change is None:
                    raise ProjectError(
                        "no edit has been recorded yet: edit an artifact (in the app, or on "
                        "disk and then `spec-automation scan`) first"
                    )
            else:
                change = self.history.change(change_id)
        except StoreError as exc:
            raise ProjectError(str(exc)) from None
        if change.artifact not in self.spec.artifacts:
            raise ProjectError(
                f"change #{change.id} is to {change.artifact}, which the current spec no "
                "longer produces"
            )
        analyzer = ImpactAnalyzer.for_graph(self.graph)
        measured = self.regenerations.measured_durations(list(self.spec.phases))
        level = ImpactLevel(change.impact_level or ImpactLevel.HIGH)
        downstream = self.graph.downstream_artifacts(change.artifact)
        analysis = analyzer.analyze(
            change.artifact,
            level,
            user_edited=self._user_edited(downstream),
            measured_s=measured,
        )
        selections = {
            strategy.value: select_for_strategy(analysis.affected, strategy)
            for strategy in (Strategy.REGENERATE_ALL, Strategy.HIGH_IMPACT_ONLY)
        }
        selections[Strategy.MANUAL_REVIEW.value] = analysis.artifacts
        selections[Strategy.IGNORE.value] = ()
        estimates = {
            name: analyzer.estimate(chosen, measured)[0] for name, chosen in selections.items()
        }
        return _impact_report(change, analysis, selections, estimates), analysis

    def estimate_usage(self, artifacts: Sequence[str], model: str) -> UsageEstimate:
        """Tokens and cost of regenerating ``artifacts`` with ``model``, from the measured
        tokens of the phases producing them (their recent successful, uncached attempts)."""
        phases = list(
            dict.fromkeys(self.spec.producer_of(self._artifact_name(a)).name for a in artifacts)
        )
        measured = self.regenerations.measured_usage(phases)
        tokens_in = sum(measured[p][0] for p in phases if p in measured)
        tokens_out = sum(measured[p][1] for p in phases if p in measured)
        usage = TokenUsage(input_tokens=tokens_in, output_tokens=tokens_out)
        return UsageEstimate(
            model=model,
            input_tokens=tokens_in,
            output_tokens=tokens_out,
            cost_usd=estimate_cost(model, usage),
            measured=tuple(p for p in phases if p in measured),
            unmeasured=tuple(p for p in phases if p not in measured),
        )

    async def regenerate(
        self,
        change_id: int | None,
        strategy: Strategy | str,
        artifacts: Sequence[str] = (),
        confirm: bool = False,
        on_event: EventSink | None = None,
        options: RunOptions | None = None,
    ) -> RegenerationReport:
        """Regenerate what a change affects, as the strategy says; record the run.

        The choice is checked first (nothing is written when it is refused). Then: snapshot
        the current artifacts; run the phases producing the chosen artifacts through the
        engine on the current upstream artifacts (dependency order, in parallel where
        possible); store new versions carrying the run id and reason; skip dependents of
        artifacts that came out identical (early cutoff); re-open approval gates whose
        artifacts changed; commit to git; and record the run. A failed phase leaves the rest
        going and is reported. ``ignore`` records the decision and regenerates nothing.
        """
        options = options or RunOptions()
        brief = self._read_brief()
        try:
            chosen = parse_strategy(strategy)
            settings = EngineSettings(
                concurrency=options.concurrency,
                rate_limit_per_minute=options.rate_limit_per_minute,
                phase_timeout_s=options.phase_timeout_s,
            )
            runner = self._phase_runner(options)
        except (ValueError, RegenerationError) as exc:
            raise ProjectError(str(exc)) from None
        try:
            with run_lock(self.paths.lock):
                return await self._regenerate_locked(
                    change_id,
                    chosen,
                    artifacts,
                    confirm,
                    on_event,
                    options,
                    settings,
                    runner,
                    brief,
                )
        except (RunLockedError, StoreError) as exc:
            raise ProjectError(str(exc)) from None
        finally:
            await runner.aclose()

    async def _regenerate_locked(
        self,
        change_id: int | None,
        strategy: Strategy,
        artifacts: Sequence[str],
        confirm: bool,
        on_event: EventSink | None,
        options: RunOptions,
        settings: EngineSettings,
        runner: PhaseRunner,
        brief: str,
    ) -> RegenerationReport:
        # Record any edit still only on disk, so the analysis sees it and nothing is lost.
        await asyncio.to_thread(self.scan)
        impact, analysis = await asyncio.to_thread(self._impact, change_id)
        try:
            plan = RegenerationPlanner(self.graph).plan(
                analysis, strategy, artifacts, confirm=confirm
            )
        except RegenerationError as exc:
            raise ProjectError(str(exc)) from None
        started = self.clock.now()
        t0 = self.clock.monotonic()
        store = self.regenerations
        run_id = store.begin(
            trigger_artifact=plan.trigger_artifact,
            trigger_change_id=impact.change.id,
            strategy=plan.strategy.value,
            impact_analysis=to_json(impact),
            artifacts_to_regenerate=plan.artifacts,
            started_at=started,
        )
        if plan.scope is None:  # ignore (or nothing to do): the decision is the record
            status = "ignored" if plan.strategy == Strategy.IGNORE else "completed"
            store.update(
                run_id,
                status=status,
                success=True,
                completed_at=self.clock.now(),
                duration_s=self.clock.monotonic() - t0,
            )
            return RegenerationReport(
                run_id=run_id,
                change_id=impact.change.id,
                trigger_artifact=plan.trigger_artifact,
                strategy=plan.strategy,
                status=status,
                artifacts_to_regenerate=(),
                artifacts_regenerated=(),
                artifacts_unchanged=(),
                failures={},
                user_edits_replaced=(),
                gates_reopened=(),
                snapshot_id=None,
                workflow_run_id=None,
                git_commit="",
                duration_s=self.clock.monotonic() - t0,
                notices=tuple(self.notices),
            )

        snapshot_id = store.take_snapshot(f"before regeneration #{run_id}")
        store.update(run_id, snapshot_id=snapshot_id)
        gates_before = {g.gate: g.status for g in queries.gates(self.db, self.project_id)}
        reason = (
            f"regeneration #{run_id}: change #{impact.change.id} to {plan.trigger_artifact} "
            f"({plan.strategy.value})"
        )
        recorder = SqlRunRecorder(
            self.db,
            self.project_id,
            self.paths.write_artifacts,
            clock=self.clock,
            regeneration=(run_id, reason),
        )
        engine = OrchestratorEngine(
            self.graph,
            runner=runner,
            recorder=recorder,
            gatekeeper=StoreGatekeeper(recorder, options.gate_poll_interval_s),
            project_name=self.info.name,
            brief=brief,
            settings=settings,
            clock=self.clock,
            on_event=on_event,
        )
        try:
            result = await engine.run(options.mode, scope=plan.scope)
        except asyncio.CancelledError:
            regenerated = store.regenerated(run_id)
            commit, notices = self._commit_stored(
                [plan.trigger_artifact, *regenerated],
                f"Regeneration #{run_id} cancelled: keep {', '.join(regenerated) or 'nothing'}",
            )
            store.update(
                run_id,
                status="cancelled",
                success=False,
                error="cancelled by the user",
                artifacts_regenerated=regenerated,
                completed_at=self.clock.now(),
                duration_s=self.clock.monotonic() - t0,
                git_commit=commit,
            )
            raise

        regenerated = store.regenerated(run_id)
        failures = {**result.failed, **{p: f"blocked by {b}" for p, b in result.blocked.items()}}
        failed_artifacts = {a for phase in failures for a in self.graph.phase(phase).produces}
        unchanged = tuple(
            a for a in plan.artifacts if a not in regenerated and a not in failed_artifacts
        )
        gates_after = {g.gate: g.status for g in queries.gates(self.db, self.project_id)}
        reopened = tuple(
            gate
            for gate, phase in self.spec.gates().items()
            if phase in plan.phases
            and gates_after.get(gate) == GateStatus.PENDING
            and gates_before.get(gate) != GateStatus.PENDING
            and any(a in regenerated for a in self.graph.phase(phase).produces)
        )
        commit, notices = self._commit_stored(
            [plan.trigger_artifact, *regenerated],
            f"Regenerate after change #{impact.change.id} to {plan.trigger_artifact} "
            f"({plan.strategy.value}): {', '.join(regenerated) or 'nothing changed'}",
        )
        status = "completed"
        if failures:
            status = "partial" if regenerated or unchanged else "failed"
        error = "; ".join(f"{phase}: {message}" for phase, message in failures.items())
        duration = self.clock.monotonic() - t0
        store.update(
            run_id,
            status=status,
            success=not failures,
            error=error,
            workflow_run_id=result.run_id,
            artifacts_regenerated=regenerated,
            artifacts_unchanged=list(unchanged),
            failures=failures,
            completed_at=self.clock.now(),
            duration_s=duration,
            git_commit=commit,
        )
        return RegenerationReport(
            run_id=run_id,
            change_id=impact.change.id,
            trigger_artifact=plan.trigger_artifact,
            strategy=plan.strategy,
            status=status,
            artifacts_to_regenerate=plan.artifacts,
            artifacts_regenerated=tuple(regenerated),
            artifacts_unchanged=unchanged,
            failures=failures,
            user_edits_replaced=tuple(a for a in plan.user_edits_replaced if a in regenerated),
            gates_reopened=reopened,
            snapshot_id=snapshot_id,
            workflow_run_id=result.run_id,
            git_commit=commit,
            duration_s=duration,
            notices=tuple(self.notices) + tuple(notices),
        )

    def stale_artifacts(self) -> dict[str, str]:
        """Artifacts out of date with what they were made from, each with the reason.

        An artifact counts as made when its latest version was stored, or when a later
        regeneration found it unchanged (its content was confirmed, so what depends on it is
        no staler for it).
        """
        made_at: dict[str, float] = {}
        for name in self.spec.artifacts:
            page = self.artifact_versions(name, limit=1)
            if page.items:
                made_at[name] = page.items[0].created_at.timestamp()
        for run in self.regeneration_runs(limit=20).items:
            if run.completed_at is None or run.status not in ("completed", "partial"):
                continue
            for name in run.artifacts_unchanged:
                if name in made_at:
                    made_at[name] = max(made_at[name], run.completed_at.timestamp())
        return stale_artifacts(self.graph, made_at)

    def regeneration_runs(self, limit: int = 50, offset: int = 0) -> RegenerationRunPage:
        """A page of recorded regeneration runs, newest first."""
        _check_page(limit, offset)
        items, total = self.regenerations.page(limit, offset)
        return RegenerationRunPage(items=tuple(items), total=total)

    def regeneration_run(self, run_id: int) -> RegenerationRunInfo:
        """One recorded regeneration run."""
        try:
            return self.regenerations.get(run_id)
        except StoreError as exc:
            raise ProjectError(str(exc)) from None

    def snapshots(self, limit: int = 200, offset: int = 0) -> tuple[SnapshotInfo, ...]:
        """Snapshots to roll back to, newest first."""
        _check_page(limit, offset)
        return tuple(
            SnapshotInfo(
                id=row.id,
                label=row.label,
                created_at=row.created_at,
                run_id=row.run_id,
                artifacts={item.artifact: item.version for item in row.items},
            )
            for row in queries.snapshots(self.db, self.project_id, limit, offset)
        )

    def rollback(self, snapshot_id: int) -> RollbackReport:
        """Restore every artifact to its version in a snapshot.

        Files are rewritten and each restored content becomes a new version with reason
        ``rollback``; nothing is deleted, so the versions rolled back from stay in history.
        A file edited on disk and not yet recorded is recorded first. Commits to git.
        """
        try:
            with run_lock(self.paths.lock):
                self.scan()

                def write(artifact: str, content: str) -> None:
                    write_atomic(self.paths.artifact(artifact), content)

                def read(artifact: str) -> str | None:
                    return _file_text(self.paths.artifact(artifact))

                restored, unchanged = self.regenerations.rollback(snapshot_id, write, read)
        except (RunLockedError, StoreError) as exc:
            raise ProjectError(str(exc)) from None
        names = [artifact for _, artifact in restored]
        commit, notices = self._commit_stored(
            names, f"Roll back to snapshot #{snapshot_id}: {', '.join(names) or 'nothing'}"
        )
        return RollbackReport(
            snapshot_id=snapshot_id,
            restored=tuple(self.history.version(version_id) for version_id, _ in restored),
            unchanged=tuple(unchanged),
            git_commit=commit,
            notices=tuple(self.notices) + tuple(notices),
        )

    def _user_edited(self, artifacts: Sequence[str]) -> list[str]:
        """Artifacts whose current content is a user's edit, not what was last generated."""
        edited = []
        for artifact, versions in self.history.all_versions(artifacts).items():
            if not versions:
                continue
            generated = [v for v in versions if v.kind in ("generated", "regeneration")]
            user = {v.content_hash for v in versions if v.kind == "user_edit"}
            latest = versions[-1].content_hash
            if latest in user and (not generated or generated[-1].content_hash != latest):
                edited.append(artifact)
        return edited

    def _commit_stored(self, artifacts: Sequence[str], message: str) -> tuple[str, list[str]]:
        """Commit the artifacts whose files hold exactly the store's latest version.

        Returns (commit id or "", notices). A git failure is a notice, never an error: the
        store already holds everything.
        """
        if self.git is None:
            return "", []
        latest = self.history.latest_all()
        paths = []
        for artifact in dict.fromkeys(artifacts):
            stored = latest.get(artifact)
            path = self.paths.artifact(artifact)
            text = _file_text(path)
            if (
                stored is not None
                and text is not None
                and content_hash(text) == stored[0].content_hash
            ):
                paths.append(path)
        try:
            return self.git.commit(paths, message) or "", []
        except GitError as exc:
            return "", [f"the artifacts are saved, but the git commit failed: {exc}"]


def _wave_metrics(details: Sequence[RunDetail]) -> tuple[WaveMetrics, ...]:
    by_wave: dict[int, list[Any]] = {}
    for detail in details:
        for wave in detail.waves:
            by_wave.setdefault(wave.wave, []).append(wave)
    result = []
    for number in sorted(by_wave):
        rows = by_wave[number]
        count = len(rows)
        result.append(
            WaveMetrics(
                wave=number,
                phases=tuple(rows[-1].phases),
                runs=count,
                duration_s=sum(r.duration_s for r in rows) / count,
                sequential_estimate_s=sum(r.sequential_estimate_s for r in rows) / count,
                time_saved_s=sum(r.time_saved_s for r in rows) / count,
            )
        )
    return tuple(result)


def _impact_report(
    change: ChangeInfo,
    analysis: ImpactAnalysis,
    selections: dict[str, tuple[str, ...]],
    estimates: dict[str, float],
) -> ImpactReport:
    return ImpactReport(
        change=change,
        trigger_artifact=analysis.trigger_artifact,
        trigger_level=analysis.trigger_level,
        affected=analysis.affected,
        counts=dict(analysis.counts),
        recommended_strategy=analysis.recommended_strategy,
        recommendation=analysis.recommendation,
        estimated_duration_s=analysis.estimated_duration_s,
        estimated_sequential_s=analysis.estimated_sequential_s,
        measured_phases=analysis.measured_phases,
        cycles=analysis.cycles,
        user_edited=analysis.user_edited,
        selections=selections,
        strategy_estimates_s=estimates,
    )


class _WaveCommitter:
    """Commits each completed wave's artifacts while a workflow run goes on.

    Commits run one after another on a worker thread, never blocking the run; each includes
    only files that hold the store's latest version. ``finish`` waits for them and commits
    what a partial or cancelled run still left uncommitted.
    """

    def __init__(self, service: ProjectService, on_event: EventSink | None) -> None:
        self.service = service
        self.forward = on_event
        self.commits: list[str] = []
        self.notices: list[str] = []
        self.committed: set[str] = set()
        self.complete = False
        self.run_id = 0
        self.pending: asyncio.Task[None] | None = None

    def on_event(self, event: ev.EngineEvent) -> None:
        """Forward the event; queue a commit when a wave finishes."""
        if self.forward is not None:
            self.forward(event)
        if self.service.git is None:
            return
        self.run_id = event.run_id
        if isinstance(event, ev.RunFinished):
            self.complete = event.status == RunStatus.COMPLETED
        elif isinstance(event, ev.WaveFinished) and event.phases_completed:
            phases = tuple(event.phases_completed)
            message = f"Run {event.run_id}, wave {event.wave}: {', '.join(phases)}"
            self._queue(phases, message)

    def _queue(self, phases: Sequence[str], message: str) -> None:
        previous = self.pending

        async def commit() -> None:
            if previous is not None:
                await previous
            await asyncio.to_thread(self._commit, phases, message)

        self.pending = asyncio.get_running_loop().create_task(commit())

    def _commit(self, phases: Sequence[str], message: str) -> None:
        self.committed.update(phases)
        artifacts = [a for p in phases for a in self.service.graph.phase(p).produces]
        commit, notices = self.service._commit_stored(artifacts, message)
        if commit:
            self.commits.append(commit)
        self.notices.extend(n for n in notices if n not in self.notices)

    async def finish(self) -> None:
        """Wait for queued commits; after a run that did not complete, commit whatever else
        the store now holds (phases outside a completed wave, or finished as it was cancelled).
        """
        if self.service.git is None:
            return
        if not self.complete:
            left = [p for p in self.service.graph.topological_order if p not in self.committed]
            self._queue(left, f"Run {self.run_id} did not complete: keep what it finished")
        if self.pending is not None:
            await self.pending


def _check_page(limit: int, offset: int) -> None:
    if limit < 1:
        raise ProjectError("the page size (limit) must be at least 1")
    if offset < 0:
        raise ProjectError("the offset must be zero or more")


def _file_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _percent(part: float, whole: float) -> float:
    return round(100.0 * part / whole, 1) if whole > 0 else 0.0


# --- the response cache ---------------------------------------------------------------------


class StoreResponseCache:
    """The response cache kept in the project's store (``llm.cache.ResponseCache``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, key: str) -> CachedReply | None:
        """The stored reply under ``key``, counting the hit."""
        found = reply_cache.find_reply(self.db, key)
        if found is None:
            return None
        usage = found.usage
        return CachedReply(
            reply=found.reply,
            provider=found.provider,
            model=found.model,
            phase=found.phase,
            template_version=found.template_version,
            usage=TokenUsage(
                input_tokens=int(usage.get("input_tokens", 0)),
                output_tokens=int(usage.get("output_tokens", 0)),
                cache_write_tokens=int(usage.get("cache_write_tokens", 0)),
                cache_read_tokens=int(usage.get("cache_read_tokens", 0)),
            ),
            cost_usd=float(usage.get("cost_usd", 0.0)),
        )

    def put(self, key: str, reply: CachedReply) -> None:
        """Store ``reply`` with what it cost to produce."""
        reply_cache.save_reply(
            self.db,
            key=key,
            provider=reply.provider,
            model=reply.model,
            phase=reply.phase,
            template_version=reply.template_version,
            reply=reply.reply,
            usage={
                "input_tokens": reply.usage.input_tokens,
                "output_tokens": reply.usage.output_tokens,
                "cache_write_tokens": reply.usage.cache_write_tokens,
                "cache_read_tokens": reply.usage.cache_read_tokens,
                "cost_usd": reply.cost_usd,
            },
        )


# --- redoing a phase with feedback -------------------------------------------------------


class _FeedbackRunner:
    """Hands a reviewer's feedback to the phases being redone; other phases run as usual."""

    def __init__(self, inner: PhaseRunner, feedback: dict[str, str]) -> None:
        self.inner = inner
        self.feedback = feedback

    async def run(self, request: PhaseRequest, progress: ProgressCallback) -> PhaseOutput:
        """Run the phase, with the feedback in its request when it is being redone."""
        note = self.feedback.get(request.phase.name)
        if note:
            request = dataclasses.replace(request, feedback=note)
        return await self.inner.run(request, progress)


class _RedoRecorder(SqlRunRecorder):
    """A recorder whose resumed run counts the phases being redone as not done yet."""

    def __init__(
        self, db: Database, project_id: int, write_files: WriteFiles, *, redo: frozenset[str]
    ) -> None:
        super().__init__(db, project_id, write_files)
        self.redo = redo

    def resume_run(self, run_id: int, started_at: datetime) -> ResumeState:
        """What the run already did, less the phases to redo."""
        state = super().resume_run(run_id, started_at)
        return dataclasses.replace(state, succeeded=state.succeeded - self.redo)


# --- gatekeepers -------------------------------------------------------------------------


class AutoApprover:
    """Approves every gate at once and records who did (``--auto-approve``)."""

    def __init__(self, recorder: RunRecorder, clock: Clock) -> None:
        self.recorder = recorder
        self.clock = clock

    async def wait(self, request: GateRequest, state: GateState) -> GateDecision:  # noqa: ARG002
        """Approve and record it."""
        note = "approved automatically (--auto-approve)"
        await asyncio.to_thread(
            self.recorder.decide_gate, request.gate, True, "auto-approve", note, self.clock.now()
        )
        return GateDecision(True, "auto-approve", note)


class StoreGatekeeper:
    """Waits for a decision written to the store by anyone (the CLI's ``approve``, the GUI)."""

    def __init__(self, recorder: RunRecorder, interval_s: float) -> None:
        self.recorder = recorder
        self.interval_s = interval_s

    async def wait(self, request: GateRequest, state: GateState) -> GateDecision:
        """Poll the gate until it is approved or rejected."""
        while state.status == GateStatus.PENDING:
            await asyncio.sleep(self.interval_s)
            state = await asyncio.to_thread(self.recorder.gate_state, request.gate)
        return GateDecision(state.status == GateStatus.APPROVED, state.decided_by, state.note)


# --- JSON --------------------------------------------------------------------------------


def to_json(value: Any) -> Any:
    """Plain JSON-ready data from a result dataclass (datetimes ISO, enums by value)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_json(v) for v in value]
    return value
