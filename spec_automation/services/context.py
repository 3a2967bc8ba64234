"""The open project every capability works on: its folders, spec, store, clock and git."""

from __future__ import annotations

from spec_automation.core.graph import WorkflowGraph
from spec_automation.core.ports import Clock, SystemClock
from spec_automation.core.spec import WorkflowSpec
from spec_automation.git_repo import GitRepo
from spec_automation.llm.factory import ProviderFactory
from spec_automation.services.reports import ProjectInfo, ScanReport
from spec_automation.store.database import Database
from spec_automation.store.history import ArtifactHistory
from spec_automation.store.recorder import SqlRunRecorder
from spec_automation.store.regeneration import RegenerationStore
from spec_automation.workspace import ProjectPaths

__all__ = ["ProjectState"]


class ProjectState:
    """One open project: what each capability module of the services reads and writes.

    It holds no behaviour of its own beyond closing the store; :class:`ProjectService`
    adds the user's actions on top of it.
    """

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
        #: Builds the provider each run asks for (tests hand it a fake server's HTTP client).
        self.providers = ProviderFactory()
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

    def recorder(self) -> SqlRunRecorder:
        """A recorder writing this project's store and artifact files."""
        return SqlRunRecorder(self.db, self.project_id, self.paths.write_artifacts)
