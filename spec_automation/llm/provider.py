"""The provider protocol: what an agent hands a language model, and what comes back.

A request is split the way prompt caching wants it: ``system`` (the same standing instructions
for every phase), ``shared`` context blocks (the brief, the constitution and upstream artifacts,
in a stable order so parallel phases send the same prefix) and the phase's own ``task``, which
comes last because it differs between phases. A provider streams the reply, reporting tokens as
they come, and returns the text with its token usage and an estimated cost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from spec_automation.core.ports import PhaseError, ProgressCallback, TokenUsage

__all__ = [
    "MAX_CACHE_POINTS",
    "ContextBlock",
    "Provider",
    "ProviderError",
    "ProviderReply",
    "ProviderRequest",
    "cut_off",
]

#: The Messages API accepts at most four ``cache_control`` breakpoints in one request.
MAX_CACHE_POINTS = 4


class ProviderError(PhaseError):
    """A provider could not produce a reply; ``str()`` names the cause and what to do.

    ``retry_after_s`` is the wait the server asked for, when it gave one. ``kind`` says what
    passing trouble it was, once the retries were spent: ``overloaded``, ``rate_limited``,
    ``server_error`` or ``unreachable`` ('' for anything else: a refused key, a bad request).
    """

    def __init__(
        self,
        message: str,
        *,
        retry_after_s: float | None = None,
        kind: str = "",
        usage: TokenUsage | None = None,
        cost_usd: float = 0.0,
    ) -> None:
        super().__init__(message, usage=usage, cost_usd=cost_usd)
        self.retry_after_s = retry_after_s
        self.kind = kind


@dataclass(frozen=True, slots=True)
class ContextBlock:
    """One block of shared context, optionally a prompt-cache breakpoint.

    ``label`` says what the block is (``brief``, ``analysis.md``); ``text`` is sent as is.
    ``cache_point`` marks the end of a prefix worth caching: everything up to and including
    this block is stored by the provider's prompt cache and reused by later requests that start
    with the same blocks.
    """

    label: str
    text: str
    cache_point: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderRequest:
    """Everything one model call needs."""

    system: str
    shared: Sequence[ContextBlock] = ()
    task: str
    max_tokens: int
    temperature: float | None = None  # for providers that take it (Claude's API no longer does)
    deadline_s: float | None = None  # the whole call, streaming included, must end by then
    label: str = ""  # what the call is for (a phase name), for error messages

    def __post_init__(self) -> None:
        points = sum(1 for block in self.shared if block.cache_point)
        if points > MAX_CACHE_POINTS:
            raise ValueError(f"at most {MAX_CACHE_POINTS} cache points, got {points}")


@dataclass(frozen=True, slots=True)
class ProviderReply:
    """A finished reply."""

    text: str
    usage: TokenUsage = field(default_factory=TokenUsage)
    cost_usd: float = 0.0
    stop_reason: str = "end_turn"
    #: The (provider, model) that wrote it when that is not the one asked: a fallback.
    answered_by: tuple[str, str] | None = None


class Provider(Protocol):
    """A language model the agents can call."""

    @property
    def name(self) -> str:
        """Short provider name recorded with every artifact (``anthropic``)."""
        ...

    @property
    def model(self) -> str:
        """The model replies come from."""
        ...

    @property
    def takes_temperature(self) -> bool:
        """Whether a request's ``temperature`` is sent (Claude's API no longer takes it)."""
        ...

    @property
    def endpoint(self) -> str:
        """The server replies come from when the model's name does not say it (an
        OpenAI-compatible server's address: two servers may serve different models under one
        name); '' when the name is enough."""
        ...

    async def complete(self, request: ProviderRequest, progress: ProgressCallback) -> ProviderReply:
        """Stream a reply to ``request``, calling ``progress`` with the tokens produced so far.

        Raises:
            ProviderError: the model could not be reached, refused, or did not finish in time.
        """
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


def cut_off(reply: str, max_tokens: int) -> str:
    """The sentence for a reply cut off at the length limit, saying how to raise it."""
    return (
        f"{reply} was cut off at the limit of {max_tokens:,} tokens (max_tokens) before it "
        f"was complete; raise the limit with --max-tokens (say --max-tokens {max_tokens * 2}) "
        "or Max tokens in Settings, and run again"
    )
