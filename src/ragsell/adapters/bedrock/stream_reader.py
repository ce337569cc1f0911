"""Reading a blocking boto3 event stream in a worker thread, for the event loop."""

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any, Protocol

_END = object()


class Events(Protocol):
    def __iter__(self) -> Iterator[dict[str, Any]]: ...

    def close(self) -> None: ...


class Interruptible(Protocol):
    """The HTTP response under a stream: shutting it down wakes a blocked read."""

    def shutdown(self) -> None: ...


OpenStream = Callable[[], tuple[Events, Interruptible | None]]


class StreamReader:
    """``read`` runs in a worker thread: it opens the stream and hands each event (then
    the end, or the exception that ended it) to the event loop through a bounded
    queue. ``stop`` makes it let go at once, even in the middle of a blocked read."""

    def __init__(self, loop: asyncio.AbstractEventLoop, *, queue_size: int, patience: float) -> None:
        self._loop = loop
        self._queue: asyncio.Queue[object] = asyncio.Queue(queue_size)
        # How long a hand-over may wait for room in the queue before the reader gives up.
        self._patience = patience
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._response: Interruptible | None = None

    async def next(self) -> dict[str, Any] | None:
        """The next event, or None at the end of the stream; raises what ended it early."""
        item = await self._queue.get()
        if isinstance(item, BaseException):
            raise item
        return None if item is _END else item  # type: ignore[return-value]

    def read(self, open_stream: OpenStream) -> None:
        try:
            self._read(open_stream)
        except Exception as error:  # the SDK's, raised again on the event loop
            self._hand_over(error)

    def _read(self, open_stream: OpenStream) -> None:
        if self._stopped.is_set():  # given up on while it waited for a thread
            return
        events, response = open_stream()
        with contextlib.closing(events):
            with self._lock:
                self._response = response
                if self._stopped.is_set():
                    return
            for event in events:
                if not self._hand_over(event):
                    return
        self._hand_over(_END)

    def _hand_over(self, item: object) -> bool:
        if self._stopped.is_set():
            return False
        try:
            handed = asyncio.run_coroutine_threadsafe(self._queue.put(item), self._loop)
        except RuntimeError:  # the event loop has closed
            return False
        try:
            handed.result(self._patience)
        except (TimeoutError, concurrent.futures.CancelledError):
            handed.cancel()
            return False
        return True

    def stop(self) -> None:
        """Called on the event loop when no more events are wanted."""
        self._stopped.set()
        with self._lock:
            response = self._response
        if response is not None:
            with contextlib.suppress(OSError, RuntimeError, ValueError):  # already closed or released
                response.shutdown()
        while not self._queue.empty():  # frees a hand-over waiting for room
            self._queue.get_nowait()
