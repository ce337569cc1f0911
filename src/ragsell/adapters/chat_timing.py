"""Time limits on one streamed answer, shared by the chat model adapters."""

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from ragsell.application.ports.ai import ModelUnavailable

T = TypeVar("T")


class AnswerTimer:
    """The whole answer must arrive within ``deadline`` seconds of the timer's start,
    and once the stream has opened, no wait for its next piece may last longer than
    ``stall_timeout``. Each wait is bounded on its own, never the caller's code
    between pieces: that time counts toward the deadline but is not interrupted."""

    def __init__(self, *, model: str, deadline: float, stall_timeout: float) -> None:
        # ``model`` names the model in the messages of the errors raised.
        self._loop = asyncio.get_running_loop()
        self._model = model
        self._deadline = deadline
        self._stall_timeout = stall_timeout
        self._ends_at = self._loop.time() + deadline

    async def opening(self, step: Awaitable[T]) -> T:
        """Waits for the stream to open (retries included), up to the deadline."""
        return await self._wait(step, self._ends_at)

    async def next_piece(self, step: Awaitable[T]) -> T:
        return await self._wait(step, min(self._ends_at, self._loop.time() + self._stall_timeout))

    async def _wait(self, step: Awaitable[T], until: float) -> T:
        limit = asyncio.timeout_at(until)
        try:
            async with limit:
                return await step
        except TimeoutError:
            if not limit.expired():
                raise
        if until >= self._ends_at:
            raise ModelUnavailable(f"{self._model} did not finish its answer within {self._deadline:g} s.")
        raise ModelUnavailable(f"{self._model} stalled: nothing came for {self._stall_timeout:g} s.")
