"""What a model call costs: a price table per model family, in US dollars per million tokens.

Prompt-cache writes cost 1.25 times the input price and cache reads a tenth of it (Anthropic's
published multipliers for the five-minute cache). A model name is matched to the longest
family prefix in the table, so dated snapshots (``claude-sonnet-4-5-20250929``) price like
their family; an unknown model costs nothing rather than a wrong guess, and says so.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from types import MappingProxyType
from urllib.parse import urlsplit

from spec_automation.core.ports import TokenUsage

__all__ = ["PRICES", "ModelPrice", "estimate_cost", "price_of", "runs_locally"]

_CACHE_WRITE = 1.25
_CACHE_READ = 0.1


@dataclass(frozen=True, slots=True)
class ModelPrice:
    """Dollars per million input and output tokens."""

    input_per_mtok: float
    output_per_mtok: float

    def cost(self, usage: TokenUsage) -> float:
        """Dollars for this usage."""
        dollars = (
            usage.input_tokens * self.input_per_mtok
            + usage.cache_write_tokens * self.input_per_mtok * _CACHE_WRITE
            + usage.cache_read_tokens * self.input_per_mtok * _CACHE_READ
            + usage.output_tokens * self.output_per_mtok
        )
        return dollars / 1_000_000


#: Family prefix → price (Anthropic list prices when this was written). The longest matching
#: prefix wins: "claude-opus-4-1" is the older, dearer Opus; plain "claude-opus" the current one.
PRICES = MappingProxyType(
    {
        "claude-opus": ModelPrice(5.0, 25.0),
        "claude-opus-4-0": ModelPrice(15.0, 75.0),
        "claude-opus-4-1": ModelPrice(15.0, 75.0),
        "claude-opus-4-2025": ModelPrice(15.0, 75.0),
        "claude-sonnet": ModelPrice(3.0, 15.0),
        "claude-3-7-sonnet": ModelPrice(3.0, 15.0),
        "claude-haiku": ModelPrice(1.0, 5.0),
        "claude-3-5-haiku": ModelPrice(0.8, 4.0),
        "claude-3-haiku": ModelPrice(0.25, 1.25),
    }
)


def price_of(model: str) -> ModelPrice | None:
    """The price of ``model`` by its longest matching family prefix, or ``None``."""
    matches = [prefix for prefix in PRICES if model.startswith(prefix)]
    return PRICES[max(matches, key=len)] if matches else None


def estimate_cost(model: str, usage: TokenUsage) -> float:
    """Estimated dollars for ``usage`` on ``model`` (0 for a model not in the table)."""
    price = price_of(model)
    return price.cost(usage) if price else 0.0


def runs_locally(base_url: str) -> bool:
    """Whether a server at ``base_url`` is the user's own (this machine or their network), so
    its calls cost nothing: ``localhost``, a loopback or private address, or a ``.local`` name.
    """
    host = (urlsplit(base_url).hostname or "").lower()
    if host == "localhost" or host.endswith((".localhost", ".local")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local
