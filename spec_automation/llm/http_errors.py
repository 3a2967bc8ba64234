"""Pieces every HTTP provider's error sentences share: the wait a server asked for, and a key
that never leaves the provider.

Both SDKs (``anthropic`` and ``openai``) honour ``retry-after-ms`` and ``retry-after`` in their
own retries; these helpers only read the same headers to tell the user how long the server
asked them to wait once the retries are spent.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["retry_after_s", "scrub", "status_kind", "wait_note"]


def retry_after_s(headers: Mapping[str, str]) -> float | None:
    """The wait a response asked for, in seconds (``retry-after-ms`` wins, as in the SDKs)."""
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return float(value) / scale
        except ValueError:
            continue
    return None


def wait_note(retry_after: float | None) -> str:
    """``"; the server asked to retry after 2 s"``, or '' when it asked for no wait."""
    if retry_after is None:
        return ""
    return f"; the server asked to retry after {retry_after:g} s"


def scrub(text: str, secret: str | None) -> str:
    """``text`` with ``secret`` replaced by ``[key]``: whatever a server or a library put in a
    message, the key is never shown."""
    if secret:
        text = text.replace(secret, "[key]")
    return text.strip()


def status_kind(status: int) -> str:
    """The ``ProviderError.kind`` of an error status: ``rate_limited`` (429), ``overloaded``
    (529), ``server_error`` (another 5xx), or '' (a request the server will not take)."""
    if status == 429:
        return "rate_limited"
    if status == 529:
        return "overloaded"
    return "server_error" if status >= 500 else ""
