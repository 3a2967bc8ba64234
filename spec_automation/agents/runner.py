"""The phase runner: turns a phase request into artifacts through its agent and a provider.

With the offline provider, the agent's offline author drafts the reply from the brief and the
upstream artifacts; the provider streams it back with simulated latency; the reply parser splits
it into the phase's files. The same parse step will check replies from a real model.
"""

from __future__ import annotations

from spec_automation.agents.brief import parse_brief
from spec_automation.agents.offline import author_artifacts
from spec_automation.agents.reply import parse_reply, render_reply
from spec_automation.core.ports import PhaseOutput, PhaseRequest, ProgressCallback
from spec_automation.llm.offline import OfflineProvider

__all__ = ["OfflinePhaseRunner"]


class OfflinePhaseRunner:
    """Runs every phase with the offline provider."""

    def __init__(self, provider: OfflineProvider) -> None:
        self.provider = provider

    async def run(self, request: PhaseRequest, progress: ProgressCallback) -> PhaseOutput:
        """Draft, deliver and parse the phase's artifacts."""
        phase = request.phase
        brief = parse_brief(request.brief, request.project_name)
        drafted = author_artifacts(phase, brief, request.inputs, request.project_name)
        if request.feedback:
            drafted = {n: _with_feedback(body, request.feedback) for n, body in drafted.items()}
        reply = render_reply(drafted)
        context_chars = len(request.brief) + sum(len(c) for c in request.inputs.values())
        usage = await self.provider.deliver(
            reply,
            estimated_duration_s=phase.estimated_duration_s,
            context_chars=context_chars,
            progress=progress,
        )
        return PhaseOutput(
            artifacts=parse_reply(reply, phase.produces),
            provider=self.provider.name,
            model=self.provider.model,
            usage=usage,
            cost_usd=0.0,
        )


def _with_feedback(body: str, feedback: str) -> str:
    """The drafted body with the reviewer's note it was redone for, so the change is visible."""
    quoted = "\n".join(f"> {line}" if line else ">" for line in feedback.strip().splitlines())
    return f"{body.rstrip()}\n\n## Review feedback addressed\n\n{quoted}\n"
