"""The banners above the run views: a gate waiting for approval, a run that could be resumed,
and how the last run or regeneration ended (also told to the system tray)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStyle,
    QSystemTrayIcon,
    QWidget,
)

from spec_automation.core.events import GateDecided, GateWaiting
from spec_automation.services import ProjectError, ProjectService, RunReport
from spec_automation.ui.visualizer.palette import state_colours
from spec_automation.ui.visualizer.run_state import NodeState, format_duration

__all__ = ["ApprovalBanner", "Banner", "CompletionBanner", "FeedbackPrompt", "escape_html"]

#: Asks the user why a gate is rejected: (gate, phase) -> feedback, or None to go back.
FeedbackPrompt = Callable[[str, str], str | None]

_OUTCOME_STATES = {"completed": NodeState.SUCCEEDED, "cancelled": NodeState.CANCELLED}


def escape_html(text: str) -> str:
    """``text`` safe to put in a rich-text label."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Banner(QFrame):
    """A strip above the views: a message and its buttons, coloured by what it is about."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(12, 8, 12, 8)
        self._row.addWidget(self.message, 1)
        self.dark = True
        self._state: NodeState | None = None  # what it was last painted as
        self.hide()

    def set_dark(self, dark: bool) -> None:
        """Follow a theme switch: repaint in the new theme's colours of the same state."""
        self.dark = dark
        if self._state is not None:
            self.paint_as(self._state)

    def add_button(self, text: str, slot: Callable[[], object], name: str = "") -> QPushButton:
        """A button at the right of the banner."""
        button = QPushButton(text)
        if name:
            button.setObjectName(name)
        button.clicked.connect(slot)
        self._row.addWidget(button)
        return button

    def paint_as(self, state: NodeState, *, dark: bool | None = None) -> None:
        """Use the colours of a node state, so a banner reads like the node it is about."""
        if dark is not None:
            self.dark = dark
        self._state = state
        colours = state_colours(dark=self.dark)[state]
        self.setStyleSheet(
            f"#{self.objectName()} {{ background: {colours.fill}; "
            f"border: 1px solid {colours.border}; border-left: 6px solid {colours.border}; "
            f"border-radius: 6px; }}"
            f"#{self.objectName()} QLabel {{ color: {colours.text}; background: transparent; }}"
        )

    def say(self, html: str, state: NodeState) -> None:
        """Show ``html`` in the colours of ``state``."""
        self.message.setText(html)
        self.paint_as(state)
        self.show()


class ApprovalBanner(Banner):
    """The gate a run waits on, with Approve and Reject… (which asks what should change).

    ``on_rejected(phase, feedback)`` is called once a rejection is recorded, so the phase can
    be regenerated with the feedback; ``on_error`` shows a refusal of the service.
    """

    def __init__(
        self,
        project: ProjectService,
        *,
        ask_feedback: FeedbackPrompt | None,
        on_rejected: Callable[[str, str], None],
        on_error: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("approvalBanner", parent)
        self.project = project
        self.ask_feedback = ask_feedback or _ask_feedback_dialog
        self.on_rejected = on_rejected
        self.on_error = on_error
        self.waiting_gate: GateWaiting | None = None
        self.approve_button = self.add_button("Approve", self.approve, "approveButton")
        self.reject_button = self.add_button("Reject…", self.reject, "rejectButton")

    def show_waiting(self, event: GateWaiting) -> None:
        """A gate opened: say what waits on it."""
        self.waiting_gate = event
        waiting = ", ".join(event.waiting) or "nothing else"
        self.approve_button.setEnabled(True)
        self.reject_button.setEnabled(True)
        self.say(
            f"<b>Approval needed</b>: gate <b>{event.gate}</b> on {event.phase}. "
            f"Review its artifacts; {waiting} wait{'s' if len(event.waiting) == 1 else ''} "
            "for your decision.",
            NodeState.WAITING,
        )

    def gate_decided(self, event: GateDecided) -> None:
        """A decision was recorded (here or elsewhere)."""
        if self.waiting_gate is not None and self.waiting_gate.gate == event.gate:
            self.waiting_gate = None
        if event.approved:
            self.hide()

    def clear(self) -> None:
        """The run ended: nothing waits any more."""
        self.waiting_gate = None
        self.hide()

    def approve(self) -> None:
        """Approve the gate the run waits on; its dependents start."""
        self._decide(approved=True, note="")

    def reject(self) -> None:
        """Reject the waiting gate with feedback; the phase is then regenerated with it."""
        gate = self.waiting_gate
        if gate is None:
            return
        feedback = self.ask_feedback(gate.gate, gate.phase)
        if feedback is None or not feedback.strip():
            return
        if self._decide(approved=False, note=feedback.strip()):
            self.on_rejected(gate.phase, feedback.strip())

    def _decide(self, *, approved: bool, note: str) -> bool:
        gate = self.waiting_gate
        if gate is None:
            return False
        try:
            self.project.decide_gate(gate.gate, approved=approved, note=note, decided_by="user")
        except ProjectError as exc:
            self.on_error(str(exc))
            return False
        self.approve_button.setEnabled(False)
        self.reject_button.setEnabled(False)
        verb = "Approved" if approved else "Rejected"
        follow = (
            "; its dependents start now"
            if approved
            else f"; {gate.phase} will be regenerated with your feedback once the phases "
            "already running finish"
        )
        self.message.setText(f"<b>{verb}</b> {gate.gate}{follow}.")
        return True


def _ask_feedback_dialog(gate: str, phase: str) -> str | None:
    text, ok = QInputDialog.getMultiLineText(
        None,
        f"Reject {gate}",
        f"What should {phase} change? It will be regenerated with this feedback.",
    )
    return text if ok else None


class CompletionBanner(Banner):
    """How the last run or regeneration ended; a run's end is also told to the system tray."""

    def __init__(self, project: ProjectService, parent: QWidget | None = None) -> None:
        super().__init__("completionBanner", parent)
        self.project = project
        self._tray: QSystemTrayIcon | None = None
        self.add_button("Dismiss", self.hide)

    def announce_run(
        self,
        outcome: str,
        failed: Mapping[str, str],
        blocked: Mapping[str, str],
        report: RunReport | None,
        *,
        redoing: str | None,
    ) -> str:
        """Say how a run ended (``redoing``: the phase about to be regenerated); its title."""
        title = {
            "completed": "Run completed",
            "partial": "Run finished with failures",
            "failed": "Run failed",
            "cancelled": "Run cancelled",
        }.get(outcome, f"Run {outcome}")
        lines = [f"<b>{title}</b>"]
        if report is not None:
            lines[0] += " " + _run_figures(report, len(self.project.graph.topological_order))
        lines += [f"✗ <b>{phase}</b>: {escape_html(error)}" for phase, error in failed.items()]
        if blocked:
            lines.append("Blocked: " + ", ".join(f"{p} (by {b})" for p, b in blocked.items()))
        if report is not None:  # what the run wants you to know (a price not known, git...)
            lines += [f"Note: {escape_html(notice)}" for notice in report.notices]
        if redoing is not None and outcome != "cancelled":
            lines.append(f"Regenerating {redoing} with your feedback…")
        self.say("<br>".join(lines), _OUTCOME_STATES.get(outcome, NodeState.FAILED))
        self._notify_tray(title, failed)
        return title

    def announce_regeneration(
        self, outcome: str, detail: str, failures: Mapping[str, str] | None = None
    ) -> None:
        """Say how a regeneration ended."""
        lines = [f"<b>Regeneration {escape_html(outcome)}</b>: {escape_html(detail)}"]
        lines += [f"✗ <b>{p}</b>: {escape_html(e)}" for p, e in (failures or {}).items()]
        self.say("<br>".join(lines), _OUTCOME_STATES.get(outcome, NodeState.FAILED))

    def show_error(self, message: str) -> None:
        """Say that the service refused to run, and why."""
        self.say(f"<b>Could not run</b>: {escape_html(message)}", NodeState.FAILED)

    def close_tray(self) -> None:
        """Take the tray icon away (the workspace is closing)."""
        if self._tray is not None:
            self._tray.hide()

    def _notify_tray(self, title: str, failed: Mapping[str, str]) -> None:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return
        if self._tray is None:
            icon = self.style().standardIcon(QStyle.StandardPixmap.SP_ComputerIcon)
            self._tray = QSystemTrayIcon(icon, self)
            self._tray.show()
        body = "\n".join(f"{p}: {e}" for p, e in failed.items()) or self.project.info.name
        kind = (
            QSystemTrayIcon.MessageIcon.Warning
            if failed
            else QSystemTrayIcon.MessageIcon.Information
        )
        self._tray.showMessage(title, body, kind, 8000)


def _run_figures(report: RunReport, total: int) -> str:
    """How long a run took (the wait for people apart), what ran and what it saved."""
    text = f"in {format_duration(report.wall_time_s)}"
    if report.person_wait_s >= 0.05:
        text += f" ({format_duration(report.person_wait_s)} of it waiting for your approval)"
    text += f": {len(report.succeeded)}/{total} phases done"
    fresh = total - len(report.planned)
    if report.planned and not report.resumed and fresh > 0:
        text += f" ({len(report.planned)} run, {fresh} already up to date)"
    return (
        f"{text}, {format_duration(report.time_saved_s)} saved by running in parallel "
        f"({report.time_saved_pct:.0f} %)"
    )
