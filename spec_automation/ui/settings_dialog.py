"""The settings dialog: provider, model, API key, concurrency, rate limit, offline latency,
theme, autosave interval, git, and whether formatting-only edits open the impact dialog.

The API key is never shown: the field is masked, starts empty, and only says where the key
currently comes from. A typed key is saved to the system keyring; when there is no keyring the
field is disabled and the dialog says where the key is read from instead. "Test" checks a key
against the provider in a worker thread.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from spec_automation.llm.keys import (
    ENV_VAR,
    KeyStoreError,
    keyring_problem,
    load_api_key,
    store_api_key,
)
from spec_automation.settings import (
    PROVIDERS,
    THEMES,
    AppSettings,
    SettingsError,
    save_settings,
)
from spec_automation.ui.tasks import spawn

__all__ = ["SettingsDialog", "test_anthropic_key"]

KeyTester = Callable[[str, str], str]


def test_anthropic_key(key: str, model: str) -> str:
    """Ask Anthropic whether the key works (one tiny request); a sentence saying how it went."""
    import anthropic

    try:
        client = anthropic.Anthropic(api_key=key, timeout=15.0, max_retries=0)
        client.models.retrieve(model)
    except anthropic.AuthenticationError:
        return "The key was refused: check that it is copied completely."
    except anthropic.NotFoundError:
        return f"The key works, but the model {model!r} was not found."
    except anthropic.APIConnectionError:
        return "Could not reach Anthropic: check the network connection."
    except anthropic.APIError as exc:
        return f"Anthropic answered with an error ({type(exc).__name__})."
    return f"The key works and can use {model}."


class SettingsDialog(QDialog):
    """Edit and save the application settings (objectName ``settingsDialog``)."""

    settingsSaved = Signal(object)

    def __init__(
        self,
        settings: AppSettings,
        parent: QWidget | None = None,
        *,
        key_tester: KeyTester = test_anthropic_key,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.setMinimumWidth(640)
        self.settings = settings
        self.key_tester = key_tester

        self.provider = QComboBox()
        for name in PROVIDERS:
            self.provider.addItem(
                "Offline (no network, deterministic)"
                if name == "offline"
                else "Anthropic (Claude)",
                name,
            )
        self.provider.setCurrentIndex(PROVIDERS.index(settings.provider))
        self.model = QLineEdit(settings.model)
        self.api_key = QLineEdit()
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setObjectName("apiKey")
        self.test_button = QPushButton("Test")
        self.key_note = QLabel()
        self.key_note.setWordWrap(True)
        self.key_note.setProperty("role", "caption")
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        self.test_result.setProperty("role", "caption")
        self.test_result.hide()
        self.concurrency = QSpinBox(minimum=1, maximum=64, value=settings.concurrency)
        self.rate_limit = QSpinBox(minimum=0, maximum=100_000, value=settings.rate_limit_per_minute)
        self.rate_limit.setSpecialValueText("no limit")
        self.rate_limit.setSuffix(" a minute")
        self.latency = QDoubleSpinBox(minimum=0.0, maximum=10.0, decimals=3, singleStep=0.01)
        self.latency.setValue(settings.latency_scale)
        self.theme = QComboBox()
        for name in THEMES:
            self.theme.addItem(name.capitalize(), name)
        self.theme.setCurrentIndex(THEMES.index(settings.theme))
        self.autosave = QDoubleSpinBox(minimum=0.2, maximum=60.0, decimals=1, singleStep=0.5)
        self.autosave.setSuffix(" s")
        self.autosave.setValue(settings.autosave_interval_s)
        self.git = QCheckBox("Commit artifacts to the project's git repository")
        self.git.setToolTip("Each saved or generated artifact is also committed with git")
        self.git.setChecked(settings.git_enabled)
        self.cosmetic_impact = QCheckBox("Ask also after edits that change only formatting")
        self.cosmetic_impact.setObjectName("impactDialogForCosmetic")
        self.cosmetic_impact.setToolTip(
            "Off: an edit that changes only formatting, and so affects nothing downstream, "
            "gives a quiet notification instead of the impact dialog"
        )
        self.cosmetic_impact.setChecked(settings.impact_dialog_for_cosmetic)
        self.error = QLabel()
        self.error.setProperty("role", "error")
        self.error.setWordWrap(True)
        self.error.hide()

        key_row = QHBoxLayout()
        key_row.setSpacing(8)
        key_row.addWidget(self.api_key, 1)
        key_row.addWidget(self.test_button)
        key_column = QVBoxLayout()
        key_column.setSpacing(4)
        key_column.addLayout(key_row)
        key_column.addWidget(self.key_note)
        key_column.addWidget(self.test_result)
        form = QFormLayout()
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(8)
        form.addRow("Provider", self.provider)
        form.addRow("Model", self.model)
        form.addRow("API key", key_column)
        form.addRow("Concurrency", self.concurrency)
        form.addRow("Rate limit", self.rate_limit)
        form.addRow("Offline latency scale", self.latency)
        form.addRow("Theme", self.theme)
        form.addRow("Back up unsaved edits after", self.autosave)
        form.addRow("Git", self.git)
        form.addRow("Impact analysis", self.cosmetic_impact)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(16)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

        self.test_button.clicked.connect(self.test_key)
        self.provider.currentIndexChanged.connect(self._provider_changed)
        self._describe_key()
        self._provider_changed()

    def _describe_key(self) -> None:
        problem = keyring_problem()
        found = load_api_key()
        if problem:
            self.api_key.setEnabled(False)
            self.api_key.setPlaceholderText(f"read from {ENV_VAR}")
            where = (
                f"A key is set in {ENV_VAR}."
                if found.source == "environment"
                else f"No key is set in {ENV_VAR}."
            )
            self.key_note.setText(
                "No system keyring is available on this machine, so the key is read from "
                f"the {ENV_VAR} environment variable. {where}"
            )
        elif found.source == "environment":
            self.api_key.setPlaceholderText(f"using {ENV_VAR}; type a key to save one")
            self.key_note.setText(
                f"The key comes from the {ENV_VAR} environment variable, "
                "which wins over a saved key."
            )
        elif found.source == "keyring":
            self.api_key.setPlaceholderText("•••••••• saved; type a new key to replace it")
            self.key_note.setText("A key is saved in the system keyring.")
        else:
            self.api_key.setPlaceholderText("paste your Anthropic API key")
            self.key_note.setText("No key yet: it will be saved in the system keyring.")

    def _provider_changed(self) -> None:
        anthropic = self.provider.currentData() == "anthropic"
        self.test_button.setEnabled(anthropic)
        self.model.setEnabled(anthropic)
        self.model.setToolTip(
            "The Claude model every phase uses"
            if anthropic
            else "The offline provider uses no model: choose Anthropic to pick one"
        )
        self.latency.setEnabled(not anthropic)

    def edited_settings(self) -> AppSettings:
        """The settings as the dialog shows them (raises SettingsError when one is invalid)."""
        return dataclasses.replace(
            self.settings,
            provider=self.provider.currentData(),
            model=self.model.text().strip(),
            concurrency=self.concurrency.value(),
            rate_limit_per_minute=self.rate_limit.value(),
            latency_scale=self.latency.value(),
            theme=self.theme.currentData(),
            autosave_interval_s=self.autosave.value(),
            git_enabled=self.git.isChecked(),
            impact_dialog_for_cosmetic=self.cosmetic_impact.isChecked(),
        )

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    def save(self) -> None:
        """Check, save (settings file and key) and close; errors stay in the dialog."""
        try:
            chosen = self.edited_settings()
        except SettingsError as exc:
            self._show_error(f"Not saved: {exc}.")
            return
        self.save_button.setEnabled(False)
        spawn(self._save(chosen, self.api_key.text().strip()), name="save settings")

    async def _save(self, chosen: AppSettings, key: str) -> None:
        try:
            if key:
                await asyncio.to_thread(store_api_key, key)
            await asyncio.to_thread(save_settings, chosen)
        except KeyStoreError as exc:
            self._show_error(f"The API key was not saved: {exc}.")
            return
        except OSError as exc:
            self._show_error(f"The settings could not be saved: {exc.strerror or exc}.")
            return
        finally:
            self.save_button.setEnabled(True)
        self.api_key.clear()
        self.settings = chosen
        self.settingsSaved.emit(chosen)
        self.accept()

    def test_key(self) -> None:
        """Check the typed key (or the one in use) against the provider."""
        key = self.api_key.text().strip() or (load_api_key().key or "")
        if not key:
            self.test_result.show()
            self.test_result.setText(f"There is no key to test: type one, or set {ENV_VAR}.")
            return
        self.test_result.show()
        self.test_result.setText("Testing…")
        self.test_button.setEnabled(False)
        spawn(self._test(key, self.model.text().strip()), name="test API key")

    async def _test(self, key: str, model: str) -> None:
        try:
            self.test_result.setText(await asyncio.to_thread(self.key_tester, key, model))
        finally:
            self.test_button.setEnabled(True)
