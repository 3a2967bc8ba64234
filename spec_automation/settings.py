"""The user's application settings and the folders the app keeps its own files in.

Settings are a frozen dataclass saved as JSON in the user's configuration folder. Both the
CLI and the GUI read them; the GUI's settings dialog writes them. A damaged or unreadable
settings file never stops the app: the defaults are used and the problem is reported once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from spec_automation.core.providers import PROVIDERS
from spec_automation.workspace import write_atomic

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_MODEL",
    "PROVIDERS",
    "SERVER_PRESETS",
    "THEMES",
    "AppSettings",
    "ServerPreset",
    "SettingsError",
    "SettingsLoad",
    "config_dir",
    "data_dir",
    "load_settings",
    "log_dir",
    "parse_fallback",
    "parse_role_models",
    "resolve_base_url",
    "save_settings",
    "settings_path",
]

# The one place a model name is written down; everything else reads it from the settings.
DEFAULT_MODEL = "claude-sonnet-4-6"  # claude-sonnet-4-5 is deprecated (end of life 2026-11-30)
THEMES = ("dark", "light")
_MAX_RECENT = 10


class SettingsError(ValueError):
    """A setting has a value the app cannot use; the message names the setting."""


@dataclass(frozen=True, slots=True)
class ServerPreset:
    """A local model server that speaks the OpenAI-compatible API, at its usual address."""

    name: str  # what ``--base-url`` also takes in place of the address
    label: str
    base_url: str


SERVER_PRESETS = (
    ServerPreset("ollama", "Ollama", "http://localhost:11434/v1"),
    ServerPreset("llama.cpp", "llama.cpp server", "http://localhost:8080/v1"),
    ServerPreset("vllm", "vLLM", "http://localhost:8000/v1"),
    ServerPreset("lm-studio", "LM Studio", "http://localhost:1234/v1"),
)
DEFAULT_BASE_URL = SERVER_PRESETS[0].base_url


def resolve_base_url(text: str) -> str:
    """The server address ``text`` names: a preset's name (``ollama``) or an http(s) URL.

    Raises ``SettingsError`` for anything else.
    """
    wanted = text.strip()
    for preset in SERVER_PRESETS:
        if wanted.lower() == preset.name:
            return preset.base_url
    parts = urlsplit(wanted)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        names = ", ".join(preset.name for preset in SERVER_PRESETS)
        raise SettingsError(
            f"the server address {wanted!r} is not an http:// or https:// URL (or one of {names})"
        )
    return wanted.rstrip("/")


def parse_role_models(text: str) -> dict[str, str]:
    """``role=model`` pairs separated by commas (``analyst=claude-haiku-4-5``), as a mapping.

    Raises ``SettingsError`` naming the pair that is not ``role=model``.
    """
    chosen: dict[str, str] = {}
    for pair in (p.strip() for p in text.split(",")):
        if not pair:
            continue
        role, sep, model = (part.strip() for part in pair.partition("="))
        if not sep or not role or not model or not role.replace("_", "").isalnum():
            raise SettingsError(
                f"models per role: {pair!r} is not role=model (like analyst=claude-haiku-4-5)"
            )
        chosen[role] = model
    return chosen


def parse_fallback(text: str) -> tuple[str, str] | None:
    """``provider:model`` (``anthropic:claude-haiku-4-5``, ``openai_compatible:llama3.1``) as a
    pair, or None for ''. A model provider only: the offline authors answer no prompt.

    Raises ``SettingsError`` for anything else.
    """
    wanted = text.strip()
    if not wanted:
        return None
    provider, _, model = (part.strip() for part in wanted.partition(":"))
    if provider not in ("anthropic", "openai_compatible") or not model:
        raise SettingsError(
            f"fallback: {wanted!r} is not provider:model with a model provider "
            "(like anthropic:claude-haiku-4-5 or openai_compatible:llama3.1)"
        )
    return provider, model


#: The most retries of one call the settings and the command line accept.
MAX_RETRIES = 10


@dataclass(frozen=True, kw_only=True)
class AppSettings:
    """Everything the user can configure, with sensible defaults."""

    provider: str = "offline"
    model: str = DEFAULT_MODEL  # Claude's
    # The OpenAI-compatible server (a local one, usually) and the model it serves.
    openai_base_url: str = DEFAULT_BASE_URL
    openai_model: str = ""
    max_tokens: int = 8192
    temperature: float = 0.2
    #: Retries of a call that failed for a passing reason (overload, rate limit, server
    #: error, dropped connection), each shown in the run's progress.
    retries: int = 2
    concurrency: int = 4
    rate_limit_per_minute: int = 0  # 0: no limit
    phase_timeout_s: float = 900.0
    latency_scale: float = 0.04
    use_cache: bool = True
    theme: str = "dark"
    autosave_interval_s: float = 2.0
    git_enabled: bool = True
    # A formatting-only edit that leaves everything downstream LOW gives a quiet notification;
    # True opens the impact dialog for it too.
    impact_dialog_for_cosmetic: bool = False
    #: A model per role for the run's provider ("analyst=claude-haiku-4-5, architect=..."),
    #: for phases whose spec names none; '' for the run's model everywhere.
    role_models: str = ""
    #: Where a call goes when the run's provider stays overloaded or unreachable after its
    #: retries ("anthropic:MODEL" or "openai_compatible:MODEL"); '' for no fallback.
    fallback: str = ""
    #: The most a run may spend, in US dollars (0: no limit).
    budget_usd: float = 0.0
    recent_projects: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        checks: list[tuple[bool, str]] = [
            (self.provider in PROVIDERS, f"provider must be one of {', '.join(PROVIDERS)}"),
            (bool(self.model.strip()), "model must not be empty"),
            (
                self.provider != "openai_compatible" or bool(self.openai_model.strip()),
                "the OpenAI-compatible server's model must be named (Test lists its models)",
            ),
            (1 <= self.max_tokens <= 200_000, "max_tokens must be between 1 and 200000"),
            (0.0 <= self.temperature <= 1.0, "temperature must be between 0 and 1"),
            (0 <= self.retries <= MAX_RETRIES, f"retries must be between 0 and {MAX_RETRIES}"),
            (1 <= self.concurrency <= 64, "concurrency must be between 1 and 64"),
            (self.rate_limit_per_minute >= 0, "rate_limit_per_minute must be 0 or more"),
            (self.phase_timeout_s > 0, "phase_timeout_s must be more than 0"),
            (0.0 <= self.latency_scale <= 10.0, "latency_scale must be between 0 and 10"),
            (self.theme in THEMES, f"theme must be one of {', '.join(THEMES)}"),
            (0.2 <= self.autosave_interval_s <= 60.0, "autosave_interval_s must be 0.2 to 60"),
            (self.budget_usd >= 0, "budget_usd must be 0 (no limit) or more"),
        ]
        for ok, message in checks:
            if not ok:
                raise SettingsError(message)
        try:
            resolve_base_url(self.openai_base_url)
        except SettingsError as exc:
            raise SettingsError(f"openai_base_url: {exc}") from None
        parse_role_models(self.role_models)
        parse_fallback(self.fallback)

    def with_recent(self, project: Path) -> AppSettings:
        """These settings with ``project`` first among the recent projects."""
        text = str(project.resolve())
        recent = (text, *(p for p in self.recent_projects if p != text))
        return dataclasses.replace(self, recent_projects=recent[:_MAX_RECENT])

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        data = dataclasses.asdict(self)
        data["recent_projects"] = list(self.recent_projects)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AppSettings:
        """Settings from saved data; unknown keys are ignored, wrong types are refused."""
        known = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        defaults = cls()
        for name, value in data.items():
            if name not in known:
                continue
            default = getattr(defaults, name)
            if name == "recent_projects":
                if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
                    raise SettingsError("recent_projects must be a list of folder paths")
                values[name] = tuple(value)
            elif isinstance(default, bool):
                if not isinstance(value, bool):
                    raise SettingsError(f"{name} must be true or false")
                values[name] = value
            elif isinstance(default, float):
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise SettingsError(f"{name} must be a number")
                values[name] = float(value)
            elif isinstance(default, int):
                if isinstance(value, bool) or not isinstance(value, int):
                    raise SettingsError(f"{name} must be a whole number")
                values[name] = value
            else:
                if not isinstance(value, str):
                    raise SettingsError(f"{name} must be text")
                values[name] = value
        return cls(**values)


@dataclass(frozen=True)
class SettingsLoad:
    """Loaded settings, and the problem with the file when the defaults had to be used."""

    settings: AppSettings
    problem: str = ""


_APP = "spec_automation"


def config_dir() -> Path:
    """Where settings live: the system's place for them (``~/.config/spec_automation`` on
    Linux, ``%LOCALAPPDATA%`` on Windows, ``~/Library/Application Support`` on macOS);
    ``$SPEC_AUTOMATION_CONFIG_DIR`` overrides it (the tests use it)."""
    override = os.environ.get("SPEC_AUTOMATION_CONFIG_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_config_dir(_APP, appauthor=False))


def data_dir() -> Path:
    """Where editor backups and the sample project live (``~/.local/share/spec_automation``
    on Linux); ``$SPEC_AUTOMATION_DATA_DIR`` overrides it."""
    override = os.environ.get("SPEC_AUTOMATION_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir(_APP, appauthor=False))


def log_dir() -> Path:
    """Where the app's logs go (``~/.local/state/spec_automation/log`` on Linux); under the
    data folder when ``$SPEC_AUTOMATION_DATA_DIR`` overrides that."""
    if os.environ.get("SPEC_AUTOMATION_DATA_DIR"):
        return data_dir() / "logs"
    import platformdirs

    return Path(platformdirs.user_log_dir(_APP, appauthor=False))


#: A log grows to this size, then the previous one (``NAME.log.1``) is replaced by it.
LOG_ROTATE_BYTES = 1024 * 1024


def prepare_private_log(path: Path) -> None:
    """Make ``path`` ready to append to: its folder exists, a log over ``LOG_ROTATE_BYTES``
    becomes ``NAME.1`` (one older log is kept), and the file is readable by its owner only
    (a traceback can hold file names and text from the user's project)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        if path.stat().st_size > LOG_ROTATE_BYTES:
            os.replace(path, path.with_name(path.name + ".1"))
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
    os.chmod(path, 0o600)


def settings_path() -> Path:
    """The settings file."""
    return config_dir() / "settings.json"


def load_settings(path: Path | None = None) -> SettingsLoad:
    """The saved settings, or the defaults (with the reason) when the file is missing or bad."""
    target = path or settings_path()
    try:
        raw = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        return SettingsLoad(AppSettings())
    except OSError as exc:
        return SettingsLoad(AppSettings(), f"{target}: cannot be read ({exc.strerror})")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        return SettingsLoad(AppSettings(), f"{target}: not valid JSON (line {exc.lineno})")
    if not isinstance(data, dict):
        return SettingsLoad(AppSettings(), f"{target}: expected a JSON object")
    try:
        return SettingsLoad(AppSettings.from_dict(data))
    except SettingsError as exc:
        return SettingsLoad(AppSettings(), f"{target}: {exc}; using the defaults")


def save_settings(settings: AppSettings, path: Path | None = None) -> Path:
    """Write the settings atomically and return the file written."""
    target = path or settings_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, json.dumps(settings.to_dict(), indent=2, sort_keys=True) + "\n")
    return target
