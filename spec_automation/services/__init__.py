"""The application facade: one call per user action, used by the CLI and the GUI alike.

Every result is a frozen dataclass that ``to_json`` turns into plain data. Every error a user
can cause is a ``ProjectError`` (or a ``SpecError``) whose message can be shown as it is; bad
input is rejected before anything is written.

One module per capability: ``project`` (create, open, plan, and the :class:`ProjectService`
facade), ``artifacts``, ``runs``, ``gates``, ``status``, ``metrics``, ``impact``,
``regeneration``, ``snapshots``; ``reports`` holds the result types and ``options`` the run
options. Names are loaded from their module on first use (PEP 562), and the modules that
load the engine and the agents (``runs``, ``regeneration``, ``snapshots``) only when a run, a
regeneration or a rollback needs them: a command that only plans never opens the store's
modules, and one that only reads the store never loads the engine.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spec_automation.core.impact import AffectedArtifact
    from spec_automation.core.spec import SpecError
    from spec_automation.core.strategy import Strategy
    from spec_automation.services.errors import ProjectError
    from spec_automation.services.options import RunOptions
    from spec_automation.services.plan import plan_project
    from spec_automation.services.project import (
        ProjectService,
        create_project,
        open_project,
        plan_workflow,
    )
    from spec_automation.services.reports import (
        ArtifactStatus,
        ChangeInfo,
        ChangePage,
        GateInfo,
        ImpactReport,
        MetricsReport,
        PhasePlan,
        PlanReport,
        ProjectInfo,
        RegenerationReport,
        RegenerationRunInfo,
        RegenerationRunPage,
        RollbackReport,
        RunMetrics,
        RunReport,
        SaveResult,
        ScanReport,
        SectionChangeInfo,
        SnapshotInfo,
        StatusReport,
        UsageEstimate,
        VersionInfo,
        VersionPage,
        WaveMetrics,
        to_json,
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
    "plan_project",
    "plan_workflow",
    "to_json",
]

#: Which module each public name lives in.
_HOMES: dict[str, tuple[str, ...]] = {
    "spec_automation.core.impact": ("AffectedArtifact",),
    "spec_automation.core.spec": ("SpecError",),
    "spec_automation.core.strategy": ("Strategy",),
    "spec_automation.services.errors": ("ProjectError",),
    "spec_automation.services.options": ("RunOptions",),
    "spec_automation.services.plan": ("plan_project",),
    "spec_automation.services.project": (
        "ProjectService",
        "create_project",
        "open_project",
        "plan_workflow",
    ),
    "spec_automation.services.reports": (
        "ArtifactStatus",
        "ChangeInfo",
        "ChangePage",
        "GateInfo",
        "ImpactReport",
        "MetricsReport",
        "PhasePlan",
        "PlanReport",
        "ProjectInfo",
        "RegenerationReport",
        "RegenerationRunInfo",
        "RegenerationRunPage",
        "RollbackReport",
        "RunMetrics",
        "RunReport",
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
    ),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}


def __getattr__(name: str) -> Any:
    """Load ``name`` from the module it lives in, on first use."""
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOME))
