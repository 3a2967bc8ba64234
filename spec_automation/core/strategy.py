"""The strategies a user can choose to regenerate after a change."""

from __future__ import annotations

import enum

__all__ = ["Strategy"]


class Strategy(enum.StrEnum):
    """How to regenerate after a change."""

    REGENERATE_ALL = "regenerate_all"  # every affected artifact
    HIGH_IMPACT_ONLY = "high_impact_only"  # the most affected tier (HIGH, else MEDIUM)
    MANUAL_REVIEW = "manual_review"  # the artifacts the user picks
    IGNORE = "ignore"  # record the decision, regenerate nothing
