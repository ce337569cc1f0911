"""A local Cartesia for tests: text-to-speech over POST /tts/bytes (raw PCM streamed as
the response body) and over /tts/websocket contexts (base64 PCM in JSON messages), with
the API's key and version checks, audio a test can predict to the byte, and knobs to
fail, slow down or stall. It serves on 127.0.0.1 from its own thread and event loop, so
sync and async tests, and a `ragsell serve` subprocess, can use it alike. It speaks
pcm_s16le only."""

import asyncio
import base64
import json
import socket
import threading
from collections.abc import Coroutine, Iterator, Mapping
from http import HTTPStatus
from typing import Any, NamedTuple, Self

import numpy as np
from aiohttp import WSMsgType, web

VERSIONS = frozenset({"2024-06-10", "2024-11-13", "2025-04-16", "2026-03-01"})
SAMPLE_RATES = frozenset({8000, 16000, 22050, 24000, 44100, 48000})
# The fields of a context's first input that its later inputs must repeat unchanged.
_CONTEXT_FIELDS = ("model_id", "voice", "output_format", "language")


class Recorded(NamedTuple):
    transport: str  # "bytes" or "websocket"
    path: str
    # Case-insensitive; for the WebSocket, those of its handshake.
    headers: Mapping[str, str]
    # The JSON body, or one message sent on the WebSocket.
    body: dict[str, Any]


def tone(samples: int, sample_rate: int) -> bytes:
    """``samples`` of a 440 Hz tone as 16-bit little-endian PCM."""
    seconds = np.arange(samples) / sample_rate
    return (np.sin(2 * np.pi * 440 * seconds) * 8000).astype("<i2").tobytes()


def generation_problem(body: dict[str, Any]) -> str | None:
    """What is wrong with a generation request, as the API would say it; None if nothing."""
    voice = body.get("voice")
    output = body.get("output_format")
    if not isinstance(body.get("model_id"), str) or not body["model_id"]:
        return "model_id is required"
    if not isinstance(body.get("transcript"), str):
        return "transcript is required"
    if not isinstance(voice, dict) or voice.get("mode") != "id" or not voice.get("id"):
        return 'voice must be {"mode": "id", "id": "<voice id>"}'
    if not isinstance(output, dict) or output.get("container") != "raw" or output.get("encoding") != "pcm_s16le":
        return "this fake speaks raw pcm_s16le only"
    if output.get("sample_rate") not in SAMPLE_RATES:
        return f"sample_rate must be one of {sorted(SAMPLE_RATES)}"
    if "language" in body and not isinstance(body["language"], str):
        return "language must be a string"
    return None


class FakeCartesia:
    """Each transcript is spoken as ``len(transcript) * samples_per_character`` samples of
    a tone at the sample rate asked for (``pcm_for``), sent ``chunk_size`` bytes at a time
    (odd sizes cut samples in two), ``chunk_interval`` seconds apart. ``requests`` keeps
    every request, and every WebSocket message, in order. Knobs: the next ``fail_times``
    HTTP requests or WebSocket inputs are answered ``status`` (an input by an error
    message); ``delay`` holds back every answer, and every WebSocket handshake, that
    long; after ``stall_after_chunks`` chunks of a response or of a connection nothing
    more is sent until the client leaves."""

    def __init__(
        self, *, api_key: str = "sk_car_fake-key", samples_per_character: int = 120, chunk_size: int = 4800
    ) -> None:
        self.api_key = api_key
        self.samples_per_character = samples_per_character
        self.chunk_size = chunk_size
        self.chunk_interval = 0.0
        self.status = 500
        self.fail_times = 0
        self.delay = 0.0
        self.stall_after_chunks: int | None = None
        self.requests: list[Recorded] = []
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    def start(self) -> Self:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-cartesia", daemon=True)
        self._thread.start()
        self._run(self._serve())
        return self

    def stop(self) -> None:
        if self._loop is None or self._thread is None:
            return
        if self._runner is not None:
            self._run(self._runner.cleanup())
            self._runner = None
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()
        self._loop = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def pcm_for(self, transcript: str, sample_rate: int = 24_000) -> bytes:
        return tone(len(transcript) * self.samples_per_character, sample_rate)

    def socket_messages(self) -> list[dict[str, Any]]:
        return [recorded.body for recorded in self.requests if recorded.transport == "websocket"]

    def _run(self, work: Coroutine[Any, Any, None]) -> None:
        assert self._loop is not None
        asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout=5)

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_post("/tts/bytes", self._bytes)
        app.router.add_get("/tts/websocket", self._websocket)
        # A stalled handler is cancelled when its client leaves, so shutting down never waits on it.
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=0.5, access_log=None)
        await self._runner.setup()
        listener = socket.create_server(("127.0.0.1", 0))
        await web.SockSite(self._runner, listener).start()
        self.url = f"http://127.0.0.1:{listener.getsockname()[1]}"

    async def _bytes(self, request: web.Request) -> web.StreamResponse:
        try:
            body = await request.json()
        except ValueError:
            body = {}
        self.requests.append(Recorded("bytes", request.path, request.headers.copy(), body))
        if refusal := await self._refusal(request):
            return refusal
        if self._scripted_failure():
            return _error(self.status, "scripted failure")
        if problem := generation_problem(body):
            return _error(400, problem)
        response = web.StreamResponse(headers={"Content-Type": "application/octet-stream"})
        await response.prepare(request)
        for sent, chunk in enumerate(self._chunks(body)):
            if sent == self.stall_after_chunks:
                await asyncio.Event().wait()  # until the client leaves and the handler is cancelled
            await response.write(chunk)
            await asyncio.sleep(self.chunk_interval)
        await response.write_eof()
        return response

    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        if refusal := await self._refusal(request):
            return refusal
        connection = web.WebSocketResponse()
        await connection.prepare(request)
        headers = request.headers.copy()
        # The first input of each open context, and how many chunks the connection sent.
        contexts: dict[str, dict[str, Any]] = {}
        sent = 0
        async for message in connection:
            if message.type is not WSMsgType.TEXT:
                continue
            body = json.loads(message.data)
            self.requests.append(Recorded("websocket", request.path, headers, body))
            if self.stall_after_chunks is not None and sent >= self.stall_after_chunks:
                continue
            context_id = body.get("context_id")
            if body.get("cancel"):
                contexts.pop(context_id, None)
            elif error := self._input_error(contexts.setdefault(context_id, body), body):
                await connection.send_json(error)
                contexts.pop(context_id, None)
            else:
                sent = await self._speak(connection, body, sent)
                if sent != self.stall_after_chunks and not body.get("continue"):
                    await connection.send_json(_done(context_id))
                    contexts.pop(context_id, None)
        return connection

    def _input_error(self, first: dict[str, Any], body: dict[str, Any]) -> dict[str, Any] | None:
        """The error message a WebSocket input is answered with, if any."""
        problem = generation_problem(body) or _context_problem(first, body)
        if not body.get("context_id"):
            problem = "context_id is required"
        if problem:
            status, error = 400, problem
        elif self._scripted_failure():
            status, error = self.status, "scripted failure"
        else:
            return None
        return {
            "type": "error",
            "done": True,
            "error": error,
            "status_code": status,
            "context_id": body.get("context_id"),
        }

    async def _speak(self, connection: web.WebSocketResponse, body: dict[str, Any], sent: int) -> int:
        """Sends the chunks of one input, up to the stall; returns how many the connection sent."""
        for chunk in self._chunks(body):
            await connection.send_json(_audio_chunk(chunk, body["context_id"]))
            sent += 1
            if sent == self.stall_after_chunks:
                break
            await asyncio.sleep(self.chunk_interval)
        return sent

    async def _refusal(self, request: web.Request) -> web.Response | None:
        """The answer to a request whose key or version the API would refuse."""
        key = request.headers.get("X-API-Key") or request.query.get("api_key")
        if authorization := request.headers.get("Authorization", ""):
            key = authorization.removeprefix("Bearer ")
        if key != self.api_key:
            return _error(401, "Invalid API key")
        version = request.query.get("cartesia_version") or request.headers.get("Cartesia-Version")
        if version not in VERSIONS:
            return _error(400, f"Cartesia-Version must be one of {sorted(VERSIONS)}")
        await asyncio.sleep(self.delay)
        return None

    def _scripted_failure(self) -> bool:
        if self.fail_times <= 0:
            return False
        self.fail_times -= 1
        return True

    def _chunks(self, body: dict[str, Any]) -> Iterator[bytes]:
        audio = self.pcm_for(body["transcript"], body["output_format"]["sample_rate"])
        for start in range(0, len(audio), self.chunk_size):
            yield audio[start : start + self.chunk_size]


def _context_problem(first: dict[str, Any], later: dict[str, Any]) -> str | None:
    changed = [field for field in _CONTEXT_FIELDS if first.get(field) != later.get(field)]
    return f"inputs on one context must keep {', '.join(changed)} unchanged" if changed else None


def _done(context_id: str) -> dict[str, Any]:
    return {"type": "done", "done": True, "status_code": 200, "context_id": context_id}


def _audio_chunk(chunk: bytes, context_id: str) -> dict[str, Any]:
    data = base64.b64encode(chunk).decode()
    return {"type": "chunk", "data": data, "done": False, "status_code": 206, "step_time": 1, "context_id": context_id}


def _error(status: int, message: str) -> web.Response:
    title = HTTPStatus(status).phrase
    return web.json_response({"title": title, "message": message, "status_code": status}, status=status)
