"""An artifact's history: versions written by people, and the changes detected between them.

``ArtifactHistory`` records a new version together with the ``artifact_changes`` row that says
what changed, in one transaction. Reading the file (a scan) or writing it (a save) happens
inside that transaction too: the store's write lock is taken at BEGIN, so a workflow run that
is committing a phase at the same moment is never half seen, and the file and the store agree
when the call returns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from spec_automation.core.artifacts import split_front_matter
from spec_automation.core.changes import Change, ChangedBy, ChangeDetector
from spec_automation.core.copying import copy_fields
from spec_automation.core.ports import Clock, SystemClock
from spec_automation.store.database import Database
from spec_automation.store.models import ArtifactChange, ArtifactVersion
from spec_automation.store.records import (
    ChangeRecord,
    SectionChangeRecord,
    VersionRecord,
)
from spec_automation.store.rows import latest_versions, owned_row, page_of

__all__ = [
    "ROLLBACK_REASON",
    "ArtifactHistory",
    "CurrentVersion",
    "version_kind",
]

#: ``regeneration_reason`` of a version a rollback restored.
ROLLBACK_REASON = "rollback"

_VERSION_COLUMNS = (
    ArtifactVersion.id,
    ArtifactVersion.artifact,
    ArtifactVersion.version,
    ArtifactVersion.created_at,
    ArtifactVersion.changed_by,
    ArtifactVersion.content_hash,
    ArtifactVersion.phase,
    ArtifactVersion.workflow_run_id,
    ArtifactVersion.regeneration_run_id,
    ArtifactVersion.regeneration_reason,
)


def version_kind(changed_by: str, reason: str | None, regeneration_run_id: int | None) -> str:
    """How a version came to be: generated, user_edit, regeneration or rollback."""
    if reason == ROLLBACK_REASON:
        return "rollback"
    if regeneration_run_id is not None:
        return "regeneration"
    return "user_edit" if changed_by == ChangedBy.USER else "generated"


@dataclass(frozen=True, slots=True)
class CurrentVersion:
    """What the store holds as an artifact's current content, for judging staleness."""

    content_hash: str
    made_from: Mapping[str, str] | None  # None: not known
    user_edited: bool  # the user's text, not what its phase last wrote
    kept: bool  # the user chose to keep that text as the artifact


class ArtifactHistory:
    """Versions and detected changes of one project's artifacts."""

    def __init__(
        self,
        db: Database,
        project_id: int,
        *,
        detector: ChangeDetector | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._db = db
        self._project_id = project_id
        self._clock = clock or SystemClock()
        self._detector = detector or ChangeDetector(clock=self._clock)

    # --- writing ---------------------------------------------------------------------------

    def record(
        self,
        artifact: str,
        content: str | Callable[[], str | None],
        *,
        changed_by: ChangedBy,
        phase: str = "",
        reason: str | None = None,
        regeneration_run_id: int | None = None,
        workflow_run_id: int | None = None,
        write: Callable[[str], None] | None = None,
        first_is_change: bool = True,
    ) -> tuple[VersionRecord | None, ChangeRecord | None]:
        """Store ``content`` as the artifact's next version when it differs from the latest.

        With ``first_is_change`` false, a first version is recorded as where the history
        starts, with no change row (the brief as it was when the app first saw it).

        ``content`` may be a function (reading the file) called inside the transaction; when it
        returns ``None`` nothing is recorded. ``write`` is called with the content, still inside
        the transaction, whenever a version is recorded; a failing write records nothing.
        Returns the latest version afterwards (``None`` if there is none) and the change, which
        is ``None`` when the content equals the latest version.
        """
        with self._db.session() as session:
            text = content() if callable(content) else content
            latest = self.latest_row(session, artifact)
            if text is None:
                return (_version(latest) if latest else None), None
            change = self._detector.detect(
                latest.content if latest else None, text, changed_by=changed_by
            )
            if change is None:
                assert latest is not None  # equal hashes need an earlier version
                return _version(latest), None
            version_id = self.add_version(
                session,
                artifact=artifact,
                version=(latest.version if latest else 0) + 1,
                content=text,
                content_hash=change.new_hash,
                changed_by=changed_by.value,
                phase=phase or (latest.phase if latest else ""),
                workflow_run_id=workflow_run_id,
                created_at=change.detected_at,
                regeneration_reason=reason,
                regeneration_run_id=regeneration_run_id,
            )
            change_id = (
                self._insert_change(
                    session, artifact, change, latest.id if latest else None, version_id
                )
                if latest is not None or first_is_change
                else None
            )
            if write is not None:
                write(text)
            row = session.get(ArtifactVersion, version_id)
            assert row is not None
            record = _version(row)
            if change_id is None:
                return record, None
            change_row = session.get(ArtifactChange, change_id)
            assert change_row is not None
            return record, _change(change_row)

    def add_version(self, session: Session, **values: Any) -> int:
        """Insert a version row of this project in an open transaction; its id."""
        return session.execute(
            insert(ArtifactVersion)
            .values(project_id=self._project_id, **values)
            .returning(ArtifactVersion.id)
        ).scalar_one()

    def record_change(
        self,
        session: Session,
        artifact: str,
        change: Change,
        old_version_id: int | None,
        new_version_id: int,
    ) -> int:
        """Insert a detected change in an open transaction (the recorder uses this)."""
        return self._insert_change(session, artifact, change, old_version_id, new_version_id)

    # --- reading ---------------------------------------------------------------------------

    def latest(self, artifact: str) -> VersionRecord | None:
        """The artifact's latest version, or ``None`` if it was never stored."""
        with self._db.session() as session:
            row = self.latest_row(session, artifact)
            return _version(row) if row else None

    def current(self) -> dict[str, CurrentVersion]:
        """Every stored artifact's current version: its hash, what it was made from, and
        whether it is the user's text.

        A user's edit not yet kept counts as made from what the version it replaced was made
        from; a version stored before inputs were recorded falls back on the input hashes of
        its front matter.
        """
        with self._db.session() as session:
            rows = session.execute(
                select(*_VERSION_COLUMNS, ArtifactVersion.made_from, ArtifactVersion.kept)
                .where(ArtifactVersion.project_id == self._project_id)
                .order_by(ArtifactVersion.id)
            ).all()
            by_artifact: dict[str, list[Any]] = {}
            for row in rows:
                by_artifact.setdefault(row.artifact, []).append(row)
            return {
                artifact: self._current(session, versions)
                for artifact, versions in by_artifact.items()
            }

    def _current(self, session: Session, versions: list[Any]) -> CurrentVersion:
        latest = versions[-1]
        kinds = [
            (v, version_kind(v.changed_by, v.regeneration_reason, v.regeneration_run_id))
            for v in versions
        ]
        user = {v.content_hash for v, kind in kinds if kind == "user_edit"}
        generated = [v for v, kind in kinds if kind in ("generated", "regeneration")]
        edited = latest.content_hash in user and (
            not generated or generated[-1].content_hash != latest.content_hash
        )
        made_from = next((v.made_from for v in reversed(versions) if v.made_from is not None), None)
        if made_from is None and generated:
            content = session.scalar(
                select(ArtifactVersion.content).where(ArtifactVersion.id == generated[-1].id)
            )
            made_from = _front_matter_inputs(content or "")
        return CurrentVersion(
            content_hash=latest.content_hash,
            made_from=dict(made_from) if made_from is not None else None,
            user_edited=edited,
            kept=bool(latest.kept),
        )

    def keep(self, made_from: Mapping[str, Mapping[str, str]]) -> list[str]:
        """Keep the user's current text of each artifact as the artifact, made from the given
        inputs (artifact -> input -> hash); the artifacts kept."""
        with self._db.session() as session:
            for artifact, inputs in made_from.items():
                session.execute(
                    update(ArtifactVersion)
                    .where(
                        ArtifactVersion.id.in_(latest_versions(self._project_id)),
                        ArtifactVersion.artifact == artifact,
                    )
                    .values(kept=True, made_from=dict(inputs))
                )
        return list(made_from)

    def latest_hashes(self) -> dict[str, tuple[int, str]]:
        """Every artifact's latest version number and content hash (no content is read)."""
        newest = latest_versions(self._project_id)
        with self._db.session() as session:
            rows = session.execute(
                select(
                    ArtifactVersion.artifact,
                    ArtifactVersion.version,
                    ArtifactVersion.content_hash,
                ).where(ArtifactVersion.id.in_(newest))
            ).all()
        return {artifact: (version, digest) for artifact, version, digest in rows}

    def latest_all(self) -> dict[str, tuple[VersionRecord, str]]:
        """Every artifact's latest version with its content."""
        newest = latest_versions(self._project_id)
        with self._db.session() as session:
            rows = session.scalars(select(ArtifactVersion).where(ArtifactVersion.id.in_(newest)))
            return {row.artifact: (_version(row), row.content) for row in rows}

    def versions(
        self, artifact: str, limit: int = 50, offset: int = 0
    ) -> tuple[list[VersionRecord], int]:
        """A page of the artifact's versions, newest first, and how many there are."""
        where = (
            ArtifactVersion.project_id == self._project_id,
            ArtifactVersion.artifact == artifact,
        )
        order = (ArtifactVersion.version.desc(),)
        query = select(*_VERSION_COLUMNS)
        with self._db.session() as session:
            return page_of(session, query, where, order, limit, offset, _version, entities=False)

    def all_versions(self, artifacts: Sequence[str]) -> dict[str, list[VersionRecord]]:
        """Every version of the given artifacts, oldest first (contents left out)."""
        result: dict[str, list[VersionRecord]] = {name: [] for name in artifacts}
        with self._db.session() as session:
            rows = session.execute(
                select(*_VERSION_COLUMNS)
                .where(
                    ArtifactVersion.project_id == self._project_id,
                    ArtifactVersion.artifact.in_(list(artifacts)),
                )
                .order_by(ArtifactVersion.id)
            ).all()
        for row in rows:
            result[row.artifact].append(_version(row))
        return result

    def content(self, version_id: int) -> str:
        """The full content of one version.

        Raises:
            StoreError: no such version in this project.
        """
        with self._db.session() as session:
            return self._own_version(session, version_id).content

    def version(self, version_id: int) -> VersionRecord:
        """One version's record (without content).

        Raises:
            StoreError: no such version in this project.
        """
        with self._db.session() as session:
            return _version(self._own_version(session, version_id))

    def _own_version(self, session: Session, version_id: int) -> ArtifactVersion:
        return owned_row(session, ArtifactVersion, version_id, self._project_id, "artifact version")

    def changes(
        self, artifact: str, limit: int = 50, offset: int = 0
    ) -> tuple[list[ChangeRecord], int]:
        """A page of the artifact's detected changes, newest first, and how many there are."""
        where = (
            ArtifactChange.project_id == self._project_id,
            ArtifactChange.artifact == artifact,
        )
        order = (ArtifactChange.id.desc(),)
        with self._db.session() as session:
            return page_of(session, select(ArtifactChange), where, order, limit, offset, _change)

    def change(self, change_id: int) -> ChangeRecord:
        """One detected change.

        Raises:
            StoreError: no such change in this project.
        """
        with self._db.session() as session:
            row = owned_row(session, ArtifactChange, change_id, self._project_id, "change")
            return _change(row)

    def latest_change(self, changed_by: ChangedBy | None = ChangedBy.USER) -> ChangeRecord | None:
        """The newest change (by ``changed_by`` when given), or ``None``."""
        query = select(ArtifactChange).where(ArtifactChange.project_id == self._project_id)
        if changed_by is not None:
            query = query.where(ArtifactChange.changed_by == changed_by.value)
        with self._db.session() as session:
            row = session.scalar(query.order_by(ArtifactChange.id.desc()).limit(1))
            return _change(row) if row else None

    # --- internals -------------------------------------------------------------------------

    def latest_row(self, session: Session, artifact: str) -> ArtifactVersion | None:
        """The artifact's latest version row, in an open transaction."""
        return session.scalar(
            select(ArtifactVersion)
            .where(
                ArtifactVersion.project_id == self._project_id,
                ArtifactVersion.artifact == artifact,
            )
            .order_by(ArtifactVersion.version.desc())
            .limit(1)
        )

    def _insert_change(
        self,
        session: Session,
        artifact: str,
        change: Change,
        old_version_id: int | None,
        new_version_id: int,
    ) -> int:
        sections: list[Any] = [
            {
                "name": s.name,
                "kind": s.kind.value,
                "old_text": s.old_text,
                "new_text": s.new_text,
                "cosmetic": s.cosmetic,
            }
            for s in change.sections
        ]
        return session.execute(
            insert(ArtifactChange)
            .values(
                project_id=self._project_id,
                artifact=artifact,
                old_version_id=old_version_id,
                new_version_id=new_version_id,
                old_hash=change.old_hash,
                new_hash=change.new_hash,
                changed_by=change.changed_by.value,
                detected_at=change.detected_at,
                impact_level=change.impact_level.value,
                sections=sections,
                cosmetic=change.cosmetic,
            )
            .returning(ArtifactChange.id)
        ).scalar_one()


def _version(row: Any) -> VersionRecord:
    """A version's record from its model or from a row of ``_VERSION_COLUMNS``."""
    return copy_fields(
        VersionRecord,
        row,
        kind=version_kind(row.changed_by, row.regeneration_reason, row.regeneration_run_id),
        reason=row.regeneration_reason,
    )


def _change(row: ArtifactChange) -> ChangeRecord:
    return copy_fields(
        ChangeRecord,
        row,
        impact_level=row.impact_level or "",
        sections=tuple(
            SectionChangeRecord(
                name=str(s.get("name", "")),
                kind=str(s.get("kind", "")),
                old_text=str(s.get("old_text", "")),
                new_text=str(s.get("new_text", "")),
            )
            for s in row.sections
            if isinstance(s, dict)
        ),
    )


def _front_matter_inputs(content: str) -> dict[str, str] | None:
    """The input hashes a generated file's front matter records (None when it has none)."""
    try:
        meta, _ = split_front_matter(content)
    except ValueError:
        return None
    inputs = meta.get("inputs") if meta else None
    if not isinstance(inputs, dict):
        return None
    return {str(k): str(v) for k, v in inputs.items()}
