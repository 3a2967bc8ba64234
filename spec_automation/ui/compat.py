"""A guard against a reference-counting bug of the PySide6 wheel this project installs.

PySide6 6.12.0 ships one ``abi3`` wheel built for Pythons where ``None``, ``True`` and
``False`` are immortal (3.12+, PEP 683): every call of a Qt method that returns nothing hands
back ``None`` without taking a reference to it, and every ``Signal.emit`` does the same with
the ``True``/``False`` it returns. On Python 3.11 each such call drops a reference the object
never had, and after some thousands of calls (a few seconds of typing, or opening one large
document) the interpreter aborts with "none_dealloc: deallocating None" or "bool_dealloc".

With PySide6 6.12 installed and until the project moves to Python 3.12 (or a fixed wheel), the
app gives these singletons so
many extra references that the leak can never reach zero: that is what 3.12 does by design.
It is applied once, when ``spec_automation.ui`` is first imported, before any Qt call.
"""

from __future__ import annotations

import ctypes
import sys
from importlib import metadata

__all__ = ["keep_none_alive"]

_EXTRA_REFERENCES = 1 << 40  # a trillion leaked calls before it could matter
_applied: list[bool] = []


def keep_none_alive() -> None:
    """Make the singletons effectively immortal on CPython before 3.12 (no-op elsewhere)."""
    if _applied or sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return
    if not _affected_pyside():
        return
    for singleton in (None, True, False, NotImplemented, Ellipsis):
        # ob_refcnt is the first field of every CPython object.
        refcount = ctypes.c_ssize_t.from_address(id(singleton))
        refcount.value += _EXTRA_REFERENCES
    _applied.append(True)


def _affected_pyside() -> bool:
    """Whether the installed PySide6 is a release with the bug (6.12 and later, so far)."""
    try:
        version = metadata.version("shiboken6")
    except metadata.PackageNotFoundError:
        return False
    major, minor = (int(part) for part in version.split(".")[:2])
    return (major, minor) >= (6, 12)
