"""The response cache's table: look up, store and count reused provider replies.

Each function is one short transaction. Entries carry what they cost to produce in their
``usage`` JSON (tokens and the estimated dollars), so a report can say what reuse saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select

from spec_automation.core.copying import copy_fields
from spec_automation.store.database import Database
from spec_automation.store.models import ResponseCacheEntry

__all__ = [
    "CacheStats",
    "StoredReply",
    "cache_stats",
    "clear_replies",
    "find_reply",
    "save_reply",
]


@dataclass(frozen=True, slots=True)
class StoredReply:
    """One cache entry, detached from the database."""

    key: str
    provider: str
    model: str
    phase: str
    template_version: str
    reply: str
    usage: dict[str, Any]
    hits: int


@dataclass(frozen=True, slots=True)
class CacheStats:
    """How much the cache holds and how often it was used."""

    entries: int
    hits: int


def find_reply(db: Database, key: str, *, now: datetime | None = None) -> StoredReply | None:
    """The entry stored under ``key``, counting the hit; ``None`` when there is none."""
    with db.session() as session:
        row = session.scalar(select(ResponseCacheEntry).where(ResponseCacheEntry.key == key))
        if row is None:
            return None
        row.hits += 1
        row.last_used_at = now or datetime.now(UTC)
        return _record(row)


def save_reply(
    db: Database,
    *,
    key: str,
    provider: str,
    model: str,
    phase: str,
    template_version: str,
    reply: str,
    usage: dict[str, Any],
    now: datetime | None = None,
) -> None:
    """Store a reply under ``key``, replacing an entry already there."""
    moment = now or datetime.now(UTC)
    with db.session() as session:
        row = session.scalar(select(ResponseCacheEntry).where(ResponseCacheEntry.key == key))
        if row is None:
            row = ResponseCacheEntry(key=key, created_at=moment, hits=0)
            session.add(row)
        row.provider = provider
        row.model = model
        row.phase = phase
        row.template_version = template_version
        row.reply = reply
        row.usage = dict(usage)
        row.last_used_at = moment


def clear_replies(db: Database) -> int:
    """Remove every entry; return how many there were."""
    with db.session() as session:
        count = session.scalar(select(func.count()).select_from(ResponseCacheEntry)) or 0
        session.execute(delete(ResponseCacheEntry))
        return int(count)


def cache_stats(db: Database) -> CacheStats:
    """Entries held and hits counted."""
    with db.session() as session:
        entries, hits = session.execute(
            select(
                func.count(ResponseCacheEntry.id),
                func.coalesce(func.sum(ResponseCacheEntry.hits), 0),
            )
        ).one()
        return CacheStats(int(entries), int(hits))


def _record(row: ResponseCacheEntry) -> StoredReply:
    return copy_fields(StoredReply, row, usage=dict(row.usage or {}))
