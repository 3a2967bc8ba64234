"""How to run a workflow: the options a run (or a regeneration) is given."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from spec_automation.core.ports import RunMode
from spec_automation.settings import AppSettings

__all__ = ["EDIT_CHOICES", "RECORDED_OPTIONS", "RunOptions"]

#: What a run may do with the user's edits it would rewrite.
EDIT_CHOICES = ("ask", "keep", "overwrite")
#: Options a run records and a resumed run goes on with.
RECORDED_OPTIONS = (
    "provider",
    "model",
    "base_url",
    "max_tokens",
    "temperature",
    "retries",
    "use_cache",
    "latency_scale",
    "role_models",
    "fallback",
    "budget_usd",
)


_SETTINGS = AppSettings()  # the defaults of a run's provider options

#: The run options a user's saved settings set (same names in both).
_FROM_SETTINGS = (
    "concurrency",
    "rate_limit_per_minute",
    "phase_timeout_s",
    "latency_scale",
    "provider",
    "model",
    "max_tokens",
    "temperature",
    "retries",
    "use_cache",
    "role_models",
    "fallback",
    "budget_usd",
)


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How to run a workflow.

    The provider options default to the application's settings defaults; the CLI and the GUI
    pass the user's saved settings.
    """

    mode: RunMode = RunMode.PARALLEL
    concurrency: int = 4
    rate_limit_per_minute: float | None = None
    phase_timeout_s: float | None = 900.0
    latency_scale: float = _SETTINGS.latency_scale
    auto_approve: bool = False
    resume: bool = False
    gate_poll_interval_s: float = 0.5
    provider: str = _SETTINGS.provider
    model: str = _SETTINGS.model
    base_url: str = _SETTINGS.openai_base_url  # the OpenAI-compatible server's address
    max_tokens: int = _SETTINGS.max_tokens
    temperature: float = _SETTINGS.temperature
    retries: int = _SETTINGS.retries  # of a call that failed for a passing reason
    use_cache: bool = _SETTINGS.use_cache  # False: --no-cache, every phase asks its provider
    role_models: str = _SETTINGS.role_models  # "analyst=MODEL, ...": a model per role
    fallback: str = _SETTINGS.fallback  # "provider:model" asked when the provider is down
    budget_usd: float = _SETTINGS.budget_usd  # the most the run may spend (0: no limit)
    everything: bool = False  # --all: every phase runs, not only what is out of date
    #: What to do with artifacts carrying the user's edits that the run would rewrite:
    #: "ask" (refuse, naming them), "keep" (build from them) or "overwrite".
    edits: str = "ask"
    #: Options the user set for this run on purpose (a resumed run keeps the rest as it was).
    explicit: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if self.edits not in EDIT_CHOICES:
            raise ValueError(f"edits must be one of {', '.join(EDIT_CHOICES)}, not {self.edits!r}")

    def recorded(self) -> dict[str, object]:
        """The options a run records, so that resuming it goes on with them."""
        return {name: getattr(self, name) for name in RECORDED_OPTIONS}

    def resumed_with(self, recorded: Mapping[str, object]) -> RunOptions:
        """These options for resuming a run started with ``recorded``: what the run started
        with, except what the user set on purpose now."""
        kept = {
            name: recorded[name]
            for name in RECORDED_OPTIONS
            if name in recorded and name not in self.explicit
        }
        return dataclasses.replace(self, **kept)  # type: ignore[arg-type]

    @classmethod
    def from_settings(cls, settings: AppSettings, **overrides: Any) -> RunOptions:
        """The options the user's saved settings describe, with ``overrides`` applied.

        The CLI and the GUI both start from here, so a run behaves the same from either.
        The model is the one saved for the provider the run uses (Claude's, or the
        OpenAI-compatible server's).
        """
        saved = {name: getattr(settings, name) for name in _FROM_SETTINGS}
        saved["rate_limit_per_minute"] = settings.rate_limit_per_minute or None  # 0: no limit
        saved["base_url"] = settings.openai_base_url
        if overrides.get("provider", settings.provider) == "openai_compatible":
            saved["model"] = settings.openai_model
        return cls(**{**saved, **overrides})
