"""The response cache's table: store, find (counting hits), replace, clear."""

from __future__ import annotations

from pathlib import Path

from spec_automation.store import cache
from spec_automation.store.database import open_database


def test_a_reply_is_stored_found_and_counted(tmp_path: Path) -> None:
    with open_database(tmp_path / "state.db") as db:
        assert cache.find_reply(db, "k" * 64) is None
        cache.save_reply(
            db,
            key="k" * 64,
            provider="anthropic",
            model="claude-sonnet-4-6",
            phase="ANALYSIS",
            template_version="abc",
            reply="<<<FILE analysis.md>>>\n# A\n<<<END FILE>>>\n",
            usage={"input_tokens": 10, "output_tokens": 5, "cost_usd": 0.01},
        )
        found = cache.find_reply(db, "k" * 64)
        assert found is not None
        assert (found.phase, found.usage["output_tokens"], found.hits) == ("ANALYSIS", 5, 1)
        assert cache.find_reply(db, "k" * 64).hits == 2
        assert cache.cache_stats(db) == cache.CacheStats(entries=1, hits=2)


def test_saving_under_the_same_key_replaces_the_reply(tmp_path: Path) -> None:
    with open_database(tmp_path / "state.db") as db:
        for text in ("first", "second"):
            cache.save_reply(
                db, key="k", provider="p", model="m", phase="P", template_version="v",
                reply=text, usage={},
            )  # fmt: skip
        assert cache.find_reply(db, "k").reply == "second"
        assert cache.clear_replies(db) == 1
        assert cache.find_reply(db, "k") is None
