"""The Claude provider with the real SDK against a fake Messages API (httpx2.MockTransport)."""

from __future__ import annotations

import asyncio
import json

import pytest

from spec_automation.llm.claude import ClaudeProvider
from spec_automation.llm.pricing import estimate_cost
from spec_automation.llm.provider import ContextBlock, ProviderError, ProviderRequest
from tests.helpers.fake_claude import Failure, FakeClaude

KEY = "sk-ant-test-0123456789abcdef"
MODEL = "claude-sonnet-4-6"
REPLY = "<<<FILE a.md>>>\n# A\n\n" + "Streamed words. " * 200 + "\n<<<END FILE>>>\n"


def request(deadline_s: float | None = None) -> ProviderRequest:
    return ProviderRequest(
        system="Standing instructions. " * 100,
        shared=(
            ContextBlock("brief", "<brief>" + "The brief. " * 500 + "</brief>", cache_point=True),
            ContextBlock("a", '<artifact name="analysis.md">' + "x" * 5000 + "</artifact>"),
        ),
        task="Phase: P (do it)\nWrite exactly these files: a.md",
        max_tokens=4096,
        temperature=0.2,
        deadline_s=deadline_s,
        label="P",
    )


def provider(fake: FakeClaude, max_retries: int = 2) -> ClaudeProvider:
    return ClaudeProvider(
        api_key=KEY,
        model=MODEL,
        max_retries=max_retries,
        retry_backoff_s=0.01,
        http_client=fake.client(),
    )


async def test_a_streamed_reply_is_assembled_with_its_usage_and_cost():
    fake = FakeClaude(lambda body: REPLY, chunk_chars=100, api_key=KEY)
    seen: list[int] = []
    reply = await provider(fake).complete(request(), lambda tokens, _: seen.append(tokens))

    assert reply.text == REPLY
    assert len(seen) == len(range(0, len(REPLY), 100))  # one progress report per chunk
    assert seen == sorted(seen)
    assert seen[-1] == (len(REPLY) + 3) // 4
    call = fake.calls[0]
    assert reply.usage.output_tokens == call.output_tokens
    assert reply.usage.cache_write_tokens == call.cache_write_tokens > 0
    assert reply.usage.input_tokens == call.input_tokens > 0
    assert reply.usage.cache_read_tokens == 0
    assert reply.cost_usd == pytest.approx(estimate_cost(MODEL, reply.usage))
    assert reply.cost_usd > 0
    assert reply.stop_reason == "end_turn"


async def test_shared_context_is_marked_for_prompt_caching_and_reused():
    fake = FakeClaude(lambda body: REPLY, api_key=KEY)
    claude = provider(fake)
    await claude.complete(request(), lambda *_: None)
    second = await claude.complete(request(), lambda *_: None)

    body = fake.calls[0].body
    content = body["messages"][0]["content"]
    assert [block.get("cache_control") for block in content] == [{"type": "ephemeral"}, None, None]
    assert "cache_control" not in body["system"][0]  # the brief's breakpoint covers it
    assert content[-1]["text"].startswith("Phase: P")  # the task comes last, uncached
    assert "temperature" not in body  # API 2026-10-21 rejects sampling parameters
    # Everything up to the last breakpoint is read back on the second call.
    assert second.usage.cache_read_tokens == fake.calls[0].cache_write_tokens
    assert second.usage.cache_write_tokens == 0


async def test_a_429_with_retry_after_is_retried_by_the_sdk_then_succeeds():
    fake = FakeClaude(lambda body: REPLY)
    fake.fail_next(Failure(429, "rate_limit_error", "slow down", {"retry-after-ms": "10"}))
    reply = await provider(fake).complete(request(), lambda *_: None)
    assert reply.text == REPLY
    assert [c.status for c in fake.calls] == [429, 200]


async def test_a_lasting_rate_limit_names_the_cause_and_the_retry_after():
    fake = FakeClaude(lambda body: REPLY)
    fake.fail_next(Failure(429, "rate_limit_error", "slow down", {"retry-after-ms": "20"}), 5)
    with pytest.raises(ProviderError) as caught:
        await provider(fake, max_retries=2).complete(request(), lambda *_: None)
    assert len(fake.calls) == 3  # the first try and the SDK's two retries: no loop of ours
    message = str(caught.value)
    assert "rate limited by the Anthropic API (HTTP 429) for P" in message
    assert "the server asked to retry after 0.02 s" in message
    assert caught.value.retry_after_s == pytest.approx(0.02)


async def test_an_overload_529_is_retried_and_then_reported_as_overload():
    fake = FakeClaude(lambda body: REPLY)
    fake.fail_next(Failure(529, "overloaded_error", "Overloaded", {"retry-after": "0.01"}), 3)
    with pytest.raises(ProviderError, match=r"overloaded \(HTTP 529\).*retry after 0.01 s"):
        await provider(fake, max_retries=2).complete(request(), lambda *_: None)
    assert [c.status for c in fake.calls] == [529, 529, 529]


async def test_an_overload_that_clears_is_retried_to_success():
    fake = FakeClaude(lambda body: REPLY)
    fake.fail_next(Failure(529, "overloaded_error", "Overloaded", {"retry-after-ms": "5"}))
    assert (await provider(fake).complete(request(), lambda *_: None)).text == REPLY


@pytest.mark.parametrize(
    ("status", "kind"),
    [(400, "invalid_request_error"), (404, "not_found_error"), (422, "invalid_request_error")],
)
async def test_a_4xx_other_than_408_409_429_is_not_retried(status, kind):
    fake = FakeClaude(lambda body: REPLY)
    fake.fail_next(Failure(status, kind, "max_tokens: too large"), 3)
    with pytest.raises(ProviderError) as caught:
        await provider(fake).complete(request(), lambda *_: None)
    assert len(fake.calls) == 1
    assert f"rejected the request (HTTP {status}) for P: max_tokens: too large" in str(caught.value)


async def test_a_reply_that_never_finishes_hits_the_phase_deadline():
    fake = FakeClaude(lambda body: REPLY, chunk_chars=50)
    fake.hang_after_chunks = 2
    seen: list[int] = []
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(ProviderError, match="no complete reply for P within the phase deadline"):
        await provider(fake).complete(request(deadline_s=0.3), lambda t, _: seen.append(t))
    assert len(seen) == 2  # it did stream, then stalled
    assert loop.time() - started < 5  # the deadline, not the SDK's ten-minute read timeout


async def test_a_refused_key_is_reported_without_the_key():
    fake = FakeClaude(lambda body: REPLY, api_key="sk-ant-the-right-one")
    with pytest.raises(ProviderError) as caught:
        await provider(fake).complete(request(), lambda *_: None)
    assert "refused the API key (HTTP 401)" in str(caught.value)
    assert KEY not in str(caught.value)
    assert KEY not in repr(caught.value)
    assert len(fake.calls) == 1
    assert KEY not in repr(provider(fake))


async def test_the_key_goes_out_only_in_the_authorization_header():
    fake = FakeClaude(lambda body: REPLY, api_key=KEY)
    await provider(fake).complete(request(), lambda *_: None)
    call = fake.calls[0]
    assert call.headers["authorization"] == f"Bearer {KEY}"
    assert KEY not in json.dumps(call.body)


def test_the_provider_needs_a_key_and_a_model():
    with pytest.raises(ValueError, match="API key"):
        ClaudeProvider(api_key=" ", model=MODEL)
    with pytest.raises(ValueError, match="model"):
        ClaudeProvider(api_key=KEY, model="")


OVERLOADED = Failure(529, "overloaded_error", "Overloaded")


async def test_an_overload_in_the_middle_of_the_reply_is_retried_and_the_retry_shown():
    fake = FakeClaude(lambda body: REPLY, chunk_chars=100)
    fake.fail_during_next(OVERLOADED, after_chunks=3)
    messages: list[str] = []
    reply = await provider(fake).complete(request(), lambda _, message: messages.append(message))

    assert reply.text == REPLY  # the whole reply, not the broken one's start joined to it
    assert len(fake.calls) == 2
    assert "retrying after an overload during the reply (attempt 2 of 3)" in messages


async def test_a_lasting_overload_during_the_reply_is_reported_as_an_overload():
    fake = FakeClaude(lambda body: REPLY, chunk_chars=100)
    fake.fail_during_next(OVERLOADED, times=5)
    messages: list[str] = []
    with pytest.raises(ProviderError) as caught:
        await provider(fake).complete(request(), lambda _, message: messages.append(message))
    assert len(fake.calls) == 3  # the first try and two retries
    message = str(caught.value)
    assert message == "the Anthropic API is overloaded (overloaded_error during the reply) for P"
    assert "HTTP 200" not in message
    assert caught.value.kind == "overloaded"
    assert [m for m in messages if m.startswith("retrying")] == [
        "retrying after an overload during the reply (attempt 2 of 3)",
        "retrying after an overload during the reply (attempt 3 of 3)",
    ]


async def test_an_invalid_request_during_the_reply_is_not_retried():
    fake = FakeClaude(lambda body: REPLY, chunk_chars=100)
    fake.fail_during_next(Failure(400, "invalid_request_error", "bad tool"), times=3)
    with pytest.raises(ProviderError, match="ended the reply with invalid_request_error for P"):
        await provider(fake).complete(request(), lambda *_: None)
    assert len(fake.calls) == 1


async def test_retries_before_the_reply_show_in_the_progress_with_the_status():
    fake = FakeClaude(lambda body: REPLY)
    fake.fail_next(Failure(529, "overloaded_error", "Overloaded", {"retry-after-ms": "5"}))
    messages: list[str] = []
    await provider(fake).complete(request(), lambda _, message: messages.append(message))
    assert messages[0] == "retrying after HTTP 529 (attempt 2 of 3)"


async def test_a_reply_cut_off_at_max_tokens_says_how_to_raise_it_and_is_billed():
    fake = FakeClaude(lambda body: REPLY)
    fake.cut_off_next()
    with pytest.raises(ProviderError) as caught:
        await provider(fake).complete(request(), lambda *_: None)
    assert str(caught.value).startswith(
        "Claude's reply for P was cut off at the limit of 4,096 tokens (max_tokens) before it "
        "was complete; raise the limit with --max-tokens (say --max-tokens 8192)"
    )
    call = fake.calls[0]
    assert caught.value.usage.output_tokens == call.output_tokens > 0
    assert caught.value.usage.cache_write_tokens == call.cache_write_tokens
    assert caught.value.cost_usd == pytest.approx(estimate_cost(MODEL, caught.value.usage))
