"""The row of run controls above the wave visualizer: run, run one at a time, cancel, retry,
resume, concurrency, progress and zoom."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QSpinBox, QWidget

__all__ = ["RunControls"]


class RunControls(QWidget):
    """Buttons and figures; the workspace connects them and says what is possible."""

    def __init__(self, concurrency: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.run_button = self._button(
            "Run", "runButton", "Run the workflow, independent phases in parallel (F5)"
        )
        self.sequential_button = self._button(
            "Run sequentially",
            "runSequentialButton",
            "One phase at a time: the baseline metrics compare with",
        )
        self.cancel_button = self._button(
            "Cancel", "cancelButton", "Cancel the run; it can be resumed later"
        )
        self.retry_button = self._button(
            "Retry failed", "retryButton", "Run the failed phases again and what they blocked"
        )
        self.resume_button = self._button(
            "Resume", "resumeButton", "Go on with the last unfinished run; done phases stay done"
        )
        self.concurrency = QSpinBox()
        self.concurrency.setObjectName("concurrency")
        self.concurrency.setRange(1, 64)
        self.concurrency.setValue(concurrency)
        self.concurrency.setToolTip("How many phases may run at once")
        self.progress_label = QLabel()
        self.progress_label.setObjectName("runProgress")
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setMaximumWidth(160)
        self.progress_bar.setMaximumHeight(10)
        self.zoom_out = self._button("−", "", "Zoom out (−, Ctrl+wheel)", narrow=True)
        self.zoom_in = self._button("+", "", "Zoom in (+, Ctrl+wheel)", narrow=True)
        self.fit_button = self._button("Fit", "", "Fit the whole workflow (0)", narrow=True)

        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (
            self.run_button,
            self.sequential_button,
            self.cancel_button,
            self.retry_button,
            self.resume_button,
        ):
            row.addWidget(widget)
        concurrency_label = QLabel("Concurrency")
        concurrency_label.setBuddy(self.concurrency)
        row.addSpacing(12)
        row.addWidget(concurrency_label)
        row.addWidget(self.concurrency)
        row.addStretch(1)
        row.addWidget(self.progress_bar)
        row.addWidget(self.progress_label)
        row.addSpacing(12)
        for widget in (self.zoom_out, self.zoom_in, self.fit_button):
            row.addWidget(widget)

    def _button(self, text: str, name: str, tip: str, *, narrow: bool = False) -> QPushButton:
        button = QPushButton(text)
        if name:
            button.setObjectName(name)
        button.setToolTip(tip)
        if narrow:
            button.setMaximumWidth(48)
        return button

    def enable(self, *, running: bool, failed: bool, resumable: bool) -> None:
        """Enable what makes sense now."""
        for widget in (self.run_button, self.sequential_button, self.concurrency):
            widget.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.retry_button.setEnabled(not running and failed)
        self.resume_button.setEnabled(not running and resumable)

    def show_progress(self, text: str, done: int, total: int) -> None:
        """Show how far the run is."""
        self.progress_label.setText(text)
        self.progress_bar.setMaximum(max(1, total))
        self.progress_bar.setValue(done)
