"""Where a project stands: each artifact's state (decided by content), the gates, the last
run, and a run left to resume."""

from __future__ import annotations

from spec_automation.core.artifacts import content_hash
from spec_automation.services.artifacts import file_text
from spec_automation.services.context import ProjectState
from spec_automation.services.freshness import current_states
from spec_automation.services.metrics import run_usage
from spec_automation.services.reports import ArtifactStatus, GateInfo, StatusReport
from spec_automation.store import queries

__all__ = ["project_status", "stale_artifacts"]


def project_status(project: ProjectState) -> StatusReport:
    """Each artifact's version and whether the file on disk still matches the store."""
    latest = project.history.latest_hashes()
    states = current_states(project)
    artifacts = []
    for artifact in project.spec.artifacts:
        path = project.paths.artifact(artifact)
        stored = latest.get(artifact)
        on_disk = path.exists() or path.is_symlink()
        text = file_text(project.paths, path) if stored is not None and on_disk else None
        matches = text is not None and stored is not None and content_hash(text) == stored[1]
        state = states[artifact]
        artifacts.append(
            ArtifactStatus(
                name=artifact,
                phase=project.spec.producer_of(artifact).name,
                version=stored[0] if stored else None,
                on_disk=on_disk,
                matches_store=matches or (stored is None and not on_disk),
                state=str(state.status),
                reason=state.reason,
                edited=state.edited,
                edit_kept=state.edit_kept,
                stale=state.stale,
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
        resumable_provider=unfinished.provider if unfinished else "",
        last_run_usage=run_usage(last) if last is not None else None,
    )


def stale_artifacts(project: ProjectState) -> dict[str, str]:
    """Artifacts out of date with what they were made from, each with the reason."""
    return {name: state.reason for name, state in current_states(project).items() if state.stale}
