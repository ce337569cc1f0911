"""Time limits on one streamed exchange with a provider (an answer being written, speech
being made), shared by the adapters that stream."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from ragsell.application.ports.ai import ModelUnavailable

T = TypeVar("T")


class StreamTimer:
    """The whole exchange, retries included, must end within ``deadline`` seconds of the
    timer's start, and no wait on the provider may last longer than ``stall_timeout``.
    Each wait is bounded on its own, never the caller's code between waits: that time
    counts toward the deadline but is not interrupted. ``late`` and ``stalled`` make the
    errors raised when a limit is reached."""

    def __init__(
        self,
        *,
        deadline: float,
        stall_timeout: float,
        late: Callable[[float], Exception],
        stalled: Callable[[float], Exception],
    ) -> None:
        self._loop = asyncio.get_running_loop()
        self._deadline = deadline
        self._stall_timeout = stall_timeout
        self._late = late
        self._stalled = stalled
        self._ends_at = self._loop.time() + deadline

    async def wait(self, step: Awaitable[T], *, stall: bool = True) -> T:
        """``step``, bounded by the stall limit unless ``stall`` is False (a stream still
        opening, retries included), and by the deadline."""
        until = min(self._ends_at, self._loop.time() + self._stall_timeout) if stall else self._ends_at
        limit = asyncio.timeout_at(until)
        try:
            async with limit:
                return await step
        except TimeoutError:
            if not limit.expired():
                raise
        if until >= self._ends_at:
            raise self._late(self._deadline)
        raise self._stalled(self._stall_timeout)

    async def pause(self, seconds: float) -> None:
        """Sleeps before a retry, unless that would pass the deadline."""
        if self._loop.time() + seconds >= self._ends_at:
            raise self._late(self._deadline)
        await asyncio.sleep(seconds)


def answer_timer(*, model: str, deadline: float, stall_timeout: float) -> StreamTimer:
    """For a language model's streamed answer: ModelUnavailable, naming ``model``."""
    return StreamTimer(
        deadline=deadline,
        stall_timeout=stall_timeout,
        late=lambda seconds: ModelUnavailable(f"{model} did not finish its answer within {seconds:g} s."),
        stalled=lambda seconds: ModelUnavailable(f"{model} stalled: nothing came for {seconds:g} s."),
    )
