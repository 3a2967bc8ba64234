"""The offline provider: the embedded default, deterministic and network-free.

It does not invent text. The agent's offline author drafts each reply deterministically from
the brief and the upstream artifacts; this provider delivers that reply the way a model would:
streamed in chunks over a simulated latency (the phase's ``estimated_duration_s`` times a
scale), reporting tokens as they come, so every other part of the app (progress, metrics, the
visualizer) behaves as it does with a real model.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from spec_automation.core.ports import ProgressCallback, TokenUsage

__all__ = ["DEFAULT_LATENCY_SCALE", "OfflineProvider", "estimate_tokens"]

#: Makes the bundled sample (critical path 250 s of estimates) run in about 10 s in parallel.
DEFAULT_LATENCY_SCALE = 0.04

_CHUNK_INTERVAL_S = 0.05  # how often progress is reported while "streaming"


def estimate_tokens(text: str) -> int:
    """Rough token count (about four characters a token), at least 1 for non-empty text."""
    return (len(text) + 3) // 4


@dataclass(frozen=True, slots=True)
class OfflineProvider:
    """Delivers drafted replies with simulated latency."""

    latency_scale: float = DEFAULT_LATENCY_SCALE
    name: str = "offline"
    model: str = "offline-author-1"

    def __post_init__(self) -> None:
        if not self.latency_scale >= 0:
            raise ValueError("the latency scale must be zero or more")

    def latency_s(self, estimated_duration_s: float) -> float:
        """Simulated seconds a phase with this estimate takes."""
        return estimated_duration_s * self.latency_scale

    async def deliver(
        self,
        reply: str,
        *,
        estimated_duration_s: float,
        context_chars: int,
        progress: ProgressCallback,
    ) -> TokenUsage:
        """Stream ``reply`` over the simulated latency, reporting tokens produced so far."""
        total = estimate_tokens(reply)
        duration = self.latency_s(estimated_duration_s)
        loop = asyncio.get_running_loop()
        start = loop.time()
        steps = max(1, round(duration / _CHUNK_INTERVAL_S))
        for step in range(1, steps + 1):
            # Sleep to an absolute deadline so many small sleeps do not drift.
            delay = start + duration * step / steps - loop.time()
            await asyncio.sleep(max(0.0, delay))
            progress(total * step // steps, "writing")
        return TokenUsage(input_tokens=estimate_tokens("x" * context_chars), output_tokens=total)
