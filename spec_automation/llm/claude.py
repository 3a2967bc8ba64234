"""Claude through the official ``anthropic`` SDK: streamed, prompt-cached, with the SDK's retries.

One ``ClaudeProvider`` serves a whole run. Each call streams a Messages API reply and reports
tokens as they arrive. Retries are ``llm.retries``' loop, not the SDK's (built with
``max_retries=0``): it retries what the SDK would (408, 409, 429, 5xx, a dropped connection,
honouring ``retry-after-ms``, ``retry-after`` and ``x-should-retry``) and also an overload,
rate limit or server error that arrives as an ``error`` event in the middle of the streamed
reply, which the SDK raises with the stream's HTTP 200 and never retries; and every retry shows
in the phase's progress. On top: an overall deadline per call and errors a user can act on: a
rate limit or an overload names the cause and the wait the server asked for.

Sampling parameters are not sent: API version 2026-10-21, which this SDK speaks, rejects
``temperature`` (even at its default) with HTTP 400, and the SDK no longer offers it.

The API key is handed to the SDK and to nothing else: it is not kept on this object's
``repr``, never put in an error message, and any text that came from the server is scrubbed of
it before it is shown.
"""

from __future__ import annotations

import asyncio
from typing import Any

import anthropic
import httpx2

from spec_automation.core.ports import ProgressCallback, TokenUsage
from spec_automation.llm.http_errors import retry_after_s, scrub, status_kind, wait_note
from spec_automation.llm.offline import estimate_tokens
from spec_automation.llm.pricing import estimate_cost
from spec_automation.llm.provider import (
    ProviderError,
    ProviderReply,
    ProviderRequest,
    cut_off,
)
from spec_automation.llm.retries import DEFAULT_RETRIES, Passing, RetryPolicy, with_retries

__all__ = ["ClaudeProvider"]

_EPHEMERAL: dict[str, str] = {"type": "ephemeral"}


class ClaudeProvider:
    """Calls Claude's Messages API with streaming.

    Args:
        api_key: the Anthropic API key (never stored anywhere else).
        model: the model name, from the user's settings.
        max_retries: how many times a passing failure (rate limit, overload, server error,
            dropped connection, before or during the reply) is retried.
        retry_backoff_s: the first wait between retries when the server asked for none.
        http_client: an ``httpx2.AsyncClient`` to send requests with (tests hand in one whose
            transport is a fake server); the provider does not close a client it was given.
        base_url: another API endpoint (a proxy, or a local fake server).
    """

    name = "anthropic"
    takes_temperature = False  # API version 2026-10-21 rejects it
    endpoint = ""  # a model name means the same model on any Anthropic endpoint

    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        max_retries: int = DEFAULT_RETRIES,
        retry_backoff_s: float = 0.5,
        http_client: httpx2.AsyncClient | None = None,
        base_url: str | None = None,
    ) -> None:
        if not api_key.strip():
            raise ValueError("an Anthropic API key is needed")
        if not model.strip():
            raise ValueError("a model name is needed")
        self._model = model
        self._secret = api_key
        self._owns_client = http_client is None
        self._retries = RetryPolicy(retries=max_retries, backoff_s=retry_backoff_s)
        self._client = anthropic.AsyncAnthropic(
            api_key=api_key, max_retries=0, http_client=http_client, base_url=base_url
        )

    def __repr__(self) -> str:
        return f"ClaudeProvider(model={self._model!r})"

    @property
    def model(self) -> str:
        """The model replies come from."""
        return self._model

    async def aclose(self) -> None:
        """Close the connection pool (unless the HTTP client was handed in)."""
        if self._owns_client:
            await self._client.close()

    async def complete(self, request: ProviderRequest, progress: ProgressCallback) -> ProviderReply:
        """Stream Claude's reply to ``request``.

        Raises:
            ProviderError: the key was refused, the request was rejected, the service was rate
                limited or overloaded after the SDK's retries, the connection failed, or no
                complete reply arrived within ``request.deadline_s``.
        """
        what = f" for {request.label}" if request.label else ""
        try:
            async with asyncio.timeout(request.deadline_s):
                return await with_retries(
                    lambda: self._stream(request, progress),
                    policy=self._retries,
                    passing=_passing,
                    progress=progress,
                )
        except TimeoutError:
            raise ProviderError(
                f"Claude gave no complete reply{what} within the phase deadline of "
                f"{request.deadline_s:g} s"
            ) from None
        except anthropic.APIStatusError as exc:
            raise self._status_error(exc, what) from None
        except anthropic.APIConnectionError as exc:
            raise ProviderError(
                f"could not reach the Anthropic API{what}: {self._scrub(str(exc))}",
                kind="unreachable",
            ) from None

    async def _stream(self, request: ProviderRequest, progress: ProgressCallback) -> ProviderReply:
        produced = ""
        async with self._client.messages.stream(**self.message_params(request)) as stream:
            async for event in stream:
                if event.type == "text":
                    produced += event.text
                    progress(estimate_tokens(produced), "writing")
            message = await stream.get_final_message()
        text = "".join(block.text for block in message.content if block.type == "text")
        usage = TokenUsage(
            input_tokens=message.usage.input_tokens,
            output_tokens=message.usage.output_tokens,
            cache_write_tokens=message.usage.cache_creation_input_tokens or 0,
            cache_read_tokens=message.usage.cache_read_input_tokens or 0,
        )
        cost = estimate_cost(self._model, usage)
        if message.stop_reason == "max_tokens":  # billed all the same
            raise ProviderError(
                cut_off(f"Claude's reply{_label(request)}", request.max_tokens),
                usage=usage,
                cost_usd=cost,
            )
        return ProviderReply(
            text=text, usage=usage, cost_usd=cost, stop_reason=str(message.stop_reason or "")
        )

    def message_params(self, request: ProviderRequest) -> dict[str, Any]:
        """The Messages API parameters for ``request``.

        The system prompt comes first; shared context blocks follow in the user turn, each
        ``cache_point`` carrying ``cache_control`` (the system prompt carries it only when no
        block does: a later breakpoint caches it too); the task comes last, uncached, so every
        phase shares the longest possible prefix with the phases before it.
        """
        system: list[dict[str, Any]] = [{"type": "text", "text": request.system}]
        if not any(block.cache_point for block in request.shared):
            system[0]["cache_control"] = _EPHEMERAL  # a breakpoint later covers it anyway
        content: list[dict[str, Any]] = []
        for block in request.shared:
            item: dict[str, Any] = {"type": "text", "text": block.text}
            if block.cache_point:
                item["cache_control"] = _EPHEMERAL
            content.append(item)
        content.append({"type": "text", "text": request.task})
        return {
            "model": self._model,
            "max_tokens": request.max_tokens,
            "system": system,
            "messages": [{"role": "user", "content": content}],
        }

    def _status_error(self, exc: anthropic.APIStatusError, what: str) -> ProviderError:
        retry_after = retry_after_s(exc.response.headers)
        wait = wait_note(retry_after)
        detail = self._scrub(exc.api_message or "")
        detail = f": {detail}" if detail else ""
        status = exc.status_code
        if status < 400:  # an error event in the middle of the streamed reply
            kind = _event_type(exc)
            if kind == "overloaded_error":
                message = (
                    f"the Anthropic API is overloaded (overloaded_error during the reply){what}"
                )
            elif kind == "rate_limit_error":
                message = f"rate limited by the Anthropic API (during the reply){what}{detail}"
            elif kind == "api_error":
                message = f"the Anthropic API failed during the reply{what}{detail}"
            else:
                message = (
                    f"the Anthropic API ended the reply with {kind or 'an error'}{what}{detail}"
                )
            return ProviderError(message, kind=_EVENT_KINDS.get(kind, ""))
        if isinstance(exc, anthropic.RateLimitError):
            message = f"rate limited by the Anthropic API (HTTP 429){what}{wait}{detail}"
        elif isinstance(exc, anthropic.OverloadedError):
            message = f"the Anthropic API is overloaded (HTTP 529){what}{wait}{detail}"
        elif isinstance(exc, anthropic.AuthenticationError):
            message = (
                f"the Anthropic API refused the API key (HTTP 401){what}; "
                "check ANTHROPIC_API_KEY or the key saved in Settings"
            )
        elif isinstance(exc, anthropic.PermissionDeniedError):
            message = f"the API key may not use this model (HTTP 403){what}{detail}"
        elif status >= 500:
            message = f"the Anthropic API failed (HTTP {status}){what}{wait}{detail}"
        else:
            message = f"the Anthropic API rejected the request (HTTP {status}){what}{detail}"
        return ProviderError(message, retry_after_s=retry_after, kind=status_kind(status))

    def _scrub(self, text: str) -> str:
        return scrub(text, self._secret)


#: Error events in the middle of a streamed reply that pass, and what they are called.
_EVENT_KINDS = {
    "overloaded_error": "overloaded",
    "rate_limit_error": "rate_limited",
    "api_error": "server_error",
}
_EVENT_NAMES = {
    "overloaded_error": "an overload",
    "rate_limit_error": "a rate limit",
    "api_error": "a server error",
}


def _label(request: ProviderRequest) -> str:
    return f" for {request.label}" if request.label else ""


def _event_type(exc: anthropic.APIStatusError) -> str:
    """The ``error.type`` of an error body (``overloaded_error``), or ''."""
    body = exc.body
    error = body.get("error") if isinstance(body, dict) else None
    kind = error.get("type") if isinstance(error, dict) else None
    return kind if isinstance(kind, str) else ""


def _passing(exc: Exception) -> Passing | None:
    """Whether a failed call is worth retrying: what the SDK would retry, and an overload,
    rate limit or server error reported in the middle of the reply."""
    if isinstance(exc, anthropic.APIConnectionError):  # timeouts included
        return Passing("a connection failure")
    if not isinstance(exc, anthropic.APIStatusError):
        return None
    should = exc.response.headers.get("x-should-retry")
    if should == "false":
        return None
    status = exc.status_code
    if status < 400:
        kind = _event_type(exc)
        return Passing(f"{_EVENT_NAMES[kind]} during the reply") if kind in _EVENT_NAMES else None
    if should == "true" or status in (408, 409, 429) or status >= 500:
        return Passing(f"HTTP {status}", retry_after_s(exc.response.headers))
    return None
