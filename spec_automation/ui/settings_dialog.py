"""The settings dialog, in two tabs. Model: provider, server (for an OpenAI-compatible one),
model, API key, retries, models per role, a fallback and a budget per run. Running and app:
concurrency, rate limit, offline latency, theme, autosave interval, git, and whether
formatting-only edits open the impact dialog.

Claude and the OpenAI-compatible server each keep their own model and key: the Model and API
key fields show those of the provider chosen. The server's address comes from a preset (Ollama,
llama.cpp, vLLM, LM Studio) or is typed. The API key is never shown: the field is masked,
starts empty, and only says where the key currently comes from. A typed key is saved to the
system keyring; when there is no keyring the field is disabled and the dialog says where the
key is read from instead. "Test" checks Claude's key, or lists the server's models, in a
worker thread, so the window never waits on the network.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from spec_automation.llm.keys import (
    ENV_VARS,
    KeyStoreError,
    keyring_problem,
    load_api_key,
    store_api_key,
)
from spec_automation.settings import (
    MAX_RETRIES,
    PROVIDERS,
    SERVER_PRESETS,
    THEMES,
    AppSettings,
    SettingsError,
    save_settings,
)
from spec_automation.ui.tasks import spawn

__all__ = ["SettingsDialog", "list_server_models", "test_anthropic_key"]

KeyTester = Callable[[str, str], str]
#: (server address, key or None) → the models it serves; raises ProviderError in a sentence.
ModelLister = Callable[[str, "str | None"], list[str]]

_LABELS = {
    "offline": "Offline (no network, deterministic)",
    "anthropic": "Anthropic (Claude)",
    "openai_compatible": "OpenAI-compatible server (Ollama, llama.cpp, vLLM, LM Studio)",
}
_OTHER_ADDRESS = "Other address"


def list_server_models(base_url: str, key: str | None) -> list[str]:
    """The models the OpenAI-compatible server at ``base_url`` serves (blocking; the SDK is
    loaded only when Test is pressed)."""
    from spec_automation.llm.openai_compatible import list_models

    return list_models(base_url, key)


def _form_page(*rows: tuple[str, QWidget | QLayout]) -> QWidget:
    """A tab of labelled rows."""
    page = QWidget()
    form = QFormLayout(page)
    form.setContentsMargins(0, 12, 0, 0)
    form.setHorizontalSpacing(16)
    form.setVerticalSpacing(8)
    for label, field in rows:
        form.addRow(label, field)
    return page


def _key_owner(provider: str) -> str:
    """Whose key and model the dialog shows for ``provider`` (offline shows Claude's)."""
    return "openai_compatible" if provider == "openai_compatible" else "anthropic"


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
        model_lister: ModelLister = list_server_models,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle("Settings")
        self.setMinimumWidth(640)
        self.settings = settings
        self.key_tester = key_tester
        self.model_lister = model_lister
        #: Each provider's model while the dialog is open (the field shows the chosen one's).
        self._models = {"anthropic": settings.model, "openai_compatible": settings.openai_model}
        self._owner = _key_owner(settings.provider)

        self.provider = QComboBox()
        for name in PROVIDERS:
            self.provider.addItem(_LABELS[name], name)
        self.provider.setCurrentIndex(PROVIDERS.index(settings.provider))
        self.model = QLineEdit(self._models[self._owner])
        self.model.setObjectName("model")
        self.preset = QComboBox()
        self.preset.setObjectName("serverPreset")
        for preset in SERVER_PRESETS:
            self.preset.addItem(f"{preset.label} ({preset.base_url})", preset.base_url)
        self.preset.addItem(_OTHER_ADDRESS, "")
        self.base_url = QLineEdit(settings.openai_base_url)
        self.base_url.setObjectName("baseUrl")
        self.base_url.setPlaceholderText("http://host:port/v1")
        self.api_key = QLineEdit()
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setObjectName("apiKey")
        self.test_button = QPushButton("Test")
        self.key_note = QLabel()
        self.key_note.setWordWrap(True)
        self.key_note.setProperty("role", "caption")
        # Its longest sentence takes three lines at the dialog's width; the tab's layout does
        # not pass the wrapped height up, so the room is kept for them (nothing is cut off).
        self.key_note.setMinimumHeight(self.key_note.fontMetrics().lineSpacing() * 3 + 2)
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        self.test_result.setProperty("role", "caption")
        self.test_result.hide()
        self.retries = QSpinBox(minimum=0, maximum=MAX_RETRIES, value=settings.retries)
        self.retries.setObjectName("retries")
        self.retries.setSpecialValueText("none")
        self.retries.setToolTip(
            "Retries of a call that failed for a passing reason (overload, rate limit, server "
            "error, dropped connection); each retry is shown in the run's log"
        )
        self.role_models = QLineEdit(settings.role_models)
        self.role_models.setObjectName("roleModels")
        self.role_models.setPlaceholderText(
            "e.g. analyst=claude-haiku-4-5, designer=claude-haiku-4-5"
        )
        self.role_models.setToolTip(
            "A model per role for the phases whose spec names none; the others use Model"
        )
        self.fallback = QLineEdit(settings.fallback)
        self.fallback.setObjectName("fallback")
        self.fallback.setPlaceholderText("none, or e.g. openai_compatible:llama3.1")
        self.fallback.setToolTip(
            "Where a call goes when the provider stays overloaded or unreachable after its "
            "retries: anthropic:MODEL or openai_compatible:MODEL (on the Server above)"
        )
        self.budget = QDoubleSpinBox(minimum=0.0, maximum=10_000.0, decimals=2, singleStep=0.5)
        self.budget.setObjectName("budget")
        self.budget.setPrefix("$")
        self.budget.setSpecialValueText("no limit")
        self.budget.setValue(settings.budget_usd)
        self.budget.setToolTip(
            "The most one run may spend: it stops before a call that could take it past this, "
            "and can be resumed"
        )
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
        server_column = QVBoxLayout()
        server_column.setSpacing(4)
        server_column.addWidget(self.preset)
        server_column.addWidget(self.base_url)
        self.pages = QTabWidget()
        self.pages.setObjectName("settingsPages")
        self.pages.setDocumentMode(True)
        model_page = _form_page(
            ("Provider", self.provider),
            ("Server", server_column),
            ("Model", self.model),
            ("API key", key_column),
            ("Retries", self.retries),
            ("Models per role", self.role_models),
            ("Fallback", self.fallback),
            ("Budget per run", self.budget),
        )
        app_page = _form_page(
            ("Concurrency", self.concurrency),
            ("Rate limit", self.rate_limit),
            ("Offline latency scale", self.latency),
            ("Theme", self.theme),
            ("Back up unsaved edits after", self.autosave),
            ("Git", self.git),
            ("Impact analysis", self.cosmetic_impact),
        )
        self.pages.addTab(model_page, "&Model")
        self.pages.addTab(app_page, "&Running and app")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.setSpacing(16)
        layout.addWidget(self.pages)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

        self.test_button.clicked.connect(self.test_connection)
        self.provider.currentIndexChanged.connect(self._provider_changed)
        self.preset.activated.connect(self._preset_chosen)
        self.base_url.textChanged.connect(self._show_preset)
        self._show_preset()
        self._provider_changed()

    def _describe_key(self) -> None:
        owner = self._owner
        variable = ENV_VARS[owner]
        problem = keyring_problem(owner)
        found = load_api_key(owner)
        self.api_key.setEnabled(not problem)
        optional = " The key is optional: local servers take none." if owner != "anthropic" else ""
        if problem:
            self.api_key.setPlaceholderText(f"read from {variable}")
            where = (
                f"A key is set in {variable}."
                if found.source == "environment"
                else f"No key is set in {variable}."
            )
            self.key_note.setText(
                "No system keyring is available on this machine, so the key is read from "
                f"the {variable} environment variable. {where}{optional}"
            )
        elif found.source == "environment":
            self.api_key.setPlaceholderText(f"using {variable}; type a key to save one")
            self.key_note.setText(
                f"The key comes from the {variable} environment variable, "
                "which wins over a saved key."
            )
        elif found.source == "keyring":
            self.api_key.setPlaceholderText("•••••••• saved; type a new key to replace it")
            self.key_note.setText("A key is saved in the system keyring.")
        elif owner == "anthropic":
            self.api_key.setPlaceholderText("paste your Anthropic API key")
            self.key_note.setText("No key yet: it will be saved in the system keyring.")
        else:
            self.api_key.setPlaceholderText("only if the server asks for one")
            self.key_note.setText(
                "The key is optional (local servers take none) and none is sent now; a key "
                "typed here is saved in the system keyring."
            )

    def _provider_changed(self) -> None:
        provider = self.provider.currentData()
        owner = _key_owner(provider)
        if owner != self._owner:  # keep what was typed for the other provider
            self._models[self._owner] = self.model.text().strip()
            self._owner = owner
            self.model.setText(self._models[owner])
            self.api_key.clear()
            self.test_result.hide()
        self._describe_key()
        has_model = provider != "offline"
        server = provider == "openai_compatible"
        self.test_button.setEnabled(has_model)
        self.model.setEnabled(has_model)
        for field in (self.retries, self.role_models, self.fallback, self.budget):
            field.setEnabled(has_model)  # the offline authors make no call
        self.preset.setEnabled(server)
        self.base_url.setEnabled(server)
        self.model.setToolTip(
            "The model every phase uses: Test lists the ones the server has"
            if server
            else "The Claude model every phase uses"
            if has_model
            else "The offline provider uses no model: choose Anthropic or a server to pick one"
        )
        self.test_button.setToolTip(
            "List the models the server has" if server else "Check the API key with Anthropic"
        )
        self.latency.setEnabled(not has_model)

    def _preset_chosen(self, index: int) -> None:
        address = self.preset.itemData(index)
        if address:
            self.base_url.setText(address)

    def _show_preset(self) -> None:
        """The preset combo names the preset whose address the field holds, else 'Other'."""
        found = self.preset.findData(self.base_url.text().strip().rstrip("/"))
        self.preset.setCurrentIndex(found if found >= 0 else self.preset.count() - 1)

    def edited_settings(self) -> AppSettings:
        """The settings as the dialog shows them (raises SettingsError when one is invalid)."""
        models = {**self._models, self._owner: self.model.text().strip()}
        return dataclasses.replace(
            self.settings,
            provider=self.provider.currentData(),
            model=models["anthropic"],
            openai_model=models["openai_compatible"],
            openai_base_url=self.base_url.text().strip(),
            retries=self.retries.value(),
            role_models=self.role_models.text().strip(),
            fallback=self.fallback.text().strip(),
            budget_usd=round(self.budget.value(), 2),
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
        spawn(self._save(chosen, self.api_key.text().strip(), self._owner), name="save settings")

    async def _save(self, chosen: AppSettings, key: str, owner: str) -> None:
        try:
            if key:
                await asyncio.to_thread(store_api_key, key, owner)
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

    def test_connection(self) -> None:
        """Test what the chosen provider needs: Claude's key, or the server and its models."""
        if self.provider.currentData() == "openai_compatible":
            self.list_models()
        else:
            self.test_key()

    def test_key(self) -> None:
        """Check the typed key (or the one in use) against the provider."""
        key = self.api_key.text().strip() or (load_api_key().key or "")
        if not key:
            self.test_result.show()
            variable = ENV_VARS["anthropic"]
            self.test_result.setText(f"There is no key to test: type one, or set {variable}.")
            return
        self._testing()
        spawn(self._test(key, self.model.text().strip()), name="test API key")

    async def _test(self, key: str, model: str) -> None:
        try:
            self.test_result.setText(await asyncio.to_thread(self.key_tester, key, model))
        finally:
            self.test_button.setEnabled(True)

    def list_models(self) -> None:
        """Ask the server for its models (in a worker thread) and show them."""
        address = self.base_url.text().strip()
        if not address:
            self.test_result.show()
            self.test_result.setText("There is no server address to test: choose or type one.")
            return
        key = self.api_key.text().strip() or load_api_key("openai_compatible").key
        self._testing()
        spawn(self._list(address, key), name="list the server's models")

    async def _list(self, address: str, key: str | None) -> None:
        from spec_automation.llm.provider import ProviderError

        try:
            models = await asyncio.to_thread(self.model_lister, address, key)
        except ProviderError as exc:
            self.test_result.setText(_sentence(str(exc)))
            return
        finally:
            self.test_button.setEnabled(True)
        self.test_result.setText(self._describe_models(address, models))

    def _describe_models(self, address: str, models: list[str]) -> str:
        if not models:
            return (
                f"The server at {address} answers but has no model yet "
                "(with Ollama: ollama pull llama3.2)."
            )
        completer = QCompleter(models, self.model)
        self.model.setCompleter(completer)
        chosen = self.model.text().strip()
        if not chosen:
            self.model.setText(models[0])
            chosen = models[0]
        count = f"{len(models)} model{'s' if len(models) != 1 else ''}"
        found = f"The server at {address} has {count}: {', '.join(models)}."
        if chosen not in models:
            return f"{found} The model {chosen!r} is not among them."
        return found

    def _testing(self) -> None:
        self.test_result.show()
        self.test_result.setText("Testing…")
        self.test_button.setEnabled(False)


def _sentence(text: str) -> str:
    """``text`` as a sentence: a capital first letter and a full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
