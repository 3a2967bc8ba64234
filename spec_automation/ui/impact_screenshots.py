"""Screenshots of the impact journey (part of ``spec-automation screenshots DIR``).

On a fresh copy of the generated sample, in the given theme: a requirement added to prd.md and
saved opens the dialog at HIGH (``impact-high``); manual review with two artifacts ticked
(``impact-manual``); Ignore asks for a confirmation (``impact-ignore``); then a reworded
requirement gives a MEDIUM analysis (``impact-medium``), regenerated as recommended, live in the
run workspace with the phases it leaves alone dimmed (``impact-run``), and the window shows the
notification with the diff review (``impact-done``). Last, the sample sprint change proposal is
imported and the dialog shows the impact of its five edits before they are applied
(``impact-proposal``).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spec_automation.services import ProjectService

__all__ = ["IMPACT_SHOTS", "generate_sample", "prepare_impact_project", "render_impact_shots"]

IMPACT_SHOTS = ("high", "manual", "ignore", "medium", "gate", "run", "done", "proposal")
_PRD = "prd.md"
_WAIT_S = 60.0


def add_requirement(text: str) -> str:
    """prd.md with a new functional requirement (a HIGH change)."""
    new = (
        "### FR-9: Night shift premiums\n\n"
        "- Statement: The product shall pay a premium for night shifts.\n"
        "- Priority: Must\n\n"
        "### FR-2: Skill-mix rules"
    )
    return text.replace("### FR-2: Skill-mix rules", new, 1)


def reword_requirement(text: str) -> str:
    """prd.md with a requirement's statement reworded (a MEDIUM change)."""
    return text.replace("drag clinicians onto shifts", "drag clinicians and locums onto shifts", 1)


async def generate_sample(
    folder: Path, edit: Callable[[ProjectService], object] | None = None
) -> Path:
    """The sample project in ``folder``, generated with the offline provider; ``edit`` then
    runs on its service (in a thread) before it is closed."""
    from spec_automation.resources import sample_brief_path
    from spec_automation.services import RunOptions, create_project

    brief = sample_brief_path().read_text(encoding="utf-8")
    service = await asyncio.to_thread(create_project, folder, brief_text=brief, name="ShiftCare")
    try:
        await service.run_workflow(RunOptions(latency_scale=0.0, auto_approve=True))
        if edit is not None:
            await asyncio.to_thread(edit, service)
    finally:
        await asyncio.to_thread(service.close)
    return folder


async def prepare_impact_project(root: Path) -> Path:
    """The sample, generated once with the offline provider (copied for each theme)."""
    return await generate_sample(root / "impact-template")


async def _until(condition: Callable[[], object]) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _WAIT_S
    while not condition():
        if loop.time() > deadline:
            raise RuntimeError("the impact screenshots timed out waiting for the app")
        await asyncio.sleep(0.02)


async def render_impact_shots(
    folder: Path, root: Path, template: Path, theme: str, size: tuple[int, int]
) -> list[Path]:
    """Write ``impact-<shot>-<theme>.png`` for every shot of :data:`IMPACT_SHOTS`."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QSplitter

    from spec_automation.services import Strategy
    from spec_automation.settings import AppSettings
    from spec_automation.ui.mainwindow import MainWindow

    project = root / f"impact-{theme}"
    await asyncio.to_thread(shutil.copytree, template, project)
    written: list[Path] = []

    def save(widget: Any, shot: str) -> None:
        target = folder / f"impact-{shot}-{theme}.png"
        widget.grab().save(str(target))
        written.append(target)

    settings = AppSettings(theme=theme, latency_scale=0.004)
    window = MainWindow(settings, layout_file=root / f"impact-layout-{theme}.ini")
    window.resize(*size)
    window.show()
    try:
        await window.open_project(project)
        workspace = window.runs.workspace
        # The run view floats beside the window, so both have room in their pictures.
        if window.runs.dock is not None:
            window.runs.dock.setFloating(True)
            window.runs.dock.resize(1500, 900)
            window.resize(*size)
            window.resizeDocks(
                [window.explorer_dock, window.history_dock], [320, 420], Qt.Orientation.Horizontal
            )
        if workspace is not None:
            splitter = workspace.view.parentWidget()
            if isinstance(splitter, QSplitter):
                splitter.setSizes([560, 240])  # the graph gets the room; the timeline less
        flow = window.regeneration

        async def edit_and_save(edit: Callable[[str], str]) -> Any:
            tab = await window.editors.open_artifact(_PRD)
            assert tab is not None
            tab.editor.setPlainText(edit(tab.text()))
            await window.edits.save_current()
            await _until(lambda: flow.dialog is not None and flow.dialog.isVisible())
            dialog = flow.dialog
            await _until(lambda: dialog is not None and dialog.section_diff.result is not None)
            await asyncio.sleep(0.2)
            return dialog

        dialog = await edit_and_save(add_requirement)
        save(dialog, "high")
        dialog.set_strategy(Strategy.MANUAL_REVIEW)
        dialog.set_checked("architecture.md", "epics.md")
        dialog.table.setFocus()
        dialog.table.setCurrentCell(dialog.rows().index("epics.md"), 0)
        await asyncio.sleep(0.1)
        save(dialog, "manual")
        dialog.set_strategy(Strategy.IGNORE)
        dialog.regenerate()
        await _until(lambda: dialog.ignore_confirmation is not None)
        await asyncio.sleep(0.2)
        box = dialog.ignore_confirmation
        assert box is not None
        save(box, "ignore")
        box.reject()
        await _until(lambda: dialog.ignore_confirmation is None)
        dialog.reject()
        await _until(lambda: flow.dialog is None)

        dialog = await edit_and_save(reword_requirement)
        save(dialog, "medium")
        dialog.regenerate()  # the recommended strategy
        # The regenerated architecture re-opens its gate; approve it in the Run dock, as a
        # person would, so what depends on it is rebuilt.
        await _until(
            lambda: (
                flow.summary.isVisible()
                or (workspace is not None and workspace.waiting_gate is not None)
            )
        )
        if workspace is not None and workspace.waiting_gate is not None:
            await asyncio.sleep(0.2)
            save(workspace, "gate")
            workspace.approval_banner.approve()
        await _until(lambda: flow.summary.isVisible())
        await asyncio.sleep(0.3)
        if workspace is not None:
            workspace.view.fit()
            await asyncio.sleep(0.1)
            save(workspace, "run")
        # The review of the changes, with the room a person gives it: the Quality gates
        # dock, which takes the floated Run dock's place, steps aside.
        window.quality.dock.hide()
        review = await flow.review_changes()
        if review is not None:
            review.select("epics.md")
        await asyncio.sleep(0.3)
        window.resize(*size)  # the floated run dock may have widened it while docked
        window.resizeDocks(
            [window.explorer_dock, window.history_dock], [320, 380], Qt.Orientation.Horizontal
        )
        await asyncio.sleep(0.2)
        save(window, "done")

        flow.summary.hide()
        await window.documents.import_files([_sample_proposal()])
        await _until(lambda: flow.dialog is not None and flow.dialog.isVisible())
        dialog = flow.dialog
        await _until(lambda: dialog is not None and dialog.section_diff.result is not None)
        await asyncio.sleep(0.2)
        save(dialog, "proposal")
        dialog.reject()  # nothing is written
        await _until(lambda: flow.dialog is None)
    finally:
        window.shutdown()
        window.deleteLater()
        await asyncio.sleep(0.05)
    return written


def _sample_proposal() -> Path:
    from spec_automation.resources import sample_brief_path

    return sample_brief_path().parent / "documents" / "sprint-change-proposal.md"
