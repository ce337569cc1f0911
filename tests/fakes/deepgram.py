"""A local Deepgram for tests: /v1/listen as its documented API answers it. A whole
recording POSTed gets the JSON transcript (or Deepgram's error bodies); a live stream
over WebSocket gets Results as audio arrives, its Metadata after CloseStream, then a
normal close, or a close frame naming the error. It checks the key, records every
request, and has knobs to fail or slow down. It serves on 127.0.0.1 from its own
thread and event loop, so sync and async tests (and a `ragsell serve` subprocess) can
use it alike."""

import asyncio
import contextlib
import hashlib
import json
import socket
import threading
import uuid
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Self

from aiohttp import WSMsgType, web

LISTEN_PATH = "/v1/listen"
# Streamed audio is taken to be Opus at 32 kbit/s: Results' timings follow from it.
STREAM_BYTES_PER_SECOND = 4000
# What Deepgram's nova-3 transcribes; anything else gets its "no such model/language" 400.
LANGUAGES = frozenset({"multi", "en", "en-US", "en-GB", "es", "fr", "de", "it", "pt", "nl", "ja", "ru", "hi"})
# The first bytes of the containers Deepgram decodes: RIFF (wav), Ogg, EBML (webm),
# ID3 and MPEG frames (mp3), fLaC; mp4 has "ftyp" at offset 4.
_AUDIO_MAGIC = (b"RIFF", b"OggS", b"\x1aE\xdf\xa3", b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2", b"fLaC")
_ERRORS = {
    400: ("Bad Request", "Bad Request: failed to process audio: corrupt or unsupported data"),
    401: ("INVALID_AUTH", "Invalid credentials."),
    402: ("ASR_PAYMENT_REQUIRED", "Project does not have enough credits for an ASR request."),
    403: ("ACCESS_DENIED", "Access denied."),
    429: ("TOO_MANY_REQUESTS", "Too many requests. Please try again later."),
}
_SERVER_ERROR = ("INTERNAL_SERVER_ERROR", "The server encountered an error.")


@dataclass
class ListenRequest:
    kind: Literal["listen", "stream"]
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    # A stream's binary frames, joined, as they arrive.
    body: bytearray
    # The types of a stream's text messages: "KeepAlive", "CloseStream".
    messages: list[str] = field(default_factory=list)


def looks_like_audio(head: bytes) -> bool:
    return head.startswith(_AUDIO_MAGIC) or head[4:8] == b"ftyp"


class FakeDeepgram:
    """Answers with ``transcript`` in ``language`` (when asked to detect it, or with
    language=multi) for ``duration`` seconds of audio. ``status`` makes requests fail
    with that HTTP status, the first ``failures`` of them (None: all); ``delay`` holds
    back every answer, and a stream's final results, that long. A stream sends a final
    Results every ``bytes_per_result`` bytes (after an interim one when asked for
    interim_results), the Metadata unless ``metadata`` is False, and is closed with
    NET-0001 after ``idle_timeout`` seconds without audio or KeepAlive."""

    def __init__(self, *, api_key: str = "dg-fake-key-0123456789abcdef") -> None:
        self.api_key = api_key
        self.transcript = "I would like a birthday cake for Saturday."
        self.language = "en"
        self.duration = 3.25
        self.status: int | None = None
        self.failures: int | None = None
        self.delay = 0.0
        self.bytes_per_result = 4000
        self.metadata = True
        self.idle_timeout = 10.0
        self.requests: list[ListenRequest] = []
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    def start(self) -> Self:
        self._thread.start()
        self._run(self._serve())
        return self

    def stop(self) -> None:
        if self._runner is not None:
            self._run(self._runner.cleanup())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _run(self, work: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout=5)

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_post(LISTEN_PATH, self._listen)
        app.router.add_get(LISTEN_PATH, self._stream)
        # A handler still delaying is cancelled when its client leaves, so shutting down never waits on it.
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        sock = socket.create_server(("127.0.0.1", 0))
        await web.SockSite(self._runner, sock).start()
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"

    def _record(self, request: web.Request, kind: Literal["listen", "stream"], body: bytes) -> ListenRequest:
        recorded = ListenRequest(
            kind=kind,
            path=request.path,
            query=dict(request.query),
            headers=dict(request.headers),
            body=bytearray(body),
        )
        self.requests.append(recorded)
        return recorded

    def _refusal(self, request: web.Request) -> web.Response | None:
        """What Deepgram answers before it looks at any audio: the key, then the scripted failures."""
        if request.headers.get("Authorization") != f"Token {self.api_key}":
            return _error(401)
        if self.status is not None and (self.failures is None or self.failures > 0):
            if self.failures is not None:
                self.failures -= 1
            return _error(self.status)
        if request.query.get("language", "en") not in LANGUAGES:
            return _error(400, "No such model/language/tier combination found.")
        return None

    async def _listen(self, request: web.Request) -> web.Response:
        audio = await request.read()
        self._record(request, "listen", audio)
        if self.delay:
            await asyncio.sleep(self.delay)
        if refused := self._refusal(request):
            return refused
        if not looks_like_audio(audio):
            return _error(400)
        detecting = request.query.get("detect_language") == "true"
        channel: dict[str, Any] = {"alternatives": [_alternative(self.transcript, 0.0, self.duration)]}
        if detecting:
            channel |= {"detected_language": self.language, "language_confidence": 0.97}
        metadata = {
            "transaction_key": "deprecated",
            "request_id": str(uuid.uuid4()),
            "sha256": hashlib.sha256(audio).hexdigest(),
            "created": datetime.now(UTC).isoformat(),
            "duration": self.duration,
            "channels": 1,
            "models": [str(uuid.uuid4())],
        }
        return web.json_response({"metadata": metadata, "results": {"channels": [channel]}})

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        recorded = self._record(request, "stream", b"")
        if refused := self._refusal(request):
            return refused
        if "detect_language" in request.query:
            # Deepgram offers language detection for whole recordings only.
            return _error(400, "Language detection is not supported for streaming.")
        websocket = web.WebSocketResponse()
        await websocket.prepare(request)
        stream = _StreamScript(self, request.query, websocket)
        with contextlib.suppress(ConnectionError):  # the client left
            await stream.hear(recorded)
        return websocket


class _StreamScript:
    """One live stream: hands out the transcript's words, one per final Results."""

    def __init__(self, fake: FakeDeepgram, query: Any, websocket: web.WebSocketResponse) -> None:
        self._fake = fake
        self._websocket = websocket
        self._words = fake.transcript.split()
        self._interim = query.get("interim_results") == "true"
        self._multilingual = query.get("language") == "multi"
        self._request_id = str(uuid.uuid4())
        self._reached = 0.0
        self._unanswered = 0

    async def hear(self, recorded: ListenRequest) -> None:
        while True:
            try:
                message = await self._websocket.receive(timeout=self._fake.idle_timeout)
            except TimeoutError:
                await self._websocket.close(code=1011, message=b"NET-0001")
                return
            if message.type is WSMsgType.BINARY:
                if not recorded.body and not looks_like_audio(message.data):
                    await self._websocket.close(code=1008, message=b"DATA-0000")
                    return
                recorded.body += message.data
                await self._answer(len(message.data))
            elif message.type is WSMsgType.TEXT:
                kind = json.loads(message.data).get("type", "")
                recorded.messages.append(kind)
                if kind == "CloseStream":
                    break
            else:
                return
        if self._fake.delay:
            await asyncio.sleep(self._fake.delay)
        if self._unanswered or self._words:
            await self._results(" ".join(self._words), self._unanswered, is_final=True)
        if self._fake.metadata:
            await self._websocket.send_json(
                {
                    "type": "Metadata",
                    "transaction_key": "deprecated",
                    "request_id": self._request_id,
                    "sha256": hashlib.sha256(recorded.body).hexdigest(),
                    "created": datetime.now(UTC).isoformat(),
                    "duration": self._fake.duration,
                    "channels": 1,
                }
            )
        await self._websocket.close()

    async def _answer(self, received: int) -> None:
        self._unanswered += received
        while self._unanswered >= self._fake.bytes_per_result:
            word = self._words.pop(0) if self._words else ""
            if self._interim:
                await self._results(word, self._fake.bytes_per_result, is_final=False)
            await self._results(word, self._fake.bytes_per_result, is_final=True)
            self._unanswered -= self._fake.bytes_per_result

    async def _results(self, text: str, byte_count: int, *, is_final: bool) -> None:
        duration = byte_count / STREAM_BYTES_PER_SECOND
        alternative = _alternative(text, self._reached, duration, self._fake.language if self._multilingual else None)
        await self._websocket.send_json(
            {
                "type": "Results",
                "channel_index": [0, 1],
                "duration": duration,
                "start": self._reached,
                "is_final": is_final,
                "speech_final": is_final,
                "channel": {"alternatives": [alternative]},
                "metadata": {"request_id": self._request_id, "model_info": {"name": "general-nova-3"}},
                "from_finalize": False,
            }
        )
        if is_final:
            self._reached += duration


def _alternative(text: str, start: float, duration: float, language: str | None = None) -> dict[str, Any]:
    """The best (and only) alternative: ``language`` given, the words' language is told
    too, as with language=multi."""
    words = text.split()
    step = duration / max(len(words), 1)
    alternative: dict[str, Any] = {
        "transcript": text,
        "confidence": 0.98 if words else 0.0,
        "words": [
            {
                "word": word.strip(".,!?").lower(),
                "start": start + index * step,
                "end": start + (index + 1) * step,
                "confidence": 0.98,
                "punctuated_word": word,
                **({"language": language} if language else {}),
            }
            for index, word in enumerate(words)
        ],
    }
    if language:
        alternative["languages"] = [language] if words else []
    return alternative


def _error(status: int, message: str | None = None) -> web.Response:
    code, default_message = _ERRORS.get(status, _SERVER_ERROR)
    body = {"err_code": code, "err_msg": message or default_message, "request_id": str(uuid.uuid4())}
    # As the real API: why a WebSocket upgrade failed is in a header too.
    return web.json_response(body, status=status, headers={"dg-error": body["err_msg"]})
