"""Errors the store raises for problems a user can act on.

Anything else (a bug, a constraint the code itself broke) propagates unchanged, so it is
reported as a bug rather than dressed up as an environment problem.
"""

from __future__ import annotations

__all__ = ["SchemaTooNewError", "StoreError"]


class StoreError(Exception):
    """The project's store cannot be used. ``str(error)`` is one line a user can act on."""


class SchemaTooNewError(StoreError):
    """The database was written by a newer version of the app than this one."""

    def __init__(self, path: str, revision: str) -> None:
        self.revision = revision
        super().__init__(
            f"{path}: this project's database was written by a newer version of "
            f"spec_automation (schema {revision}); update the app to open it"
        )
