"""Where a provider's API key comes from: the environment, or the OS keyring.

Each provider that takes a key has its own environment variable (``ANTHROPIC_API_KEY``,
``OPENAI_API_KEY`` for an OpenAI-compatible server) and its own keyring entry.

The key itself is only ever returned to the caller that builds the provider; it is never
logged, stored in the project database, or put in an exception message. When the machine has
no keyring backend (a headless Linux box, say) the app says so and reads the environment
variable instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from types import MappingProxyType

# keyring is imported by the functions that use it: looking for a backend takes a tenth of a
# second, which commands that never need a key should not pay.

__all__ = [
    "ENV_VAR",
    "ENV_VARS",
    "KeyLookup",
    "KeyStoreError",
    "delete_api_key",
    "keyring_problem",
    "load_api_key",
    "store_api_key",
]

#: Provider → the environment variable its key is read from (it wins over a saved key).
ENV_VARS = MappingProxyType(
    {"anthropic": "ANTHROPIC_API_KEY", "openai_compatible": "OPENAI_API_KEY"}
)
ENV_VAR = ENV_VARS["anthropic"]
_SERVICE = "spec_automation"
_USERS = MappingProxyType(
    {"anthropic": "anthropic-api-key", "openai_compatible": "openai-compatible-api-key"}
)


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


def keyring_problem(provider: str = "anthropic") -> str:
    """Why the OS keyring cannot be used, or '' when it can."""
    import keyring
    import keyring.backends.fail

    backend = keyring.get_keyring()
    if isinstance(backend, keyring.backends.fail.Keyring):
        return (
            "no system keyring is available on this machine; "
            f"the API key is read from the {ENV_VARS[provider]} environment variable"
        )
    return ""


def load_api_key(provider: str = "anthropic") -> KeyLookup:
    """The provider's key from its environment variable if set, else from the keyring."""
    variable = ENV_VARS[provider]
    from_env = os.environ.get(variable, "").strip()
    if from_env:
        return KeyLookup(from_env, "environment")
    problem = keyring_problem(provider)
    if problem:
        return KeyLookup(None, "none", problem)
    import keyring
    import keyring.errors

    try:
        stored = keyring.get_password(_SERVICE, _USERS[provider])
    except keyring.errors.KeyringError as exc:
        reason = f"the system keyring could not be read ({type(exc).__name__})"
        return KeyLookup(None, "none", reason)
    if stored:
        return KeyLookup(stored, "keyring")
    return KeyLookup(None, "none", f"no API key: set {variable} or save one in Settings")


def store_api_key(key: str, provider: str = "anthropic") -> None:
    """Save the provider's key in the OS keyring; raises ``KeyStoreError`` when there is none."""
    if not key.strip():
        raise KeyStoreError("the API key is empty")
    problem = keyring_problem(provider)
    if problem:
        raise KeyStoreError(problem)
    import keyring
    import keyring.errors

    try:
        keyring.set_password(_SERVICE, _USERS[provider], key.strip())
    except keyring.errors.KeyringError as exc:
        raise KeyStoreError(
            f"the system keyring refused to save the key ({type(exc).__name__})"
        ) from None


def delete_api_key(provider: str = "anthropic") -> None:
    """Remove the provider's saved key from the keyring (nothing happens when none is saved)."""
    if keyring_problem(provider):
        return
    import keyring
    import keyring.errors

    try:
        keyring.delete_password(_SERVICE, _USERS[provider])
    except keyring.errors.PasswordDeleteError:
        return
    except keyring.errors.KeyringError as exc:
        raise KeyStoreError(
            f"the system keyring refused to remove the key ({type(exc).__name__})"
        ) from None
