"""``RunDriver``: how the run workspace starts, follows and ends runs and regenerations.

One run or regeneration at a time: each is a task on the qasync loop awaiting one service
call. The driver keeps what a run leaves behind (its report, whether the project can be
resumed, a phase to redo after a rejected gate) and tells the workspace's banners and views
how each ended; the workspace owns the widgets.
"""

from __future__ import annotations

import asyncio
import dataclasses
import html
from collections.abc import Callable, Collection, Coroutine
from typing import TYPE_CHECKING, Any

from spec_automation.core.events import EventSink, RunFinished
from spec_automation.core.ports import RunStatus
from spec_automation.services import (
    EditsAtRisk,
    ProjectError,
    RegenerationReport,
    RunOptions,
    RunReport,
)
from spec_automation.ui.visualizer.graph_view import UP_TO_DATE
from spec_automation.ui.visualizer.run_plan import RunDeclined, describe_preview
from spec_automation.ui.visualizer.run_state import NodeState, format_duration

if TYPE_CHECKING:
    from spec_automation.ui.visualizer.run_workspace import RunWorkspace

__all__ = ["RunDriver"]


class RunDriver:
    """Runs, resumes, redoes and regenerates for one ``RunWorkspace``, one at a time."""

    def __init__(self, workspace: RunWorkspace) -> None:
        self.workspace = workspace
        self.task: asyncio.Task[Any] | None = None  # a run's or a regeneration's
        self.busy = False  # from launching a run until its task has shown how it ended
        self.resumable = False  # the project has an unfinished run the user may resume
        self.last_report: RunReport | None = None
        self.redo: tuple[str, str] | None = None  # (phase, feedback) after a rejection

    # --- runs ----------------------------------------------------------------------------

    def launch(
        self, call: Coroutine[Any, Any, RunReport], *, planned: bool = False
    ) -> asyncio.Task[RunReport | None]:
        """Run ``call`` (the service's run coroutine) as the workspace's task."""
        workspace = self.workspace
        if not planned:  # a planned run dims what it does not need once it knows
            workspace.set_dimmed([])
        workspace.completion_banner.hide()
        workspace.resume_banner.hide()
        self.busy = True
        self.resumable = False
        task = asyncio.ensure_future(self._drive(call))
        self.task = task
        workspace.update_buttons()
        return task

    async def planned_run(self, options: RunOptions) -> RunReport:
        """Preview the run, ask about edits it would rewrite, dim what it leaves, then run."""
        workspace, project = self.workspace, self.workspace.project
        if options.resume:
            workspace.set_dimmed([])
        preview = await asyncio.to_thread(project.preview_run, options)
        if preview.edits_at_risk and options.edits == "ask":
            choice = await workspace.decide_edits(project, preview.edited_artifacts, "This run")
            if choice is None:
                raise RunDeclined("Nothing ran: your edits are untouched.")
            options = dataclasses.replace(
                options, edits=choice, explicit=options.explicit | {"edits"}
            )
            preview = await asyncio.to_thread(project.preview_run, options)
        if not preview.up_to_date and not options.resume:
            order = project.graph.topological_order
            workspace.set_dimmed([p for p in order if p not in preview.phases], UP_TO_DATE)
            cost = await asyncio.to_thread(project.estimate_cost, options, list(preview.phases))
            said = describe_preview(preview)
            if cost.sentence():
                said += f"<br>{html.escape(cost.sentence())}"
            workspace.completion_banner.say(said, NodeState.QUEUED)
        return await project.run_workflow(options, workspace.bridge.sink)

    async def _drive(self, call: Coroutine[Any, Any, RunReport]) -> RunReport | None:
        workspace = self.workspace
        report: RunReport | None = None
        try:
            report = await call
        except asyncio.CancelledError:
            # The engine recorded the run as cancelled and said so (RunFinished): show it.
            self.resumable = True
            self._announce(str(RunStatus.CANCELLED), {}, {})
        except RunDeclined as exc:
            workspace.completion_banner.say(str(exc), NodeState.QUEUED)
        except ProjectError as exc:
            workspace.completion_banner.show_error(str(exc))
        else:
            self.last_report = report
            if report.up_to_date:
                workspace.completion_banner.say(
                    "<b>Everything is up to date</b>: nothing needed to run. "
                    "Run every phase again with Run ▸ Run every phase (Ctrl+Shift+F5).",
                    NodeState.SUCCEEDED,
                )
            else:
                self.resumable = report.status != RunStatus.COMPLETED
                self._announce(str(report.status), report.failed, report.blocked, report)
            workspace.report_ready.emit(report)
        finally:
            self.busy = False
            if workspace.dimmed_as != UP_TO_DATE:  # the phases a run did not need stay marked
                workspace.set_dimmed([])
            workspace.approval_banner.clear()
            workspace.show_pending_gates()
            workspace.metrics.refresh()
        workspace.update_buttons()
        if self.redo is not None and (report is None or report.status != RunStatus.COMPLETED):
            phase, feedback = self.redo
            self.redo = None
            if report is not None:  # not after a cancel or an error
                self.launch(self._redo_call(phase, feedback))
        else:
            self.redo = None
        return report

    def rejected(self, phase: str, feedback: str) -> None:
        """A gate was rejected with ``feedback``: redo its phase with it (after the run)."""
        if self.busy:  # the run regenerates the phase with the feedback once it ends
            self.redo = (phase, feedback)
        else:  # a gate left pending: regenerate the phase now
            self.launch(self._redo_call(phase, feedback))

    def _redo_call(self, phase: str, feedback: str) -> Coroutine[Any, Any, RunReport]:
        workspace = self.workspace
        return workspace.project.redo_phase(
            phase, feedback, workspace.options(), workspace.bridge.sink
        )

    def _announce(
        self,
        outcome: str,
        failed: dict[str, str],
        blocked: dict[str, str],
        report: RunReport | None = None,
    ) -> None:
        workspace = self.workspace
        finished: RunFinished | None = workspace.tracker.state.finished
        if report is None and finished is not None:
            failed, blocked = dict(finished.failed), dict(finished.blocked)
        redoing = self.redo[0] if self.redo is not None else None
        workspace.completion_banner.announce_run(outcome, failed, blocked, report, redoing=redoing)
        workspace.run_completed.emit(outcome, dict(failed))

    # --- regenerations -------------------------------------------------------------------

    def regenerate(
        self,
        call: Callable[[EventSink], Coroutine[Any, Any, RegenerationReport]],
        phases: Collection[str],
    ) -> asyncio.Task[RegenerationReport] | None:
        """Show a regeneration live (see ``RunWorkspace.run_regeneration``)."""
        if self.busy:
            return None
        workspace = self.workspace
        workspace.completion_banner.hide()
        workspace.resume_banner.hide()
        self.busy = True
        order = workspace.project.graph.topological_order
        workspace.set_dimmed([p for p in order if p not in phases])
        task = asyncio.ensure_future(self._drive_regeneration(call(workspace.bridge.sink)))
        self.task = task
        workspace.update_buttons()
        return task

    async def _drive_regeneration(
        self, call: Coroutine[Any, Any, RegenerationReport]
    ) -> RegenerationReport:
        banner = self.workspace.completion_banner
        try:
            report = await call
        except asyncio.CancelledError:
            banner.announce_regeneration("cancelled", "the finished artifacts are kept")
            raise
        except EditsAtRisk:
            raise  # the regeneration flow asks about them and tries again
        except ProjectError as exc:
            banner.show_error(str(exc))
            raise
        finally:
            self.busy = False
            workspace = self.workspace
            workspace.approval_banner.clear()
            workspace.show_pending_gates()
            workspace.metrics.refresh()
            workspace.update_buttons()
        done = len(report.artifacts_regenerated)
        detail = (
            f"{done} regenerated, {len(report.artifacts_unchanged)} unchanged, "
            f"{len(report.failures)} failed in {format_duration(report.duration_s)}"
        )
        banner.announce_regeneration(report.status, detail, report.failures)
        return report
