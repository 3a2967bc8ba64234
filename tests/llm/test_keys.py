"""The API key: environment first, then the keyring; a clear notice when there is none."""

from __future__ import annotations

import pytest

from spec_automation.llm import keys
from tests.helpers.keyrings import MemoryKeyring


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


def test_each_provider_has_its_own_variable_and_saved_key(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    keys.store_api_key("sk-ant-claude")
    assert keys.load_api_key("openai_compatible").key is None  # not Claude's
    assert "OPENAI_API_KEY" in keys.load_api_key("openai_compatible").notice
    keys.store_api_key("sk-local", "openai_compatible")
    assert keys.load_api_key("openai_compatible").key == "sk-local"
    assert keys.load_api_key().key == "sk-ant-claude"
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-env")
    assert keys.load_api_key("openai_compatible") == keys.KeyLookup("sk-from-env", "environment")
    keys.delete_api_key("openai_compatible")
    monkeypatch.delenv("OPENAI_API_KEY")
    assert keys.load_api_key("openai_compatible").key is None
    assert keys.load_api_key().key == "sk-ant-claude"
