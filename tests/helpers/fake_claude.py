"""A fake Claude Messages API for the real ``anthropic`` SDK, over ``httpx2.MockTransport``.

It answers ``POST /v1/messages`` the way the real service does: streamed replies as
server-sent events (``message_start`` with usage, ``content_block_start``, ``ping``, one
``content_block_delta`` per chunk, ``content_block_stop``, ``message_delta`` with the stop
reason and output usage, ``message_stop``), errors as JSON bodies with the real error types and
``retry-after`` headers, and an error in the middle of a reply (``fail_during_next``) as the
service sends it: an ``error`` event (``{"type": "error", "error": {...}}``) in the stream.

Prompt caching is modelled as Claude does it (see ``FakeModelService.account``): a prefix that
ended at a ``cache_control`` breakpoint of an earlier request, and is at least
``min_cacheable_tokens`` long, is read from the cache (``cache_read_input_tokens``); the blocks
after it up to this request's last breakpoint are written (``cache_creation_input_tokens``)
and become readable when this response starts, as with the real service (parallel requests
that start together all write).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx2

from tests.helpers.fake_models import (
    Call,
    Failure,
    FakeModelService,
    Responder,
    offline_responder,
    tokens,
)

__all__ = ["Call", "Failure", "FakeClaude", "Responder", "offline_responder", "tokens"]


class FakeClaude(FakeModelService):
    """The fake service. ``client()`` gives an ``httpx2.AsyncClient`` bound to it.

    Its arguments are ``FakeModelService``'s.
    """

    def client(self) -> httpx2.AsyncClient:
        """An HTTP client whose every request is answered by this fake."""
        return httpx2.AsyncClient(transport=httpx2.MockTransport(self.handle))

    async def handle(self, request: httpx2.Request) -> httpx2.Response:
        """Answer one HTTP request."""
        headers = {k.lower(): v for k, v in request.headers.items()}
        body = json.loads(request.content or b"{}")
        if request.method != "POST" or not request.url.path.endswith("/v1/messages"):
            return self._error(body, headers, Failure(404, "not_found_error", "no such endpoint"))
        if not self.authorised(headers):
            return self._error(
                body, headers, Failure(401, "authentication_error", "invalid x-api-key")
            )
        for field_name in ("temperature", "top_p", "top_k"):
            if field_name in body:  # API version 2026-10-21 rejects sampling parameters
                message = f"{field_name}: Extra inputs are not permitted"
                return self._error(body, headers, Failure(400, "invalid_request_error", message))
        failure = self.next_failure()
        if failure is not None:
            return self._error(body, headers, failure)
        call = Call(body=body, headers=headers, status=200)
        self.calls.append(call)
        self.next_break(call)
        written = self.account(call, automatic=False)  # the prompt is read as it arrives ...
        if self.stalls(body):
            await asyncio.Event().wait()  # the reply never starts
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        self.cache_written(written)  # ... and what it wrote is readable once the reply starts
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
        for number, chunk in enumerate(self.chunks(reply)):
            if call.broken_by is not None and number >= call.broken_after:
                error = {"type": call.broken_by.error_type, "message": call.broken_by.message}
                yield event("error", {"type": "error", "error": error})
                return
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
                "delta": {
                    "stop_reason": "max_tokens" if call.cut_off else "end_turn",
                    "stop_sequence": None,
                },
                "usage": {"output_tokens": call.output_tokens},
            },
        )
        yield event("message_stop", {"type": "message_stop"})
