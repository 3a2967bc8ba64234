"""The OpenAI-compatible provider with the real SDK against a fake server on a loopback port."""

from __future__ import annotations

import asyncio
import json

import pytest

from spec_automation.llm.openai_compatible import OpenAICompatibleProvider, list_models
from spec_automation.llm.provider import ContextBlock, ProviderError, ProviderRequest
from tests.helpers.fake_openai import Failure, FakeOpenAI, unused_address

MODEL = "llama3.2"
KEY = "sk-local-test-0123456789abcdef"
REPLY = "<<<FILE a.md>>>\n# A\n\n" + "Streamed words. " * 200 + "\n<<<END FILE>>>\n"


def request(deadline_s: float | None = None, task: str = "") -> ProviderRequest:
    return ProviderRequest(
        system="Standing instructions. " * 100,
        shared=(
            ContextBlock("brief", "<brief>" + "The brief. " * 500 + "</brief>", cache_point=True),
            ContextBlock("a", '<artifact name="analysis.md">' + "x" * 5000 + "</artifact>"),
        ),
        task=task or "Phase: P (do it)\nWrite exactly these files: a.md",
        max_tokens=4096,
        temperature=0.2,
        deadline_s=deadline_s,
        label="P",
    )


@pytest.fixture
def fake():
    with FakeOpenAI(lambda body: REPLY, chunk_chars=100) as server:
        yield server


@pytest.fixture
async def open_provider():
    """Builds providers (an address, else the fake's) and closes their connections after."""
    made: list[OpenAICompatibleProvider] = []

    def build(base_url: str, *, model: str = MODEL, **options) -> OpenAICompatibleProvider:
        made.append(OpenAICompatibleProvider(base_url=base_url, model=model, **options))
        return made[-1]

    yield build
    for provider in made:
        await provider.aclose()


async def test_a_streamed_reply_is_assembled_with_its_usage_and_sent_in_the_chat_format(
    fake, open_provider
):
    seen: list[int] = []
    local = open_provider(fake.base_url)
    reply = await local.complete(request(), lambda tokens, _: seen.append(tokens))

    assert reply.text == REPLY
    assert len(seen) == len(range(0, len(REPLY), 100))  # one progress report per chunk
    assert seen == sorted(seen)
    assert seen[-1] == (len(REPLY) + 3) // 4
    call = fake.calls[0]
    assert reply.usage.input_tokens == call.input_tokens > 0
    assert reply.usage.output_tokens == call.output_tokens > 0
    assert reply.usage.cache_read_tokens == 0
    assert reply.cost_usd == 0.0  # a local model has no price
    assert reply.stop_reason == "stop"
    body = call.body
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert (body["model"], body["max_tokens"], body["temperature"]) == (MODEL, 4096, 0.2)
    system, user = body["messages"]
    assert system == {"role": "system", "content": request().system}
    assert [part["text"][:7] for part in user["content"]] == ["<brief>", "<artifa", "Phase: "]
    assert "authorization" not in call.headers  # no key: no Authorization header at all


async def test_cached_prompt_tokens_reported_by_the_server_are_recorded_as_cache_reads(
    fake, open_provider
):
    local = open_provider(fake.base_url)
    await local.complete(request(), lambda *_: None)
    second = await local.complete(
        request(task="Phase: Q (other)\nWrite exactly these files: a.md"), lambda *_: None
    )

    assert second.usage.cache_read_tokens == fake.calls[1].cache_read_tokens > 0
    assert second.usage.cache_read_tokens == fake.calls[1].shared_tokens  # the whole prefix
    assert second.usage.input_tokens == fake.calls[1].input_tokens  # the new task only
    assert second.usage.input_tokens < second.usage.cache_read_tokens


async def test_a_whole_reply_without_streaming_carries_its_usage(fake, open_provider):
    seen: list[int] = []
    local = open_provider(fake.base_url, stream=False)
    reply = await local.complete(request(), lambda tokens, _: seen.append(tokens))

    assert reply.text == REPLY
    assert "stream" not in fake.calls[0].body
    assert seen == [(len(REPLY) + 3) // 4]
    assert reply.usage.output_tokens == fake.calls[0].output_tokens > 0
    assert reply.usage.input_tokens == fake.calls[0].input_tokens > 0


@pytest.mark.parametrize("stream", [True, False])
async def test_a_server_that_reports_no_usage_records_none(stream, open_provider):
    with FakeOpenAI(lambda body: REPLY, report_usage=False) as fake:
        reply = await open_provider(fake.base_url, stream=stream).complete(
            request(), lambda *_: None
        )
    assert reply.text == REPLY
    assert (reply.usage.input_tokens, reply.usage.output_tokens) == (0, 0)


async def test_a_429_with_retry_after_is_retried_by_the_sdk_then_succeeds(fake, open_provider):
    fake.fail_next(Failure(429, "rate_limit_error", "slow down", {"retry-after-ms": "10"}))
    reply = await open_provider(fake.base_url).complete(request(), lambda *_: None)
    assert reply.text == REPLY
    assert [c.status for c in fake.calls] == [429, 200]


async def test_a_lasting_500_is_retried_twice_then_named_with_the_server_and_its_words(
    fake, open_provider
):
    fake.fail_next(Failure(500, "server_error", "CUDA out of memory", {"retry-after-ms": "5"}), 5)
    with pytest.raises(ProviderError) as caught:
        await open_provider(fake.base_url).complete(request(), lambda *_: None)
    assert [c.status for c in fake.calls] == [500, 500, 500]  # the SDK's retries, no loop of ours
    assert str(caught.value) == (
        f"the OpenAI-compatible server at {fake.base_url} failed (HTTP 500) for P; the server "
        "asked to retry after 0.005 s: CUDA out of memory"
    )


async def test_an_unreachable_server_is_a_sentence_naming_its_address(open_provider):
    address = unused_address()
    local = open_provider(address, max_retries=0)
    with pytest.raises(ProviderError) as caught:
        await local.complete(request(), lambda *_: None)
    message = str(caught.value)
    assert message.startswith(f"Could not reach the OpenAI-compatible server at {address} for P: ")
    assert "check that the server is running" in message
    assert "Traceback" not in message


async def test_an_unknown_model_says_so_and_points_at_the_model_list(fake, open_provider):
    unknown = open_provider(fake.base_url, model="gpt-oss:120b")
    with pytest.raises(ProviderError) as caught:
        await unknown.complete(request(), lambda *_: None)
    assert len(fake.calls) == 1  # a 404 is not retried
    assert (
        f"the OpenAI-compatible server at {fake.base_url} does not know the model "
        "'gpt-oss:120b' (HTTP 404) for P: model \"gpt-oss:120b\" not found, try pulling it first"
    ) in str(caught.value)
    assert "Test in Settings lists the server's models" in str(caught.value)


async def test_an_address_without_v1_is_told_to_check_the_address(fake, open_provider):
    wrong = open_provider(fake.base_url.removesuffix("/v1"))
    with pytest.raises(ProviderError, match=r"has no such endpoint \(HTTP 404\).*ends in /v1"):
        await wrong.complete(request(), lambda *_: None)


async def test_a_key_goes_out_only_in_the_authorization_header_and_a_refusal_hides_it(
    open_provider,
):
    with FakeOpenAI(lambda body: REPLY, api_key=KEY) as fake:
        assert (
            await open_provider(fake.base_url, api_key=KEY).complete(request(), lambda *_: None)
        ).text
        assert fake.calls[0].headers["authorization"] == f"Bearer {KEY}"
        assert KEY not in json.dumps(fake.calls[0].body)
        with pytest.raises(ProviderError) as caught:
            await open_provider(fake.base_url, api_key=KEY + "-wrong").complete(
                request(), lambda *_: None
            )
    message = str(caught.value)
    assert "refused the API key (HTTP 401) for P; set OPENAI_API_KEY" in message
    assert KEY not in message
    assert KEY not in repr(caught.value)
    assert KEY not in repr(open_provider(fake.base_url, api_key=KEY))


@pytest.mark.parametrize("stream", [True, False])
async def test_a_reply_cut_off_at_max_tokens_says_to_raise_it_and_is_billed(open_provider, stream):
    with FakeOpenAI(lambda body: REPLY) as fake:
        fake.cut_off_next()
        with pytest.raises(ProviderError) as caught:
            await open_provider(fake.base_url, stream=stream).complete(request(), lambda *_: None)
    assert str(caught.value) == (
        f"The reply of {MODEL} for P was cut off at the limit of 4,096 tokens (max_tokens) "
        "before it was complete; raise the limit with --max-tokens (say --max-tokens 8192) "
        "or Max tokens in Settings, and run again"
    )
    assert caught.value.usage.output_tokens == fake.calls[0].output_tokens > 0
    assert len(fake.calls) == 1  # a cut-off is not retried: the same limit cuts it again


async def test_a_reply_that_never_finishes_hits_the_phase_deadline(fake, open_provider):
    fake.hang_after_chunks = 2
    seen: list[int] = []
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(
        ProviderError, match=r"gave no complete reply for P within the phase deadline of 0\.3 s"
    ):
        await open_provider(fake.base_url).complete(
            request(deadline_s=0.3), lambda t, _: seen.append(t)
        )
    assert len(seen) == 2  # it did stream, then stalled
    assert loop.time() - started < 5


async def test_an_error_event_in_the_middle_of_a_stream_is_reported(fake, open_provider):
    fake.fail_during_next(Failure(400, "invalid_request_error", "the model crashed"), 3)
    with pytest.raises(ProviderError) as caught:
        await open_provider(fake.base_url, retry_backoff_s=0.01).complete(
            request(), lambda *_: None
        )
    assert "reported an error while replying for P: the model crashed" in str(caught.value)
    assert len(fake.calls) == 1  # not a passing error: not retried


async def test_an_overload_in_the_middle_of_a_stream_is_retried_and_the_retry_shown(
    fake, open_provider
):
    fake.fail_during_next(Failure(503, "overloaded_error", "Overloaded"))
    messages: list[str] = []
    provider = open_provider(fake.base_url, retry_backoff_s=0.01)
    reply = await provider.complete(request(), lambda _, message: messages.append(message))
    assert len(fake.calls) == 2
    assert reply.text == fake.responder(fake.calls[1].body)  # the retry's whole reply
    assert "retrying after an overload during the reply (attempt 2 of 3)" in messages


async def test_a_lasting_overload_in_the_middle_of_a_stream_fails_as_an_overload(
    fake, open_provider
):
    fake.fail_during_next(Failure(503, "overloaded_error", "Overloaded"), 5)
    with pytest.raises(ProviderError) as caught:
        await open_provider(fake.base_url, retry_backoff_s=0.01).complete(
            request(), lambda *_: None
        )
    assert len(fake.calls) == 3
    assert caught.value.kind == "overloaded"
    assert "reported an error while replying for P: Overloaded" in str(caught.value)


def test_the_models_of_a_server_are_listed(fake):
    assert list_models(fake.base_url) == ["llama3.2", "qwen2.5-coder:7b"]
    assert fake.calls == []  # listing models is not a chat call


def test_listing_models_fails_with_a_sentence():
    address = unused_address()
    with pytest.raises(
        ProviderError, match=rf"^Could not reach the OpenAI-compatible server at {address}: "
    ):
        list_models(address)
    with FakeOpenAI(api_key=KEY) as fake:
        assert list_models(fake.base_url, KEY) == ["llama3.2", "qwen2.5-coder:7b"]
        with pytest.raises(ProviderError, match="refused the API key") as caught:
            list_models(fake.base_url, "sk-wrong-key")
    assert "sk-wrong-key" not in str(caught.value)


def test_the_provider_needs_an_address_and_a_model():
    with pytest.raises(ValueError, match="address"):
        OpenAICompatibleProvider(base_url=" ", model=MODEL)
    with pytest.raises(ValueError, match="model"):
        OpenAICompatibleProvider(base_url="http://localhost:11434/v1", model="")


@pytest.mark.parametrize("status", [400, 422])
async def test_a_rejected_request_is_not_retried_and_quotes_the_server(fake, open_provider, status):
    fake.fail_next(Failure(status, "invalid_request_error", "max_tokens is too large"), 3)
    with pytest.raises(ProviderError) as caught:
        await open_provider(fake.base_url).complete(request(), lambda *_: None)
    assert len(fake.calls) == 1
    assert str(caught.value) == (
        f"the OpenAI-compatible server at {fake.base_url} rejected the request "
        f"(HTTP {status}) for P: max_tokens is too large"
    )
