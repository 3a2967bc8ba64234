"""What a run is likely to cost before it starts, from what its phases cost last time.

Each phase the run would call a priced model for is estimated at what its newest call on that
model billed; a phase never run on that model has no estimate and is named as such (a guess
would be a number to distrust). Offline phases and models on the user's own server cost
nothing. The budget (``--budget``) is kept call by call while the run goes (``llm.budget``);
this estimate is what the user sees before deciding to start.
"""

from __future__ import annotations

from dataclasses import dataclass

from spec_automation.llm.pricing import price_of, runs_locally
from spec_automation.services.context import ProjectState
from spec_automation.services.options import RunOptions
from spec_automation.services.phase_models import model_choices
from spec_automation.settings import SettingsError, parse_role_models
from spec_automation.store import queries

__all__ = ["CostEstimate", "estimate_cost"]


@dataclass(frozen=True, slots=True)
class CostEstimate:
    """The estimated cost of the phases a run would call a model for."""

    known_usd: float = 0.0
    estimated: tuple[str, ...] = ()  # phases with a cost on record
    unknown: tuple[str, ...] = ()  # phases calling a priced model with none on record
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
            text += " (what they cost last time)"
            if self.unknown:
                text += f", and {len(self.unknown)} never run on their model yet"
        else:
            text = f"No cost on record yet for the {len(self.unknown)} phases to run on their model"
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
    last = queries.last_phase_costs(project.db, project.project_id)
    known, estimated, unknown = 0.0, [], []
    for phase in phases:
        choice = choices.get(phase)
        if choice is None or choice.provider == "offline":
            continue
        if choice.provider == "openai_compatible" and runs_locally(options.base_url):
            continue
        cost = last.get((phase, choice.model))
        if cost is not None:
            known += cost
            estimated.append(phase)
        elif price_of(choice.model) is not None:
            unknown.append(phase)
    return CostEstimate(known, tuple(estimated), tuple(unknown), options.budget_usd)
