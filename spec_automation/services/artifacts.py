"""Artifacts and their history: reading, saving the user's text, versions, changes, scanning."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path

from spec_automation.core.artifacts import content_hash
from spec_automation.core.changes import ChangedBy
from spec_automation.core.project_texts import BRIEF, CONSTITUTION
from spec_automation.services.context import ProjectState
from spec_automation.services.errors import ProjectError, paged, said_as_project_error
from spec_automation.services.reports import (
    ChangeInfo,
    ChangePage,
    SaveResult,
    ScanReport,
    VersionPage,
)
from spec_automation.store.errors import StoreError
from spec_automation.store.records import ChangeRecord
from spec_automation.workspace import (
    INPUTS_PREFIX,
    MAX_DOCUMENT_BYTES,
    PROJECT_TEXTS,
    ProjectPaths,
    UnsafeFileError,
    is_project_input,
    refuse_links_below,
)

__all__ = [
    "artifact_name",
    "artifact_versions",
    "change_history",
    "file_text",
    "read_artifact",
    "save_artifact",
    "scan",
    "scan_one",
    "tracked_inputs",
    "tracked_name",
    "user_edited",
    "version_content",
]


def read_artifact(project: ProjectState, name: str) -> str:
    """The text of an artifact's file (or of the brief, the constitution or an imported
    document: ``brief.md``, ``constitution.md``, ``inputs/NAME``).

    Raises ``ProjectError`` when there is no such artifact or input, or its file does not
    exist.
    """
    path = project.paths.tracked(tracked_name(project, name))
    try:
        return project.paths.read_text(path, limit=MAX_DOCUMENT_BYTES)
    except FileNotFoundError:
        raise ProjectError(
            f"{name} has not been generated yet (no file {path}); run the workflow first"
        ) from None
    except UnicodeDecodeError:
        raise ProjectError(
            f"{path} is not UTF-8 text (saved in another encoding?); save it as UTF-8"
        ) from None
    except UnsafeFileError as exc:
        raise ProjectError(str(exc)) from None
    except OSError as exc:
        raise ProjectError(f"cannot read {path}: {exc.strerror}") from None


def save_artifact(project: ProjectState, name: str, text: str) -> SaveResult:
    """Save the user's text of an artifact: the file (atomically) and a new user version.

    The name must be an artifact of the spec, the brief, the constitution or an imported
    document (checked before anything is written). An edit
    of the file made outside the app and not yet recorded is recorded first, so it stays in
    history. When ``text`` equals the latest version nothing new is stored (``change`` is
    None) and the file is only rewritten if it differs.
    """
    name = tracked_name(project, name)
    if not isinstance(text, str):
        raise ProjectError(f"{name}: the text to save must be a string")
    path = project.paths.tracked(name)
    scan_one(project, name)
    try:
        version, change = project.history.record(
            name,
            text,
            changed_by=ChangedBy.USER,
            phase=_phase_of(project, name),
            write=lambda content: project.paths.write_text(path, content),
        )
        if change is None and file_text(project.paths, path) != text:
            project.paths.write_text(path, text)
    except StoreError as exc:
        raise ProjectError(str(exc)) from None
    except OSError as exc:
        raise ProjectError(f"cannot write {path}: {exc.strerror}") from None
    assert version is not None  # a version was just stored or already existed
    return SaveResult(version=version, change=change)


def artifact_versions(
    project: ProjectState, name: str, limit: int = 50, offset: int = 0
) -> VersionPage:
    """A page of an artifact's stored versions, newest first."""
    return paged(
        VersionPage, partial(project.history.versions, tracked_name(project, name)), limit, offset
    )


def version_content(project: ProjectState, version_id: int) -> str:
    """The full content of one stored version."""
    with said_as_project_error(StoreError):
        return project.history.content(version_id)


def change_history(
    project: ProjectState, name: str, limit: int = 50, offset: int = 0
) -> ChangePage:
    """A page of the changes detected in an artifact, newest first."""
    return paged(
        ChangePage, partial(project.history.changes, tracked_name(project, name)), limit, offset
    )


def scan(project: ProjectState) -> ScanReport:
    """Compare every artifact file, and the brief, the constitution and every imported
    document, with its latest stored version.

    A file that differs (or an artifact that was never stored) becomes a new version by the
    user, with a change row saying which sections changed; an input seen for the first time
    starts its history without one. A missing or unreadable file is reported and left
    alone: nothing in the store is ever deleted. ``checked`` counts artifact files.
    """
    changes: list[ChangeInfo] = []
    missing: list[str] = []
    unreadable: list[str] = []
    checked = 0
    stored = project.history.latest_hashes()
    inputs = tracked_inputs(project)
    for name in (*project.spec.artifacts, *inputs):
        outcome = "same" if _matches(project, name, stored) else scan_one(project, name)
        if outcome == "missing":
            missing.append(name)
        elif outcome == "unreadable":
            unreadable.append(name)
        else:
            checked += outcome != "absent" and name not in inputs
            if isinstance(outcome, ChangeRecord):
                changes.append(outcome)
    edited = [c.artifact for c in changes if c.artifact.startswith(INPUTS_PREFIX)]
    if edited:  # an imported document edited on disk: what it yields is read again
        from spec_automation.services.documents import Documents

        Documents(project).reprocess(edited)
    return ScanReport(
        checked=checked,
        changes=tuple(changes),
        missing=tuple(missing),
        unreadable=tuple(unreadable),
    )


def scan_one(project: ProjectState, name: str) -> ChangeInfo | str:
    """Record the artifact's file if it differs from the store.

    Returns the change, or what was found: "same", "absent" (never generated, no file),
    "missing" (stored, file gone) or "unreadable".
    """
    path = project.paths.tracked(name)
    problem: list[str] = []

    def read() -> str | None:
        # Called inside the store's write transaction: a run committing this artifact
        # right now is either wholly before or wholly after this read.
        try:
            return project.paths.read_text(path, limit=MAX_DOCUMENT_BYTES)
        except FileNotFoundError:
            problem.append("absent")
        except (UnicodeDecodeError, OSError):  # not UTF-8, a link, a pipe, too large
            problem.append("unreadable")
        return None

    try:
        latest, change = project.history.record(
            name,
            read,
            changed_by=ChangedBy.USER,
            phase=_phase_of(project, name),
            first_is_change=not is_project_input(name),
        )
    except StoreError as exc:
        raise ProjectError(str(exc)) from None
    if change is not None:
        return change
    if problem == ["absent"]:
        return "absent" if latest is None else "missing"
    return problem[0] if problem else "same"


def _matches(project: ProjectState, name: str, stored: dict[str, tuple[int, str]]) -> bool:
    """True when the file holds the latest stored version: nothing to record, no write
    transaction needed. Anything else goes through ``scan_one``, which decides inside one."""
    text = file_text(project.paths, project.paths.tracked(name))
    return name in stored and text is not None and content_hash(text) == stored[name][1]


def artifact_name(project: ProjectState, name: str) -> str:
    """``name``, checked to be an artifact of the project's spec."""
    if name not in project.spec.artifacts:
        known = ", ".join(project.spec.artifacts)
        raise ProjectError(f"the spec has no artifact named {name!r} (artifacts: {known})")
    return name


def tracked_name(project: ProjectState, name: str) -> str:
    """``name``, checked to be something the store versions: an artifact of the spec, the
    brief, the constitution or an imported document (``inputs/NAME``)."""
    if name in project.spec.artifacts or name in PROJECT_TEXTS or name in tracked_inputs(project):
        return name
    inputs = ", ".join(tracked_inputs(project))
    raise ProjectError(
        f"the spec has no artifact named {name!r}, and it is not one of the project's inputs "
        f"(artifacts: {', '.join(project.spec.artifacts)}; inputs: {inputs})"
    )


def tracked_inputs(project: ProjectState) -> tuple[str, ...]:
    """The project's inputs the store versions: the brief, the constitution (when there is
    one, or was), and every imported document (``inputs/NAME``)."""
    from spec_automation.store.documents import DocumentStore

    documents = DocumentStore(project.db, project.project_id, project.history).documents()
    has_constitution = (
        project.paths.tracked(CONSTITUTION).exists()
        or project.history.latest(CONSTITUTION) is not None
    )
    return (
        BRIEF,
        *((CONSTITUTION,) if has_constitution else ()),
        *(d.path for d in documents),
    )


def _phase_of(project: ProjectState, name: str) -> str:
    """The phase producing an artifact ('' for an input, which no phase produces)."""
    return "" if is_project_input(name) else project.spec.producer_of(name).name


def user_edited(project: ProjectState, artifacts: Sequence[str]) -> list[str]:
    """Artifacts whose current content is a user's edit, not what was last generated."""
    edited = []
    for artifact, versions in project.history.all_versions(artifacts).items():
        if not versions:
            continue
        generated = [v for v in versions if v.kind in ("generated", "regeneration")]
        user = {v.content_hash for v in versions if v.kind == "user_edit"}
        latest = versions[-1].content_hash
        if latest in user and (not generated or generated[-1].content_hash != latest):
            edited.append(artifact)
    return edited


def undo_uncommitted_writes(project: ProjectState) -> list[str]:
    """Put back the artifact files a run renamed into place but the store never committed
    (the process died in between), so the file and the store agree; return their names.

    Such a file holds exactly the hash the journal recorded, which the store has no version
    of: it is the run's text, not the user's, and the phase is not recorded as done, so a
    resume writes it again. Anything else (an edit made since) is left for the scan.
    """
    journal_path = project.paths.write_journal
    try:
        journal = json.loads(project.paths.read_text(journal_path))
    except (OSError, UnicodeDecodeError, ValueError):
        return []
    if not isinstance(journal, dict):
        return []
    names = [n for n in journal if isinstance(n, str) and n in project.spec.artifacts]
    known = project.history.all_versions(names)
    latest = project.history.latest_all()
    undone = []
    for name in names:
        path = project.paths.artifact(name)
        text = file_text(project.paths, path)
        if text is None or content_hash(text) != journal[name]:
            continue
        if any(v.content_hash == journal[name] for v in known.get(name, [])):
            continue  # committed after all
        if name in latest:
            project.paths.write_text(path, latest[name][1])
        else:
            path.unlink()
        undone.append(name)
    with contextlib.suppress(OSError):
        journal_path.unlink()
    return undone


def refuse_unreadable_targets(project: ProjectState, artifacts: Iterable[str], what: str) -> None:
    """Raise ``ProjectError`` when ``what`` (a run, a regeneration) would replace artifact
    files the app cannot read as text: not UTF-8, a link, a pipe, too large. Such a file may
    hold the user's work, and the store could not keep it, so nothing is written instead."""
    paths = project.paths
    try:
        refuse_links_below(paths.root, paths.artifacts)
    except UnsafeFileError as exc:
        raise ProjectError(f"{exc}: {what} writes only inside the project") from None
    problems = []
    for name in artifacts:
        path = paths.artifact(name)
        try:
            paths.read_text(path)
        except FileNotFoundError:
            continue
        except UnicodeDecodeError:
            problems.append(f"{path} is not UTF-8 text (saved in another encoding?)")
        except OSError as exc:
            problems.append(str(exc) if isinstance(exc, UnsafeFileError) else f"{path}: {exc}")
    if problems:
        raise ProjectError(
            f"{what} would replace files the app cannot read as text, which may hold your "
            f"work: {'; '.join(problems)}. Save each as UTF-8 text (or move it away) and try "
            "again; nothing was written"
        )


def file_text(paths: ProjectPaths, path: Path) -> str | None:
    """The project file's UTF-8 text, or None when it cannot be read as such (missing, not
    UTF-8, a link, not a regular file, too large)."""
    try:
        return paths.read_text(path)
    except (OSError, UnicodeDecodeError):
        return None
