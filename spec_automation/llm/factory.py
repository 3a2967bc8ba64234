"""Choosing and building the provider a run asks for.

The service names a provider (``offline``, ``anthropic`` or ``openai_compatible``) and the
factory builds it. A
provider's module (and its SDK) is imported only when it is built, so commands that never call
a model never pay for loading one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from spec_automation.llm.keys import ENV_VAR, load_api_key
from spec_automation.llm.retries import DEFAULT_RETRIES
from spec_automation.settings import DEFAULT_BASE_URL, PROVIDERS, SettingsError, resolve_base_url

if TYPE_CHECKING:
    from spec_automation.llm.offline import OfflineProvider
    from spec_automation.llm.provider import Provider

__all__ = ["ProviderFactory", "ProviderSetupError"]


class ProviderSetupError(ValueError):
    """The provider asked for cannot be built; ``str()`` says why and what to do."""


class ProviderFactory:
    """Builds providers by name.

    ``http_client`` is the HTTP client the Anthropic provider sends with (an
    ``httpx2.AsyncClient``; tests and the benchmarks hand in one whose transport is a fake
    Claude server); None uses the SDK's own.
    """

    def __init__(self, *, http_client: Any = None) -> None:
        self.http_client = http_client

    def build(
        self,
        name: str,
        *,
        model: str,
        latency_scale: float,
        base_url: str = "",
        retries: int = DEFAULT_RETRIES,
    ) -> Provider | OfflineProvider:
        """The provider called ``name``; ``base_url`` is the OpenAI-compatible server's address
        ('' for the default, Ollama's); ``retries`` how often a call failing for a passing
        reason is retried.

        Raises ``ProviderSetupError`` when the name is unknown, the provider needs an API key
        that cannot be found, or the OpenAI-compatible provider has no model or a bad address.
        """
        if name == "offline":
            from spec_automation.llm.offline import OfflineProvider

            return OfflineProvider(latency_scale=latency_scale)
        if name == "anthropic":
            lookup = load_api_key()
            if not lookup.key:
                raise ProviderSetupError(
                    f"the anthropic provider needs an API key and none was found "
                    f"({lookup.notice}); set {ENV_VAR}, save a key in Settings, "
                    "or choose the offline provider (in Settings, or --provider offline)"
                )
            from spec_automation.llm.claude import ClaudeProvider  # the SDK loads here

            return ClaudeProvider(
                api_key=lookup.key,
                model=model,
                max_retries=retries,
                http_client=self.http_client,
            )
        if name == "openai_compatible":
            return _openai_compatible(model, base_url, retries)
        raise ProviderSetupError(
            f"unknown provider {name!r} (choose one of {', '.join(PROVIDERS)})"
        )


def _openai_compatible(model: str, base_url: str, retries: int) -> Provider:
    """The OpenAI-compatible provider; its key (optional) from the environment or keyring."""
    if not model.strip():
        raise ProviderSetupError(
            "the openai_compatible provider needs a model name: pass --model NAME or choose "
            "one in Settings (Test there lists the models the server has)"
        )
    try:
        address = resolve_base_url(base_url or DEFAULT_BASE_URL)
    except SettingsError as exc:
        raise ProviderSetupError(str(exc)) from None
    key = load_api_key("openai_compatible").key  # local servers take none
    from spec_automation.llm.openai_compatible import OpenAICompatibleProvider  # the SDK loads

    return OpenAICompatibleProvider(
        base_url=address, model=model.strip(), api_key=key, max_retries=retries
    )
