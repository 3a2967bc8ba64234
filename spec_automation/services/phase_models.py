"""Which model each phase's calls go to, and the runner that sends them there.

A run has one provider and model; a phase may name its own (``model:`` and ``provider:`` in
the spec), and the user's settings may name a model per role (``role_models``: the analyst on a
small model, the architect on a large one). The spec wins over the settings, the settings over
the run's model. A run with the offline provider drafts every phase offline whatever is set:
choosing offline means nothing leaves the machine.

Each distinct (provider, model) gets its own agents' runner (its own connections and prompt
cache warm-up), and :class:`PhaseModels` sends every phase to its runner. The model that wrote
an artifact is recorded with it as before: each runner names its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

from spec_automation.core.ports import PhaseOutput, PhaseRequest, PhaseRunner, ProgressCallback
from spec_automation.core.spec import WorkflowSpec
from spec_automation.settings import DEFAULT_MODEL

__all__ = ["ClosingRunner", "ModelChoice", "PhaseModels", "model_choices"]


@dataclass(frozen=True, slots=True, order=True)
class ModelChoice:
    """A provider and the model asked there ('' for the offline authors)."""

    provider: str
    model: str

    def __str__(self) -> str:
        return self.model or self.provider


def model_choices(
    spec: WorkflowSpec,
    provider: str,
    model: str,
    role_models: Iterable[tuple[str, str]] | Mapping[str, str] = (),
) -> dict[str, ModelChoice]:
    """Each phase's provider and model for a run with ``provider`` and ``model``."""
    run = ModelChoice(provider, "" if provider == "offline" else model)
    if provider == "offline":
        return dict.fromkeys(spec.phases, run)
    by_role = dict(role_models.items() if isinstance(role_models, Mapping) else role_models)
    chosen: dict[str, ModelChoice] = {}
    for name, phase in spec.phases.items():
        own = phase.provider or provider
        if own == "offline":
            chosen[name] = ModelChoice("offline", "")
        elif phase.model:
            chosen[name] = ModelChoice(own, phase.model)
        elif own != provider:  # Claude named without a model: the default Claude model
            chosen[name] = ModelChoice(own, DEFAULT_MODEL)
        else:
            chosen[name] = ModelChoice(own, by_role.get(phase.agent, "").strip() or model)
    return chosen


class ClosingRunner(PhaseRunner, Protocol):
    """A phase runner with connections to release."""

    async def aclose(self) -> None:
        """Release them."""
        ...


class PhaseModels:
    """Runs each phase through the runner of its model (the run's for a phase not listed)."""

    def __init__(
        self,
        choices: Mapping[str, ModelChoice],
        default: ModelChoice,
        build: Callable[[ModelChoice], ClosingRunner],
    ) -> None:
        """``build`` makes the runner of one choice; every choice's is built here, so a
        provider that cannot be set up (a missing key) is said before anything runs."""
        self.choices = dict(choices)
        self.default = default
        wanted = sorted({default, *self.choices.values()})
        self.runners = {choice: build(choice) for choice in wanted}

    def choice_of(self, phase: str) -> ModelChoice:
        """The provider and model a phase's calls go to."""
        return self.choices.get(phase, self.default)

    async def run(self, request: PhaseRequest, progress: ProgressCallback) -> PhaseOutput:
        """Run the phase through its model's runner."""
        return await self.runners[self.choice_of(request.phase.name)].run(request, progress)

    async def aclose(self) -> None:
        """Release every runner's connections."""
        for runner in self.runners.values():
            await runner.aclose()
