"""Shared fixtures. Qt runs offscreen in every test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
