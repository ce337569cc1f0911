"""The sentences of an answer, as they are written, for one WebSocket context."""

import asyncio
from collections.abc import AsyncIterable, AsyncIterator


class SentenceFeed:
    """Reads ``sentences`` in a task of its own as they come, and keeps those handed out,
    so that a retry on a new connection is given them again. Reading in its own task
    means a sender cancelled mid-wait never cancels the source (an answer still being
    written). Blank sentences are skipped; the rest end in a space, because Cartesia
    joins the transcripts of a context as they are."""

    def __init__(self, sentences: AsyncIterable[str]) -> None:
        # A sentence, then None when the source ended or the exception it raised.
        self._arrivals: asyncio.Queue[str | Exception | None] = asyncio.Queue()
        self._given: list[str] = []
        self._end: Exception | None = None
        self._ended = False
        self._reader = asyncio.create_task(self._read(sentences))

    async def _read(self, sentences: AsyncIterable[str]) -> None:
        try:
            async for sentence in sentences:
                if sentence.strip():
                    self._arrivals.put_nowait(sentence if sentence[-1].isspace() else f"{sentence} ")
        except Exception as error:  # handed to the sender, which raises it to the caller
            self._arrivals.put_nowait(error)
        else:
            self._arrivals.put_nowait(None)

    async def transcripts(self) -> AsyncIterator[str]:
        """Those given before, then the rest as they come; raises what the source raised."""
        for transcript in list(self._given):
            yield transcript
        while not self._ended:
            arrival = await self._arrivals.get()
            if isinstance(arrival, str):
                self._given.append(arrival)
                yield arrival
            else:
                self._ended, self._end = True, arrival
        if self._end is not None:
            raise self._end

    @property
    def anything_given(self) -> bool:
        return bool(self._given)

    async def close(self) -> None:
        self._reader.cancel()
        await asyncio.wait([self._reader])
