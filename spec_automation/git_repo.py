"""The project folder as a git repository: init, and commits of artifacts the store holds.

Uses the ``git`` command. Without git on the machine (or with git turned off in the settings)
the project works as before and the app says so once. The store is the source of truth: the
caller commits only files whose content is the store's latest version, so a failed or cancelled
run never leaves a commit that disagrees with the store.

Commits never depend on the user's git set-up: when no identity is configured one is given for
the commit alone, and commit signing is turned off for the app's own commits.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from spec_automation.core.project_texts import BRIEF
from spec_automation.workspace import STATE_DIR, write_atomic

__all__ = ["GitError", "GitRepo", "git_notice"]

_TIMEOUT_S = 60
_IDENTITY = ("spec-automation", "spec-automation@localhost")
IGNORE_LINE = f"{STATE_DIR}/"


class GitError(RuntimeError):
    """A git command failed; ``str()`` is one line saying which and why."""


def git_notice() -> str:
    """Why git cannot be used on this machine, or "" when it can."""
    if shutil.which("git") is None:
        return (
            "git is not installed, so artifacts are not committed to git; the project works "
            "without it (install git to keep a commit history)"
        )
    return ""


@dataclass(frozen=True, slots=True)
class GitRepo:
    """A project folder under git."""

    root: Path

    def is_repo(self) -> bool:
        """True when the folder is the top of a git repository."""
        return (self.root / ".git").exists()

    def init(self) -> bool:
        """Make the folder a repository ignoring ``.spec_automation/``; commit the brief.

        Returns True when a repository was created (False: it was one already). Either way
        ``.gitignore`` ends up ignoring the app's private folder.
        """
        created = False
        if not self.is_repo():
            self._git("init", "--quiet")
            created = True
        ignore = self.root / ".gitignore"
        lines = ignore.read_text(encoding="utf-8").splitlines() if ignore.exists() else []
        if IGNORE_LINE not in lines and STATE_DIR not in lines:
            write_atomic(ignore, "\n".join([*lines, IGNORE_LINE]) + "\n")
        if created:
            paths = [p for p in (ignore, self.root / BRIEF) if p.exists()]
            self.commit(paths, "Start the project: brief and .gitignore")
        return created

    def commit(self, paths: Sequence[Path], message: str) -> str | None:
        """Commit exactly these files as they are on disk; return the commit id.

        Other changes in the working tree or the index are left alone. Returns ``None`` when
        the files are already committed as they are.
        """
        relative = [str(p.relative_to(self.root)) for p in paths if p.exists()]
        if not relative:
            return None
        self._git("add", "--", *relative)
        staged = self._run("diff", "--cached", "--quiet", "--", *relative)
        if staged.returncode == 0:
            return None  # nothing differs from HEAD
        self._git("commit", "--quiet", "--no-verify", "-m", message, "--only", "--", *relative)
        return self.head()

    def head(self) -> str:
        """The id of the current commit."""
        return self._git("rev-parse", "HEAD").strip()

    def log(self, limit: int = 20) -> list[tuple[str, str]]:
        """Recent commits, newest first: (id, subject)."""
        result = self._run("log", f"-{limit}", "--format=%H%x00%s")
        if result.returncode != 0:
            return []  # no commits yet
        return [
            (sha, subject)
            for sha, _, subject in (line.partition("\0") for line in result.stdout.splitlines())
        ]

    def tracked_text(self, path: Path, revision: str = "HEAD") -> str | None:
        """A file's content at ``revision``, or ``None`` if it is not there."""
        result = self._run("show", f"{revision}:{path.relative_to(self.root).as_posix()}")
        return result.stdout if result.returncode == 0 else None

    # --- running git ---------------------------------------------------------------------

    def _git(self, *args: str) -> str:
        result = self._run(*args)
        if result.returncode != 0:
            raise GitError(f"git {args[0]} failed in {self.root}: {_reason(result)}")
        return result.stdout

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        git = shutil.which("git")
        if git is None:
            raise GitError(git_notice())
        env = dict(os.environ)
        if not self._has_identity(git, env):
            env.update(
                GIT_AUTHOR_NAME=_IDENTITY[0],
                GIT_AUTHOR_EMAIL=_IDENTITY[1],
                GIT_COMMITTER_NAME=_IDENTITY[0],
                GIT_COMMITTER_EMAIL=_IDENTITY[1],
            )
        try:
            return subprocess.run(  # noqa: S603 - git from PATH with fixed arguments
                [git, "-c", "commit.gpgsign=false", *args],
                cwd=self.root,
                env=env,
                capture_output=True,
                text=True,
                timeout=_TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise GitError(f"git {args[0]} could not run in {self.root}: {exc}") from None

    def _has_identity(self, git: str, env: dict[str, str]) -> bool:
        if env.get("GIT_AUTHOR_EMAIL") and env.get("GIT_COMMITTER_EMAIL"):
            return True
        result = subprocess.run(  # noqa: S603 - git from PATH with fixed arguments
            [git, "config", "user.email"],
            cwd=self.root if self.root.exists() else None,
            capture_output=True,
            text=True,
            timeout=_TIMEOUT_S,
            check=False,
        )
        return bool(result.stdout.strip())


def _reason(result: subprocess.CompletedProcess[str]) -> str:
    """The line of git's output that says what went wrong: its first ``fatal:`` or ``error:``
    line (which names the file, e.g. a stale index.lock), else its last line."""
    lines = [line.strip() for line in (result.stderr or result.stdout).splitlines() if line.strip()]
    for line in lines:
        for prefix in ("fatal: ", "error: "):
            if line.startswith(prefix):
                return line.removeprefix(prefix)
    return lines[-1] if lines else f"exit status {result.returncode}"
