"""The one error a user can cause through the services, and the checks of a page request."""

from __future__ import annotations

__all__ = ["EditsAtRisk", "ProjectError", "check_page"]


class ProjectError(Exception):
    """Something the user asked for cannot be done; ``str()`` says why and what to do."""


class EditsAtRisk(ProjectError):
    """A run or regeneration would rewrite artifacts that carry the user's edits, and the user
    has not said what to do with them; ``artifacts`` names them."""

    def __init__(self, artifacts: tuple[str, ...], *, what: str = "the run") -> None:
        self.artifacts = artifacts
        names = ", ".join(artifacts)
        verb = "carries" if len(artifacts) == 1 else "carry"
        super().__init__(
            f"{names} {verb} your edits, which {what} would rewrite. Keep them "
            "(--keep-edits: build what depends on them from your text) or overwrite them "
            "(--overwrite-edits: your versions stay in the history)"
        )


def check_page(limit: int, offset: int) -> None:
    """Refuse a page size below one or a negative offset."""
    if limit < 1:
        raise ProjectError("the page size (limit) must be at least 1")
    if offset < 0:
        raise ProjectError("the offset must be zero or more")
