"""The OpenAI-compatible chat model against a local server that speaks chat
completions with ``stream: true``."""

import time
from collections.abc import AsyncIterator, Iterator

import pytest

from ragsell.adapters.openai.chat_model import OpenAIChatModel
from ragsell.application.ports.ai import ChatRequest, ModelUnavailable
from ragsell.domain.conversations import ModelUsage
from tests.chat.openai_chat_server import Failure, FakeOpenAIChat, Stall, answer_chunks, serving, sse
from tests.chat.requests import ordinary_request


@pytest.fixture
def server() -> Iterator[FakeOpenAIChat]:
    with serving(FakeOpenAIChat()) as fake:
        yield fake


@pytest.fixture
async def make_model(server: FakeOpenAIChat) -> AsyncIterator:
    models: list[OpenAIChatModel] = []

    def make(**options: object) -> OpenAIChatModel:
        settings: dict = {
            "api_key": "sk-test",
            "base_url": server.base_url,
            "timeout": 2.0,
            "deadline": 5.0,
            "stall_timeout": 1.0,
            **options,
        }
        models.append(OpenAIChatModel(**settings))
        return models[-1]

    yield make
    for model in models:
        await model.close()


async def collect(model: OpenAIChatModel, request: ChatRequest) -> tuple[str, ModelUsage | None]:
    text, usage = "", None
    async for piece in model.stream(request):
        if isinstance(piece, ModelUsage):
            usage = piece
        else:
            text += piece
    return text, usage


async def test_the_answer_streams_and_its_finish_reason_and_usage_are_recorded(
    make_model, server: FakeOpenAIChat
) -> None:
    server.pieces = ["We open ", "at 7am."]

    text, usage = await collect(make_model(), ordinary_request())

    assert text == "We open at 7am."
    assert usage == ModelUsage(stop_reason="stop", input_tokens=640, output_tokens=33)


async def test_the_request_carries_the_rules_the_turns_and_a_token_limit(make_model, server: FakeOpenAIChat) -> None:
    request = ordinary_request()

    await collect(make_model(model="llama3.2:3b", max_tokens=321, temperature=0.1), request)

    (body,) = server.requests
    assert body["model"] == "llama3.2:3b"
    assert body["stream"] is True
    assert body["stream_options"] == {"include_usage": True}
    assert body["max_tokens"] == 321
    assert body["temperature"] == 0.1
    assert [message["role"] for message in body["messages"]] == ["system", "user", "assistant", "user"]
    assert body["messages"][0]["content"] == request.system
    assert body["messages"][1]["content"] == "Do you sell rye bread?"
    last = body["messages"][-1]["content"]
    assert "<passages>\n<passage " in last
    assert "We open at 7am, Monday to Saturday." in last
    assert last.endswith("When do you open?")


async def test_a_server_that_sends_no_usage_still_reports_the_finish_reason(make_model, server: FakeOpenAIChat) -> None:
    server.script = [answer_chunks({"model": "m"}, ["Cut short"], finish_reason="length")]

    text, usage = await collect(make_model(temperature=None), ordinary_request())

    assert text == "Cut short"
    assert usage == ModelUsage(stop_reason="length")
    assert "temperature" not in server.requests[0]


async def test_a_rate_limit_is_retried_by_the_sdk(make_model, server: FakeOpenAIChat) -> None:
    server.script = [Failure(status=429)]

    text, usage = await collect(make_model(), ordinary_request())

    assert text == "Hello, world."
    assert usage is not None
    assert len(server.requests) == 2


async def test_a_server_error_every_time_gives_up_after_the_bounded_retries(make_model, server: FakeOpenAIChat) -> None:
    server.script = [Failure(status=500)] * 5

    with pytest.raises(ModelUnavailable, match=r"InternalServerError: Error code: 500 .*scripted failure"):
        await collect(make_model(max_retries=1), ordinary_request())

    assert len(server.requests) == 2


async def test_an_error_inside_the_stream_makes_the_model_unavailable(make_model, server: FakeOpenAIChat) -> None:
    failure = sse({"error": {"message": "model crashed", "type": "server_error"}})
    server.script = [[*answer_chunks({"model": "m"}, ["Half"])[:2], failure]]

    with pytest.raises(ModelUnavailable, match="model crashed"):
        await collect(make_model(), ordinary_request())


async def test_a_stream_that_ends_without_a_finish_reason_is_unfinished(make_model, server: FakeOpenAIChat) -> None:
    server.script = [[*answer_chunks({"model": "m"}, ["Half an answer"])[:2], sse("[DONE]")]]

    with pytest.raises(ModelUnavailable, match="before finishing"):
        await collect(make_model(), ordinary_request())


async def test_a_stalled_stream_is_cut_after_the_stall_timeout(make_model, server: FakeOpenAIChat) -> None:
    server.script = [Stall(pieces=["We open"])]
    model = make_model(stall_timeout=0.3, timeout=30.0)
    pieces: list[object] = []
    started = time.monotonic()

    with pytest.raises(ModelUnavailable, match="stalled"):
        async for piece in model.stream(ordinary_request()):
            pieces.append(piece)

    assert pieces == ["We open"]
    assert time.monotonic() - started < 2.0
    assert server.hung_up.wait(2.0)


async def test_an_answer_past_its_deadline_is_cut(make_model, server: FakeOpenAIChat) -> None:
    server.script = [Stall(pieces=["We open"])]
    model = make_model(deadline=0.4, stall_timeout=10.0, timeout=30.0)

    with pytest.raises(ModelUnavailable, match=r"within 0.4 s"):
        await collect(model, ordinary_request())

    assert server.hung_up.wait(2.0)


async def test_a_read_past_the_sdk_timeout_makes_the_model_unavailable(make_model, server: FakeOpenAIChat) -> None:
    server.script = [Stall(pieces=["We open"])]

    with pytest.raises(ModelUnavailable, match="APITimeoutError"):
        await collect(make_model(timeout=0.3, stall_timeout=10.0), ordinary_request())


async def test_an_unreachable_server_makes_the_model_unavailable(make_model) -> None:
    model = make_model(base_url="http://127.0.0.1:9/v1", max_retries=0)

    with pytest.raises(ModelUnavailable, match="APIConnectionError"):
        await collect(model, ordinary_request())
