"""Application settings: defaults, validation, round trip, and a damaged file."""

from __future__ import annotations

from pathlib import Path

import pytest

from spec_automation.settings import (
    AppSettings,
    SettingsError,
    config_dir,
    load_settings,
    save_settings,
)


def test_settings_survive_a_save_and_load(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    chosen = AppSettings(provider="anthropic", model="m-1", concurrency=6, theme="light")
    chosen = chosen.with_recent(tmp_path / "a").with_recent(tmp_path / "b")
    save_settings(chosen, path)
    loaded = load_settings(path)
    assert loaded.problem == ""
    assert loaded.settings == chosen
    assert loaded.settings.recent_projects[0].endswith("/b")


def test_a_missing_file_gives_the_defaults_without_a_problem(tmp_path: Path) -> None:
    loaded = load_settings(tmp_path / "absent.json")
    assert loaded == load_settings(tmp_path / "also-absent.json")
    assert loaded.settings == AppSettings()
    assert loaded.problem == ""


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        ('{"concurrency": "four"}', "concurrency must be a whole number"),
        ('{"theme": "purple"}', "theme must be one of dark, light"),
        ('{"git_enabled": 1}', "git_enabled must be true or false"),
    ],
)
def test_a_bad_file_falls_back_to_defaults_and_says_why(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "settings.json"
    path.write_text(content, encoding="utf-8")
    loaded = load_settings(path)
    assert loaded.settings == AppSettings()
    assert expected in loaded.problem
    assert str(path) in loaded.problem


def test_unknown_keys_from_a_newer_version_are_ignored() -> None:
    assert AppSettings.from_dict({"future_option": 3, "concurrency": 2}).concurrency == 2


@pytest.mark.parametrize(
    "bad",
    [{"concurrency": 0}, {"provider": "gpt"}, {"temperature": 1.5}, {"model": " "}],
)
def test_impossible_values_are_refused(bad: dict[str, object]) -> None:
    with pytest.raises(SettingsError):
        AppSettings(**bad)  # type: ignore[arg-type]


def test_recent_projects_are_unique_and_capped(tmp_path: Path) -> None:
    settings = AppSettings()
    for index in range(15):
        settings = settings.with_recent(tmp_path / str(index))
    settings = settings.with_recent(tmp_path / "3")
    assert len(settings.recent_projects) == 10
    assert settings.recent_projects[0].endswith("/3")
    assert len(set(settings.recent_projects)) == 10


def test_the_config_folder_can_be_redirected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SPEC_AUTOMATION_CONFIG_DIR", str(tmp_path))
    assert config_dir() == tmp_path
