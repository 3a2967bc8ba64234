"""Application settings: defaults, validation, round trip, and a damaged file."""

from __future__ import annotations

from pathlib import Path

import pytest

from spec_automation.services import RunOptions
from spec_automation.settings import (
    SERVER_PRESETS,
    AppSettings,
    SettingsError,
    config_dir,
    load_settings,
    resolve_base_url,
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
    [
        {"concurrency": 0},
        {"provider": "gpt"},
        {"temperature": 1.5},
        {"model": " "},
        {"openai_base_url": "localhost:11434"},
        {"provider": "openai_compatible"},  # with no model named
    ],
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


def test_an_openai_compatible_server_is_saved_with_its_model(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    chosen = AppSettings(
        provider="openai_compatible",
        openai_base_url="http://gpu-box:8000/v1",
        openai_model="Qwen/Qwen2.5-7B-Instruct",
    )
    save_settings(chosen, path)
    assert load_settings(path).settings == chosen
    assert "key" not in path.read_text().lower()  # a key is never kept in the settings file
    run = RunOptions.from_settings(chosen)
    assert (run.provider, run.model, run.base_url) == (
        "openai_compatible",
        "Qwen/Qwen2.5-7B-Instruct",
        "http://gpu-box:8000/v1",
    )
    claude = RunOptions.from_settings(chosen, provider="anthropic")
    assert claude.model == AppSettings().model  # each provider keeps its own model


def test_a_server_address_is_a_preset_name_or_an_http_url() -> None:
    assert AppSettings().openai_base_url == "http://localhost:11434/v1"  # Ollama's
    assert {p.name: p.base_url for p in SERVER_PRESETS} == {
        "ollama": "http://localhost:11434/v1",
        "llama.cpp": "http://localhost:8080/v1",
        "vllm": "http://localhost:8000/v1",
        "lm-studio": "http://localhost:1234/v1",
    }
    assert resolve_base_url("vLLM") == "http://localhost:8000/v1"
    assert resolve_base_url(" https://api.example.com/v1/ ") == "https://api.example.com/v1"
    with pytest.raises(SettingsError, match=r"'ftp://x' is not an http:// or https:// URL"):
        resolve_base_url("ftp://x")
