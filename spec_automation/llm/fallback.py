"""A fallback chain: when the run's provider stays overloaded or unreachable after its own
retries, the same request goes to a fallback model, and the reply says who wrote it.

Only passing trouble moves a call to the fallback (an overload, a rate limit, a server error,
a dropped connection); a refused key or a bad request is the user's to fix and is said as is.
What the failed attempt was billed is added to the fallback's reply, so no spending is hidden.
"""

from __future__ import annotations

import dataclasses

from spec_automation.core.ports import ProgressCallback
from spec_automation.llm.provider import Provider, ProviderError, ProviderReply, ProviderRequest

__all__ = ["FALLBACK_KINDS", "FallbackProvider"]

#: The kinds of ``ProviderError`` a fallback answers for.
FALLBACK_KINDS = frozenset({"overloaded", "rate_limited", "server_error", "unreachable"})


class FallbackProvider:
    """The primary provider, and a fallback asked when the primary's trouble persists.

    It names itself as the primary (the cache key and the prompt cache follow the primary); a
    reply the fallback wrote carries ``answered_by``.
    """

    def __init__(self, primary: Provider, fallback: Provider) -> None:
        self.primary = primary
        self.fallback = fallback

    @property
    def name(self) -> str:
        """The primary's name."""
        return self.primary.name

    @property
    def model(self) -> str:
        """The primary's model."""
        return self.primary.model

    @property
    def takes_temperature(self) -> bool:
        """Whether the primary takes a temperature."""
        return self.primary.takes_temperature

    @property
    def endpoint(self) -> str:
        """The primary's server, where its model's name does not say it."""
        return self.primary.endpoint

    @property
    def chain(self) -> tuple[Provider, Provider]:
        """The providers a call may go to, in order."""
        return (self.primary, self.fallback)

    async def complete(self, request: ProviderRequest, progress: ProgressCallback) -> ProviderReply:
        """The primary's reply, or the fallback's when the primary's trouble persists."""
        try:
            return await self.primary.complete(request, progress)
        except ProviderError as exc:
            if exc.kind not in FALLBACK_KINDS:
                raise
            trouble = exc
        progress(
            0,
            f"falling back to {self.fallback.name} {self.fallback.model}: "
            f"{self.primary.model} {trouble.kind.replace('_', ' ')} ({trouble})",
        )
        try:
            reply = await self.fallback.complete(request, progress)
        except ProviderError as exc:
            raise exc.billed(trouble.usage, trouble.cost_usd) from None
        return dataclasses.replace(
            reply,
            usage=reply.usage + trouble.usage,
            cost_usd=reply.cost_usd + trouble.cost_usd,
            answered_by=(self.fallback.name, self.fallback.model),
        )

    async def aclose(self) -> None:
        """Release both providers' connections."""
        await self.primary.aclose()
        await self.fallback.aclose()
