"""A fake Claude Messages API for the real ``anthropic`` SDK, over ``httpx2.MockTransport``.

It answers ``POST /v1/messages`` the way the real service does: streamed replies as
server-sent events (``message_start`` with usage, ``content_block_start``, ``ping``, one
``content_block_delta`` per chunk, ``content_block_stop``, ``message_delta`` with the stop
reason and output usage, ``message_stop``), errors as JSON bodies with the real error types and
``retry-after`` headers.

Prompt caching is modelled honestly, so a cache ratio measured against it says how well the app
orders its blocks: the request's blocks (system, then message content) are hashed as prefixes;
a prefix that ended at a ``cache_control`` breakpoint of an earlier request, and is at least
``min_cacheable_tokens`` long, is read from the cache (``cache_read_input_tokens``); the blocks
after it up to this request's last breakpoint are written (``cache_creation_input_tokens``)
and become readable when this response starts, as with the real service (parallel requests
that start together all write). Tokens are counted as four characters each.

What the "model" writes comes from a responder: by default it reads the phase, the files to
write, the brief and the upstream artifacts out of the prompt and has the offline authors write
them, so a full workflow runs and validates through the real SDK.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2

from spec_automation.agents.brief import parse_brief
from spec_automation.agents.offline import author_artifacts
from spec_automation.agents.reply import render_reply
from spec_automation.core.spec import PhaseSpec

Responder = Callable[[dict[str, Any]], str]


def tokens(text: str) -> int:
    """The fake's token count: four characters a token."""
    return (len(text) + 3) // 4


@dataclass
class Failure:
    """An error response to give instead of a reply."""

    status: int
    error_type: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    """One request the fake received, with the usage it reported."""

    body: dict[str, Any]
    headers: dict[str, str]
    status: int
    input_tokens: int = 0
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0
    output_tokens: int = 0
    shared_tokens: int = 0  # tokens up to the request's last cache breakpoint

    @property
    def task(self) -> str:
        """The last text block of the user turn (the phase's own instructions)."""
        return _blocks(self.body)[-1][0]


class FakeClaude:
    """The fake service. ``client()`` gives an ``httpx2.AsyncClient`` bound to it.

    Args:
        responder: request body → reply text (the default plays the offline authors).
        latency_s: wait before a response starts (time to first token).
        chunk_delay_s: wait between streamed chunks.
        chunk_chars: characters per ``text_delta``.
        api_key: when set, requests without this key get a 401.
        min_cacheable_tokens: shortest prefix the prompt cache stores.
    """

    def __init__(
        self,
        responder: Responder | None = None,
        *,
        latency_s: float = 0.0,
        chunk_delay_s: float = 0.0,
        chunk_chars: int = 400,
        api_key: str | None = None,
        min_cacheable_tokens: int = 1024,
    ) -> None:
        self.responder = responder or offline_responder
        self.latency_s = latency_s
        self.chunk_delay_s = chunk_delay_s
        self.chunk_chars = chunk_chars
        self.api_key = api_key
        self.min_cacheable_tokens = min_cacheable_tokens
        self.failures: list[Failure] = []
        self.hang_after_chunks: int | None = None
        self.calls: list[Call] = []
        self._cache: set[str] = set()

    # --- set-up ------------------------------------------------------------------------

    def client(self) -> httpx2.AsyncClient:
        """An HTTP client whose every request is answered by this fake."""
        return httpx2.AsyncClient(transport=httpx2.MockTransport(self.handle))

    def fail_next(self, failure: Failure, times: int = 1) -> None:
        """Answer the next ``times`` requests with ``failure``."""
        self.failures.extend([failure] * times)

    # --- measurements ------------------------------------------------------------------

    @property
    def replies(self) -> list[Call]:
        """Requests answered with a reply."""
        return [c for c in self.calls if c.status == 200]

    def cache_share(self) -> float:
        """Share of shared-context tokens (up to the last breakpoint) read from the cache."""
        shared = sum(c.shared_tokens for c in self.replies)
        return sum(c.cache_read_tokens for c in self.replies) / shared if shared else 0.0

    # --- the service -------------------------------------------------------------------

    async def handle(self, request: httpx2.Request) -> httpx2.Response:
        """Answer one HTTP request."""
        headers = {k.lower(): v for k, v in request.headers.items()}
        body = json.loads(request.content or b"{}")
        if request.method != "POST" or not request.url.path.endswith("/v1/messages"):
            return self._error(body, headers, Failure(404, "not_found_error", "no such endpoint"))
        if self.api_key is not None and self.api_key not in (
            headers.get("x-api-key", ""),
            headers.get("authorization", "").removeprefix("Bearer "),
        ):
            return self._error(
                body, headers, Failure(401, "authentication_error", "invalid x-api-key")
            )
        for field_name in ("temperature", "top_p", "top_k"):
            if field_name in body:  # API version 2026-10-21 rejects sampling parameters
                message = f"{field_name}: Extra inputs are not permitted"
                return self._error(body, headers, Failure(400, "invalid_request_error", message))
        if self.failures:
            return self._error(body, headers, self.failures.pop(0))
        call = Call(body=body, headers=headers, status=200)
        self.calls.append(call)
        written = self._account(call)  # the prompt is read as it arrives ...
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        self._cache.update(written)  # ... and what it wrote is readable once the reply starts
        reply = self.responder(body)
        call.output_tokens = tokens(reply)
        return httpx2.Response(
            200,
            headers={"content-type": "text/event-stream", "request-id": f"req_{len(self.calls)}"},
            content=self._events(call, reply),
        )

    def _error(
        self, body: dict[str, Any], headers: dict[str, str], failure: Failure
    ) -> httpx2.Response:
        self.calls.append(Call(body=body, headers=headers, status=failure.status))
        payload = {
            "type": "error",
            "error": {"type": failure.error_type, "message": failure.message},
            "request_id": f"req_{len(self.calls)}",
        }
        return httpx2.Response(
            failure.status,
            headers={"content-type": "application/json", **failure.headers},
            json=payload,
        )

    def _account(self, call: Call) -> list[str]:
        """Fill in the call's input usage from the prompt cache; return the prefixes it writes."""
        blocks = _blocks(call.body)
        model = str(call.body.get("model", ""))
        prefix_hashes: list[str] = []
        running = hashlib.sha256(model.encode())
        for text, _ in blocks:
            running.update(hashlib.sha256(text.encode()).digest())
            prefix_hashes.append(running.copy().hexdigest())
        counts = [tokens(text) for text, _ in blocks]
        ends = [sum(counts[: i + 1]) for i in range(len(counts))]
        breakpoints = [i for i, (_, cached) in enumerate(blocks) if cached]
        last = breakpoints[-1] if breakpoints else -1
        read_end = max((i for i in range(last + 1) if prefix_hashes[i] in self._cache), default=-1)
        writable = [i for i in breakpoints if i > read_end and ends[i] >= self.min_cacheable_tokens]
        write_end = writable[-1] if writable else read_end
        read = ends[read_end] if read_end >= 0 else 0
        written = (ends[write_end] if write_end >= 0 else 0) - read
        call.cache_read_tokens = read
        call.cache_write_tokens = written
        call.input_tokens = sum(counts) - read - written
        call.shared_tokens = ends[last] if last >= 0 else 0
        return [prefix_hashes[i] for i in writable]

    async def _events(self, call: Call, reply: str) -> AsyncIterator[bytes]:
        def event(name: str, data: dict[str, Any]) -> bytes:
            return f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()

        yield event(
            "message_start",
            {
                "type": "message_start",
                "message": {
                    "id": f"msg_{len(self.calls)}",
                    "type": "message",
                    "role": "assistant",
                    "model": call.body.get("model"),
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": {
                        "input_tokens": call.input_tokens,
                        "cache_creation_input_tokens": call.cache_write_tokens,
                        "cache_read_input_tokens": call.cache_read_tokens,
                        "output_tokens": 1,
                    },
                },
            },
        )
        yield event(
            "content_block_start",
            {
                "type": "content_block_start",
                "index": 0,
                "content_block": {"type": "text", "text": ""},
            },
        )
        yield event("ping", {"type": "ping"})
        chunks = [reply[i : i + self.chunk_chars] for i in range(0, len(reply), self.chunk_chars)]
        for number, chunk in enumerate(chunks):
            if self.hang_after_chunks is not None and number >= self.hang_after_chunks:
                await asyncio.Event().wait()  # the reply never finishes
            if self.chunk_delay_s:
                await asyncio.sleep(self.chunk_delay_s)
            yield event(
                "content_block_delta",
                {
                    "type": "content_block_delta",
                    "index": 0,
                    "delta": {"type": "text_delta", "text": chunk},
                },
            )
        yield event("content_block_stop", {"type": "content_block_stop", "index": 0})
        yield event(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": call.output_tokens},
            },
        )
        yield event("message_stop", {"type": "message_stop"})


def _blocks(body: dict[str, Any]) -> list[tuple[str, bool]]:
    """(text, has cache_control) for the system blocks, then every message's blocks."""
    found: list[tuple[str, bool]] = []
    system = body.get("system")
    if isinstance(system, str):
        found.append((system, False))
    elif isinstance(system, list):
        found.extend((b.get("text", ""), "cache_control" in b) for b in system)
    for message in body.get("messages", []):
        content = message.get("content")
        if isinstance(content, str):
            found.append((content, False))
        else:
            found.extend((b.get("text", ""), "cache_control" in b) for b in content)
    return found


# --- the default "model" ----------------------------------------------------------------------

_ARTIFACT = re.compile(r'<artifact name="([^"]+)">\n(.*)\n</artifact>\s*\Z', re.S)
_BRIEF = re.compile(r'<brief project="([^"]*)">\n(.*)\n</brief>\s*\Z', re.S)


def offline_responder(body: dict[str, Any]) -> str:
    """Answer as a model that follows the app's prompt: the offline authors write the files."""
    blocks = [text for text, _ in _blocks(body)]
    task = blocks[-1]
    phase = re.search(r"^Phase: (\S+) \((.*)\)$", task, re.M)
    files = re.search(r"^Write exactly these files: (.+)$", task, re.M)
    if not phase or not files:
        return "I cannot tell which files to write."
    project, brief_text, inputs = "", "", {}
    for text in blocks[1:-1]:
        if match := _BRIEF.match(text):
            project, brief_text = match.group(1), match.group(2)
        elif match := _ARTIFACT.match(text):
            inputs[match.group(1)] = match.group(2)
    produces = tuple(name.strip() for name in files.group(1).split(","))
    spec = PhaseSpec(phase.group(1), phase.group(2), "agent", produces, (), 1.0)
    brief = parse_brief(brief_text, project)
    return render_reply(author_artifacts(spec, brief, inputs, project))
