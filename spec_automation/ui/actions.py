"""The window's actions, each declared once: its name, text, key bindings and handler.

The parts of the main window register their actions here; menus and the toolbar are built
from the registry by name, and ``bindings()`` lists every key a window binds so a test can
refuse a key bound twice (Qt ignores both bindings of an ambiguous shortcut, silently).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar, QWidget

__all__ = ["ActionRegistry", "Keys"]

#: One key sequence, a standard key, or several of them.
Keys = QKeySequence.StandardKey | str | Sequence[str] | None


class ActionRegistry:
    """The actions of one window, by name."""

    def __init__(self, window: QWidget) -> None:
        self._window = window
        self._actions: dict[str, QAction] = {}

    def add(
        self,
        name: str,
        text: str,
        handler: Callable[[], Any],
        keys: Keys = None,
        *,
        tip: str = "",
        checkable: bool = False,
    ) -> QAction:
        """Declare an action (a name used twice is a programming error)."""
        if name in self._actions:
            raise ValueError(f"the action {name!r} is declared twice")
        action = QAction(text, self._window)
        action.setObjectName(f"action_{name}")
        if isinstance(keys, QKeySequence.StandardKey | str):
            action.setShortcut(QKeySequence(keys))
        elif keys is not None:
            action.setShortcuts([QKeySequence(key) for key in keys])
        action.setToolTip(tip or text.replace("…", "").replace("&", ""))
        action.setCheckable(checkable)
        action.triggered.connect(lambda _checked=False: handler())
        self._window.addAction(action)
        self._actions[name] = action
        return action

    def adopt(self, name: str, action: QAction, keys: Keys = None) -> QAction:
        """Register an action Qt made (a dock's show/hide toggle), with its keys."""
        if name in self._actions:
            raise ValueError(f"the action {name!r} is declared twice")
        if isinstance(keys, QKeySequence.StandardKey | str):
            action.setShortcut(QKeySequence(keys))
        action.setObjectName(f"action_{name}")
        self._actions[name] = action
        return action

    def __getitem__(self, name: str) -> QAction:
        return self._actions[name]

    def __contains__(self, name: object) -> bool:
        return name in self._actions

    def names(self) -> list[str]:
        """Every action's name, in the order declared."""
        return list(self._actions)

    def fill(self, target: QMenu | QToolBar, names: Sequence[str | None]) -> None:
        """Add the named actions to a menu or toolbar (``None``: a separator)."""
        for name in names:
            if name is None:
                target.addSeparator()
            else:
                target.addAction(self._actions[name])

    def bindings(self) -> dict[str, list[str]]:
        """Each key sequence bound, with the names of the actions bound to it."""
        bound: dict[str, list[str]] = {}
        for name, action in self._actions.items():
            for key in action.shortcuts():
                bound.setdefault(key.toString(QKeySequence.SequenceFormat.PortableText), []).append(
                    name
                )
        return bound
