"""The providers a run, or one phase of it (``provider:`` in the spec), can use."""

from __future__ import annotations

__all__ = ["PROVIDERS"]

#: The offline authors, Claude, and any server speaking the OpenAI-compatible chat API.
PROVIDERS = ("offline", "anthropic", "openai_compatible")
