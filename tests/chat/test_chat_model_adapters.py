"""What the ChatModel port promises, checked on every adapter against a local server
that speaks its provider's API: the answer streams with its usage, transient errors
are retried a bounded number of times, and every failure, stall or overrun ends in
ModelUnavailable. What each provider's wire format looks like is checked in
test_bedrock_chat_model.py and test_openai_chat_model.py."""

import time

import pytest

from ragsell.application.ports.ai import ModelUnavailable
from ragsell.domain.conversations import ModelUsage
from tests.chat.answers import collect
from tests.chat.providers import Provider, per_provider
from tests.chat.requests import ordinary_request


@per_provider("stop_reason", bedrock="end_turn", openai_chat="stop")
async def test_the_answer_streams_and_its_stop_reason_and_usage_are_reported(
    provider: Provider, stop_reason: str
) -> None:
    provider.answer_with(["We open ", "at 7am."], stop_reason=stop_reason, usage=(812, 41))

    text, usage = await collect(provider.model(), ordinary_request())

    assert text == "We open at 7am."
    assert usage == ModelUsage(stop_reason=stop_reason, input_tokens=812, output_tokens=41)


async def test_a_rate_limit_is_retried(provider: Provider) -> None:
    provider.fail(429, times=1)

    text, usage = await collect(provider.model(), ordinary_request())

    assert text == "Hello, world."
    assert usage is not None
    assert provider.requests_received == 2


@pytest.mark.parametrize("status", [429, 500])
@per_provider(
    "reported",
    bedrock={429: r"ThrottlingException \(HTTP 429\): ", 500: r"InternalServerException \(HTTP 500\): "},
    openai_chat={429: r"RateLimitError: Error code: 429 .*", 500: r"InternalServerError: Error code: 500 .*"},
)
async def test_an_http_error_on_every_attempt_gives_up_after_the_bounded_attempts(
    provider: Provider, status: int, reported: dict[int, str]
) -> None:
    provider.fail(status, times=5)

    with pytest.raises(ModelUnavailable, match=reported[status] + "scripted failure"):
        await collect(provider.model(attempts=2), ordinary_request())

    assert provider.requests_received == 2


@per_provider("reported", bedrock="modelStreamErrorException: model crashed", openai_chat="model crashed")
async def test_an_error_inside_the_stream_makes_the_model_unavailable(provider: Provider, reported: str) -> None:
    provider.fail_inside_stream_after(["Half"], "model crashed")

    with pytest.raises(ModelUnavailable, match=reported):
        await collect(provider.model(), ordinary_request())


async def test_a_stream_that_ends_without_a_stop_reason_is_unfinished(provider: Provider) -> None:
    provider.stop_short_after(["Half an answer"])

    with pytest.raises(ModelUnavailable, match="before finishing"):
        await collect(provider.model(), ordinary_request())


async def test_a_stalled_stream_is_cut_after_the_stall_timeout(provider: Provider) -> None:
    provider.stall_after(["We open"])
    model = provider.model(stall_timeout=0.3, read_timeout=30.0)
    pieces: list[object] = []
    started = time.monotonic()

    with pytest.raises(ModelUnavailable, match="stalled"):
        async for piece in model.stream(ordinary_request()):
            pieces.append(piece)

    assert pieces == ["We open"]
    assert time.monotonic() - started < 2.0
    # The adapter let go of the stream at once rather than at the read timeout.
    assert provider.hung_up.wait(2.0)


async def test_an_answer_past_its_deadline_is_cut(provider: Provider) -> None:
    provider.stall_after(["We open"])
    model = provider.model(deadline=0.4, stall_timeout=10.0, read_timeout=30.0)

    with pytest.raises(ModelUnavailable, match=r"within 0.4 s"):
        await collect(model, ordinary_request())

    assert provider.hung_up.wait(2.0)


@per_provider("reported", bedrock="Read timed out", openai_chat="APITimeoutError")
async def test_a_read_past_the_read_timeout_makes_the_model_unavailable(provider: Provider, reported: str) -> None:
    provider.stall_after(["We open"])

    with pytest.raises(ModelUnavailable, match=reported):
        await collect(provider.model(read_timeout=0.3, stall_timeout=10.0), ordinary_request())


@per_provider("reported", bedrock="EndpointConnectionError", openai_chat="APIConnectionError")
async def test_an_unreachable_endpoint_makes_the_model_unavailable(provider: Provider, reported: str) -> None:
    model = provider.model(endpoint_url="http://127.0.0.1:9", attempts=1)

    with pytest.raises(ModelUnavailable, match=reported):
        await collect(model, ordinary_request())
