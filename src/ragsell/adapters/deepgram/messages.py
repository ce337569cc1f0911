"""What Deepgram answers on /v1/listen: the transcript of a whole recording, its error
bodies, and the messages of a live stream. Only the fields ragsell reads; the rest
(words, confidences, model details) is skipped when decoding."""

import msgspec


class Alternative(msgspec.Struct):
    transcript: str = ""
    # With language=multi: the languages heard, the one with the most words first.
    languages: list[str] = []


class Channel(msgspec.Struct):
    alternatives: list[Alternative] = []
    # With detect_language=true.
    detected_language: str | None = None

    def transcript(self) -> str:
        return self.alternatives[0].transcript.strip() if self.alternatives else ""


class RecordingMetadata(msgspec.Struct):
    duration: float = 0.0


class RecordingResults(msgspec.Struct):
    channels: list[Channel] = []


class Recording(msgspec.Struct):
    """The answer to a whole recording posted to /v1/listen."""

    metadata: RecordingMetadata
    results: RecordingResults


class ErrorBody(msgspec.Struct):
    err_code: str = ""
    err_msg: str = ""


class StreamMessage(msgspec.Struct):
    """One message of a live stream: ``Results`` (a stretch of the audio transcribed),
    ``Metadata`` (the summary sent last), or a type ragsell does not use."""

    type: str = ""
    is_final: bool = False
    channel: Channel = msgspec.field(default_factory=Channel)
    # Results: the stretch of audio they cover, in seconds from the start; Metadata:
    # how long the whole audio was.
    start: float = 0.0
    duration: float = 0.0


def error_body(body: bytes) -> ErrorBody:
    """Deepgram's error body; an empty one when the body is not one (a proxy's page)."""
    try:
        return msgspec.json.decode(body, type=ErrorBody)
    except msgspec.DecodeError:  # ValidationError included
        return ErrorBody()
