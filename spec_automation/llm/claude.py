"""Claude through the official ``anthropic`` SDK: streamed, prompt-cached, with the SDK's retries.

One ``ClaudeProvider`` serves a whole run. Each call streams a Messages API reply and reports
tokens as they arrive. Retries are the SDK's own (``max_retries``; it honours ``retry-after``
and ``retry-after-ms``, retries 408, 409, 429 and 5xx, and nothing else); this module adds no
second loop. What it adds is an overall deadline per call and errors a user can act on: a rate
limit or an overload names the cause and the wait the server asked for.

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
from spec_automation.llm.http_errors import retry_after_s, scrub, wait_note
from spec_automation.llm.offline import estimate_tokens
from spec_automation.llm.pricing import estimate_cost
from spec_automation.llm.provider import ProviderError, ProviderReply, ProviderRequest

__all__ = ["ClaudeProvider"]

_EPHEMERAL: dict[str, str] = {"type": "ephemeral"}


class ClaudeProvider:
    """Calls Claude's Messages API with streaming.

    Args:
        api_key: the Anthropic API key (never stored anywhere else).
        model: the model name, from the user's settings.
        max_retries: how many times the SDK retries a retryable failure.
        http_client: an ``httpx2.AsyncClient`` to send requests with (tests hand in one whose
            transport is a fake server); the provider does not close a client it was given.
        base_url: another API endpoint (a proxy, or a local fake server).
    """

    name = "anthropic"

    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        max_retries: int = 2,
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
        self._client = anthropic.AsyncAnthropic(
            api_key=api_key, max_retries=max_retries, http_client=http_client, base_url=base_url
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
                return await self._stream(request, progress)
        except TimeoutError:
            raise ProviderError(
                f"Claude gave no complete reply{what} within the phase deadline of "
                f"{request.deadline_s:g} s"
            ) from None
        except anthropic.APIStatusError as exc:
            raise self._status_error(exc, what) from None
        except anthropic.APIConnectionError as exc:
            raise ProviderError(
                f"could not reach the Anthropic API{what}: {self._scrub(str(exc))}"
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
        if message.stop_reason == "max_tokens":
            raise ProviderError(
                f"Claude's reply was cut off at max_tokens ({request.max_tokens}); "
                "raise max_tokens in Settings"
            )
        usage = TokenUsage(
            input_tokens=message.usage.input_tokens,
            output_tokens=message.usage.output_tokens,
            cache_write_tokens=message.usage.cache_creation_input_tokens or 0,
            cache_read_tokens=message.usage.cache_read_input_tokens or 0,
        )
        return ProviderReply(
            text=text,
            usage=usage,
            cost_usd=estimate_cost(self._model, usage),
            stop_reason=str(message.stop_reason or ""),
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
        return ProviderError(message, retry_after_s=retry_after)

    def _scrub(self, text: str) -> str:
        return scrub(text, self._secret)
