"""The response cache kept in the project's store, as the agents' runner asks for it."""

from __future__ import annotations

from spec_automation.core.ports import TokenUsage
from spec_automation.llm.cache import CachedReply
from spec_automation.store import cache as reply_cache
from spec_automation.store.database import Database

__all__ = ["StoreResponseCache"]


class StoreResponseCache:
    """The response cache kept in the project's store (``llm.cache.ResponseCache``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def get(self, key: str) -> CachedReply | None:
        """The stored reply under ``key``, counting the hit."""
        found = reply_cache.find_reply(self.db, key)
        if found is None:
            return None
        usage = found.usage
        return CachedReply(
            reply=found.reply,
            provider=found.provider,
            model=found.model,
            phase=found.phase,
            template_version=found.template_version,
            usage=TokenUsage(
                input_tokens=int(usage.get("input_tokens", 0)),
                output_tokens=int(usage.get("output_tokens", 0)),
                cache_write_tokens=int(usage.get("cache_write_tokens", 0)),
                cache_read_tokens=int(usage.get("cache_read_tokens", 0)),
            ),
            cost_usd=float(usage.get("cost_usd", 0.0)),
        )

    def put(self, key: str, reply: CachedReply) -> None:
        """Store ``reply`` with what it cost to produce."""
        reply_cache.save_reply(
            self.db,
            key=key,
            provider=reply.provider,
            model=reply.model,
            phase=reply.phase,
            template_version=reply.template_version,
            reply=reply.reply,
            usage={
                "input_tokens": reply.usage.input_tokens,
                "output_tokens": reply.usage.output_tokens,
                "cache_write_tokens": reply.usage.cache_write_tokens,
                "cache_read_tokens": reply.usage.cache_read_tokens,
                "cost_usd": reply.cost_usd,
            },
        )
