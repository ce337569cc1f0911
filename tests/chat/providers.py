"""Each chat provider as the adapter tests see it: the local server that speaks its
API, chat models built against that server, the server scripted in terms every
provider shares, and what reached the server read back."""

import abc
import threading
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

import pytest

from ragsell.adapters.bedrock.chat_model import BedrockChatModel
from ragsell.adapters.openai.chat_model import OpenAIChatModel
from ragsell.application.ports.ai import ChatModel
from tests.chat import bedrock_server, openai_chat_server


class Sent(NamedTuple):
    """What one provider received: its system text and its user/assistant turns."""

    system: str
    turns: list[tuple[str, str]]


class ClosableChatModel(ChatModel, Protocol):
    async def close(self) -> None: ...


class FakeServer(Protocol):
    """What every fake provider server records."""

    requests: list[Any]
    hung_up: threading.Event


Server = TypeVar("Server", bound=FakeServer)


class Limits(NamedTuple):
    """What bounds an answer, in terms every adapter has a setting for."""

    attempts: int
    read_timeout: float
    deadline: float
    stall_timeout: float


class Provider(abc.ABC, Generic[Server]):
    """A provider's local ``server`` and the chat models the test built against it,
    closed by ``close``. Scripting methods say what the server's next replies are;
    until scripted otherwise it answers "Hello, world." in full."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self._models: list[ClosableChatModel] = []

    def model(
        self,
        *,
        endpoint_url: str | None = None,
        attempts: int = 3,
        read_timeout: float = 2.0,
        deadline: float = 5.0,
        stall_timeout: float = 1.0,
        **specific: Any,
    ) -> ClosableChatModel:
        """A chat model for this server (or ``endpoint_url``) that makes at most
        ``attempts`` requests per answer; ``specific`` are the adapter's own settings."""
        limits = Limits(attempts=attempts, read_timeout=read_timeout, deadline=deadline, stall_timeout=stall_timeout)
        model = self._build(endpoint_url, limits, specific)
        self._models.append(model)
        return model

    @abc.abstractmethod
    def _build(self, endpoint_url: str | None, limits: Limits, specific: dict[str, Any]) -> ClosableChatModel:
        """The adapter with ``limits`` and ``specific`` settings, for ``endpoint_url`` or else this server."""

    @abc.abstractmethod
    def answer_with(self, pieces: list[str], *, stop_reason: str, usage: tuple[int, int]) -> None:
        """Every answer from now on: ``pieces``, then ``stop_reason`` and (input, output) ``usage``."""

    @abc.abstractmethod
    def fail(self, status: int, *, times: int) -> None:
        """The next ``times`` replies are HTTP errors with ``status`` and the message "scripted failure"."""

    @abc.abstractmethod
    def stall_after(self, pieces: list[str]) -> None:
        """The next reply starts an answer with ``pieces`` and sends nothing more."""

    @abc.abstractmethod
    def fail_inside_stream_after(self, pieces: list[str], message: str) -> None:
        """The next reply starts an answer with ``pieces``, then reports an error with ``message``."""

    @abc.abstractmethod
    def stop_short_after(self, pieces: list[str]) -> None:
        """The next reply starts an answer with ``pieces`` and ends its stream without a stop reason."""

    @property
    def requests_received(self) -> int:
        return len(self.server.requests)

    @property
    def hung_up(self) -> threading.Event:
        """Set when a client left a stalled reply."""
        return self.server.hung_up

    @abc.abstractmethod
    def sent(self) -> Sent:
        """The system text and turns of the last request that reached the server."""

    async def close(self) -> None:
        for model in self._models:
            await model.close()


class BedrockProvider(Provider[bedrock_server.FakeBedrock]):
    _ERROR_TYPES = {429: "ThrottlingException", 500: "InternalServerException"}

    def _build(self, endpoint_url: str | None, limits: Limits, specific: dict[str, Any]) -> BedrockChatModel:
        return BedrockChatModel(
            endpoint_url=endpoint_url or self.server.endpoint_url,
            aws_access_key_id="AKIDTEST",
            aws_secret_access_key="secret",
            connect_timeout=1.0,
            read_timeout=limits.read_timeout,
            max_attempts=limits.attempts,
            deadline=limits.deadline,
            stall_timeout=limits.stall_timeout,
            **specific,
        )

    def answer_with(self, pieces: list[str], *, stop_reason: str, usage: tuple[int, int]) -> None:
        self.server.answer = bedrock_server.answer_events(pieces, stop_reason=stop_reason, usage=usage)

    def fail(self, status: int, *, times: int) -> None:
        failure = bedrock_server.Failure(status=status, error_type=self._ERROR_TYPES[status])
        self.server.script += [failure] * times

    def stall_after(self, pieces: list[str]) -> None:
        self.server.script.append(bedrock_server.Stall(events=_bedrock_answer_start(pieces)))

    def fail_inside_stream_after(self, pieces: list[str], message: str) -> None:
        failure = bedrock_server.exception("modelStreamErrorException", message)
        self.server.script.append([*_bedrock_answer_start(pieces), failure])

    def stop_short_after(self, pieces: list[str]) -> None:
        self.server.script.append(_bedrock_answer_start(pieces))

    def sent(self) -> Sent:
        (_, body) = self.server.requests[-1]
        (system,) = body["system"]
        turns = [(message["role"], message["content"][0]["text"]) for message in body["messages"]]
        return Sent(system["text"], turns)


def _bedrock_answer_start(pieces: list[str]) -> list[bytes]:
    """messageStart and one delta a piece."""
    return bedrock_server.answer_events(pieces)[: 1 + len(pieces)]


class OpenAIChatProvider(Provider[openai_chat_server.FakeOpenAIChat]):
    def _build(self, endpoint_url: str | None, limits: Limits, specific: dict[str, Any]) -> OpenAIChatModel:
        return OpenAIChatModel(
            api_key="sk-test",
            base_url=f"{endpoint_url}/v1" if endpoint_url else self.server.base_url,
            timeout=limits.read_timeout,
            max_retries=limits.attempts - 1,
            deadline=limits.deadline,
            stall_timeout=limits.stall_timeout,
            **specific,
        )

    def answer_with(self, pieces: list[str], *, stop_reason: str, usage: tuple[int, int]) -> None:
        self.server.pieces, self.server.finish_reason, self.server.usage = pieces, stop_reason, usage

    def fail(self, status: int, *, times: int) -> None:
        self.server.script += [openai_chat_server.Failure(status=status)] * times

    def stall_after(self, pieces: list[str]) -> None:
        self.server.script.append(openai_chat_server.Stall(pieces=pieces))

    def fail_inside_stream_after(self, pieces: list[str], message: str) -> None:
        failure = openai_chat_server.sse({"error": {"message": message, "type": "server_error"}})
        self.server.script.append([*_openai_answer_start(pieces), failure])

    def stop_short_after(self, pieces: list[str]) -> None:
        self.server.script.append([*_openai_answer_start(pieces), openai_chat_server.sse("[DONE]")])

    def sent(self) -> Sent:
        (system, *messages) = self.server.requests[-1]["messages"]
        assert system["role"] == "system"
        assert all(message["role"] != "system" for message in messages)
        return Sent(system["content"], [(message["role"], message["content"]) for message in messages])


def _openai_answer_start(pieces: list[str]) -> list[bytes]:
    """The assistant role chunk and one chunk a piece."""
    return openai_chat_server.answer_chunks({"model": "m"}, pieces)[: 1 + len(pieces)]


PROVIDERS = ("bedrock", "openai_chat")
"""The fixtures, in tests/chat/conftest.py, that give each Provider."""


def per_provider(argname: str, *, bedrock: object, openai_chat: object) -> pytest.MarkDecorator:
    """Runs a test on every provider, with ``argname`` set to what that provider is
    expected to give where the providers word the same behaviour differently."""
    return pytest.mark.parametrize(
        ("provider", argname),
        [pytest.param("bedrock", bedrock, id="bedrock"), pytest.param("openai_chat", openai_chat, id="openai_chat")],
        indirect=["provider"],
    )
