"""The response cache kept in the project's store, as the agents' runner asks for it."""

from __future__ import annotations

from spec_automation.core.copying import copy_fields, field_values
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
        tokens = TokenUsage(
            **{name: int(usage.get(name, 0)) for name in field_values(TokenUsage())}
        )
        return copy_fields(
            CachedReply, found, usage=tokens, cost_usd=float(usage.get("cost_usd", 0.0))
        )

    def put(self, key: str, reply: CachedReply) -> None:
        """Store ``reply`` with what it cost to produce."""
        reply_cache.save_reply(
            self.db,
            key=key,
            **field_values(reply, "provider", "model", "phase", "template_version", "reply"),
            usage={**field_values(reply.usage), "cost_usd": reply.cost_usd},
        )
