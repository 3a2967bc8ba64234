"""The command palette (Ctrl+Shift+P) and quick open (Ctrl+P): type a few letters, press Enter.

The palette lists every action of the window that can run now, with its key; quick open lists
the project's artifacts that exist and its inputs (the brief, the constitution, the imported
documents). Both filter as you type: every word typed must appear in an entry, in any order.
Up and Down move the choice, Enter takes it, Escape closes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QDialog, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from spec_automation.ui.explorer import ArtifactState, InputKind
from spec_automation.ui.window_part import WindowPart

if TYPE_CHECKING:
    from spec_automation.ui.mainwindow import MainWindow

__all__ = ["CommandPalette", "Entry", "PickerDialog"]


@dataclass(frozen=True, slots=True)
class Entry:
    """One choice: what the list shows, what is matched, and what choosing it does."""

    label: str
    detail: str  # shown after the label, dimmer: a key, a type
    run: Callable[[], object]


class PickerDialog(QDialog):
    """A filter field over a list of entries; Enter runs the chosen one and closes."""

    def __init__(self, title: str, hint: str, entries: Sequence[Entry], parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("pickerDialog")
        self.setWindowTitle(title)
        self.entries = list(entries)
        self.field = QLineEdit()
        self.field.setObjectName("pickerField")
        self.field.setPlaceholderText(hint)
        self.field.setAccessibleName(title)
        self.list = QListWidget()
        self.list.setObjectName("pickerList")
        self.list.setAccessibleName(f"{title}: choices")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(8)
        layout.addWidget(self.field)
        layout.addWidget(self.list)
        self.resize(560, 420)
        self.field.textChanged.connect(self._filter)
        self.field.installEventFilter(self)
        self.list.itemActivated.connect(lambda _item: self.choose())
        self._filter("")

    def shown(self) -> list[str]:
        """The labels listed now, in order."""
        return [self.list.item(i).text() for i in range(self.list.count())]

    def choose(self) -> bool:
        """Run the entry chosen in the list and close (False: nothing listed)."""
        item = self.list.currentItem()
        if item is None:
            return False
        entry = self.entries[int(item.data(Qt.ItemDataRole.UserRole))]
        self.accept()
        entry.run()
        return True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Up, Down and Enter in the field move and take the choice in the list."""
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            key = event.key()
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                step = 1 if key == Qt.Key.Key_Down else -1
                row = max(0, min(self.list.count() - 1, self.list.currentRow() + step))
                self.list.setCurrentRow(row)
                return True
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.choose()
                return True
        return super().eventFilter(watched, event)

    def _filter(self, text: str) -> None:
        words = text.lower().split()
        self.list.clear()
        for index, entry in enumerate(self.entries):
            haystack = f"{entry.label} {entry.detail}".lower()
            if all(word in haystack for word in words):
                shown = f"{entry.label}    {entry.detail}" if entry.detail else entry.label
                item = QListWidgetItem(shown)
                item.setData(Qt.ItemDataRole.UserRole, index)
                item.setToolTip(shown)
                self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)


class CommandPalette(WindowPart):
    """Owns the command palette and quick open, and their actions."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.dialog: PickerDialog | None = None
        window.commands.add(
            "command_palette", "Command palette…", self.show_commands, "Ctrl+Shift+P"
        )
        window.commands.add("quick_open", "Go to artifact…", self.quick_open, "Ctrl+P")

    def show_commands(self) -> PickerDialog:
        """List every action that can run now, with its key."""
        commands = self.window.commands
        entries = []
        for name in commands.names():
            action = commands[name]
            if name == "command_palette" or not action.isEnabled() or not action.text():
                continue
            key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            entries.append(Entry(action.text().replace("&", ""), key, action.trigger))
        return self._open("Command palette", "Type part of a command…", entries)

    def quick_open(self) -> PickerDialog | None:
        """List the project's artifacts that exist and its inputs, to open one."""
        window = self.window
        if window.service is None:
            window.notify("Open a project first: Go to artifact lists its files.")
            return None
        entries = [  # as the explorer shows them: no file is read here
            Entry(
                a.name, "artifact", lambda n=a.name: window.start(window.editors.open_artifact(n))
            )
            for a in window.explorer.entries
            if a.state != ArtifactState.MISSING
        ]
        for entry in window.explorer.inputs:
            if entry.kind == InputKind.DOCUMENT:
                entries.append(
                    Entry(
                        f"inputs/{entry.name}",
                        entry.type_label,
                        self._opening(entry.name, document=True),
                    )
                )
            else:
                entries.append(
                    Entry(
                        entry.name,
                        entry.title.lower(),
                        self._opening(entry.name),
                    )
                )
        return self._open("Go to artifact", "Type part of a name…", entries)

    def _opening(self, name: str, *, document: bool = False) -> Callable[[], object]:
        """What choosing ``name`` does: open it in a tab (a document in its inspector)."""
        window = self.window
        if document:
            return lambda: window.start(window.documents.show_document(name))
        return lambda: window.start(window.editors.open_artifact(name))

    def _open(self, title: str, hint: str, entries: Sequence[Entry]) -> PickerDialog:
        if self.dialog is not None:
            self.dialog.close()
            self.dialog.deleteLater()
        self.dialog = PickerDialog(title, hint, entries, self.window)
        # Keys go back to the window once the palette closes (without a window manager to
        # hand activation back, the window's shortcuts would stay deaf).
        self.dialog.finished.connect(lambda _result: self.window.activateWindow())
        self.dialog.open()
        self.dialog.field.setFocus()
        return self.dialog
