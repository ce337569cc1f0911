"""Speech from Cartesia's Sonic models: a whole text over the HTTP bytes endpoint, or
the sentences of an answer, as they are written, over one WebSocket context."""

import asyncio
import base64
import contextlib
import json
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Callable
from typing import Any

import aiohttp

from ragsell.adapters.cartesia.pcm import WholeSamples
from ragsell.adapters.cartesia.sentences import SentenceFeed
from ragsell.adapters.cartesia.timing import Transient, speech_timer
from ragsell.adapters.stream_timing import StreamTimer
from ragsell.application.ports.voice import SpeechUnavailable, TextToSpeech
from ragsell.domain.voice import SPEECH_SAMPLE_RATE, VoiceChoice

DEFAULT_BASE_URL = "https://api.cartesia.ai"
DEFAULT_MODEL = "sonic-2"
# The dated API version the requests and answers here follow (sent as Cartesia-Version).
DEFAULT_VERSION = "2025-04-16"
_OUTPUT_FORMAT = {"container": "raw", "encoding": "pcm_s16le", "sample_rate": SPEECH_SAMPLE_RATE}
# Error bodies can be whole HTML pages from a proxy; this much says what went wrong.
_REASON_LENGTH = 200


class CartesiaTextToSpeech(TextToSpeech):
    """16-bit PCM at SPEECH_SAMPLE_RATE in pieces of whole samples. Each call must end
    within ``timeout`` seconds, connections open within ``connect_timeout``, and the
    service may not go quiet for ``stall_timeout`` while it owes audio. Dropped
    connections, stalls, 429 and 5xx are tried again up to ``retries`` times (after
    ``backoff`` seconds, doubled each time), but only while no audio has been passed on:
    audio already sent is never repeated. Other failures, and those past the retries,
    raise SpeechUnavailable, whose message names the status but never the key or the text.
    ``voice.voice_id`` and ``voice.model`` choose the voice and model when not empty."""

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        model: str = DEFAULT_MODEL,
        voice_id: str,
        version: str = DEFAULT_VERSION,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        stall_timeout: float = 10.0,
        retries: int = 2,
        backoff: float = 0.2,
    ) -> None:
        self._api_key = api_key
        self._base_url = base_url.rstrip("/")
        self._model = model
        self._voice_id = voice_id
        self._version = version
        self._timeout = timeout
        self._connect_timeout = connect_timeout
        self._stall_timeout = stall_timeout
        self._retries = retries
        self._backoff = backoff
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        # Made on first use: a session belongs to the event loop it was made in.
        if self._session is None:
            self._session = aiohttp.ClientSession(
                headers={"Authorization": f"Bearer {self._api_key}", "Cartesia-Version": self._version},
                timeout=aiohttp.ClientTimeout(total=None, connect=self._connect_timeout),
            )
        return self._session

    def _generation(self, voice: VoiceChoice, language: str) -> dict[str, Any]:
        return {
            "model_id": voice.model or self._model,
            "voice": {"mode": "id", "id": voice.voice_id or self._voice_id},
            "output_format": _OUTPUT_FORMAT,
            "language": language,
        }

    def _timer(self) -> StreamTimer:
        return speech_timer(deadline=self._timeout, stall_timeout=self._stall_timeout)

    async def speak(self, text: str, *, voice: VoiceChoice, language: str) -> AsyncIterator[bytes]:
        if not text.strip():
            return
        request = {**self._generation(voice, language), "transcript": text}
        timer = self._timer()
        async with contextlib.aclosing(self._retrying(lambda: self._bytes(request, timer), timer)) as pieces:
            async for piece in pieces:
                yield piece

    async def speak_sentences(
        self, sentences: AsyncIterable[str], *, voice: VoiceChoice, language: str
    ) -> AsyncIterator[bytes]:
        """The sentences spoken in one context, so the intonation carries from one to the
        next; each is sent as soon as it comes. The deadline counts the time spent
        waiting for them too. The stall limit applies once the last one was sent: before
        that, the service may well be silent, having spoken all it was given. An
        exception ``sentences`` raises is raised as it is."""
        request = self._generation(voice, language)
        timer = self._timer()
        feed = SentenceFeed(sentences)
        try:
            attempts = self._retrying(lambda: self._context(request, feed, timer), timer)
            async with contextlib.aclosing(attempts) as pieces:
                async for piece in pieces:
                    yield piece
        finally:
            await feed.close()

    async def _retrying(self, attempt: Callable[[], AsyncIterator[bytes]], timer: StreamTimer) -> AsyncIterator[bytes]:
        for tries in range(1, self._retries + 2):
            spoke = False
            try:
                async with contextlib.aclosing(attempt()) as pieces:
                    async for piece in pieces:
                        spoke = True
                        yield piece
                return
            except Transient as failure:
                if spoke or tries > self._retries:
                    attempts = f" ({tries} attempts)" if tries > 1 else ""
                    raise SpeechUnavailable(f"Cartesia {failure}{attempts}.") from failure
            await timer.pause(self._backoff * 2 ** (tries - 1))

    async def _bytes(self, request: dict[str, Any], timer: StreamTimer) -> AsyncIterator[bytes]:
        samples = WholeSamples()
        try:
            opening = self._client().post(f"{self._base_url}/tts/bytes", json=request)
            async with await timer.wait(opening) as response:
                if response.status != 200:
                    reason = await timer.wait(response.content.read(_REASON_LENGTH))
                    raise self._refusal(response.status, reason.decode(errors="replace"))
                while chunk := await timer.wait(response.content.readany()):
                    if piece := samples.cut(chunk):
                        yield piece
        except aiohttp.ClientError as error:
            raise Transient(f"could not be reached ({type(error).__name__}: {self._redacted(str(error))})") from error

    async def _context(self, request: dict[str, Any], feed: SentenceFeed, timer: StreamTimer) -> AsyncIterator[bytes]:
        """One attempt: a connection and a context of its own."""
        context = {**request, "context_id": uuid.uuid4().hex}
        samples = WholeSamples()
        try:
            async with await timer.wait(self._client().ws_connect(f"{self._base_url}/tts/websocket")) as socket:
                sender = asyncio.create_task(_send(socket, context, feed))
                try:
                    while (message := await _next_message(socket, sender, feed, timer)) is not None:
                        if message.type is not aiohttp.WSMsgType.TEXT:
                            raise Transient("closed the connection before the speech was finished")
                        reply = _reply(message.data)
                        if reply.get("type") == "chunk":
                            if piece := samples.cut(_audio(reply)):
                                yield piece
                        elif reply.get("type") == "done":
                            return
                        elif reply.get("type") == "error":
                            status = reply.get("status_code")
                            reason = reply.get("error") or reply.get("message") or reply.get("title") or ""
                            raise self._refusal(status if isinstance(status, int) else 500, str(reason))
                finally:
                    sender.cancel()
                    await asyncio.wait([sender])
        except aiohttp.WSServerHandshakeError as error:
            raise self._refusal(error.status, error.message) from error
        except aiohttp.ClientError as error:
            raise Transient(f"could not be reached ({type(error).__name__}: {self._redacted(str(error))})") from error

    def _refusal(self, status: int, reason: str) -> Exception:
        reason = self._redacted(reason.strip())[:_REASON_LENGTH]
        message = f"answered {status}: {reason}" if reason else f"answered {status}"
        if status == 429 or status >= 500:
            return Transient(message)
        return SpeechUnavailable(f"Cartesia {message}.")

    def _redacted(self, text: str) -> str:
        return text.replace(self._api_key, "[key]") if self._api_key else text

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


async def _send(socket: aiohttp.ClientWebSocketResponse, context: dict[str, Any], feed: SentenceFeed) -> None:
    async for transcript in feed.transcripts():
        await socket.send_str(json.dumps({**context, "transcript": transcript, "continue": True}))
    if feed.anything_given:
        # An empty transcript that does not continue ends the context.
        await socket.send_str(json.dumps({**context, "transcript": "", "continue": False}))


async def _next_message(
    socket: aiohttp.ClientWebSocketResponse, sender: asyncio.Task[None], feed: SentenceFeed, timer: StreamTimer
) -> aiohttp.WSMessage | None:
    """The service's next message, or None when there was nothing to say; raises what the
    sender raised (the sentences failed, or the connection). Until every sentence is sent
    the service may well be silent, having spoken all it was given: only the deadline
    bounds that wait, and the stall limit applies from then on."""
    receiving = asyncio.ensure_future(socket.receive())
    try:
        while not sender.done():
            await timer.wait(asyncio.wait([receiving, sender], return_when=asyncio.FIRST_COMPLETED), stall=False)
            if receiving.done():
                return receiving.result()
        sender.result()
        return await timer.wait(receiving) if feed.anything_given else None
    finally:
        receiving.cancel()


def _reply(data: str) -> dict[str, Any]:
    try:
        reply = json.loads(data)
    except ValueError as error:
        raise SpeechUnavailable("Cartesia sent a message that is not JSON.") from error
    if not isinstance(reply, dict):
        raise SpeechUnavailable("Cartesia sent a message that is not a JSON object.")
    return reply


def _audio(chunk: dict[str, Any]) -> bytes:
    try:
        return base64.b64decode(chunk.get("data") or "", validate=True)
    except (ValueError, TypeError) as error:  # binascii.Error is a ValueError
        raise SpeechUnavailable("Cartesia sent audio that is not base64.") from error
