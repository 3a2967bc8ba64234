"""What a run is likely to cost before it starts, from the tokens its phases took before.

Each phase the run would call a priced model for is estimated at the median tokens of its
recent successful, uncached attempts (the measure the impact dialog's estimates use, offline
runs included), priced for the model the phase will use; a phase never run has no estimate
and is named as such (a guess would be a number to distrust). Offline phases and models on the
user's own server cost nothing. The budget (``--budget``) is kept call by call while the run
goes (``llm.budget``); this estimate is what the user sees before deciding to start.
"""

from __future__ import annotations

from dataclasses import dataclass

from spec_automation.core.ports import TokenUsage
from spec_automation.llm.pricing import price_of, runs_locally
from spec_automation.services.context import ProjectState
from spec_automation.services.options import RunOptions
from spec_automation.services.phase_models import model_choices
from spec_automation.settings import SettingsError, parse_role_models

__all__ = ["CostEstimate", "estimate_cost"]


@dataclass(frozen=True, slots=True)
class CostEstimate:
    """The estimated cost of the phases a run would call a model for."""

    known_usd: float = 0.0
    estimated: tuple[str, ...] = ()  # phases with tokens on record
    unknown: tuple[str, ...] = ()  # phases calling a priced model, never run before
    budget_usd: float = 0.0  # the run's budget (0: none)

    @property
    def free(self) -> bool:
        """No phase calls a priced model."""
        return not self.estimated and not self.unknown

    def sentence(self) -> str:
        """What to expect, in one sentence ('' when nothing costs anything)."""
        if self.free:
            return ""
        if self.estimated:
            text = f"Estimated cost: about ${self.known_usd:.2f} for {len(self.estimated)} phase"
            text += "s" if len(self.estimated) != 1 else ""
            text += " (from the tokens they took before)"
            if self.unknown:
                text += f", and {len(self.unknown)} never run before"
        else:
            text = f"No estimate yet: the {len(self.unknown)} phases to run have never run"
        text += "."
        if self.budget_usd > 0:
            text += (
                f" Budget ${self.budget_usd:.2f}: the run stops before a call that could take "
                "it past that"
            )
            over = self.known_usd > self.budget_usd
            text += " (the estimate is over it)." if over else "."
        return text


def estimate_cost(project: ProjectState, options: RunOptions, phases: list[str]) -> CostEstimate:
    """The estimate for running ``phases`` with ``options``."""
    try:
        by_role = parse_role_models(options.role_models)
    except SettingsError:
        by_role = {}
    choices = model_choices(project.spec, options.provider, options.model, by_role)
    priced = {
        phase: price
        for phase in phases
        if (choice := choices.get(phase)) is not None
        and choice.provider != "offline"
        and not (choice.provider == "openai_compatible" and runs_locally(options.base_url))
        and (price := price_of(choice.model)) is not None
    }
    measured = project.regenerations.measured_usage(list(priced))
    known = sum(
        price.cost(TokenUsage(input_tokens=measured[p][0], output_tokens=measured[p][1]))
        for p, price in priced.items()
        if p in measured
    )
    estimated = tuple(p for p in priced if p in measured)
    unknown = tuple(p for p in priced if p not in measured)
    return CostEstimate(known, estimated, unknown, options.budget_usd)
