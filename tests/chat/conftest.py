"""Each chat provider's local server, started for one test, with the chat models the
test built against it closed afterwards."""

from collections.abc import AsyncIterator

import pytest

from tests.chat import bedrock_server, openai_chat_server
from tests.chat.providers import PROVIDERS, BedrockProvider, OpenAIChatProvider, Provider


@pytest.fixture
async def bedrock(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[BedrockProvider]:
    # Nothing may reach for real credentials or the instance metadata endpoint.
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    with bedrock_server.serving(bedrock_server.FakeBedrock()) as server:
        provider = BedrockProvider(server)
        yield provider
        await provider.close()


@pytest.fixture
async def openai_chat() -> AsyncIterator[OpenAIChatProvider]:
    with openai_chat_server.serving(openai_chat_server.FakeOpenAIChat()) as server:
        provider = OpenAIChatProvider(server)
        yield provider
        await provider.close()


@pytest.fixture(params=PROVIDERS)
def provider(request: pytest.FixtureRequest) -> Provider:
    """Each provider in turn, for what the ChatModel port promises of every adapter."""
    return request.getfixturevalue(request.param)
