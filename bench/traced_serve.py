"""``ragsell serve`` with timestamps of the steps of each answer, for
``bench.first_byte --trace``: where the time to the first token goes.

    python -m bench.traced_serve TRACE_FILE serve [ragsell serve's arguments]

Wraps, from outside (ragsell's code is unchanged): the ASGI app (request in, response
start, first body), every MongoDB command (pymongo command monitoring), the embedder,
the retriever, and the chat models' ``stream`` (called, first piece). Times are
``time.perf_counter()`` (CLOCK_MONOTONIC, the same clock in every process on Linux), kept
in memory and written to TRACE_FILE as JSON lines when the server stops.
"""

from __future__ import annotations

import atexit
import functools
import json
import sys
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from pymongo import monitoring

EVENTS: list[tuple[float, str, Any]] = []


def mark(name: str, detail: Any = None) -> None:
    EVENTS.append((time.perf_counter(), name, detail))


class _Commands(monitoring.CommandListener):
    def started(self, event: monitoring.CommandStartedEvent) -> None:
        mark("store-start", [event.command_name, event.request_id])

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        mark("store-end", [event.command_name, event.request_id])

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        mark("store-end", [event.command_name, event.request_id])


def _timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        mark(f"{name}-start")
        try:
            return await function(*args, **kwargs)
        finally:
            mark(f"{name}-end")

    return wrapper


def _streamed(name: str, function: Callable[..., AsyncIterator[Any]]) -> Callable[..., AsyncIterator[Any]]:
    @functools.wraps(function)
    async def wrapper(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        mark(f"{name}-called")
        first = True
        async for piece in function(*args, **kwargs):
            if first:
                mark(f"{name}-first-piece")
                first = False
            yield piece

    return wrapper


def _asgi(app: Any) -> Any:
    handler = app.asgi_handler

    async def traced(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].endswith("/messages"):
            await handler(scope, receive, send)
            return
        mark("request-in", scope["path"])
        bodies = 0

        async def timed_send(message: Any) -> None:
            nonlocal bodies
            if message["type"] == "http.response.start":
                mark("response-start")
            elif message["type"] == "http.response.body" and message.get("body"):
                bodies += 1
                if bodies == 1:
                    mark("first-body")
            await send(message)
            if message["type"] == "http.response.body" and message.get("body") and bodies == 1:
                mark("first-body-sent")

        await handler(scope, receive, timed_send)
        mark("request-done")

    app.asgi_handler = traced
    return app


def install() -> None:
    from ragsell.adapters.local.extractive_answerer import ExtractiveAnswerer
    from ragsell.adapters.local.numpy_retriever import NumpyRetriever
    from ragsell.adapters.local.onnx_embedder import OnnxMiniLMEmbedder
    from ragsell.adapters.openai.chat_model import OpenAIChatModel
    from ragsell.entrypoints import cli

    monitoring.register(_Commands())
    OnnxMiniLMEmbedder.embed = _timed("embed", OnnxMiniLMEmbedder.embed)  # type: ignore[method-assign]
    NumpyRetriever.search = _timed("search", NumpyRetriever.search)  # type: ignore[method-assign]
    OpenAIChatModel.stream = _streamed("model", OpenAIChatModel.stream)  # type: ignore[method-assign]
    ExtractiveAnswerer.stream = _streamed("model", ExtractiveAnswerer.stream)  # type: ignore[method-assign]
    create_app = cli.create_app
    cli.create_app = lambda *args, **kwargs: _asgi(create_app(*args, **kwargs))  # type: ignore[assignment]


def main() -> int:
    path, *arguments = sys.argv[1:]

    def dump() -> None:
        with open(path, "w") as file:
            for when, name, detail in EVENTS:
                file.write(json.dumps([when, name, detail]) + "\n")

    atexit.register(dump)
    install()
    from ragsell.entrypoints.cli import main as ragsell

    return ragsell(arguments)


if __name__ == "__main__":
    sys.exit(main())
