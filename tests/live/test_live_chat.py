"""Opt-in checks of the chat model adapters against the real providers. They run
only with credentials in the environment and cost a few hundred tokens each:
- Bedrock: AWS credentials (AWS_ACCESS_KEY_ID, AWS_PROFILE or a web identity), with
  AWS_REGION and RAGSELL_LIVE_BEDROCK_MODEL to choose region and model;
- OpenAI: OPENAI_API_KEY, with OPENAI_BASE_URL and RAGSELL_LIVE_OPENAI_MODEL to try a
  compatible server or another model."""

import os

import pytest

from ragsell.adapters.bedrock.chat_model import DEFAULT_MODEL_ID, DEFAULT_REGION, BedrockChatModel
from ragsell.adapters.openai.chat_model import DEFAULT_MODEL, OpenAIChatModel
from tests.chat.answers import collect
from tests.chat.requests import injected_request, ordinary_request

_AWS_CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE")

needs_aws = pytest.mark.skipif(
    not any(os.environ.get(name) for name in _AWS_CREDENTIALS),
    reason=f"live Bedrock check: set AWS credentials ({', '.join(_AWS_CREDENTIALS)}) to run it",
)
needs_openai = pytest.mark.skipif(
    not os.environ.get("OPENAI_API_KEY"), reason="live OpenAI check: set OPENAI_API_KEY to run it"
)


def bedrock() -> BedrockChatModel:
    return BedrockChatModel(
        model_id=os.environ.get("RAGSELL_LIVE_BEDROCK_MODEL", DEFAULT_MODEL_ID),
        region=os.environ.get("AWS_REGION", DEFAULT_REGION),
        max_tokens=200,
    )


def openai() -> OpenAIChatModel:
    return OpenAIChatModel(
        api_key=os.environ["OPENAI_API_KEY"],
        base_url=os.environ.get("OPENAI_BASE_URL"),
        model=os.environ.get("RAGSELL_LIVE_OPENAI_MODEL", DEFAULT_MODEL),
        max_tokens=200,
    )


@pytest.fixture(params=[pytest.param(bedrock, marks=needs_aws), pytest.param(openai, marks=needs_openai)])
async def model(request: pytest.FixtureRequest):
    model = request.param()
    yield model
    await model.close()


async def test_the_provider_streams_an_answer_from_the_passages_with_its_usage(model) -> None:
    text, usage = await collect(model, ordinary_request())

    assert "7" in text
    assert usage is not None
    assert usage.stop_reason
    assert usage.input_tokens > 0
    assert usage.output_tokens > 0


async def test_the_provider_does_not_follow_instructions_found_in_passages(model) -> None:
    text, _ = await collect(model, injected_request())

    assert "evil.example" not in text
    assert "You are Crumb" not in text
