"""Snapshots of the artifacts, and rolling back to one."""

from __future__ import annotations

from spec_automation.services.artifacts import file_text, scan
from spec_automation.services.commits import commit_stored
from spec_automation.services.context import ProjectState
from spec_automation.services.errors import ProjectError, check_page
from spec_automation.services.reports import RollbackReport, SnapshotInfo
from spec_automation.store import queries
from spec_automation.store.errors import StoreError
from spec_automation.workspace import RunLockedError, run_lock

__all__ = ["rollback", "snapshots"]


def snapshots(project: ProjectState, limit: int = 200, offset: int = 0) -> tuple[SnapshotInfo, ...]:
    """Snapshots to roll back to, newest first."""
    check_page(limit, offset)
    return tuple(
        SnapshotInfo(
            id=row.id,
            label=row.label,
            created_at=row.created_at,
            run_id=row.run_id,
            artifacts={item.artifact: item.version for item in row.items},
        )
        for row in queries.snapshots(project.db, project.project_id, limit, offset)
    )


def rollback(project: ProjectState, snapshot_id: int) -> RollbackReport:
    """Restore every artifact to its version in a snapshot.

    Files are rewritten and each restored content becomes a new version with reason
    ``rollback``; nothing is deleted, so the versions rolled back from stay in history.
    A file edited on disk and not yet recorded is recorded first. Commits to git.
    """
    try:
        with run_lock(project.paths.lock):
            scan(project)

            def write(artifact: str, content: str) -> None:
                project.paths.write_text(project.paths.artifact(artifact), content)

            def read(artifact: str) -> str | None:
                return file_text(project.paths, project.paths.artifact(artifact))

            restored, unchanged = project.regenerations.rollback(snapshot_id, write, read)
    except (RunLockedError, StoreError) as exc:
        raise ProjectError(str(exc)) from None
    names = [artifact for _, artifact in restored]
    commit, notices = commit_stored(
        project, names, f"Roll back to snapshot #{snapshot_id}: {', '.join(names) or 'nothing'}"
    )
    return RollbackReport(
        snapshot_id=snapshot_id,
        restored=tuple(project.history.version(version_id) for version_id, _ in restored),
        unchanged=tuple(unchanged),
        git_commit=commit,
        notices=tuple(project.notices) + tuple(notices),
    )
