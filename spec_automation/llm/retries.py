"""Retrying a model call that failed for a passing reason, with backoff, and saying so.

Both providers retry here rather than in their SDKs (which are built with ``max_retries=0``),
for two reasons: a failure in the middle of a streamed reply (an ``overloaded_error`` event
after the reply began) is one the SDKs never retry, and a retry the user cannot see looks like
a hung phase. So one loop retries every passing failure the same way — a rate limit, an
overload, a server error, a dropped connection, before or during the reply — waiting what the
server asked (``retry-after-ms``, ``retry-after``, up to a minute) or else an exponential
backoff with jitter, and reports each retry through the phase's progress
("retrying after HTTP 529 (attempt 2 of 3)").
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from spec_automation.core.ports import ProgressCallback

__all__ = ["DEFAULT_RETRIES", "Passing", "RetryPolicy", "with_retries"]

T = TypeVar("T")

#: Retries after the first try, as the SDKs do by default.
DEFAULT_RETRIES = 2
_LONGEST_ASKED_WAIT_S = 60.0  # a longer retry-after is not waited for (the SDKs' rule)


@dataclass(frozen=True, slots=True)
class Passing:
    """A failure worth retrying: what it was (``HTTP 529``) and the wait the server asked."""

    what: str
    retry_after_s: float | None = None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently to retry.

    Args:
        retries: retries after the first try (0: none).
        backoff_s: the first wait when the server asked for none; it doubles each retry.
        max_backoff_s: the longest such wait.
    """

    retries: int = DEFAULT_RETRIES
    backoff_s: float = 0.5
    max_backoff_s: float = 8.0

    def __post_init__(self) -> None:
        if self.retries < 0:
            raise ValueError("retries must be 0 or more")

    def wait_s(self, retry: int, asked_s: float | None) -> float:
        """The wait before retry number ``retry`` (1-based)."""
        if asked_s is not None and 0 <= asked_s <= _LONGEST_ASKED_WAIT_S:
            return asked_s
        backoff = min(self.backoff_s * 2.0 ** (retry - 1), self.max_backoff_s)
        return backoff * (1 - 0.25 * random.random())  # noqa: S311 - jitter, not secrecy


async def with_retries(
    call: Callable[[], Awaitable[T]],
    *,
    policy: RetryPolicy,
    passing: Callable[[Exception], Passing | None],
    progress: ProgressCallback,
) -> T:
    """``call()``, retried while it fails with an error ``passing`` calls passing.

    The last error is raised as it is once the retries are spent (or at once, for an error
    that is not passing).
    """
    tries = policy.retries + 1
    for attempt in range(1, tries + 1):
        try:
            return await call()
        except Exception as exc:
            failure = passing(exc)
            if failure is None or attempt == tries:
                raise
        progress(0, f"retrying after {failure.what} (attempt {attempt + 1} of {tries})")
        await asyncio.sleep(policy.wait_s(attempt, failure.retry_after_s))
    raise AssertionError("unreachable: the last try returns or raises")
