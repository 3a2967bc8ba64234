"""The one error a user can cause through the services, and the checks of a page request."""

from __future__ import annotations

__all__ = ["ProjectError", "check_page"]


class ProjectError(Exception):
    """Something the user asked for cannot be done; ``str()`` says why and what to do."""


def check_page(limit: int, offset: int) -> None:
    """Refuse a page size below one or a negative offset."""
    if limit < 1:
        raise ProjectError("the page size (limit) must be at least 1")
    if offset < 0:
        raise ProjectError("the offset must be zero or more")
