"""The shapes every read of the store shares, written once: a record made from a row, a page
of rows with the total, and a row that must belong to the project.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from spec_automation.store.errors import StoreError

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = ["owned_row", "page_of", "record_from"]

R = TypeVar("R", bound="DataclassInstance")
T = TypeVar("T")
M = TypeVar("M")


def record_from(record_type: type[R], row: Any, **values: Any) -> R:
    """A ``record_type`` whose fields come from the same-named attributes of ``row`` (a model
    or a result row), except those given in ``values``."""
    fields = dataclasses.fields(record_type)
    return record_type(
        **{f.name: values[f.name] if f.name in values else getattr(row, f.name) for f in fields}
    )


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


def owned_row(session: Session, model: type[M], row_id: int, project_id: int, what: str) -> M:
    """The ``model`` row ``row_id`` of the project (``StoreError`` naming ``what`` if none)."""
    row = session.get(model, row_id)
    if row is None or getattr(row, "project_id", None) != project_id:
        raise StoreError(f"no {what} {row_id} in this project")
    return row
