"""A run's spending limit: no call starts that could take the spending past it.

Before a model call the runner asks :meth:`Budget.reserve` for the most the call can cost (its
prompt at the dearest input rate, and a reply as long as ``max_tokens``); calls in flight hold
their reservations, so calls running side by side cannot overshoot together. When a call ends,
its reservation is replaced by what it was billed. A call that could go past the limit is not
made: :class:`BudgetReached` says what was spent, what the call could cost, and how to go on.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from spec_automation.core.ports import PhaseError
from spec_automation.llm.pricing import price_of

__all__ = ["Budget", "BudgetReached", "Reservation", "worst_case_cost"]

#: Characters per token when bounding a prompt's size (fewer than any tokenizer's average, so
#: the bound is never below the real count for ordinary text).
_CHARS_PER_TOKEN = 3.0
#: The dearest rate an input token is billed at (a prompt-cache write) relative to the price.
_DEAREST_INPUT = 1.25


def worst_case_cost(model: str, prompt_chars: int, max_tokens: int) -> float | None:
    """The most one call to ``model`` can cost: a prompt of ``prompt_chars`` characters all
    written to the cache, and a reply of ``max_tokens``; None when the price is unknown."""
    price = price_of(model)
    if price is None:
        return None
    prompt_tokens = prompt_chars / _CHARS_PER_TOKEN
    dollars = (
        prompt_tokens * price.input_per_mtok * _DEAREST_INPUT + max_tokens * price.output_per_mtok
    )
    return dollars / 1_000_000


class BudgetReached(PhaseError):
    """A call was not made: it could have taken the run's spending past its budget."""


@dataclass(eq=False, slots=True)
class Reservation:
    """What one call in flight may cost, held against the budget until it ends."""

    amount: float


@dataclass(slots=True)
class Budget:
    """The most a run may spend (US dollars), what it has spent, and what calls in flight
    may still cost."""

    limit_usd: float
    spent_usd: float = 0.0
    _held: list[Reservation] = field(default_factory=list)
    #: The calls refused, so the run can say it stopped at the budget.
    refused: int = 0

    @property
    def held_usd(self) -> float:
        """What the calls in flight may still cost."""
        return sum(r.amount for r in self._held)

    def reserve(self, amount: float, what: str) -> Reservation:
        """Hold ``amount`` for a call about ``what`` (a phase name), or refuse it.

        Raises ``BudgetReached`` when the spending and the calls in flight, with this call,
        could go past the limit.
        """
        if self.spent_usd + self.held_usd + amount > self.limit_usd:
            self.refused += 1
            in_flight = self.held_usd
            flight = f", ${in_flight:.4f} held by calls in flight" if in_flight else ""
            raise BudgetReached(
                f"stopped before {what}'s call: it could cost up to ${amount:.4f}, and the "
                f"run has spent ${self.spent_usd:.4f}{flight} of its ${self.limit_usd:.2f} "
                "budget; raise the budget (Budget per run in Settings, or run --resume "
                "--budget USD) and resume to go on"
            )
        reservation = Reservation(amount)
        self._held.append(reservation)
        return reservation

    def settle(self, reservation: Reservation, billed_usd: float) -> None:
        """The call ended: what it was billed replaces what it held."""
        if reservation in self._held:
            self._held.remove(reservation)
            self.spent_usd += billed_usd
