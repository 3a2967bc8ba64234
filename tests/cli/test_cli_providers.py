"""The run command's provider options: --provider, --model, --no-cache, cached phases shown."""

from __future__ import annotations

import pytest


def test_an_unchanged_rerun_of_every_phase_shows_them_as_cached(cli, sample_project):
    first = cli("run", "-p", sample_project, "--latency-scale", "0", "--auto-approve")
    assert first.code == 0, first.err
    assert "cached" not in first.out

    plain = cli("run", "-p", sample_project, "--latency-scale", "0", "--auto-approve")
    assert plain.code == 0, plain.err
    assert plain.out == "Everything is up to date: nothing needed to run.\n"

    again = cli("run", "-p", sample_project, "--latency-scale", "0", "--auto-approve", "--all")
    assert again.code == 0, again.err
    assert "ANALYSIS cached (reused a stored reply, 0 tokens)" in again.out
    assert "Reused from the response cache (0 tokens): ANALYSIS, " in again.out

    fresh = cli("run", "-p", sample_project, "--latency-scale", "0", "--auto-approve", "--no-cache", "--all")
    assert fresh.code == 0, fresh.err
    assert "cached" not in fresh.out


def test_claude_without_a_key_is_a_clear_error(cli, sample_project, no_keyring):
    result = cli(
        "run", "-p", sample_project, "--provider", "anthropic", "--model", "claude-haiku-4-5"
    )
    assert result.code == 2
    assert "the anthropic provider needs an API key" in result.err
    assert "Traceback" not in result.err


def test_an_unknown_provider_is_refused_by_the_parser(cli, sample_project, capsys):
    with pytest.raises(SystemExit) as exited:
        cli("run", "-p", sample_project, "--provider", "gpt")
    assert exited.value.code == 2
    assert "invalid choice: 'gpt'" in capsys.readouterr().err


def test_the_tokens_line_shows_cache_reads_and_writes_apart():
    from spec_automation.cli.progress import usage_line

    assert usage_line(2820, 28245, 1746, 12538, 0.2461) == (
        "Tokens: 2,820 in + 28,245 cache reads + 1,746 cache writes, 12,538 out; "
        "estimated cost $0.2461"
    )
    assert usage_line(120, 0, 0, 40, 0.0) == "Tokens: 120 in, 40 out; estimated cost $0.0000"
    assert usage_line(0, 0, 0, 0, 0.0) == ""
