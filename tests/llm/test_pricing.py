"""The price table: cost per model family, cache writes and reads priced apart."""

from __future__ import annotations

import pytest

from spec_automation.core.ports import TokenUsage
from spec_automation.llm.pricing import estimate_cost, price_of, runs_locally


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


@pytest.mark.parametrize(
    ("address", "local"),
    [
        ("http://localhost:11434/v1", True),
        ("http://127.0.0.1:8080/v1", True),
        ("http://[::1]:8000/v1", True),
        ("http://192.168.1.20:1234/v1", True),
        ("http://gpu-box.local:8000/v1", True),
        ("https://api.openai.com/v1", False),
        ("https://api.together.xyz/v1", False),
        ("http://8.8.8.8/v1", False),
    ],
)
def test_a_server_on_this_machine_or_network_runs_locally(address: str, local: bool):
    assert runs_locally(address) is local
