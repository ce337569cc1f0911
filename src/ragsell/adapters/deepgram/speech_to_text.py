"""Speech to text with Deepgram: whole recordings posted to /v1/listen, recordings still
being uploaded sent through its live-streaming WebSocket at the same path."""

import asyncio
import contextlib
import random
import re
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
from typing import TypeVar

import aiohttp
import msgspec

from ragsell.adapters.deepgram.live_stream import LiveStream
from ragsell.adapters.deepgram.messages import Recording, error_body
from ragsell.application.ports.voice import SpeechToText, SpeechUnavailable, Transcript, UnreadableAudio

DEFAULT_BASE_URL = "https://api.deepgram.com"
DEFAULT_MODEL = "nova-3"
_LISTEN_PATH = "/v1/listen"
_WEBSOCKET_SCHEMES = {"https": "wss", "http": "ws"}
# Deepgram's err_code is a fixed name ("INVALID_AUTH"); anything else stays out of messages.
_ERROR_CODE = re.compile(r"[A-Za-z][A-Za-z_ ]{0,39}")
# Deepgram answers 400 both for audio it cannot decode and for a model or language it
# does not offer ("No such model/language/tier combination found"): only the first is
# the sender's fault.
_SETTING_REFUSED = re.compile(r"model|language|tier", re.IGNORECASE)
_CONNECTION_ERRORS = (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError)

T = TypeVar("T")


class _Transient(SpeechUnavailable):
    """A failure worth another try: a connection that failed, 429 or a server error."""


def _websocket_url(base_url: str) -> str:
    scheme, separator, rest = base_url.rstrip("/").partition("://")
    if not separator or scheme not in _WEBSOCKET_SCHEMES:
        raise ValueError("Deepgram's base URL starts with https:// (or http:// for a local server).")
    return f"{_WEBSOCKET_SCHEMES[scheme]}://{rest}{_LISTEN_PATH}"


def _status_failure(status: int, error_code: str = "") -> SpeechUnavailable:
    named = f" {error_code}" if _ERROR_CODE.fullmatch(error_code) else ""
    if status == 429 or status >= 500:
        return _Transient(f"Deepgram is unavailable: HTTP {status}{named}.")
    return SpeechUnavailable(f"Deepgram refused the request: HTTP {status}{named}.")


def _recording_failure(status: int, body: bytes) -> SpeechUnavailable | UnreadableAudio:
    error = error_body(body)
    # Deepgram's err_msg is kept out of the message: it could quote what it was sent.
    if status == 400 and not _SETTING_REFUSED.search(error.err_msg):
        return UnreadableAudio("Deepgram could not read the recording.")
    return _status_failure(status, error.err_code)


class DeepgramSpeechToText(SpeechToText):
    """``language`` None: Deepgram detects it (detect_language=true for whole recordings;
    the multilingual model, language=multi, for streams, where detection is not offered);
    a language given to a call overrides it.

    Every call must finish within ``timeout`` seconds, and each connection be made within
    ``connect_timeout``. Connection failures, 429 and 5xx are retried up to ``retries``
    times after ``backoff`` seconds, doubled each time; a stream only while connecting,
    before any audio was read. Then, and on any other refusal, SpeechUnavailable; audio
    Deepgram cannot decode raises UnreadableAudio. Messages name the HTTP status and
    Deepgram's error code, never the key, the audio or what was said."""

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        model: str = DEFAULT_MODEL,
        language: str | None = None,
        smart_format: bool = True,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        retries: int = 2,
        backoff: float = 0.25,
        stall_timeout: float = 10.0,
        keepalive_interval: float = 4.0,
    ) -> None:
        self._listen_url = f"{base_url.rstrip('/')}{_LISTEN_PATH}"
        self._stream_url = _websocket_url(base_url)
        self._headers = {"Authorization": f"Token {api_key}"}
        self._settings = {"model": model, "smart_format": "true" if smart_format else "false"}
        self._language = language or None
        self._timeout = timeout
        self._connect_timeout = connect_timeout
        self._retries = retries
        self._backoff = backoff
        self._stall_timeout = stall_timeout
        self._keepalive_interval = keepalive_interval
        self._session: aiohttp.ClientSession | None = None

    async def transcribe(self, audio: bytes, media_type: str, *, language: str | None = None) -> Transcript:
        language = language or self._language
        query = {**self._settings, **({"language": language} if language else {"detect_language": "true"})}
        async with self._deadline("the recording"):
            body = await self._with_retries(lambda: self._post(query, audio, media_type))
        try:
            recording = msgspec.json.decode(body, type=Recording)
        except msgspec.DecodeError as error:
            raise SpeechUnavailable("Deepgram answered with a body that is not a transcript.") from error
        channel = recording.results.channels[0] if recording.results.channels else None
        return Transcript(
            text=channel.transcript() if channel else "",
            language=language or (channel.detected_language if channel else None),
            duration_seconds=recording.metadata.duration,
        )

    async def transcribe_stream(
        self, audio: AsyncIterable[bytes], media_type: str, *, language: str | None = None
    ) -> Transcript:
        # Deepgram reads the container's own header (webm, ogg, mp4, mp3, wav), so the
        # media type is not sent; only raw PCM would need its encoding given.
        language = language or self._language
        query = {**self._settings, "language": language or "multi"}
        async with self._deadline("the stream"):
            websocket = await self._with_retries(lambda: self._open_stream(query))
            try:
                stream = LiveStream(
                    websocket, keepalive_interval=self._keepalive_interval, stall_timeout=self._stall_timeout
                )
                heard = await stream.run(audio)
            finally:
                await websocket.close()
        return heard.transcript(language)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            timeout = aiohttp.ClientTimeout(total=None, sock_connect=self._connect_timeout)
            self._session = aiohttp.ClientSession(timeout=timeout, headers=self._headers)
        return self._session

    @contextlib.asynccontextmanager
    async def _deadline(self, work: str) -> AsyncIterator[None]:
        limit = asyncio.timeout(self._timeout)
        try:
            async with limit:
                yield
        except TimeoutError:
            if not limit.expired():
                raise
            raise SpeechUnavailable(f"Deepgram did not finish {work} within {self._timeout:g} s.") from None

    async def _with_retries(self, attempt: Callable[[], Awaitable[T]]) -> T:
        for tried in range(self._retries):
            try:
                return await attempt()
            except _Transient:
                await asyncio.sleep(self._backoff * 2**tried * random.uniform(0.75, 1.0))  # noqa: S311
        return await attempt()

    async def _post(self, query: dict[str, str], audio: bytes, media_type: str) -> bytes:
        try:
            # Deepgram never redirects /v1/listen; following one could carry the key elsewhere.
            async with self._client().post(
                self._listen_url,
                params=query,
                data=audio,
                headers={"Content-Type": media_type},
                allow_redirects=False,
            ) as response:
                body = await response.read()
        except _CONNECTION_ERRORS as error:
            raise _Transient(f"Deepgram could not be reached: {type(error).__name__}") from error
        if response.status != 200:
            raise _recording_failure(response.status, body)
        return body

    async def _open_stream(self, query: dict[str, str]) -> aiohttp.ClientWebSocketResponse:
        try:
            async with asyncio.timeout(self._connect_timeout):
                return await self._client().ws_connect(
                    self._stream_url, params=query, timeout=aiohttp.ClientWSTimeout(ws_close=self._connect_timeout)
                )
        except aiohttp.WSServerHandshakeError as error:
            # Not chained: the error holds the request's headers, and the key with them.
            status = error.status
        except (*_CONNECTION_ERRORS, TimeoutError) as error:
            raise _Transient(f"Deepgram could not be reached: {type(error).__name__}") from error
        raise _status_failure(status)
