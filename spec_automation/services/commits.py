"""Committing artifacts to the project's git repository, only as the store holds them (and,
with the implementation stage's manifest, the code files exactly as the app wrote them)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from spec_automation.agents.runner import writes_code
from spec_automation.core import events as ev
from spec_automation.core.artifacts import content_hash
from spec_automation.core.events import EventSink
from spec_automation.core.ports import RunStatus
from spec_automation.git_repo import GitError
from spec_automation.services.artifacts import file_text
from spec_automation.services.code_folder import CodeFolder
from spec_automation.services.context import ProjectState

__all__ = ["WaveCommitter", "commit_stored"]


def commit_stored(
    project: ProjectState, artifacts: Sequence[str], message: str
) -> tuple[str, list[str]]:
    """Commit the artifacts whose files hold exactly the store's latest version.

    Returns (commit id or "", notices). A git failure is a notice, never an error: the
    store already holds everything.
    """
    if project.git is None:
        return "", []
    latest = project.history.latest_all()
    paths = []
    for artifact in dict.fromkeys(artifacts):
        stored = latest.get(artifact)
        path = project.paths.tracked(artifact)
        text = file_text(project.paths, path)
        if stored is not None and text is not None and content_hash(text) == stored[0].content_hash:
            paths.append(path)
    if any(_writes_code(project, artifact) for artifact in artifacts):
        paths += CodeFolder(project.paths).as_written()  # the code goes with its manifest
    try:
        return project.git.commit(paths, message) or "", []
    except GitError as exc:
        names = ", ".join(p.name for p in paths) or "nothing"
        return "", [
            f"the artifacts are saved, but the git commit of {names} failed: {exc}; once git "
            f"works again, commit them yourself (cd {project.paths.root} && git add artifacts "
            "&& git commit)"
        ]


def _writes_code(project: ProjectState, artifact: str) -> bool:
    try:
        return writes_code(project.spec.producer_of(artifact))
    except KeyError:
        return False


class WaveCommitter:
    """Commits each completed wave's artifacts while a workflow run goes on.

    Commits run one after another on a worker thread, never blocking the run; each includes
    only files that hold the store's latest version. ``finish`` waits for them and commits
    what a partial or cancelled run still left uncommitted.
    """

    def __init__(self, project: ProjectState, on_event: EventSink | None) -> None:
        self.project = project
        self.forward = on_event
        self.commits: list[str] = []
        self.notices: list[str] = []
        self.committed: set[str] = set()
        self.complete = False
        self.run_id = 0
        self.earlier: tuple[str, ...] = ()  # phases a resumed run finished before it stopped
        self.pending: asyncio.Task[None] | None = None

    def on_event(self, event: ev.EngineEvent) -> None:
        """Forward the event; queue a commit when a wave finishes."""
        if self.forward is not None:
            self.forward(event)
        if self.project.git is None:
            return
        self.run_id = event.run_id
        if isinstance(event, ev.RunStarted):
            self.earlier = event.already_done
        elif isinstance(event, ev.RunFinished):
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
        artifacts = [a for p in phases for a in self.project.graph.phase(p).produces]
        commit, notices = commit_stored(self.project, artifacts, message)
        if commit:
            self.commits.append(commit)
        self.notices.extend(n for n in notices if n not in self.notices)

    async def finish(self) -> None:
        """Wait for queued commits; after a run that did not complete, commit whatever else
        the store now holds (phases outside a completed wave, or finished as it was cancelled).
        """
        if self.project.git is None:
            return
        earlier = [p for p in self.earlier if p not in self.committed]
        if earlier:  # a kill can come between a wave's store commit and its git commit
            self._queue(earlier, f"Run {self.run_id}: what it finished before it was stopped")
        if not self.complete:
            left = [p for p in self.project.graph.topological_order if p not in self.committed]
            self._queue(left, f"Run {self.run_id} did not complete: keep what it finished")
        if self.pending is not None:
            await self.pending
