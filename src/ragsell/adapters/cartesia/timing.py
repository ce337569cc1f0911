"""Time limits on one call to Cartesia."""

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

from ragsell.application.ports.voice import SpeechUnavailable

T = TypeVar("T")


class Transient(Exception):
    """A failure worth another attempt (a dropped connection, 429, 5xx, a stall), as long
    as no audio of the failed attempt was passed on. The message completes "Cartesia ...".
    """


class SpeechTimer:
    """The whole call, retries included, must end within ``deadline`` seconds of the
    timer's start, and a wait on the service may last at most ``stall_timeout``."""

    def __init__(self, *, deadline: float, stall_timeout: float) -> None:
        self._loop = asyncio.get_running_loop()
        self._deadline = deadline
        self._stall_timeout = stall_timeout
        self._ends_at = self._loop.time() + deadline

    async def wait(self, step: Awaitable[T], *, stall: bool = True) -> T:
        """``step``, bounded by the stall limit unless ``stall`` is False, and by the deadline."""
        until = min(self._ends_at, self._loop.time() + self._stall_timeout) if stall else self._ends_at
        limit = asyncio.timeout_at(until)
        try:
            async with limit:
                return await step
        except TimeoutError:
            if not limit.expired():
                raise
        if until >= self._ends_at:
            raise self._late()
        raise Transient(f"stalled: nothing came for {self._stall_timeout:g} s")

    async def pause(self, seconds: float) -> None:
        if self._loop.time() + seconds >= self._ends_at:
            raise self._late()
        await asyncio.sleep(seconds)

    def _late(self) -> SpeechUnavailable:
        return SpeechUnavailable(f"Cartesia did not finish speaking within {self._deadline:g} s.")
