"""Progress of long actions in the status bar: a label, a busy bar and Cancel, shown once an
action has taken longer than 300 ms."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton

from spec_automation.ui.tasks import spawn
from spec_automation.ui.window_part import WindowPart

if TYPE_CHECKING:
    from spec_automation.ui.mainwindow import MainWindow

__all__ = ["BUSY_DELAY_MS", "BusyIndicator"]

BUSY_DELAY_MS = 300  # long actions show progress once they take longer than this


class BusyIndicator(WindowPart):
    """Runs the window's tasks and shows the progress of the long ones."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.busy_label = QLabel()
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumWidth(160)
        self.busy_cancel = QPushButton("Cancel")
        status = window.statusBar()
        for widget in (self.busy_label, self.busy_bar, self.busy_cancel):
            status.addPermanentWidget(widget)
        self._busy_tasks: list[tuple[asyncio.Task[Any], str, bool]] = []
        self._hide_busy()
        self._busy_timer = QTimer(self)
        self._busy_timer.setInterval(100)
        self._busy_timer.timeout.connect(self._update_busy)
        self.busy_cancel.clicked.connect(self._cancel_busy)

    def stop(self) -> None:
        """Stop looking at the tasks (the window is closing)."""
        self._busy_timer.stop()

    def start(
        self,
        coro: Coroutine[Any, Any, Any],
        label: str = "",
        *,
        cancellable: bool = False,
    ) -> asyncio.Task[Any]:
        """Run ``coro`` as a task; if it takes over 300 ms, show ``label`` with progress."""
        task = spawn(coro)
        if label:
            self.track(task, label, cancellable=cancellable)
        return task

    def track(self, task: asyncio.Task[Any], label: str, *, cancellable: bool = False) -> None:
        """Show progress for ``task`` once it has run for 300 ms (with Cancel if allowed)."""
        self._busy_tasks.append((task, label, cancellable))
        QTimer.singleShot(BUSY_DELAY_MS, self, self._update_busy)
        self._busy_timer.start()

    def _update_busy(self) -> None:
        if self.window.closing:
            return
        self._busy_tasks = [entry for entry in self._busy_tasks if not entry[0].done()]
        if not self._busy_tasks:
            self._hide_busy()
            self._busy_timer.stop()
            return
        _task, label, cancellable = self._busy_tasks[-1]
        self.busy_label.setText(label)
        self.busy_label.show()
        self.busy_bar.show()
        self.busy_cancel.setVisible(cancellable)

    def busy_text(self) -> str:
        """The label of the long action shown in the status bar ('' when idle)."""
        return self.busy_label.text() if self.busy_label.isVisible() else ""

    def _hide_busy(self) -> None:
        self.busy_label.hide()
        self.busy_label.setText("")
        self.busy_bar.hide()
        self.busy_cancel.hide()

    def _cancel_busy(self) -> None:
        for task, _label, cancellable in self._busy_tasks:
            if cancellable and not task.done():
                task.cancel()
        self.window.notify("Cancelled.")

