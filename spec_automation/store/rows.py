"""The shapes every read of the store shares, written once: a page of rows with the total,
and a row that must belong to the project (a record made from a row is ``core.copying``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, ScalarSelect, Select, and_, func, select
from sqlalchemy.orm import Session

from spec_automation.core.project_texts import BRIEF, CONSTITUTION, INPUTS_PREFIX
from spec_automation.store.errors import StoreError
from spec_automation.store.models import ArtifactVersion

__all__ = ["artifacts_only", "latest_versions", "owned_row", "page_of", "rows_page"]

T = TypeVar("T")
M = TypeVar("M")


def page_of(
    session: Session,
    query: Select[*tuple[Any, ...]],
    where: Sequence[ColumnElement[bool]],
    order_by: Sequence[Any],
    limit: int,
    offset: int,
    to_record: Callable[[Any], T],
    *,
    entities: bool = True,
) -> tuple[list[T], int]:
    """One page of ``query`` (rows matching ``where``, in ``order_by``) as records, and how
    many rows match in all. ``entities``: the query selects one model (its objects are
    handed to ``to_record``); otherwise columns (result rows are)."""
    total = session.scalar(select(func.count()).select_from(query.where(*where).subquery()))
    page = query.where(*where).order_by(*order_by).limit(limit).offset(offset)
    rows = session.scalars(page).all() if entities else session.execute(page).all()
    return [to_record(row) for row in rows], int(total or 0)


def rows_page(
    session: Session,
    model: type[M],
    where: Sequence[ColumnElement[bool]],
    order_by: Sequence[Any],
    limit: int,
    offset: int,
) -> Sequence[M]:
    """One page of the ``model`` rows matching ``where``, in ``order_by`` (without a total)."""
    query = select(model).where(*where).order_by(*order_by).limit(limit).offset(offset)
    return session.scalars(query).all()


def owned_row(session: Session, model: type[M], row_id: int, project_id: int, what: str) -> M:
    """The ``model`` row ``row_id`` of the project (``StoreError`` naming ``what`` if none)."""
    row = session.get(model, row_id)
    if row is None or getattr(row, "project_id", None) != project_id:
        raise StoreError(f"no {what} {row_id} in this project")
    return row


def latest_versions(project_id: int) -> ScalarSelect[int]:
    """A subquery of the id of the latest version of each artifact of ``project_id``."""
    return (
        select(func.max(ArtifactVersion.id).label("id"))
        .where(ArtifactVersion.project_id == project_id)
        .group_by(ArtifactVersion.artifact)
        # Versions only grow, so the highest id of an artifact is its highest version.
        .scalar_subquery()
    )


def artifacts_only() -> ColumnElement[bool]:
    """Versions of artifacts, not of the project's inputs (the brief, the constitution and
    the imported documents are versioned too, but a snapshot holds artifacts only)."""
    return and_(
        ArtifactVersion.artifact.not_in((BRIEF, CONSTITUTION)),
        ArtifactVersion.artifact.not_like(f"{INPUTS_PREFIX}%"),
    )
