"""The signal connections a view makes to the model it follows, kept so they can be undone.

A view bound to a ``RunTracker`` connects to its signals when it is given a workflow and
disconnects them when it is cleared, the way orange-canvas-core's scene does in
``set_scheme`` / ``clear_scene``.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal

__all__ = ["SignalLinks"]


class SignalLinks:
    """Connections made through it, which ``disconnect_all`` undoes."""

    def __init__(self) -> None:
        self._links: list[tuple[Signal, Callable[..., None]]] = []

    def connect(self, signal: Signal, slot: Callable[..., None]) -> None:
        """Connect ``slot`` to ``signal`` and remember it."""
        signal.connect(slot)
        self._links.append((signal, slot))

    def disconnect_all(self) -> None:
        """Disconnect every connection made so far."""
        for signal, slot in self._links:
            signal.disconnect(slot)
        self._links = []
