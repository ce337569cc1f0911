"""Talking with the assistant: what a recorded turn may be, the voice a site speaks
with, how speech is metered, and the rooms of live calls."""

import math
import re
from datetime import datetime

import msgspec

from ragsell.domain.errors import InvalidValue
from ragsell.domain.ids import ConversationId, OwnerId, SiteId, VisitorId, WidgetKey

# A push-to-talk turn: the widget stops recording at MAX_TURN_SECONDS; the byte cap
# bounds what a client that ignores it can make us send to the speech service.
MAX_TURN_SECONDS = 60
MAX_TURN_BYTES = 2 * 1024 * 1024
# What browsers' MediaRecorder makes (webm/ogg opus, mp4 aac) and common files.
TURN_MEDIA_TYPES = frozenset({"audio/webm", "audio/ogg", "audio/mp4", "audio/mpeg", "audio/wav", "audio/x-wav"})
# Speech sent to the widget: raw 16-bit little-endian PCM, one channel, at this rate.
SPEECH_SAMPLE_RATE = 24_000
SPEECH_SAMPLE_BYTES = 2
# Rooms of live calls are named with this prefix, so sweeps touch only ragsell's own.
ROOM_PREFIX = "ragsell-"
# LiveKit dispatches the agent registered under this name into each call's room.
VOICE_AGENT_NAME = "ragsell-voice"

# Where speech may pause: after a sentence's end mark and space, or at a line break.
_SPOKEN_BREAK = re.compile(r"(?<=[.!?。！？])\s+|\n+")
_PROVIDER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}")


class VoiceChoice(msgspec.Struct, frozen=True, kw_only=True):
    """The voice a site speaks with: a speech provider's voice id and model, "" for the
    service's default."""

    voice_id: str = ""
    model: str = ""

    def __post_init__(self) -> None:
        for field, value in (("voiceId", self.voice_id), ("voiceModel", self.model)):
            if value and not _PROVIDER_NAME.fullmatch(value):
                raise InvalidValue("Use the id exactly as the speech provider shows it.", field=field)


def turn_media_type(content_type: str | None) -> str:
    """The media type of an uploaded turn, without parameters (``;codecs=opus``)."""
    media_type = (content_type or "").split(";", 1)[0].strip().lower()
    if media_type not in TURN_MEDIA_TYPES:
        raise InvalidValue("Send the recording as audio/webm, audio/ogg, audio/mp4, audio/mpeg or audio/wav.")
    return media_type


def check_recording_size(byte_count: int) -> None:
    if byte_count > MAX_TURN_BYTES:
        raise InvalidValue(f"Recordings are at most {MAX_TURN_SECONDS} seconds.")


def complete_sentences(text: str) -> tuple[list[str], str]:
    """The sentences ``text`` (an answer being written) already holds, and the rest,
    which may still grow into a sentence."""
    *complete, rest = _SPOKEN_BREAK.split(text)
    return [sentence.strip() for sentence in complete if sentence.strip()], rest


def pcm_seconds(byte_count: int, sample_rate: int = SPEECH_SAMPLE_RATE) -> float:
    """How long ``byte_count`` bytes of 16-bit mono PCM play for."""
    return byte_count / (sample_rate * SPEECH_SAMPLE_BYTES)


def voice_seconds(heard: float, spoken: float) -> int:
    """What one turn, or one stretch of a call, counts against the plan: the seconds of
    the visitor's audio heard plus the seconds of speech sent back, rounded up once."""
    if heard < 0 or spoken < 0:
        raise ValueError("audio durations are never negative")
    # Rounded to the millisecond first, so float noise (3.0000000001) never adds a second.
    return math.ceil(round(heard + spoken, 3))


class RoomTicket(msgspec.Struct, frozen=True, kw_only=True):
    """What the widget needs to join a live call: the server, a token for one room and
    one visitor, and when the room will be closed at the latest."""

    url: str
    token: str
    room: str
    ends_at: datetime


class RoomBrief(msgspec.Struct, frozen=True, kw_only=True):
    """Stored with the room at creation and read by the voice agent: who the call is for."""

    owner_id: OwnerId
    site_id: SiteId
    widget_key: WidgetKey
    visitor_id: VisitorId
    conversation_id: ConversationId
    language: str
    voice: VoiceChoice
    ends_at: datetime


_briefs = msgspec.json.Decoder(RoomBrief)


def brief_metadata(brief: RoomBrief) -> str:
    """The brief as a room's metadata."""
    return msgspec.json.encode(brief).decode()


def read_brief(metadata: str) -> RoomBrief:
    try:
        return _briefs.decode(metadata)
    except msgspec.DecodeError:
        raise InvalidValue("The room's metadata is not a call's brief.") from None


def room_name(site_id: SiteId, room_id: str) -> str:
    return f"{ROOM_PREFIX}{site_id}-{room_id}"
