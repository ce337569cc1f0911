"""What the widget receives for a recorded turn, in order: the transcript, then the
answer's events with its speech interleaved, the answer's done event last; or an error."""

import msgspec

from ragsell.application.conversations.answer_events import AnswerEvent


class TranscriptEvent(msgspec.Struct, frozen=True, kw_only=True, tag="transcript"):
    text: str
    language: str | None


class SpeechEvent(msgspec.Struct, frozen=True, kw_only=True, tag="speech"):
    # 16-bit little-endian mono PCM.
    audio: bytes
    sample_rate: int


VoiceTurnEvent = TranscriptEvent | SpeechEvent | AnswerEvent
