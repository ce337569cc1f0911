"""One recording sent through Deepgram's live-streaming WebSocket while it still arrives:
audio out as binary frames, what Deepgram heard read back at the same time, and the
closing handshake (CloseStream, then Deepgram's Metadata and close)."""

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterable

import aiohttp
import msgspec

from ragsell.adapters.deepgram.messages import StreamMessage
from ragsell.application.ports.voice import SpeechUnavailable, Transcript, UnreadableAudio

KEEP_ALIVE = '{"type": "KeepAlive"}'
CLOSE_STREAM = '{"type": "CloseStream"}'
# Deepgram names why it closed a stream in the close frame ("DATA-0000", "NET-0001");
# its DATA errors mean it could not decode the audio.
_CLOSE_REASON = re.compile(r"[A-Z]+-\d{4}")
_ENDED = (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED)


class Heard:
    """What a live stream has said so far: the final Results' transcripts, the languages
    they were in, how far into the audio Results reached, and the whole audio's duration
    from the closing Metadata."""

    def __init__(self) -> None:
        self._finals: list[str] = []
        self._words_by_language: Counter[str] = Counter()
        self._reached = 0.0
        self._duration: float | None = None

    def add(self, message: StreamMessage) -> None:
        if message.type == "Metadata":
            self._duration = message.duration
        elif message.type == "Results":
            self._reached = max(self._reached, message.start + message.duration)
            text = message.channel.transcript()
            # Interim Results are guesses that a final one replaces.
            if message.is_final and text:
                self._finals.append(text)
                for alternative in message.channel.alternatives[:1]:
                    for language in alternative.languages[:1]:
                        self._words_by_language[language] += len(text.split())

    def transcript(self, language: str | None) -> Transcript:
        """``language``: the one Deepgram was told, if any; otherwise the one most words were in."""
        if language is None and self._words_by_language:
            language = self._words_by_language.most_common(1)[0][0]
        return Transcript(
            text=" ".join(self._finals),
            language=language,
            duration_seconds=self._reached if self._duration is None else self._duration,
        )


class LiveStream:
    """Runs one stream on an open WebSocket. While audio arrives, a KeepAlive goes out
    every ``keepalive_interval`` seconds, since Deepgram closes a stream that hears
    nothing for 10 s; once the audio has ended, Deepgram may not go quiet for
    ``stall_timeout`` seconds before it has closed the stream."""

    def __init__(
        self, websocket: aiohttp.ClientWebSocketResponse, *, keepalive_interval: float, stall_timeout: float
    ) -> None:
        self._websocket = websocket
        self._keepalive_interval = keepalive_interval
        self._stall_timeout = stall_timeout
        self._loop = asyncio.get_running_loop()
        self._heard = Heard()
        self._last_message_at = self._loop.time()
        self._close_sent = False

    async def run(self, audio: AsyncIterable[bytes]) -> Heard:
        receiving = asyncio.create_task(self._receive())
        keeping_alive = asyncio.create_task(self._keep_alive())
        try:
            if await self._send_audio(audio, receiving):
                keeping_alive.cancel()
                self._close_sent = await self._send(CLOSE_STREAM)
            await self._until_closed(receiving)
        finally:
            await _stop(receiving, keeping_alive)
        return self._heard

    async def _send_audio(self, audio: AsyncIterable[bytes], receiving: asyncio.Task[None]) -> bool:
        """False when Deepgram ended the stream first; the reason is in what it sent."""
        async for piece in audio:
            if receiving.done():
                return False
            # An empty frame would tell Deepgram the audio has ended.
            if piece and not await self._send(piece):
                return False
        return True

    async def _send(self, frame: bytes | str) -> bool:
        try:
            if isinstance(frame, str):
                await self._websocket.send_str(frame)
            else:
                await self._websocket.send_bytes(frame)
        except (aiohttp.ClientConnectionError, ConnectionError):
            return False
        return True

    async def _keep_alive(self) -> None:
        while True:
            await asyncio.sleep(self._keepalive_interval)
            if not await self._send(KEEP_ALIVE):
                return

    async def _until_closed(self, receiving: asyncio.Task[None]) -> None:
        audio_ended_at = self._loop.time()
        while not receiving.done():
            quiet_for = self._loop.time() - max(audio_ended_at, self._last_message_at)
            if quiet_for >= self._stall_timeout:
                raise SpeechUnavailable(f"Deepgram stalled: nothing came for {self._stall_timeout:g} s.")
            await asyncio.wait({receiving}, timeout=self._stall_timeout - quiet_for)
        receiving.result()

    async def _receive(self) -> None:
        while True:
            message = await self._websocket.receive()
            self._last_message_at = self._loop.time()
            if message.type in _ENDED:
                self._check_close(message)
                return
            if message.type is aiohttp.WSMsgType.TEXT:
                try:
                    self._heard.add(msgspec.json.decode(message.data, type=StreamMessage))
                except msgspec.DecodeError as error:
                    raise SpeechUnavailable("Deepgram sent a stream message that is not what its API sends.") from error
            elif message.type is aiohttp.WSMsgType.ERROR:
                raise SpeechUnavailable(f"Deepgram's stream failed: {type(message.data).__name__}")

    def _check_close(self, message: aiohttp.WSMessage) -> None:
        code = self._websocket.close_code
        closed_by_frame = message.type is aiohttp.WSMsgType.CLOSE
        if self._close_sent and closed_by_frame and code == aiohttp.WSCloseCode.OK:
            return
        found = _CLOSE_REASON.search(message.extra or "") if closed_by_frame else None
        reason = found.group() if found else ""
        if reason.startswith("DATA-"):
            raise UnreadableAudio(f"Deepgram could not decode the audio ({reason}).")
        said = f"code {code}{f' {reason}' if reason else ''}"
        if not self._close_sent:
            raise SpeechUnavailable(f"Deepgram closed the stream before the audio ended ({said}).")
        raise SpeechUnavailable(f"Deepgram closed the stream abnormally ({said}).")


async def _stop(*tasks: asyncio.Task[None]) -> None:
    for task in tasks:
        task.cancel()
    await asyncio.wait(tasks)
    for task in tasks:
        if not task.cancelled():
            # Retrieved, so asyncio does not report it: a failure was raised already or no longer matters.
            task.exception()
