"""A guard against PySide6 6.12 dropping references to ``None``, ``True`` and ``False``.

Measured here (PySide6 6.12.0, CPython 3.11.7): many binding calls return these singletons
without taking a reference: every ``QPainter.setPen``/``drawLine``/``QLabel.setText`` call
takes one reference from ``None``, every ``Signal.emit`` one from ``True``. From Python 3.12
on these objects are immortal and nothing happens; on 3.11 their counts (a few thousand at
start) reach zero within seconds of painting or emitting, and the interpreter aborts with
"Fatal Python error: none_dealloc". ``tests/visualizer/test_singletons.py`` shows it.

The guard gives each of them a very large reference count once, which is what Python 3.12
does: they can then never be freed, whatever a binding gets wrong. It changes nothing on 3.12
and later, where the counts are ignored.
"""

from __future__ import annotations

import ctypes
import sys

__all__ = ["protect_singletons"]

_MARGIN = 1 << 40  # a trillion references: far more than any process can drop
_state = {"done": False}


def protect_singletons() -> None:
    """Make ``None``, ``True``, ``False`` (and ``Ellipsis``, ``NotImplemented``) unfreeable.

    Idempotent; a no-op from Python 3.12 on (they are immortal there already).
    """
    if _state["done"] or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    for singleton in (None, True, False, Ellipsis, NotImplemented):
        # ob_refcnt is the first field of every CPython object header (a Py_ssize_t).
        count = ctypes.c_ssize_t.from_address(id(singleton))
        count.value += _MARGIN
    _state["done"] = True
