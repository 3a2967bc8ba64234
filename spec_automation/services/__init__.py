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
    from spec_automation.core.impact import AffectedArtifact as AffectedArtifact
    from spec_automation.core.spec import SpecError as SpecError
    from spec_automation.core.strategy import Strategy as Strategy
    from spec_automation.services.errors import *  # noqa: F403
    from spec_automation.services.options import *  # noqa: F403
    from spec_automation.services.plan import *  # noqa: F403
    from spec_automation.services.project import *  # noqa: F403
    from spec_automation.services.reports import *  # noqa: F403

#: Where the package's names come from: the names a core module lends it, and the service
#: modules whose ``__all__`` it offers, lightest first (a name is looked up in order).
_FROM_CORE = {
    "AffectedArtifact": "spec_automation.core.impact",
    "SpecError": "spec_automation.core.spec",
    "Strategy": "spec_automation.core.strategy",
}
_MODULES = tuple(
    f"spec_automation.services.{name}"
    for name in ("errors", "options", "plan", "reports", "project")
)


def __getattr__(name: str) -> Any:
    """Load ``name`` from the module it lives in, on first use."""
    candidates = [_FROM_CORE[name]] if name in _FROM_CORE else list(_MODULES)
    for candidate in candidates:
        module = importlib.import_module(candidate)
        if name in _FROM_CORE or name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            globals()[name] = value
            return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_FROM_CORE))
