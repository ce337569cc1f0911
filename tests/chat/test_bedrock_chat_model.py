"""What the Bedrock chat model alone does, against a local server that speaks Bedrock
Runtime's ConverseStream (JSON errors, AWS event-stream framing): the Converse request
it sends and the events only Bedrock streams. What every adapter does is checked in
test_chat_model_adapters.py."""

import pytest

from ragsell.application.ports.ai import ModelUnavailable
from tests.chat.answers import collect
from tests.chat.bedrock_server import answer_events, event
from tests.chat.providers import BedrockProvider
from tests.chat.requests import ordinary_request


async def test_the_request_carries_the_rules_the_turns_and_a_token_limit(bedrock: BedrockProvider) -> None:
    request = ordinary_request()

    await collect(bedrock.model(model_id="amazon.nova-micro-v1:0", max_tokens=321, temperature=0.1), request)

    ((model_id, body),) = bedrock.server.requests
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


async def test_max_tokens_is_sent_even_without_other_settings(bedrock: BedrockProvider) -> None:
    await collect(bedrock.model(temperature=None), ordinary_request())

    assert bedrock.server.requests[0][1]["inferenceConfig"] == {"maxTokens": 600}


async def test_reasoning_adds_nothing_to_the_answer(bedrock: BedrockProvider) -> None:
    thinking = event("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"reasoningContent": {"text": "Hmm."}}})
    bedrock.server.answer = [thinking, *answer_events(["Only this."])]

    text, _ = await collect(bedrock.model(), ordinary_request())

    assert text == "Only this."


async def test_a_response_the_sdk_cannot_parse_makes_the_model_unavailable(bedrock: BedrockProvider) -> None:
    bedrock.server.script = [[event("contentBlockStart", {"contentBlockIndex": 0, "start": {}})]]

    with pytest.raises(ModelUnavailable, match="ResponseParserError"):
        await collect(bedrock.model(), ordinary_request())
