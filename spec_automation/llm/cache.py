"""The response cache: a provider's reply reused when nothing that shaped it has changed.

An entry is content-addressed: its key is a SHA-256 over the provider, the model, the prompt
template version, the phase and the files it writes, the hashes of the brief, the constitution
and every input artifact, any reviewer feedback, and the generation parameters. Re-running a
phase whose key is unchanged gives back the stored reply at zero tokens. The store keeps the
entries (``store/cache.py``); this module only says what a key is and what an entry holds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from spec_automation.core.ports import TokenUsage

__all__ = ["CacheKey", "CachedReply", "MemoryResponseCache", "ResponseCache"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CacheKey:
    """Everything a reply depends on. ``digest`` is the content address."""

    provider: str
    model: str
    template_version: str
    phase: str
    produces: tuple[str, ...]
    brief_hash: str
    constitution_hash: str
    input_hashes: Mapping[str, str]  # artifact -> sha256 of its body (front matter excluded)
    parameters: Mapping[str, object]  # max_tokens, temperature, ...
    feedback: str = ""

    @property
    def digest(self) -> str:
        """64 hex digits identifying this exact request."""
        payload = {
            "provider": self.provider,
            "model": self.model,
            "template_version": self.template_version,
            "phase": self.phase,
            "produces": list(self.produces),
            "brief": self.brief_hash,
            "constitution": self.constitution_hash,
            "inputs": dict(sorted(self.input_hashes.items())),
            "parameters": dict(sorted(self.parameters.items())),
            "feedback": self.feedback,
        }
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class CachedReply:
    """A stored reply and what producing it cost the first time."""

    reply: str
    provider: str
    model: str
    phase: str
    template_version: str
    usage: TokenUsage = field(default_factory=TokenUsage)
    cost_usd: float = 0.0


class ResponseCache(Protocol):
    """Where replies are kept. Calls are synchronous and may block (the store is SQLite)."""

    def get(self, key: str) -> CachedReply | None:
        """The reply stored under ``key`` (counting the hit), or ``None``."""
        ...

    def put(self, key: str, reply: CachedReply) -> None:
        """Store ``reply`` under ``key``, replacing any entry there."""
        ...


class MemoryResponseCache:
    """A response cache in a dictionary: for tests and one-off runs."""

    def __init__(self) -> None:
        self.entries: dict[str, CachedReply] = {}
        self.hits = 0

    def get(self, key: str) -> CachedReply | None:
        """The stored reply, if any."""
        found = self.entries.get(key)
        if found is not None:
            self.hits += 1
        return found

    def put(self, key: str, reply: CachedReply) -> None:
        """Store the reply."""
        self.entries[key] = reply
