"""A scripted language-model provider: replies given in advance, requests recorded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from spec_automation.core.ports import ProgressCallback, TokenUsage
from spec_automation.llm.provider import ProviderReply, ProviderRequest


@dataclass
class ScriptedProvider:
    """Answers each call with the next scripted reply (or ``answer(request)``)."""

    replies: list[str] = field(default_factory=list)
    answer: Callable[[ProviderRequest], str] | None = None
    name: str = "scripted"
    model: str = "scripted-model-1"
    takes_temperature: bool = True
    endpoint: str = ""
    requests: list[ProviderRequest] = field(default_factory=list)

    async def complete(self, request: ProviderRequest, progress: ProgressCallback) -> ProviderReply:
        self.requests.append(request)
        text = self.answer(request) if self.answer else self.replies.pop(0)
        progress(len(text) // 4, "writing")
        return ProviderReply(text, TokenUsage(input_tokens=100, output_tokens=len(text) // 4), 0.01)

    async def aclose(self) -> None:
        return None
