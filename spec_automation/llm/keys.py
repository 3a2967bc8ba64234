"""Where the Anthropic API key comes from: the environment, or the OS keyring.

The key itself is only ever returned to the caller that builds the provider; it is never
logged, stored in the project database, or put in an exception message. When the machine has
no keyring backend (a headless Linux box, say) the app says so and reads the environment
variable instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

# keyring is imported by the functions that use it: looking for a backend takes a tenth of a
# second, which commands that never need a key should not pay.

__all__ = [
    "ENV_VAR",
    "KeyLookup",
    "KeyStoreError",
    "delete_api_key",
    "keyring_problem",
    "load_api_key",
    "store_api_key",
]

ENV_VAR = "ANTHROPIC_API_KEY"
_SERVICE = "spec_automation"
_USER = "anthropic-api-key"


class KeyStoreError(RuntimeError):
    """The key could not be saved or removed; the message says why (never the key)."""


@dataclass(frozen=True)
class KeyLookup:
    """The key found (or None), where it came from, and a notice for the user if any."""

    key: str | None
    source: str  # "environment", "keyring" or "none"
    notice: str = ""

    def __repr__(self) -> str:  # never show the key in a log or a traceback
        shown = "set" if self.key else "none"
        return f"KeyLookup(key=<{shown}>, source={self.source!r}, notice={self.notice!r})"


def keyring_problem() -> str:
    """Why the OS keyring cannot be used, or '' when it can."""
    import keyring
    import keyring.backends.fail

    backend = keyring.get_keyring()
    if isinstance(backend, keyring.backends.fail.Keyring):
        return (
            "no system keyring is available on this machine; "
            f"the API key is read from the {ENV_VAR} environment variable"
        )
    return ""


def load_api_key() -> KeyLookup:
    """The key from ``ANTHROPIC_API_KEY`` if set, else from the keyring."""
    from_env = os.environ.get(ENV_VAR, "").strip()
    if from_env:
        return KeyLookup(from_env, "environment")
    problem = keyring_problem()
    if problem:
        return KeyLookup(None, "none", problem)
    import keyring
    import keyring.errors

    try:
        stored = keyring.get_password(_SERVICE, _USER)
    except keyring.errors.KeyringError as exc:
        reason = f"the system keyring could not be read ({type(exc).__name__})"
        return KeyLookup(None, "none", reason)
    if stored:
        return KeyLookup(stored, "keyring")
    return KeyLookup(None, "none", f"no API key: set {ENV_VAR} or save one in Settings")


def store_api_key(key: str) -> None:
    """Save the key in the OS keyring; raises ``KeyStoreError`` when there is none."""
    if not key.strip():
        raise KeyStoreError("the API key is empty")
    problem = keyring_problem()
    if problem:
        raise KeyStoreError(problem)
    import keyring
    import keyring.errors

    try:
        keyring.set_password(_SERVICE, _USER, key.strip())
    except keyring.errors.KeyringError as exc:
        raise KeyStoreError(
            f"the system keyring refused to save the key ({type(exc).__name__})"
        ) from None


def delete_api_key() -> None:
    """Remove a saved key from the keyring (nothing happens when none is saved)."""
    if keyring_problem():
        return
    import keyring
    import keyring.errors

    try:
        keyring.delete_password(_SERVICE, _USER)
    except keyring.errors.PasswordDeleteError:
        return
    except keyring.errors.KeyringError as exc:
        raise KeyStoreError(
            f"the system keyring refused to remove the key ({type(exc).__name__})"
        ) from None
