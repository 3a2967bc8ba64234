"""The results of the services: frozen dataclasses that ``to_json`` turns into plain data.

The CLI prints them (or their JSON) and the GUI shows them; neither builds one itself.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from spec_automation.core.changes import ImpactLevel
from spec_automation.core.ports import RunMode, RunStatus
from spec_automation.core.strategy import Strategy
from spec_automation.services.plan import PhasePlan, PlanReport
from spec_automation.store.records import (
    ChangeRecord,
    RegenerationRunRecord,
    SectionChangeRecord,
    VersionRecord,
)

if TYPE_CHECKING:
    from spec_automation.core.documents import Extraction, Finding
    from spec_automation.core.impact import AffectedArtifact

_Item = TypeVar("_Item")

__all__ = [
    "ArtifactStatus",
    "ChangeInfo",
    "ChangePage",
    "DocumentDetail",
    "DocumentInfo",
    "GateInfo",
    "ImpactReport",
    "ImportReport",
    "MetricsReport",
    "PhasePlan",
    "PlanReport",
    "ProjectInfo",
    "RegenerationReport",
    "RegenerationRunInfo",
    "RegenerationRunPage",
    "RollbackReport",
    "RunMetrics",
    "RunPreview",
    "RunReport",
    "RunUsage",
    "SaveResult",
    "ScanReport",
    "SectionChangeInfo",
    "SnapshotInfo",
    "StatusReport",
    "UsageEstimate",
    "VersionInfo",
    "VersionPage",
    "WaveMetrics",
    "to_json",
]


@dataclass(frozen=True, slots=True)
class ProjectInfo:
    """An opened project."""

    name: str
    root: Path
    spec_source: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RunUsage:
    """The tokens and estimated cost of a run's calls (failed attempts included), and the
    provider and model that made them (several models: their names, comma-separated)."""

    provider: str = ""
    model: str = ""
    input_tokens: int = 0  # not read from or written to the prompt cache
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


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
    input_tokens: int  # not read from or written to the prompt cache
    output_tokens: int
    cost_usd: float
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    git_commits: tuple[str, ...] = ()  # one per completed wave (and one for a partial end)
    notices: tuple[str, ...] = ()  # e.g. git missing or a commit that failed
    provider: str = ""
    model: str = ""
    planned: dict[str, str] = field(default_factory=dict)  # phase -> why it ran
    unchanged: tuple[str, ...] = ()  # phases that wrote their artifacts again exactly
    skipped: tuple[str, ...] = ()  # phases not needed once what they read came out unchanged
    edits_kept: tuple[str, ...] = ()  # artifacts with your edits the run built from
    edits_replaced: tuple[str, ...] = ()  # artifacts with your edits it rewrote (in history)
    person_wait_s: float = 0.0  # nothing ran while a gate waited for you (not in time saved)
    gate_waits: dict[str, float] = field(default_factory=dict)  # gate -> seconds to decide
    up_to_date: bool = False  # nothing was out of date: nothing ran


@dataclass(frozen=True, slots=True)
class RunPreview:
    """What a run would do now: each phase it would run and why, and the artifacts with your
    edits it would rewrite (decide with ``edits``: keep or overwrite)."""

    phases: dict[str, str]  # phase -> why, in workflow order
    edits_at_risk: dict[str, tuple[str, ...]]  # phase -> artifacts carrying your edits
    everything: bool = False

    @property
    def up_to_date(self) -> bool:
        """Nothing would run."""
        return not self.phases

    @property
    def edited_artifacts(self) -> tuple[str, ...]:
        """Every artifact with your edits the run would rewrite, in workflow order."""
        return tuple(a for names in self.edits_at_risk.values() for a in names)


@dataclass(frozen=True, slots=True)
class ArtifactStatus:
    """One artifact of the spec, in the store and on disk, and where it stands.

    ``state`` is missing, generated, edited, stale or failed (``core.staleness`` decides);
    ``reason`` says why it is stale or failed; ``edited`` whether it carries the user's edits
    (``edit_kept``: which the user chose to keep); ``stale`` whether it is out of date with
    what it was made from (also when it is edited or failed).
    """

    name: str
    phase: str
    version: int | None  # None: never generated
    on_disk: bool
    matches_store: bool  # False: edited or removed outside the app since it was stored
    state: str = "missing"
    reason: str = ""
    edited: bool = False
    edit_kept: bool = False
    stale: bool = False


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
    resumable_provider: str = ""  # the provider a resume goes on with
    last_run_usage: RunUsage | None = None  # the last run's tokens, cost and model


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
    wall_time_s: float  # from start to end, waits for people included
    sequential_estimate_s: float
    time_saved_s: float  # sequential - parallel_time_s: what scheduling saved
    time_saved_pct: float
    person_wait_s: float = 0.0  # nothing ran while a gate waited for a person
    parallel_time_s: float = 0.0  # the wall time less the waits for people
    usage: RunUsage = field(default_factory=RunUsage)  # its tokens, cost and model
    gate_time_s: float = 0.0  # the wall time of its quality gate runs (every Dev-QA round)


@dataclass(frozen=True, slots=True)
class MetricsReport:
    """Parallel against sequential execution over finished runs in a date range."""

    since: datetime | None
    until: datetime | None
    runs_analysed: int
    sequential_duration_s: float  # sum of the measured phase durations: the one-at-a-time time
    parallel_duration_s: float  # sum of the runs' wall times, less the waits for people
    time_saved_s: float
    time_saved_pct: float
    waves: tuple[WaveMetrics, ...]
    runs: tuple[RunMetrics, ...] = field(default_factory=tuple)
    person_wait_s: float = 0.0  # reported apart: time gates waited for a person
    usage: RunUsage = field(default_factory=RunUsage)  # the runs' tokens and cost together
    # The quality gates run in the range (inside a run or alone): how many, their wall time.
    gate_runs: int = 0
    gate_time_s: float = 0.0


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


@dataclass(frozen=True)  # no slots: Python 3.11 cannot call a generic alias of a slotted one
class Page(Generic[_Item]):
    """A page of records, newest first, and how many there are in all."""

    items: tuple[_Item, ...]
    total: int


#: A page of an artifact's stored versions.
VersionPage = Page[VersionInfo]
#: A page of an artifact's detected changes.
ChangePage = Page[ChangeInfo]


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
    # An ignored change (or nothing to do) leaves the rest as it is here.
    artifacts_to_regenerate: tuple[str, ...] = ()
    artifacts_regenerated: tuple[str, ...] = ()  # got a new version
    artifacts_unchanged: tuple[str, ...] = ()  # came out identical, or skipped by early cutoff
    failures: dict[str, str] = field(default_factory=dict)  # phase -> error, or its blocker
    user_edits_replaced: tuple[str, ...] = ()  # regenerated artifacts that carried user edits
    gates_reopened: tuple[str, ...] = ()
    snapshot_id: int | None = None  # taken before anything was regenerated
    workflow_run_id: int | None = None
    git_commit: str = ""
    duration_s: float = 0.0
    notices: tuple[str, ...] = ()
    edits_kept: tuple[str, ...] = ()  # chosen artifacts with your edits, left as you wrote them


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


#: A page of recorded regeneration runs.
RegenerationRunPage = Page[RegenerationRunInfo]


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


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """An imported document: what it is, what its processor found and how much it yielded."""

    name: str  # the file name in inputs/
    path: str  # relative to the project: inputs/NAME
    type: str  # prd, functional-spec, technical-spec or sprint-change-proposal
    type_source: str  # "detected", or "given" when the user named the type
    title: str
    status: str  # ok, warnings or errors
    version: int
    content_hash: str
    lines: int
    source: str  # the file it was imported from
    use_as: str  # the artifact it became ("" for none)
    imported_at: datetime
    updated_at: datetime
    findings: tuple[Finding, ...]
    extracted: dict[str, int]  # kind of record -> how many (requirements, entities, ...)


@dataclass(frozen=True, slots=True)
class DocumentDetail:
    """One document with everything extracted from it and why its type was chosen."""

    document: DocumentInfo
    reasons: tuple[str, ...]  # what the type detection rests on
    extraction: Extraction


@dataclass(frozen=True, slots=True)
class ImportReport:
    """Documents imported into ``inputs/``, and the artifact one of them became, if any."""

    documents: tuple[DocumentInfo, ...]
    used_as: str  # the artifact the document became ("" for none)
    notices: tuple[str, ...]


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
