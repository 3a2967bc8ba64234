"""The API key: environment first, then the keyring; a clear notice when there is none."""

from __future__ import annotations

from collections.abc import Iterator

import keyring
import keyring.backend
import keyring.backends.fail
import pytest

from spec_automation.llm import keys


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring kept in a dict, so tests never touch the real one."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.items:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.items[(service, username)]


@pytest.fixture
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    monkeypatch.delenv(keys.ENV_VAR, raising=False)
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(keys.ENV_VAR, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    yield
    keyring.set_keyring(previous)


def test_a_saved_key_is_found_in_the_keyring(memory_keyring: MemoryKeyring) -> None:
    keys.store_api_key("  sk-ant-secret  ")
    found = keys.load_api_key()
    assert (found.key, found.source) == ("sk-ant-secret", "keyring")
    assert "sk-ant-secret" not in repr(found)
    keys.delete_api_key()
    assert keys.load_api_key().key is None
    keys.delete_api_key()  # removing twice is harmless


def test_the_environment_variable_wins(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys.store_api_key("from-keyring")
    monkeypatch.setenv(keys.ENV_VAR, "from-env")
    assert keys.load_api_key() == keys.KeyLookup("from-env", "environment")


def test_without_a_keyring_backend_the_app_says_so(no_keyring: None) -> None:
    found = keys.load_api_key()
    assert found.key is None
    assert "no system keyring" in found.notice
    assert keys.ENV_VAR in found.notice
    with pytest.raises(keys.KeyStoreError, match="no system keyring"):
        keys.store_api_key("sk-ant-secret")


def test_an_empty_key_is_refused(memory_keyring: MemoryKeyring) -> None:
    with pytest.raises(keys.KeyStoreError, match="empty"):
        keys.store_api_key("   ")
    assert memory_keyring.items == {}
