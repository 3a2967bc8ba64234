"""Small code folders for the quality gates to check: a package and its tests, clean or with
one lint error, one type error and one failing test at known places."""

from __future__ import annotations

from pathlib import Path

#: Where the broken folder's problems are (file, line), as a user would look for them.
LINT_ERROR = ("pkg/shapes.py", 1)  # ruff F401: `os` imported but unused
TYPE_ERROR = ("pkg/shapes.py", 10)  # basedpyright reportReturnType: str returned as int
FAILING_TEST = ("tests/test_shapes.py", 13)  # the assert of test_perimeter_is_wrong

_SHAPES = '''\
"""Shapes."""


def area(width: int, height: int) -> int:
    """The area of a rectangle."""
    return width * height


def label() -> str:
    """A label for the shape."""
    return "rectangle"
'''

_BROKEN_SHAPES = '''\
import os


def area(width: int, height: int) -> int:
    """The area of a rectangle."""
    return width * height


def label() -> int:
    return "rectangle"
'''

_TESTS = '''\
"""Tests of the shapes."""

import pytest

from pkg.shapes import area


def test_area() -> None:
    assert area(2, 3) == 6
{extra}


@pytest.mark.xfail(reason="not written yet")
def test_volume() -> None:
    raise NotImplementedError
'''

_FAILING = """

def test_perimeter_is_wrong() -> None:
    assert area(1, 1) == 2"""


def write_code_folder(folder: Path, *, broken: bool = False) -> Path:
    """Write a package ``pkg`` and its tests into ``folder``; with ``broken``, one lint
    error, one type error and one failing test (see the constants above)."""
    (folder / "pkg").mkdir(parents=True, exist_ok=True)
    (folder / "tests").mkdir(exist_ok=True)
    (folder / "pkg" / "__init__.py").write_text('"""The package."""\n', encoding="utf-8")
    (folder / "pkg" / "shapes.py").write_text(
        _BROKEN_SHAPES if broken else _SHAPES, encoding="utf-8"
    )
    tests = _TESTS.format(extra=_FAILING if broken else "")
    (folder / "tests" / "test_shapes.py").write_text(tests, encoding="utf-8")
    return folder
