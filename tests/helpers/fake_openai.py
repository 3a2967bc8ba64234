"""A fake OpenAI-compatible server on a loopback port, for the real ``openai`` SDK.

It listens on 127.0.0.1 like a local Ollama, llama.cpp, vLLM or LM Studio, and speaks their wire
format over real HTTP/1.1:

* ``POST /v1/chat/completions``: with ``"stream": true`` a ``text/event-stream`` of
  ``data: {chat.completion.chunk}`` events (a role chunk, one content chunk per piece, a
  chunk with the ``finish_reason``, and, when ``stream_options.include_usage`` asks for it, a
  usage chunk with no choices), ending ``data: [DONE]``; otherwise one ``chat.completion``
  JSON object. Usage carries ``prompt_tokens_details.cached_tokens`` from automatic prefix
  caching (see ``FakeModelService.account``), unless ``report_usage`` is off.
* ``GET /v1/models``: the ``models`` it serves; a chat request for another model gets
  Ollama's 404 (``model "x" not found, try pulling it first``).
* Errors as ``{"error": {"message", "type", "code"}}`` bodies with their status and headers,
  and an error in the middle of a streamed reply (``fail_during_next``) as a ``data:`` event
  holding such an ``error`` object, after which the stream ends.

Use it as a context manager (``with FakeOpenAI() as fake: fake.base_url``).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.helpers.fake_models import Call, Failure, FakeModelService, Responder, tokens

__all__ = ["Failure", "FakeOpenAI", "unused_address"]

_CREATED = 1_767_225_600  # a fixed timestamp: replies are reproducible


def unused_address() -> str:
    """The address of a server that is not there: a loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/v1"


@dataclass
class _Answer:
    status: int
    headers: dict[str, str]
    body: bytes | Iterator[bytes]


class FakeOpenAI(FakeModelService):
    """The fake server; ``base_url`` is its address once started.

    Args:
        models: the models it serves (a chat request for another is a 404).
        report_usage: False plays a server that reports no token usage.
        The rest are ``FakeModelService``'s.
    """

    def __init__(
        self,
        responder: Responder | None = None,
        *,
        models: tuple[str, ...] = ("llama3.2", "qwen2.5-coder:7b"),
        report_usage: bool = True,
        **options: Any,
    ) -> None:
        super().__init__(responder, **options)
        self.models = models
        self.report_usage = report_usage
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    # --- the loopback server -----------------------------------------------------------

    @property
    def base_url(self) -> str:
        """The API address, ``/v1`` included."""
        assert self._server is not None, "start the fake server first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAI:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stopping.set()  # a reply left hanging ends
        assert self._server is not None
        self._server.shutdown()
        self._server.server_close()

    # --- the service -------------------------------------------------------------------

    def answer(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> _Answer:
        """The response to one HTTP request."""
        body: dict[str, Any] = json.loads(raw) if raw else {}
        if method == "GET" and path == "/v1/models":
            if not self.authorised(headers):
                return self._error(body, headers, _BAD_KEY)
            listed = [
                {"id": m, "object": "model", "created": _CREATED, "owned_by": "library"}
                for m in self.models
            ]
            return _json(200, {"object": "list", "data": listed})
        if method != "POST" or path != "/v1/chat/completions":
            return _Answer(404, {"content-type": "text/plain"}, b"404 page not found")
        if not self.authorised(headers):
            return self._error(body, headers, _BAD_KEY)
        failure = self.next_failure()
        if failure is not None:
            return self._error(body, headers, failure)
        if body.get("model") not in self.models:
            message = f'model "{body.get("model")}" not found, try pulling it first'
            return self._error(body, headers, Failure(404, "not_found_error", message))
        call = Call(body=body, headers=headers, status=200)
        self.calls.append(call)
        self.next_break(call)
        written = self.account(call, automatic=True)  # the prompt is read as it arrives ...
        if self.latency_s:
            time.sleep(self.latency_s)
        self.cache_written(written)  # ... and is in the cache once the reply starts
        reply = self.responder(body)
        call.output_tokens = tokens(reply)
        number = len(self.calls)
        if body.get("stream"):
            wants_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            return _Answer(
                200,
                {"content-type": "text/event-stream"},
                self._events(call, reply, number, with_usage=wants_usage and self.report_usage),
            )
        completion: dict[str, Any] = {
            "id": f"chatcmpl-{number}",
            "object": "chat.completion",
            "created": _CREATED,
            "model": body["model"],
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply},
                    "finish_reason": "length" if call.cut_off else "stop",
                    "logprobs": None,
                }
            ],
        }
        if self.report_usage:
            completion["usage"] = _usage(call)
        return _json(200, completion)

    def _error(self, body: dict[str, Any], headers: dict[str, str], failure: Failure) -> _Answer:
        self.calls.append(Call(body=body, headers=headers, status=failure.status))
        payload = {
            "error": {
                "message": failure.message,
                "type": failure.error_type,
                "param": None,
                "code": None,
            }
        }
        answer = _json(failure.status, payload)
        answer.headers.update(failure.headers)
        return answer

    def _events(self, call: Call, reply: str, number: int, *, with_usage: bool) -> Iterator[bytes]:
        def chunk(choices: list[dict[str, Any]], **more: Any) -> bytes:
            data = {
                "id": f"chatcmpl-{number}",
                "object": "chat.completion.chunk",
                "created": _CREATED,
                "model": call.body["model"],
                "system_fingerprint": "fp_fake",
                "choices": choices,
                **more,
            }
            return f"data: {json.dumps(data)}\n\n".encode()

        def delta(content: dict[str, Any], finish: str | None = None) -> list[dict[str, Any]]:
            return [{"index": 0, "delta": content, "logprobs": None, "finish_reason": finish}]

        yield chunk(delta({"role": "assistant", "content": ""}))
        for count, piece in enumerate(self.chunks(reply)):
            if call.broken_by is not None and count >= call.broken_after:
                # As vLLM and OpenAI send it: an error object in a data event, then nothing.
                error = {
                    "message": call.broken_by.message,
                    "type": call.broken_by.error_type,
                    "code": call.broken_by.status,
                }
                yield f"data: {json.dumps({'error': error})}\n\n".encode()
                return
            if self.hang_after_chunks is not None and count >= self.hang_after_chunks:
                self._stopping.wait()  # the reply never finishes
                return
            if self.chunk_delay_s:
                time.sleep(self.chunk_delay_s)
            yield chunk(delta({"content": piece}))
        yield chunk(delta({}, "length" if call.cut_off else "stop"))
        if with_usage:
            yield chunk([], usage=_usage(call))
        yield b"data: [DONE]\n\n"


_BAD_KEY = Failure(401, "invalid_request_error", "Incorrect API key provided.")


def _usage(call: Call) -> dict[str, Any]:
    prompt = call.input_tokens + call.cache_read_tokens
    return {
        "prompt_tokens": prompt,
        "completion_tokens": call.output_tokens,
        "total_tokens": prompt + call.output_tokens,
        "prompt_tokens_details": {"cached_tokens": call.cache_read_tokens},
    }


def _json(status: int, data: dict[str, Any]) -> _Answer:
    return _Answer(status, {"content-type": "application/json"}, json.dumps(data).encode())


def _handler_for(fake: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive and chunked replies, as real servers do

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def _serve(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            answer = fake.answer(self.command, self.path.split("?")[0], headers, raw)
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            try:
                if isinstance(answer.body, bytes):
                    self.send_header("content-length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                    return
                self.send_header("transfer-encoding", "chunked")
                self.end_headers()
                for piece in answer.body:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client gave up (a deadline passed)

        def log_message(self, format: str, *args: Any) -> None:
            return  # quiet: the tests read ``fake.calls``

    return Handler
