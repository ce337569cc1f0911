"""The Bedrock chat model against a local server that speaks Bedrock Runtime's
ConverseStream (JSON errors, AWS event-stream framing)."""

import time
from collections.abc import AsyncIterator, Iterator

import pytest

from ragsell.adapters.bedrock.chat_model import BedrockChatModel
from ragsell.application.ports.ai import ChatRequest, ModelUnavailable
from ragsell.domain.conversations import ModelUsage
from tests.chat.bedrock_server import Failure, FakeBedrock, Stall, answer_events, event, exception, serving
from tests.chat.requests import ordinary_request


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBedrock]:
    # Nothing may reach for real credentials or the instance metadata endpoint.
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with serving(FakeBedrock()) as fake:
        yield fake


@pytest.fixture
async def make_model(server: FakeBedrock) -> AsyncIterator:
    models: list[BedrockChatModel] = []

    def make(**options: object) -> BedrockChatModel:
        settings: dict = {
            "endpoint_url": server.endpoint_url,
            "aws_access_key_id": "AKIDTEST",
            "aws_secret_access_key": "secret",
            "connect_timeout": 1.0,
            "read_timeout": 2.0,
            "max_attempts": 3,
            "deadline": 5.0,
            "stall_timeout": 1.0,
            **options,
        }
        models.append(BedrockChatModel(**settings))
        return models[-1]

    yield make
    for model in models:
        await model.close()


async def collect(model: BedrockChatModel, request: ChatRequest) -> tuple[str, ModelUsage | None]:
    text, usage = "", None
    async for piece in model.stream(request):
        if isinstance(piece, ModelUsage):
            usage = piece
        else:
            text += piece
    return text, usage


async def test_the_answer_streams_and_its_stop_reason_and_usage_are_recorded(make_model, server: FakeBedrock) -> None:
    server.answer = answer_events(["We open ", "at 7am."], stop_reason="end_turn", usage=(812, 41))

    text, usage = await collect(make_model(), ordinary_request())

    assert text == "We open at 7am."
    assert usage == ModelUsage(stop_reason="end_turn", input_tokens=812, output_tokens=41)


async def test_the_request_carries_the_rules_the_turns_and_a_token_limit(make_model, server: FakeBedrock) -> None:
    request = ordinary_request()

    await collect(make_model(model_id="amazon.nova-micro-v1:0", max_tokens=321, temperature=0.1), request)

    ((model_id, body),) = server.requests
    assert model_id == "amazon.nova-micro-v1%3A0"
    assert body["system"] == [{"text": request.system}]
    assert body["inferenceConfig"] == {"maxTokens": 321, "temperature": 0.1}
    roles = [message["role"] for message in body["messages"]]
    assert roles == ["user", "assistant", "user"]
    assert body["messages"][0]["content"] == [{"text": "Do you sell rye bread?"}]
    (last,) = body["messages"][-1]["content"]
    passages = last["text"].split("<passages>\n")[1].split("\n</passages>")[0]
    assert "We open at 7am, Monday to Saturday." in passages
    assert 'source="https://bakery.example/hours"' in passages
    assert last["text"].endswith("When do you open?")


async def test_max_tokens_is_sent_even_without_other_settings(make_model, server: FakeBedrock) -> None:
    await collect(make_model(temperature=None), ordinary_request())

    assert server.requests[0][1]["inferenceConfig"] == {"maxTokens": 600}


async def test_throttling_is_retried_by_the_standard_retry_mode(make_model, server: FakeBedrock) -> None:
    server.script = [Failure(status=429, error_type="ThrottlingException", message="Too many requests")]

    text, usage = await collect(make_model(), ordinary_request())

    assert text == "Hello, world."
    assert usage is not None
    assert len(server.requests) == 2


async def test_a_server_error_every_time_gives_up_after_the_bounded_attempts(make_model, server: FakeBedrock) -> None:
    server.script = [Failure(status=500, error_type="InternalServerException", message="boom")] * 5

    with pytest.raises(ModelUnavailable, match=r"InternalServerException \(HTTP 500\): boom"):
        await collect(make_model(max_attempts=2), ordinary_request())

    assert len(server.requests) == 2


async def test_an_error_inside_the_stream_makes_the_model_unavailable(make_model, server: FakeBedrock) -> None:
    server.script = [[*answer_events(["Half"])[:2], exception("modelStreamErrorException", "model crashed")]]

    with pytest.raises(ModelUnavailable, match="modelStreamErrorException: model crashed"):
        await collect(make_model(), ordinary_request())


async def test_a_stream_that_ends_without_stopping_is_unfinished(make_model, server: FakeBedrock) -> None:
    server.script = [answer_events(["Half an answer"])[:2]]

    with pytest.raises(ModelUnavailable, match="before finishing"):
        await collect(make_model(), ordinary_request())


async def test_a_stalled_stream_is_cut_after_the_stall_timeout(make_model, server: FakeBedrock) -> None:
    server.script = [Stall(events=answer_events(["We open"])[:2])]
    model = make_model(stall_timeout=0.3, read_timeout=30.0)
    pieces: list[object] = []
    started = time.monotonic()

    with pytest.raises(ModelUnavailable, match="stalled"):
        async for piece in model.stream(ordinary_request()):
            pieces.append(piece)

    assert pieces == ["We open"]
    assert time.monotonic() - started < 2.0
    # The worker let go of the stream at once rather than at the read timeout.
    assert server.hung_up.wait(2.0)


async def test_an_answer_past_its_deadline_is_cut(make_model, server: FakeBedrock) -> None:
    server.script = [Stall(events=answer_events(["We open"])[:2])]
    model = make_model(deadline=0.4, stall_timeout=10.0, read_timeout=30.0)

    with pytest.raises(ModelUnavailable, match=r"within 0.4 s"):
        await collect(model, ordinary_request())

    assert server.hung_up.wait(2.0)


async def test_an_unreachable_endpoint_makes_the_model_unavailable(make_model) -> None:
    model = make_model(endpoint_url="http://127.0.0.1:9", max_attempts=1)

    with pytest.raises(ModelUnavailable, match="EndpointConnectionError"):
        await collect(model, ordinary_request())


async def test_reasoning_adds_nothing_to_the_answer(make_model, server: FakeBedrock) -> None:
    thinking = event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"reasoningContent": {"text": "Hmm."}}})
    server.answer = [thinking, *answer_events(["Only this."])]

    text, _ = await collect(make_model(), ordinary_request())

    assert text == "Only this."


async def test_a_response_the_sdk_cannot_parse_makes_the_model_unavailable(make_model, server: FakeBedrock) -> None:
    server.script = [[event("contentBlockStart", {"contentBlockIndex": 0, "start": {}})]]

    with pytest.raises(ModelUnavailable, match="ResponseParserError"):
        await collect(make_model(), ordinary_request())


async def test_throttling_on_every_attempt_makes_the_model_unavailable(make_model, server: FakeBedrock) -> None:
    server.script = [Failure(status=429, error_type="ThrottlingException", message="Too many requests")] * 2

    with pytest.raises(ModelUnavailable, match=r"ThrottlingException \(HTTP 429\): Too many requests"):
        await collect(make_model(max_attempts=2), ordinary_request())

    assert len(server.requests) == 2


async def test_a_socket_read_past_the_read_timeout_makes_the_model_unavailable(make_model, server: FakeBedrock) -> None:
    server.script = [Stall(events=answer_events(["We open"])[:2])]

    with pytest.raises(ModelUnavailable, match="Read timed out"):
        await collect(make_model(read_timeout=0.3, stall_timeout=10.0), ordinary_request())
