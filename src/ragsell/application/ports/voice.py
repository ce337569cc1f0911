"""Speech services and the real-time rooms of live calls."""

from collections.abc import AsyncIterable, AsyncIterator
from datetime import datetime, timedelta
from typing import Protocol

import msgspec

from ragsell.domain.voice import VoiceChoice


class SpeechUnavailable(Exception):
    """A speech service could not do the work now: refused, failed or timed out."""


class UnreadableAudio(Exception):
    """The speech service could not read the recording (not audio, or a format it does
    not know): the sender's fault, not worth retrying."""


class Transcript(msgspec.Struct, frozen=True, kw_only=True):
    text: str
    # What the service detected (or was told), such as "en"; None when it did not say.
    language: str | None
    # How long the audio it heard was; what the turn is metered by.
    duration_seconds: float


class SpeechToText(Protocol):
    async def transcribe(self, audio: bytes, media_type: str, *, language: str | None = None) -> Transcript:
        """The words in a whole recording. ``language`` None: detected. Raises
        UnreadableAudio or SpeechUnavailable."""

    async def transcribe_stream(
        self, audio: AsyncIterable[bytes], media_type: str, *, language: str | None = None
    ) -> Transcript:
        """The words of audio sent to the service while it still arrives (a recording
        being uploaded); returns when ``audio`` ends and the service has finished.
        Raises UnreadableAudio or SpeechUnavailable."""


class TextToSpeech(Protocol):
    def speak(self, text: str, *, voice: VoiceChoice, language: str) -> AsyncIterator[bytes]:
        """``text`` spoken, as 16-bit little-endian mono PCM at SPEECH_SAMPLE_RATE, in
        pieces as the service makes them (each an even number of bytes). Raises
        SpeechUnavailable, also part-way through."""

    def speak_sentences(
        self, sentences: AsyncIterable[str], *, voice: VoiceChoice, language: str
    ) -> AsyncIterator[bytes]:
        """Sentences spoken as one utterance while they still arrive (an answer being
        written), as ``speak`` gives them."""


class VoiceRoom(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    # The RoomBrief it was created with, as JSON.
    metadata: str
    created_at: datetime
    participants: int


class VoiceRooms(Protocol):
    # The address browsers and agents connect to (wss://...).
    url: str

    async def create(self, name: str, *, metadata: str, empty_timeout: timedelta, max_participants: int) -> None:
        """Create the room (an existing room of that name is kept). Raises SpeechUnavailable."""

    def access_token(self, *, room: str, identity: str, ttl: timedelta) -> str:
        """A signed token that lets ``identity`` join ``room`` only, publish its
        microphone and hear the room, for ``ttl``."""

    async def close(self, name: str) -> None:
        """End the room for everyone in it; a room already gone is fine. Raises SpeechUnavailable."""

    async def list(self, prefix: str) -> list[VoiceRoom]:
        """The open rooms whose names start with ``prefix``. Raises SpeechUnavailable."""
