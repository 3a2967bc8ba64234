"""The one error a user can cause through the services, and the checks of a page request."""

from __future__ import annotations

import errno
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from spec_automation.workspace import UnsafeFileError

__all__ = [
    "EditsAtRisk",
    "ProjectError",
    "check_page",
    "environment_message",
    "paged",
    "said_as_project_error",
]

_Page = TypeVar("_Page")

#: Errors the machine raises, not the program: each is said as what the user can do about it.
_ENVIRONMENT = {
    errno.ENOSPC: "the disk is full; free some space and try again",
    errno.EDQUOT: "your disk quota is used up; free some space and try again",
    errno.EROFS: "the file system is read-only; choose a folder you can write to",
    errno.EACCES: "permission denied; choose a folder you can write to or check its permissions",
    errno.EPERM: "the operation is not permitted here; check the folder's permissions",
    errno.ENOTDIR: "a part of that path is a file, not a folder",
    errno.ENAMETOOLONG: "the name is too long for the file system",
    errno.EIO: "a disk input/output error; check the disk",
}


class ProjectError(Exception):
    """Something the user asked for cannot be done; ``str()`` says why and what to do."""


@contextmanager
def said_as_project_error(*kinds: type[Exception]) -> Iterator[None]:
    """Raise an error of one of ``kinds`` (a lower layer's, already a sentence) again as a
    ``ProjectError`` saying the same."""
    try:
        yield
    except kinds as exc:
        raise ProjectError(str(exc)) from None


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


def paged(
    page: Callable[..., _Page],
    fetch: Callable[[int, int], tuple[Sequence[object], int]],
    limit: int,
    offset: int,
) -> _Page:
    """A checked page request: ``fetch(limit, offset)`` gives the items and the total."""
    check_page(limit, offset)
    items, total = fetch(limit, offset)
    return page(items=tuple(items), total=total)


def environment_message(error: OSError) -> str | None:
    """One sentence for an error the machine raised (full disk, read-only folder, ...), naming
    the file; None for anything else (a bug, to be reported as one)."""
    if isinstance(error, UnsafeFileError):  # a refused link or pipe says so itself
        return str(error)
    advice = _ENVIRONMENT.get(error.errno or 0)
    if advice is None:
        return None
    where = f" {error.filename}" if error.filename else ""
    return f"cannot write{where}: {advice}"
