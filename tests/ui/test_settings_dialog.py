"""The settings dialog: saved across restarts, the key masked and kept in the keyring."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit

from spec_automation.llm import keys
from spec_automation.settings import AppSettings, load_settings
from spec_automation.ui.settings_dialog import SettingsDialog
from tests.helpers.fake_openai import FakeOpenAI, unused_address
from tests.helpers.gui import run, until

pytestmark = pytest.mark.gui


def test_settings_are_saved_and_read_back_at_the_next_start(
    qtbot, loop, app_dirs, memory_keyring
) -> None:
    dialog = SettingsDialog(AppSettings())
    qtbot.addWidget(dialog)
    assert dialog.objectName() == "settingsDialog"
    saved: list[AppSettings] = []
    dialog.settingsSaved.connect(saved.append)
    dialog.provider.setCurrentIndex(dialog.provider.findData("anthropic"))
    dialog.model.setText("claude-test-model")
    dialog.concurrency.setValue(7)
    dialog.rate_limit.setValue(30)
    dialog.latency.setValue(0.5)
    dialog.theme.setCurrentIndex(dialog.theme.findData("light"))
    dialog.autosave.setValue(5.0)
    dialog.git.setChecked(False)
    assert not dialog.cosmetic_impact.isChecked()  # formatting-only edits: a quiet note
    dialog.cosmetic_impact.setChecked(True)
    dialog.save()
    run(loop, until(lambda: bool(saved)))

    again = load_settings().settings
    assert (again.provider, again.model, again.concurrency) == ("anthropic", "claude-test-model", 7)
    assert (again.rate_limit_per_minute, again.latency_scale, again.theme) == (30, 0.5, "light")
    assert (again.autosave_interval_s, again.git_enabled) == (5.0, False)
    reopened = SettingsDialog(again)
    qtbot.addWidget(reopened)
    assert reopened.concurrency.value() == 7
    assert reopened.theme.currentData() == "light"
    assert again.impact_dialog_for_cosmetic
    assert reopened.cosmetic_impact.isChecked()


def test_the_key_is_masked_stored_in_the_keyring_and_never_shown(
    qtbot, loop, app_dirs, memory_keyring
) -> None:
    dialog = SettingsDialog(AppSettings())
    qtbot.addWidget(dialog)
    assert dialog.api_key.echoMode() == QLineEdit.EchoMode.Password
    dialog.api_key.setText("sk-ant-secret-123")
    done: list[object] = []
    dialog.settingsSaved.connect(done.append)
    dialog.save()
    run(loop, until(lambda: bool(done)))
    assert keys.load_api_key().key == "sk-ant-secret-123"

    reopened = SettingsDialog(AppSettings())
    qtbot.addWidget(reopened)
    assert reopened.api_key.text() == ""  # the saved key is never put back in the field
    assert "saved in the system keyring" in reopened.key_note.text()
    assert "sk-ant" not in reopened.api_key.placeholderText()


def test_without_a_keyring_the_dialog_says_where_the_key_comes_from(
    qtbot, app_dirs, no_keyring
) -> None:
    dialog = SettingsDialog(AppSettings())
    qtbot.addWidget(dialog)
    assert not dialog.api_key.isEnabled()
    assert "ANTHROPIC_API_KEY" in dialog.key_note.text()
    assert "No system keyring" in dialog.key_note.text()


def test_the_test_button_checks_the_typed_key(qtbot, loop, app_dirs, memory_keyring) -> None:
    tried: list[tuple[str, str]] = []

    def tester(key: str, model: str) -> str:
        tried.append((key, model))
        return "The key works."

    dialog = SettingsDialog(AppSettings(provider="anthropic"), key_tester=tester)
    qtbot.addWidget(dialog)
    dialog.test_key()
    assert "no key to test" in dialog.test_result.text()
    dialog.api_key.setText("sk-ant-typed")
    dialog.test_key()
    run(loop, until(lambda: dialog.test_result.text() == "The key works."))
    assert tried == [("sk-ant-typed", AppSettings().model)]


def test_an_invalid_setting_is_explained_and_nothing_is_saved(qtbot, app_dirs) -> None:
    dialog = SettingsDialog(AppSettings())
    qtbot.addWidget(dialog)
    dialog.model.setText("   ")
    dialog.save()
    assert "model must not be empty" in dialog.error.text()
    assert not (app_dirs / "config" / "settings.json").exists()


def test_the_model_is_offered_only_for_a_provider_that_has_one(qtbot, app_dirs) -> None:
    dialog = SettingsDialog(AppSettings(provider="offline"))
    qtbot.addWidget(dialog)
    assert not dialog.model.isEnabled()
    assert not dialog.test_button.isEnabled()
    assert "uses no model" in dialog.model.toolTip()
    dialog.provider.setCurrentIndex(dialog.provider.findData("anthropic"))
    assert dialog.model.isEnabled()
    assert dialog.test_button.isEnabled()
    form_labels = [label.text() for label in dialog.findChildren(QLabel)]
    assert "Concurrency" in form_labels
    assert "Phases at once" not in form_labels


def test_an_openai_compatible_server_is_chosen_from_a_preset_and_saved_with_its_model(
    qtbot, loop, app_dirs, memory_keyring
) -> None:
    dialog = SettingsDialog(AppSettings(provider="anthropic", model="claude-haiku-4-5"))
    qtbot.addWidget(dialog)
    assert not dialog.base_url.isEnabled()  # the server row is for the server provider only
    dialog.provider.setCurrentIndex(dialog.provider.findData("openai_compatible"))
    assert dialog.base_url.isEnabled()
    assert dialog.preset.isEnabled()
    assert dialog.model.isEnabled()
    assert dialog.test_button.isEnabled()
    assert not dialog.latency.isEnabled()
    assert dialog.model.text() == ""  # the server's own model, not Claude's
    assert dialog.base_url.text() == "http://localhost:11434/v1"
    assert dialog.preset.currentText().startswith("Ollama")
    assert "optional" in dialog.key_note.text()

    dialog.preset.setCurrentIndex(dialog.preset.findText("LM Studio", Qt.MatchFlag.MatchStartsWith))
    dialog.preset.activated.emit(dialog.preset.currentIndex())
    assert dialog.base_url.text() == "http://localhost:1234/v1"
    dialog.base_url.setText("http://gpu-box:8000/v1")
    assert dialog.preset.currentText() == "Other address"
    dialog.model.setText("Qwen/Qwen2.5-7B-Instruct")
    dialog.api_key.setText("sk-vllm-secret")
    saved: list[AppSettings] = []
    dialog.settingsSaved.connect(saved.append)
    dialog.save()
    run(loop, until(lambda: bool(saved)))

    again = load_settings().settings
    assert (again.provider, again.openai_base_url, again.openai_model) == (
        "openai_compatible",
        "http://gpu-box:8000/v1",
        "Qwen/Qwen2.5-7B-Instruct",
    )
    assert again.model == "claude-haiku-4-5"  # Claude keeps its own
    assert keys.load_api_key("openai_compatible").key == "sk-vllm-secret"
    assert keys.load_api_key().key is None  # not saved as Claude's key
    reopened = SettingsDialog(again)
    qtbot.addWidget(reopened)
    assert reopened.model.text() == "Qwen/Qwen2.5-7B-Instruct"
    assert "saved in the system keyring" in reopened.key_note.text()


def test_test_lists_the_models_of_a_real_server_without_blocking_the_window(
    qtbot, loop, app_dirs, memory_keyring
) -> None:
    with FakeOpenAI(models=("llama3.2", "mistral-nemo")) as fake:
        dialog = SettingsDialog(
            AppSettings(
                provider="openai_compatible", openai_model="x", openai_base_url=fake.base_url
            )
        )
        qtbot.addWidget(dialog)
        dialog.model.clear()
        dialog.test_button.click()
        assert dialog.test_result.text() == "Testing…"  # the click returned at once
        assert not dialog.test_button.isEnabled()
        run(loop, until(lambda: dialog.test_button.isEnabled()))
    assert dialog.test_result.text() == (
        f"The server at {fake.base_url} has 2 models: llama3.2, mistral-nemo."
    )
    assert dialog.model.text() == "llama3.2"  # an empty model gets the first one
    assert dialog.model.completer().model().rowCount() == 2


def test_test_says_in_a_sentence_when_the_server_cannot_be_reached(
    qtbot, loop, app_dirs, memory_keyring
) -> None:
    address = unused_address()
    dialog = SettingsDialog(
        AppSettings(provider="openai_compatible", openai_model="llama3.2", openai_base_url=address)
    )
    qtbot.addWidget(dialog)
    dialog.test_button.click()
    run(loop, until(lambda: dialog.test_button.isEnabled()))
    text = dialog.test_result.text()
    assert text.startswith(f"Could not reach the OpenAI-compatible server at {address}: ")
    assert text.endswith(".")


def test_the_offline_provider_offers_no_model_server_or_test(qtbot, app_dirs) -> None:
    dialog = SettingsDialog(AppSettings(provider="offline"))
    qtbot.addWidget(dialog)
    assert not dialog.model.isEnabled()
    assert not dialog.test_button.isEnabled()
    assert not dialog.base_url.isEnabled()
    assert not dialog.preset.isEnabled()
    assert [dialog.provider.itemData(i) for i in range(dialog.provider.count())] == [
        "offline",
        "anthropic",
        "openai_compatible",
    ]


def test_retries_models_per_role_fallback_and_budget_are_saved(
    qtbot, loop, app_dirs, memory_keyring
) -> None:
    dialog = SettingsDialog(AppSettings(provider="anthropic"))
    qtbot.addWidget(dialog)
    saved: list[AppSettings] = []
    dialog.settingsSaved.connect(saved.append)
    assert [dialog.pages.tabText(i) for i in range(dialog.pages.count())] == [
        "&Model",
        "&Running and app",
    ]
    dialog.retries.setValue(4)
    dialog.role_models.setText("analyst=claude-haiku-4-5, designer=claude-haiku-4-5")
    dialog.fallback.setText("openai_compatible:llama3.1")
    dialog.budget.setValue(2.5)
    dialog.save()
    run(loop, until(lambda: bool(saved)))

    again = load_settings().settings
    assert again.retries == 4
    assert again.role_models == "analyst=claude-haiku-4-5, designer=claude-haiku-4-5"
    assert (again.fallback, again.budget_usd) == ("openai_compatible:llama3.1", 2.5)
    reopened = SettingsDialog(again)
    qtbot.addWidget(reopened)
    assert (reopened.retries.value(), reopened.budget.value()) == (4, 2.5)
    assert reopened.fallback.text() == "openai_compatible:llama3.1"


def test_a_bad_fallback_is_explained_and_offline_offers_none_of_these(qtbot, app_dirs) -> None:
    dialog = SettingsDialog(AppSettings(provider="anthropic"))
    qtbot.addWidget(dialog)
    dialog.fallback.setText("offline")
    dialog.save()
    assert "is not provider:model with a model provider" in dialog.error.text()
    assert not (app_dirs / "config" / "settings.json").exists()
    dialog.provider.setCurrentIndex(dialog.provider.findData("offline"))
    fields = (dialog.retries, dialog.role_models, dialog.fallback, dialog.budget)
    assert not any(field.isEnabled() for field in fields)
