"""How to run a workflow: the options a run (or a regeneration) is given."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from spec_automation.core.ports import RunMode
from spec_automation.settings import AppSettings

__all__ = ["RunOptions"]


_SETTINGS = AppSettings()  # the defaults of a run's provider options


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
    max_tokens: int = _SETTINGS.max_tokens
    temperature: float = _SETTINGS.temperature
    use_cache: bool = _SETTINGS.use_cache  # False: --no-cache, every phase asks its provider

    @classmethod
    def from_settings(cls, settings: AppSettings, **overrides: Any) -> RunOptions:
        """The options the user's saved settings describe, with ``overrides`` applied.

        The CLI and the GUI both start from here, so a run behaves the same from either.
        """
        base = cls(
            concurrency=settings.concurrency,
            rate_limit_per_minute=settings.rate_limit_per_minute or None,
            phase_timeout_s=settings.phase_timeout_s,
            latency_scale=settings.latency_scale,
            provider=settings.provider,
            model=settings.model,
            max_tokens=settings.max_tokens,
            temperature=settings.temperature,
            use_cache=settings.use_cache,
        )
        return dataclasses.replace(base, **overrides)
