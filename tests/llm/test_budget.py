"""The budget's bookkeeping: calls in flight hold what they may cost, and a call that could go
past the limit is refused with a sentence saying how to go on."""

from __future__ import annotations

import pytest

from spec_automation.llm.budget import Budget, BudgetReached, worst_case_cost


def test_calls_in_flight_hold_their_worst_case_so_side_by_side_calls_cannot_overshoot() -> None:
    budget = Budget(1.00)
    first = budget.reserve(0.40, "SPEC_API")
    second = budget.reserve(0.40, "SPEC_DATA_MODEL")
    with pytest.raises(BudgetReached) as refused:
        budget.reserve(0.40, "DEPENDENCIES")  # 0.80 held: a third could take it to 1.20
    said = str(refused.value)
    assert "stopped before DEPENDENCIES's call: it could cost up to $0.4000" in said
    assert "$0.8000 held by calls in flight of its $1.00 budget" in said
    assert "run --resume --budget USD" in said
    assert budget.refused == 1

    budget.settle(first, 0.05)  # it cost far less than it could have
    budget.settle(second, 0.07)
    assert budget.held_usd == 0
    assert budget.spent_usd == pytest.approx(0.12)
    budget.reserve(0.40, "DEPENDENCIES")  # now it fits


def test_the_worst_case_of_a_call_is_its_prompt_at_the_cache_write_price_and_a_full_reply() -> None:
    # Sonnet: $3 in, $15 out per million; 30,000 characters are at most 10,000 tokens.
    cost = worst_case_cost("claude-sonnet-4-6", 30_000, 8192)
    assert cost == pytest.approx((10_000 * 3 * 1.25 + 8192 * 15) / 1_000_000)
    assert worst_case_cost("a-model-of-unknown-price", 30_000, 8192) is None
