"""What the fake model services share: the scripted "model", failures, recorded calls, and an
honest prompt cache.

``FakeClaude`` (the Messages API over ``httpx2.MockTransport``) and ``FakeOpenAI`` (an
OpenAI-compatible server on a loopback port) are both a ``FakeModelService``: a responder
writes the reply (by default the offline authors, reading the phase, the files to write, the
brief and the upstream artifacts out of the prompt, so a full workflow runs and validates
through the real SDKs), ``fail_next`` scripts error responses, every request is kept in
``calls`` with the usage reported for it, and the prompt cache is modelled on hashes of the
request's block prefixes, so a cache share measured against a fake says how well the app
orders its blocks. Tokens are counted as four characters each.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from spec_automation.agents.brief import parse_brief
from spec_automation.agents.offline import author_artifacts
from spec_automation.agents.reply import render_reply
from spec_automation.core.fan_out import FanOutItem
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
    """One request a fake received, with the usage it reported."""

    body: dict[str, Any]
    headers: dict[str, str]
    status: int
    input_tokens: int = 0  # not read from or written to the prompt cache
    cache_write_tokens: int = 0
    cache_read_tokens: int = 0
    output_tokens: int = 0
    shared_tokens: int = 0  # the prefix worth caching (up to the last breakpoint, or the task)
    #: An error sent in the middle of the streamed reply, after ``broken_after`` chunks.
    broken_by: Failure | None = None
    broken_after: int = 0
    cut_off: bool = False  # the reply stops at the length limit (max_tokens, "length")

    @property
    def task(self) -> str:
        """The last text block of the user turn (the phase's own instructions)."""
        return prompt_blocks(self.body)[-1][0]


class FakeModelService:
    """The part of a fake model service that is not its wire format.

    Args:
        responder: request body → reply text (the default plays the offline authors).
        latency_s: wait before a response starts (time to first token).
        chunk_delay_s: wait between streamed chunks.
        chunk_chars: characters per streamed chunk.
        api_key: when set, requests without this key are refused (401).
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
        self.broken: list[tuple[Failure, int]] = []  # mid-stream failures, with their chunk
        self.cut_offs = 0  # replies still to end at the length limit
        self.hang_after_chunks: int | None = None
        #: Requests this is true of never get a reply (not even its first byte): a hung call.
        self.stall: Callable[[dict[str, Any]], bool] | None = None
        self.calls: list[Call] = []
        self._cache: set[str] = set()
        self._lock = threading.Lock()  # the loopback server answers from several threads

    def fail_next(self, failure: Failure, times: int = 1) -> None:
        """Answer the next ``times`` requests with ``failure``."""
        with self._lock:
            self.failures.extend([failure] * times)

    def fail_during_next(self, failure: Failure, times: int = 1, after_chunks: int = 1) -> None:
        """Break the next ``times`` streamed replies with ``failure`` as an error event after
        ``after_chunks`` chunks (the HTTP status stays 200: the reply had begun)."""
        with self._lock:
            self.broken.extend([(failure, after_chunks)] * times)

    def cut_off_next(self, times: int = 1) -> None:
        """End the next ``times`` replies at the length limit (billed, as the services do)."""
        with self._lock:
            self.cut_offs += times

    def next_break(self, call: Call) -> None:
        """Mark the call to be broken mid-stream or cut off, if one is scripted."""
        with self._lock:
            if self.broken:
                call.broken_by, call.broken_after = self.broken.pop(0)
            elif self.cut_offs:
                self.cut_offs -= 1
                call.cut_off = True

    @property
    def replies(self) -> list[Call]:
        """Requests answered with a whole reply."""
        return [c for c in self.calls if c.status == 200 and c.broken_by is None and not c.cut_off]

    def cache_share(self) -> float:
        """Share of the cacheable prefix tokens that were read from the prompt cache."""
        shared = sum(c.shared_tokens for c in self.replies)
        return sum(c.cache_read_tokens for c in self.replies) / shared if shared else 0.0

    # --- for the wire formats ----------------------------------------------------------

    def authorised(self, headers: dict[str, str]) -> bool:
        """Whether the request carries the key (always, when the fake wants none)."""
        return self.api_key is None or self.api_key in (
            headers.get("x-api-key", ""),
            headers.get("authorization", "").removeprefix("Bearer "),
        )

    def next_failure(self) -> Failure | None:
        """The scripted failure this request gets, if any."""
        with self._lock:
            return self.failures.pop(0) if self.failures else None

    def stalls(self, body: dict[str, Any]) -> bool:
        """Whether this request is to hang before its reply starts."""
        return self.stall is not None and self.stall(body)

    def chunks(self, reply: str) -> list[str]:
        """The reply cut into streamed pieces."""
        return [reply[i : i + self.chunk_chars] for i in range(0, len(reply), self.chunk_chars)]

    def account(self, call: Call, *, automatic: bool) -> list[str]:
        """Fill in the call's input usage from the prompt cache; return the prefixes it writes
        (to be made readable once the reply starts, as with the real services).

        ``automatic`` is prefix caching as OpenAI-compatible servers do it: every prefix is
        stored and the longest one seen before is read. Otherwise, as Claude does it, only the
        prefixes ending at a ``cache_control`` breakpoint are stored, and what lies between the
        prefix read and the request's last breakpoint is written.
        """
        blocks = prompt_blocks(call.body)
        running = hashlib.sha256(str(call.body.get("model", "")).encode())
        prefix_hashes: list[str] = []
        for text, _ in blocks:
            running.update(hashlib.sha256(text.encode()).digest())
            prefix_hashes.append(running.copy().hexdigest())
        ends: list[int] = []
        for text, _ in blocks:
            ends.append((ends[-1] if ends else 0) + tokens(text))
        if automatic:
            points = list(range(len(blocks) - 1))  # every prefix short of the task
        else:
            points = [i for i, (_, cached) in enumerate(blocks) if cached]
        last = points[-1] if points else -1
        read_end = max(
            (
                i
                for i in range(last + 1)
                if prefix_hashes[i] in self._cache and ends[i] >= self.min_cacheable_tokens
            ),
            default=-1,
        )
        writable = [i for i in points if i > read_end and ends[i] >= self.min_cacheable_tokens]
        read = ends[read_end] if read_end >= 0 else 0
        call.cache_read_tokens = read
        if not automatic:  # automatic caching bills no writes
            write_end = writable[-1] if writable else read_end
            call.cache_write_tokens = (ends[write_end] if write_end >= 0 else 0) - read
        call.input_tokens = ends[-1] - read - call.cache_write_tokens if ends else 0
        call.shared_tokens = ends[last] if last >= 0 else 0
        return [prefix_hashes[i] for i in writable]

    def cache_written(self, prefixes: list[str]) -> None:
        """Make a request's prefixes readable by later requests."""
        with self._lock:
            self._cache.update(prefixes)


def prompt_blocks(body: dict[str, Any]) -> list[tuple[str, bool]]:
    """(text, has cache_control) for the system blocks, then every message's blocks.

    Reads both wire formats: Claude's ``system`` field and text blocks, and the chat format's
    system message and text parts.
    """
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
    blocks = [text for text, _ in prompt_blocks(body)]
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
    item = None
    if "<<<FILE code/" in task:  # the developer's prompt: code files besides the manifest
        spec = replace(spec, phase_type="implementation")
        item, inputs = _code_part(task, inputs)
    return render_reply(author_artifacts(spec, brief, inputs, project, item=item))


_PART = re.compile(
    r"This call writes one part of \S+ \((\d+) of (\d+)\): (?:the part no \w+ owns: (\w+)\."
    r"|the \w+ ([A-Z]+-\d+)(?:: ([^\n]*?))?, and nothing else)"
)


def _code_part(task: str, inputs: dict[str, str]) -> tuple[FanOutItem | None, dict[str, str]]:
    """The part a developer's call writes when its phase fans out over the epics, and the
    inputs with that epic's section (from the task) as epics.md; (None, inputs) otherwise."""
    match = _PART.search(task)
    if match is None:
        return None, inputs
    index, count = int(match.group(1)) - 1, int(match.group(2))
    if match.group(3):
        return FanOutItem(index, match.group(3), "", "", count, lead=True), inputs
    key, title = match.group(4), match.group(5) or ""
    section = task.split("from epics.md:", 1)[-1].strip()
    return FanOutItem(index, key, title, section, count), {**inputs, "epics.md": section}
