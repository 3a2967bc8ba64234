"""The price table: cost per model family, cache writes and reads priced apart."""

from __future__ import annotations

import pytest

from spec_automation.core.ports import TokenUsage
from spec_automation.llm.pricing import estimate_cost, price_of


def test_a_million_tokens_of_each_kind_cost_the_list_price():
    usage = TokenUsage(input_tokens=1_000_000, output_tokens=1_000_000)
    assert estimate_cost("claude-sonnet-4-6", usage) == pytest.approx(3.0 + 15.0)
    assert estimate_cost("claude-haiku-4-5-20251001", usage) == pytest.approx(1.0 + 5.0)


def test_cache_writes_cost_more_and_reads_a_tenth():
    writes = TokenUsage(cache_write_tokens=1_000_000)
    reads = TokenUsage(cache_read_tokens=1_000_000)
    assert estimate_cost("claude-sonnet-4-6", writes) == pytest.approx(3.75)
    assert estimate_cost("claude-sonnet-4-6", reads) == pytest.approx(0.30)


def test_the_longest_family_prefix_wins():
    assert price_of("claude-opus-4-1-20250805").input_per_mtok == 15.0
    assert price_of("claude-opus-4-8").input_per_mtok == 5.0


def test_an_unknown_model_costs_nothing_rather_than_a_guess():
    assert price_of("some-other-model") is None
    assert estimate_cost("some-other-model", TokenUsage(input_tokens=10**6)) == 0.0
