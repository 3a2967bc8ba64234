"""Any OpenAI-compatible chat server through the official ``openai`` SDK: Ollama, llama.cpp's
server, vLLM, LM Studio, or a hosted service speaking the same API.

One ``OpenAICompatibleProvider`` serves a whole run, like the Claude provider, and the shared
phase runner gives it the same prompts, reply parser, repair attempt and reply cache. Each call
sends the system prompt as a system message and the shared context blocks then the task as the
text parts of one user message, in the same stable order as for Claude, so a server with
automatic prefix caching (vLLM, llama.cpp, OpenAI) reuses the shared prefix between phases.

Replies stream by default (``stream_options.include_usage`` asks for the usage chunk); usage is
recorded when the server reports it, cached prompt tokens
(``prompt_tokens_details.cached_tokens``) as cache reads. Retries are ``llm.retries``' loop (the
SDK is built with ``max_retries=0``): 408, 409, 429, 5xx and connection errors, honouring
``retry-after`` and ``retry-after-ms``, and an overload or server error sent as an ``error``
event in the middle of a streamed reply, which the SDK never retries; every retry shows in the
phase's progress. This module adds an overall deadline per call and errors a user can act on.

The API key is optional (local servers take none); when there is one it is handed to the SDK
and to nothing else, and any text that came from the server is scrubbed of it.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

import openai

from spec_automation.core.ports import ProgressCallback, TokenUsage
from spec_automation.llm.http_errors import retry_after_s, scrub, status_kind, wait_note
from spec_automation.llm.keys import ENV_VARS
from spec_automation.llm.offline import estimate_tokens
from spec_automation.llm.pricing import estimate_cost
from spec_automation.llm.provider import (
    ProviderError,
    ProviderReply,
    ProviderRequest,
    cut_off,
)
from spec_automation.llm.retries import DEFAULT_RETRIES, Passing, RetryPolicy, with_retries

__all__ = ["SERVER", "OpenAICompatibleProvider", "list_models"]

#: How the server is named in messages.
SERVER = "the OpenAI-compatible server"
_KEY_VAR = ENV_VARS["openai_compatible"]
#: The SDK refuses to start without a key; a local server needs none, so none is sent.
_NO_KEY = "no-key"
_LIST_TIMEOUT_S = 15.0
_ERRNO = re.compile(r"^\[Errno -?\d+\]\s*")  # "[Errno 111] Connection refused"


class OpenAICompatibleProvider:
    """Calls an OpenAI-compatible ``/chat/completions`` endpoint, streaming by default.

    Args:
        base_url: the server's API address, ``/v1`` included (``http://localhost:11434/v1``).
        model: the model name the server knows (``llama3.2``, ``qwen2.5-coder:7b``).
        api_key: the key the server wants, or None for a server that takes none.
        max_retries: how many times a passing failure (rate limit, overload, server error,
            dropped connection, before or during the reply) is retried.
        retry_backoff_s: the first wait between retries when the server asked for none.
        stream: False asks for whole replies, for a server that cannot stream.
    """

    name = "openai_compatible"
    takes_temperature = True

    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        api_key: str | None = None,
        max_retries: int = DEFAULT_RETRIES,
        retry_backoff_s: float = 0.5,
        stream: bool = True,
    ) -> None:
        if not base_url.strip():
            raise ValueError("a server address is needed")
        if not model.strip():
            raise ValueError("a model name is needed")
        self._model = model
        self._base_url = base_url.rstrip("/")
        self._secret = api_key or None
        self._stream_replies = stream
        self._retries = RetryPolicy(retries=max_retries, backoff_s=retry_backoff_s)
        self._client = _client(openai.AsyncOpenAI, self._base_url, self._secret, 0)

    def __repr__(self) -> str:
        return f"OpenAICompatibleProvider(base_url={self._base_url!r}, model={self._model!r})"

    @property
    def model(self) -> str:
        """The model replies come from."""
        return self._model

    @property
    def base_url(self) -> str:
        """The server's API address."""
        return self._base_url

    @property
    def endpoint(self) -> str:
        """The server's address: another server may serve another model under the same name."""
        return self._base_url

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.close()

    async def complete(self, request: ProviderRequest, progress: ProgressCallback) -> ProviderReply:
        """The server's reply to ``request``, streamed unless the provider was told not to.

        Raises:
            ProviderError: the server could not be reached, refused the key, does not know the
                model, rejected the request, failed or was rate limited after the SDK's
                retries, or no complete reply arrived within ``request.deadline_s``.
        """
        what = f" for {request.label}" if request.label else ""
        try:
            answer = self._streamed if self._stream_replies else self._whole
            async with asyncio.timeout(request.deadline_s):
                text, finish, usage = await with_retries(
                    lambda: answer(request, progress),
                    policy=self._retries,
                    passing=_passing,
                    progress=progress,
                )
        except TimeoutError:
            raise ProviderError(
                f"{SERVER} at {self._base_url} gave no complete reply{what} within the phase "
                f"deadline of {request.deadline_s:g} s"
            ) from None
        except openai.APIError as exc:
            raise _error(exc, self._base_url, self._model, self._secret, what) from None
        cost = estimate_cost(self._model, usage)
        if finish == "length":  # billed all the same
            raise ProviderError(
                cut_off(f"The reply of {self._model}{what}", request.max_tokens),
                usage=usage,
                cost_usd=cost,
            )
        return ProviderReply(text=text, usage=usage, cost_usd=cost, stop_reason=finish or "")

    async def _streamed(
        self, request: ProviderRequest, progress: ProgressCallback
    ) -> tuple[str, str | None, TokenUsage]:
        produced: list[str] = []
        finish: str | None = None
        usage = TokenUsage()
        stream = await self._client.chat.completions.create(
            **self.chat_params(request),
            stream=True,
            stream_options={"include_usage": True},
            extra_headers=_auth(self._secret),
        )
        async with stream:
            async for chunk in stream:
                if chunk.usage is not None:  # the last chunk, with no choices
                    usage = _usage(chunk.usage)
                for choice in chunk.choices:
                    if choice.delta.content:
                        produced.append(choice.delta.content)
                        progress(estimate_tokens("".join(produced)), "writing")
                    finish = choice.finish_reason or finish
        return "".join(produced), finish, usage

    async def _whole(
        self, request: ProviderRequest, progress: ProgressCallback
    ) -> tuple[str, str | None, TokenUsage]:
        completion = await self._client.chat.completions.create(
            **self.chat_params(request), extra_headers=_auth(self._secret)
        )
        choice = completion.choices[0] if completion.choices else None
        text = (choice.message.content or "") if choice is not None else ""
        progress(estimate_tokens(text), "writing")
        usage = _usage(completion.usage) if completion.usage is not None else TokenUsage()
        return text, choice.finish_reason if choice is not None else None, usage

    def chat_params(self, request: ProviderRequest) -> dict[str, Any]:
        """The chat-completions parameters for ``request``.

        The system prompt is the system message; the shared context blocks, then the task,
        are the text parts of the user message, so every phase shares the longest possible
        prefix with the phases before it.
        """
        parts = [{"type": "text", "text": block.text} for block in request.shared]
        parts.append({"type": "text", "text": request.task})
        params: dict[str, Any] = {
            "model": self._model,
            "max_tokens": request.max_tokens,
            "messages": [
                {"role": "system", "content": request.system},
                {"role": "user", "content": parts},
            ],
        }
        if request.temperature is not None:
            params["temperature"] = request.temperature
        return params


def list_models(base_url: str, api_key: str | None = None) -> list[str]:
    """The names of the models the server at ``base_url`` serves (``GET /models``), sorted.

    Blocking: the settings dialog calls it in a worker thread.

    Raises:
        ProviderError: the server could not be reached, refused the key, or answered with an
            error; the message is a sentence for the user.
    """
    address = base_url.rstrip("/")
    secret = api_key or None
    client = _client(openai.OpenAI, address, secret, 0, timeout=_LIST_TIMEOUT_S)
    try:
        with client:
            return sorted(model.id for model in client.models.list(extra_headers=_auth(secret)))
    except openai.APIError as exc:
        raise _error(exc, address, "", secret, "") from None


def _client(kind: Any, base_url: str, key: str | None, max_retries: int, **more: Any) -> Any:
    """An SDK client (``openai.AsyncOpenAI`` or ``openai.OpenAI``) for the server.

    The SDK wants a key: without one it is given a placeholder, which ``_auth(key)`` keeps
    out of every request. The address is always the one given, never ``OPENAI_BASE_URL``.
    """
    return kind(base_url=base_url, api_key=key or _NO_KEY, max_retries=max_retries, **more)


def _auth(key: str | None) -> dict[str, Any]:
    """A request's extra headers: none with a key; without one, no ``Authorization`` header
    at all (the SDK accepts its explicit omission per request)."""
    return {} if key else {"Authorization": openai.omit}


def _usage(reported: Any) -> TokenUsage:
    """The server's usage report as this app counts it: prompt tokens read from the server's
    prompt cache are cache reads, not input."""
    details = reported.prompt_tokens_details
    cached = (details.cached_tokens or 0) if details is not None else 0
    written = (getattr(details, "cache_write_tokens", None) or 0) if details is not None else 0
    prompt = reported.prompt_tokens or 0
    return TokenUsage(
        input_tokens=max(0, prompt - cached - written),
        output_tokens=reported.completion_tokens or 0,
        cache_write_tokens=written,
        cache_read_tokens=cached,
    )


def _error(
    exc: openai.APIError, base_url: str, model: str, secret: str | None, what: str
) -> ProviderError:
    """A sentence for the user from what the SDK raised."""
    at = f"{SERVER} at {base_url}"
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc.__context__
        detail = _ERRNO.sub("", scrub(str(cause) if cause is not None else str(exc), secret))
        if isinstance(exc, openai.APITimeoutError):
            reason = "it did not answer in time"
        elif detail in ("", "All connection attempts failed", "Connection error."):
            reason = "nothing answered there"  # httpx's words for a refused connection
        else:
            reason = detail
        return ProviderError(
            f"Could not reach {at}{what}: {reason}; check that the server is running "
            "and that the address in Settings (or --base-url) is right"
        )
    if not isinstance(exc, openai.APIStatusError):  # an error event in the middle of a stream
        said = f"{at} reported an error while replying{what}: {scrub(exc.message, secret)}"
        return ProviderError(said, kind=_event_kind(exc))
    retry_after = retry_after_s(exc.response.headers)
    message = scrub(_server_message(exc), secret)
    if isinstance(exc, openai.NotFoundError):
        missing = "model" if model and "model" in message.lower() else "endpoint"
        template = _NOT_FOUND[missing]
    else:
        template = next((t for kind, t in _SENTENCES if isinstance(exc, kind)), _REJECTED)
    text = template.format(
        at=at,
        what=what,
        status=exc.status_code,
        model=model,
        wait=wait_note(retry_after),
        detail=f": {message}" if message else "",
        key_var=_KEY_VAR,
    )
    return ProviderError(text, retry_after_s=retry_after, kind=status_kind(exc.status_code))


#: Words of a mid-stream error that say the server failed and may not next time.
_PASSING_WORDS = ("server_error", "internal", "timeout")


def _event_kind(exc: openai.APIError) -> str:
    """What an error event in the middle of a stream says: ``overloaded``, ``rate_limited``
    or ``server_error`` for trouble that passes, '' for anything else."""
    body = exc.body if isinstance(exc.body, dict) else {}
    code = body.get("code")
    words = f"{body.get('type', '')} {exc.message}".lower()
    if code in (503, 529) or "overload" in words or "unavailable" in words:
        return "overloaded"
    if code == 429 or "rate_limit" in words:
        return "rate_limited"
    if (isinstance(code, int) and code >= 500) or any(w in words for w in _PASSING_WORDS):
        return "server_error"
    return ""


def _passing(exc: Exception) -> Passing | None:
    """Whether a failed call is worth retrying: what the SDK would retry, and an overload or
    server error reported in the middle of a streamed reply."""
    if isinstance(exc, openai.APIConnectionError):  # timeouts included
        return Passing("a connection failure")
    if isinstance(exc, openai.APIStatusError):
        should = exc.response.headers.get("x-should-retry")
        status = exc.status_code
        if should == "false":
            return None
        if should == "true" or status in (408, 409, 429) or status >= 500:
            return Passing(f"HTTP {status}", retry_after_s(exc.response.headers))
        return None
    kind = _event_kind(exc) if isinstance(exc, openai.APIError) else ""
    return Passing(f"{_EVENT_NAMES[kind]} during the reply") if kind else None


_EVENT_NAMES = {
    "overloaded": "an overload",
    "rate_limited": "a rate limit",
    "server_error": "a server error",
}


#: The sentence for each kind of error status (the first that matches); ``_REJECTED`` else.
_SENTENCES: tuple[tuple[type[openai.APIStatusError], str], ...] = (
    (
        openai.AuthenticationError,
        "{at} refused the API key (HTTP 401){what}; set {key_var} or save the server's key "
        "in Settings",
    ),
    (
        openai.PermissionDeniedError,
        "{at} does not allow this key to use the model (HTTP 403){what}{detail}",
    ),
    (openai.RateLimitError, "{at} rate limited the request (HTTP 429){what}{wait}{detail}"),
    (openai.InternalServerError, "{at} failed (HTTP {status}){what}{wait}{detail}"),
)
_REJECTED = "{at} rejected the request (HTTP {status}){what}{detail}"
_NOT_FOUND = {
    "model": "{at} does not know the model {model!r} (HTTP 404){what}{detail}; check the model "
    "name (Test in Settings lists the server's models)",
    "endpoint": "{at} has no such endpoint (HTTP 404){what}{detail}; check the address: it "
    "usually ends in /v1",
}


def _server_message(exc: openai.APIStatusError) -> str:
    """The server's own words: ``error.message`` of an OpenAI-style body (the SDK hands over
    what is inside ``error``), a plain ``error`` string (some servers), or the start of a body
    that is not JSON."""
    body = exc.body
    if isinstance(body, dict):
        message = body.get("message", body.get("error", ""))
        return message if isinstance(message, str) else ""
    if isinstance(body, str):
        return body[:200]
    return ""
