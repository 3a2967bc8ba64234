"""Shared fixtures. Qt runs offscreen in every test session."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import keyring
import keyring.backends.fail
import pytest

from tests.helpers.gui import close_top_level_widgets
from tests.helpers.keyrings import MemoryKeyring

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo_root() -> Path:
    """The repository root (bundled spec and resources live there)."""
    return REPO


@pytest.fixture
def default_spec_path() -> Path:
    """The bundled orchestrator_spec.yml."""
    return REPO / "orchestrator_spec.yml"


@pytest.fixture(autouse=True)
def user_folders(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings and data of the user live in temporary folders: tests never read ~/.config."""
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("SPEC_AUTOMATION_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("SPEC_AUTOMATION_DATA_DIR", str(home / "data"))


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """An in-memory system keyring, and no ``ANTHROPIC_API_KEY`` in the environment."""
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A machine with no keyring backend and no ``ANTHROPIC_API_KEY``."""
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture(scope="session")
def qapp() -> Any:
    """The app's own QApplication, made as ``spec-automation gui`` makes it (so Python's
    cycle collection runs on the GUI thread, as in the app); replaces pytest-qt's."""
    from spec_automation.ui.app import application

    return application()


@pytest.fixture(autouse=True)
def no_window_outlives_its_test() -> Iterator[None]:
    """After each test (and its fixtures), every top-level widget is closed and deleted and
    Qt's pending deletes are drained; a window the test left open fails it."""
    yield
    if "PySide6.QtWidgets" not in sys.modules:
        return  # this session never loaded Qt
    from spec_automation.ui import collector

    left = close_top_level_widgets()
    collector.collect_pending()
    if left:
        pytest.fail(f"the test left top-level windows behind: {', '.join(left)}")
