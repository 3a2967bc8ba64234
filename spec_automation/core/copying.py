"""Making one record from another that shares its field names, written once."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = ["copy_fields", "field_values"]

R = TypeVar("R", bound="DataclassInstance")


def copy_fields(target: type[R], source: Any, **values: Any) -> R:
    """A ``target`` whose fields come from the same-named attributes of ``source`` (a record,
    a model or a result row), except those given in ``values``."""
    return target(
        **{
            f.name: values[f.name] if f.name in values else getattr(source, f.name)
            for f in dataclasses.fields(target)
        }
    )


def field_values(source: DataclassInstance, *names: str) -> dict[str, Any]:
    """The named fields of a dataclass instance (every field when none is named), by name."""
    chosen = names or tuple(f.name for f in dataclasses.fields(source))
    return {name: getattr(source, name) for name in chosen}
