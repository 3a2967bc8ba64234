"""The run command on an OpenAI-compatible server: --provider openai_compatible --base-url URL
--model NAME, against a fake server on a loopback port and the real openai SDK."""

from __future__ import annotations

import socket

import pytest

from tests.helpers.fake_openai import FakeOpenAI
from tests.helpers.leaks import key_leaks

KEY = "sk-lmstudio-FAKE-KEY-never-printed-0123456789"


@pytest.fixture(autouse=True)
def no_saved_key(no_keyring, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)


def test_a_sample_run_on_a_local_server_in_one_command(cli, sample_project, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with FakeOpenAI(api_key=KEY) as fake:
        result = cli(
            "run",
            "-p",
            sample_project,
            "--auto-approve",
            "--provider",
            "openai_compatible",
            "--base-url",
            fake.base_url,
            "--model",
            "llama3.2",
        )
    assert result.code == 0, result.err
    assert len(fake.replies) == len({c.task for c in fake.replies}) > 10  # every phase, once
    assert "llama3.2 runs on your own server" in result.out
    assert "not known" not in result.out
    assert KEY not in result.out + result.err
    assert key_leaks(sample_project, KEY) == []


def test_an_unreachable_server_fails_the_run_with_a_sentence(cli, sample_project):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = cli(
        "run",
        "-p",
        sample_project,
        "--auto-approve",
        "--provider",
        "openai_compatible",
        "--base-url",
        f"http://127.0.0.1:{port}/v1",
        "--model",
        "llama3.2",
    )
    assert result.code == 1
    text = " ".join((result.out + result.err).split())  # the table may wrap it
    assert f"Could not reach the OpenAI-compatible server at http://127.0.0.1:{port}/v1" in text
    assert "Traceback" not in result.err


def test_a_bad_address_or_no_model_is_refused_before_anything_runs(cli, sample_project, capsys):
    with pytest.raises(SystemExit) as exited:
        cli(
            "run",
            "-p",
            sample_project,
            "--provider",
            "openai_compatible",
            "--base-url",
            "localhost",
        )
    assert exited.value.code == 2
    assert (
        "the server address 'localhost' is not an http:// or https:// URL"
        in capsys.readouterr().err
    )

    result = cli(
        "run", "-p", sample_project, "--provider", "openai_compatible", "--base-url", "vllm"
    )
    assert result.code == 2
    assert "the openai_compatible provider needs a model name: pass --model NAME" in result.err
    assert "Traceback" not in result.err
