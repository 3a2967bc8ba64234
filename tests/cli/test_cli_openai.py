"""The run command on an OpenAI-compatible server: --provider openai_compatible --base-url URL
--model NAME, against a fake server on a loopback port and the real openai SDK."""

from __future__ import annotations

import pytest

from tests.helpers.fake_openai import Failure, FakeOpenAI, unused_address
from tests.helpers.leaks import key_leaks

KEY = "sk-lmstudio-FAKE-KEY-never-printed-0123456789"
SERVER = ("--provider", "openai_compatible")


@pytest.fixture(autouse=True)
def no_saved_key(no_keyring, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)


def run_on(cli, project, address: str):
    return cli(
        "run",
        "-p",
        project,
        "--auto-approve",
        *SERVER,
        "--base-url",
        address,
        "--model",
        "llama3.2",
    )


def test_a_sample_run_on_a_local_server_in_one_command(cli, sample_project, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    with FakeOpenAI(api_key=KEY) as fake:
        result = run_on(cli, sample_project, fake.base_url)
    assert result.code == 0, result.err
    assert len(fake.replies) == len({c.task for c in fake.replies}) > 10  # each asked once
    assert "llama3.2 runs on your own server" in result.out
    assert "not known" not in result.out
    assert KEY not in result.out + result.err
    assert key_leaks(sample_project, KEY) == []


def test_an_unreachable_server_fails_the_run_with_a_sentence(cli, sample_project):
    address = unused_address()
    result = run_on(cli, sample_project, address)
    assert result.code == 1
    text = " ".join((result.out + result.err).split())  # the table may wrap it
    assert f"Could not reach the OpenAI-compatible server at {address}" in text
    assert "Traceback" not in result.err


def test_a_bad_address_or_no_model_is_refused_before_anything_runs(cli, sample_project, capsys):
    with pytest.raises(SystemExit) as exited:
        cli("run", "-p", sample_project, *SERVER, "--base-url", "localhost")
    assert exited.value.code == 2
    refusal = "the server address 'localhost' is not an http:// or https:// URL"
    assert refusal in capsys.readouterr().err

    result = cli("run", "-p", sample_project, *SERVER, "--base-url", "vllm")
    assert result.code == 2
    assert "the openai_compatible provider needs a model name: pass --model NAME" in result.err
    assert "Traceback" not in result.err


def test_the_totals_show_cache_reads_and_status_and_metrics_carry_tokens_cost_and_model(
    cli, sample_project
):
    with FakeOpenAI() as fake:
        result = run_on(cli, sample_project, fake.base_url)
    assert result.code == 0, result.err
    replies = fake.replies
    fresh = sum(c.input_tokens for c in replies)
    reads = sum(c.cache_read_tokens for c in replies)
    out = sum(c.output_tokens for c in replies)
    assert reads > 0  # the server's automatic prefix caching served the shared context
    assert f"Tokens: {fresh:,} in + {reads:,} cache reads, {out:,} out;" in result.out

    status = cli("status", "-p", sample_project, "--json")
    assert status.code == 0, status.err
    usage = status.json()["last_run_usage"]
    assert usage["provider"] == "openai_compatible"
    assert usage["model"] == "llama3.2"
    assert (usage["input_tokens"], usage["cache_read_tokens"], usage["output_tokens"]) == (
        fresh,
        reads,
        out,
    )
    assert usage["cost_usd"] == 0.0  # a model on the user's own server

    human = cli("status", "-p", sample_project)
    assert f"Tokens: {fresh:,} in + {reads:,} cache reads, {out:,} out;" in human.out
    assert "(llama3.2)" in human.out

    metrics = cli("metrics", "-p", sample_project, "--json")
    assert metrics.code == 0, metrics.err
    report = metrics.json()
    assert report["usage"]["model"] == "llama3.2"
    assert report["usage"]["cache_read_tokens"] == reads
    assert [r["usage"]["output_tokens"] for r in report["runs"]] == [out]


def test_retries_are_shown_and_set_with_retries(cli, sample_project):
    overloaded = Failure(503, "server_error", "the server is busy", {"retry-after-ms": "5"})
    with FakeOpenAI() as fake:
        fake.fail_next(overloaded)
        result = cli(*RUN_ONE, sample_project, "--base-url", fake.base_url, "--retries", "1")
    assert result.code == 0, result.err
    assert "ANALYSIS: retrying after HTTP 503 (attempt 2 of 2)" in result.out

    with FakeOpenAI() as fake:
        fake.fail_next(overloaded)
        result = cli(*RUN_ONE, sample_project, "--base-url", fake.base_url, "--retries", "0")
    assert result.code == 1
    assert len(fake.calls) == 1  # no retry
    assert "retrying" not in result.out


def test_a_cut_off_reply_says_to_raise_max_tokens_and_the_flag_does(cli, sample_project):
    with FakeOpenAI() as fake:
        fake.cut_off_next()
        result = cli(*RUN_ONE, sample_project, "--base-url", fake.base_url)
    assert result.code == 1
    text = " ".join(result.out.split())
    assert "cut off at the limit of 8,192 tokens (max_tokens)" in text
    assert "raise the limit with --max-tokens (say --max-tokens 16384)" in text

    with FakeOpenAI() as fake:
        result = cli(*RUN_ONE, sample_project, "--base-url", fake.base_url, "--max-tokens", "16384")
    assert result.code == 0, result.err
    assert {c.body["max_tokens"] for c in fake.calls} == {16384}


#: A run on the server, every phase asked again.
RUN_ONE = ("run", "--auto-approve", "--all", "--no-cache", *SERVER, "--model", "llama3.2", "-p")


def test_budget_fallback_and_role_models_are_checked_before_anything_runs(
    cli, sample_project, capsys
):
    for flags, said in (
        (("--budget", "0"), "the budget must be more than 0 dollars"),
        (("--budget", "ten"), "'ten' is not an amount in dollars"),
        (("--fallback", "offline:x"), "is not provider:model with a model provider"),
        (("--role-models", "analyst"), "'analyst' is not role=model"),
    ):
        with pytest.raises(SystemExit) as exited:
            cli("run", "-p", sample_project, *flags)
        assert exited.value.code == 2
        assert said in capsys.readouterr().err
