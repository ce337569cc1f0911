"""Answers from OpenAI, or from any server that speaks its chat completions API (vLLM,
Ollama, llama.cpp server) at ``base_url``."""

from collections.abc import AsyncIterator
from typing import Any

import openai
from openai.types import CompletionUsage
from openai.types.chat import ChatCompletionMessageParam

from ragsell.adapters.chat_messages import conversation_turns
from ragsell.adapters.stream_timing import answer_timer
from ragsell.application.ports.ai import ChatModel, ChatRequest, ModelUnavailable
from ragsell.domain.conversations import ModelUsage

# Small, quick and cheap, and not a reasoning model: it takes max_tokens and temperature.
DEFAULT_MODEL = "gpt-4.1-mini"
# Servers' error bodies can be whole HTML pages; this much says what went wrong.
_REASON_LENGTH = 300


class OpenAIChatModel(ChatModel):
    """Streamed chat completions with ``max_tokens`` always set (the field every
    compatible server takes; OpenAI's reasoning models want ``max_completion_tokens``
    and are not supported). The SDK retries rate limits, 5xx, dropped connections and
    time-outs up to ``max_retries`` times, each request bounded by ``timeout``; the
    answer must be complete within ``deadline`` seconds and may not go quiet for
    ``stall_timeout`` seconds. Any failure raises ModelUnavailable."""

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str | None = None,
        model: str = DEFAULT_MODEL,
        max_tokens: int = 600,
        temperature: float | None = 0.2,
        timeout: float = 30.0,
        max_retries: int = 2,
        deadline: float = 60.0,
        stall_timeout: float = 15.0,
    ) -> None:
        self._model = model
        self._name = f"OpenAI-compatible model {model}"
        self._settings: dict[str, Any] = {"max_tokens": max_tokens}
        if temperature is not None:
            self._settings["temperature"] = temperature
        self._deadline = deadline
        self._stall_timeout = stall_timeout
        self._client = openai.AsyncOpenAI(api_key=api_key, base_url=base_url, timeout=timeout, max_retries=max_retries)

    def _messages(self, request: ChatRequest) -> list[ChatCompletionMessageParam]:
        messages: list[ChatCompletionMessageParam] = [{"role": "system", "content": request.system}]
        messages.extend({"role": turn.role, "content": turn.text} for turn in conversation_turns(request))
        return messages

    async def stream(self, request: ChatRequest) -> AsyncIterator[str | ModelUsage]:
        timer = answer_timer(model=self._name, deadline=self._deadline, stall_timeout=self._stall_timeout)
        finish_reason: str | None = None
        usage: CompletionUsage | None = None
        try:
            chunks = await timer.wait(
                self._client.chat.completions.create(
                    model=self._model,
                    messages=self._messages(request),
                    stream=True,
                    stream_options={"include_usage": True},
                    **self._settings,
                ),
                stall=False,
            )
            async with chunks:
                pieces = aiter(chunks)
                while (chunk := await timer.wait(anext(pieces, None))) is not None:
                    usage = chunk.usage or usage
                    for choice in chunk.choices[:1]:  # one choice was asked for; the usage chunk has none
                        if choice.delta.content:
                            yield choice.delta.content
                        finish_reason = choice.finish_reason or finish_reason
        except openai.APIError as error:
            reason = f"{type(error).__name__}: {error}"[:_REASON_LENGTH]
            raise ModelUnavailable(f"{self._name} failed: {reason}") from error
        if finish_reason is None:
            raise ModelUnavailable(f"{self._name} ended its stream before finishing the answer.")
        yield ModelUsage(
            stop_reason=finish_reason,
            input_tokens=usage.prompt_tokens if usage else 0,
            output_tokens=usage.completion_tokens if usage else 0,
        )

    async def close(self) -> None:
        await self._client.close()
