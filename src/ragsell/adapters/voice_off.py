"""The speech services of a ragsell configured without them. Nothing reaches these:
the voice features are off then, and use cases refuse first."""

from collections.abc import AsyncIterable, AsyncIterator
from datetime import timedelta

from ragsell.application.ports.voice import SpeechUnavailable, Transcript, VoiceRoom
from ragsell.domain.voice import VoiceChoice

_OFF = "voice is not configured"


class NoSpeechServices:
    """Serves SpeechToText, TextToSpeech and VoiceRooms by refusing."""

    url = ""

    async def transcribe(self, audio: bytes, media_type: str, *, language: str | None = None) -> Transcript:
        raise SpeechUnavailable(_OFF)

    async def transcribe_stream(
        self, audio: AsyncIterable[bytes], media_type: str, *, language: str | None = None
    ) -> Transcript:
        raise SpeechUnavailable(_OFF)

    async def speak(self, text: str, *, voice: VoiceChoice, language: str) -> AsyncIterator[bytes]:
        raise SpeechUnavailable(_OFF)
        yield b""

    async def speak_sentences(
        self, sentences: AsyncIterable[str], *, voice: VoiceChoice, language: str
    ) -> AsyncIterator[bytes]:
        raise SpeechUnavailable(_OFF)
        yield b""

    async def create(self, name: str, *, metadata: str, empty_timeout: timedelta, max_participants: int) -> None:
        raise SpeechUnavailable(_OFF)

    def access_token(self, *, room: str, identity: str, ttl: timedelta) -> str:
        raise SpeechUnavailable(_OFF)

    async def close(self, name: str) -> None:
        raise SpeechUnavailable(_OFF)

    async def list(self, prefix: str) -> list[VoiceRoom]:
        raise SpeechUnavailable(_OFF)
