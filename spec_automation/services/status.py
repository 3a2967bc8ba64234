"""Where a project stands: each artifact's state, the gates, the last run, what is stale."""

from __future__ import annotations

from spec_automation.core.artifacts import content_hash
from spec_automation.core.staleness import stale_artifacts as stale_in_graph
from spec_automation.services.artifacts import artifact_versions
from spec_automation.services.context import ProjectState
from spec_automation.services.reports import ArtifactStatus, GateInfo, StatusReport
from spec_automation.store import queries

__all__ = ["project_status", "stale_artifacts"]


def project_status(project: ProjectState) -> StatusReport:
    """Each artifact's version and whether the file on disk still matches the store."""
    latest = project.history.latest_hashes()
    artifacts = []
    for artifact in project.spec.artifacts:
        path = project.paths.artifact(artifact)
        stored = latest.get(artifact)
        on_disk = path.is_file()
        matches = False
        if stored is not None and on_disk:
            matches = content_hash(path.read_text(encoding="utf-8")) == stored[1]
        artifacts.append(
            ArtifactStatus(
                name=artifact,
                phase=project.spec.producer_of(artifact).name,
                version=stored[0] if stored else None,
                on_disk=on_disk,
                matches_store=matches or (stored is None and not on_disk),
            )
        )
    gate_rows = {g.gate: g for g in queries.gates(project.db, project.project_id)}
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
        for gate, phase in project.spec.gates().items()
    )
    runs = queries.list_runs(project.db, project.project_id, limit=1, offset=0)
    last = queries.get_run(project.db, runs[0].id) if runs else None
    unfinished = queries.latest_unfinished_run(project.db, project.project_id)
    last_phases: dict[str, str] = {}
    if last is not None:
        for row in last.phases:
            last_phases[row.phase] = str(row.status)
    return StatusReport(
        project=project.info,
        artifacts=tuple(artifacts),
        gates=gates,
        last_run_id=last.run.id if last else None,
        last_run_status=str(last.run.status) if last else None,
        last_run_phases=last_phases,
        resumable_run_id=unfinished.id if unfinished else None,
    )


def stale_artifacts(project: ProjectState) -> dict[str, str]:
    """Artifacts out of date with what they were made from, each with the reason.

    An artifact counts as made when its latest version was stored, or when a later
    regeneration found it unchanged (its content was confirmed, so what depends on it is
    no staler for it).
    """
    made_at: dict[str, float] = {}
    for name in project.spec.artifacts:
        page = artifact_versions(project, name, limit=1)
        if page.items:
            made_at[name] = page.items[0].created_at.timestamp()
    runs, _ = project.regenerations.page(20, 0)
    for run in runs:
        if run.completed_at is None or run.status not in ("completed", "partial"):
            continue
        for name in run.artifacts_unchanged:
            if name in made_at:
                made_at[name] = max(made_at[name], run.completed_at.timestamp())
    return stale_in_graph(project.graph, made_at)
