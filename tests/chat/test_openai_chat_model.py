"""What the OpenAI-compatible chat model alone does, against a local server that speaks
chat completions with ``stream: true``: the request it sends, and a server that sends
no usage. What every adapter does is checked in test_chat_model_adapters.py."""

from ragsell.domain.conversations import ModelUsage
from tests.chat.answers import collect
from tests.chat.openai_chat_server import answer_chunks
from tests.chat.providers import OpenAIChatProvider
from tests.chat.requests import ordinary_request


async def test_the_request_carries_the_rules_the_turns_and_a_token_limit(openai_chat: OpenAIChatProvider) -> None:
    request = ordinary_request()

    await collect(openai_chat.model(model="llama3.2:3b", max_tokens=321, temperature=0.1), request)

    (body,) = openai_chat.server.requests
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


async def test_a_server_that_sends_no_usage_still_reports_the_finish_reason(openai_chat: OpenAIChatProvider) -> None:
    openai_chat.server.script = [answer_chunks({"model": "m"}, ["Cut short"], finish_reason="length")]

    text, usage = await collect(openai_chat.model(temperature=None), ordinary_request())

    assert text == "Cut short"
    assert usage == ModelUsage(stop_reason="length")
    assert "temperature" not in openai_chat.server.requests[0]
