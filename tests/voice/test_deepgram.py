"""Deepgram speech to text against a local server that answers /v1/listen as Deepgram's
documented API does: whole recordings by POST, live streams over WebSocket."""

import asyncio
import io
import socket
import time
import wave
from collections.abc import AsyncIterator, Callable, Iterator

import msgspec
import pytest

from ragsell.adapters.deepgram.live_stream import Heard
from ragsell.adapters.deepgram.messages import StreamMessage
from ragsell.adapters.deepgram.speech_to_text import DeepgramSpeechToText
from ragsell.application.ports.voice import SpeechUnavailable, Transcript, UnreadableAudio
from tests.fakes.deepgram import STREAM_BYTES_PER_SECOND, FakeDeepgram

# The start of a WebM file, as MediaRecorder writes it (an EBML header), then filler.
WEBM = b"\x1aE\xdf\xa3" + bytes(9_996)


def wav(seconds: float = 0.5, rate: int = 16_000) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(2)
        recording.setframerate(rate)
        recording.writeframes(bytes(int(seconds * rate) * 2))
    return buffer.getvalue()


async def pieces(audio: bytes, size: int = 2_500, *, pause: float = 0.0) -> AsyncIterator[bytes]:
    for start in range(0, len(audio), size):
        if pause:
            await asyncio.sleep(pause)
        yield audio[start : start + size]


def every_text_of(error: BaseException) -> str:
    """The messages and reprs of an exception and of every exception chained to it."""
    texts: list[str] = []
    seen: BaseException | None = error
    while seen is not None:
        texts += [str(seen), repr(seen)]
        seen = seen.__cause__ or seen.__context__
    return "\n".join(texts)


@pytest.fixture
def deepgram() -> Iterator[FakeDeepgram]:
    with FakeDeepgram() as fake:
        yield fake


@pytest.fixture
async def make_stt(deepgram: FakeDeepgram) -> AsyncIterator[Callable[..., DeepgramSpeechToText]]:
    made: list[DeepgramSpeechToText] = []

    def make(**options: object) -> DeepgramSpeechToText:
        settings: dict = {
            "api_key": deepgram.api_key,
            "base_url": deepgram.url,
            "timeout": 3.0,
            "connect_timeout": 1.0,
            "backoff": 0.01,
            "stall_timeout": 1.0,
            **options,
        }
        made.append(DeepgramSpeechToText(**settings))
        return made[-1]

    yield make
    for stt in made:
        await stt.close()


# Whole recordings


async def test_a_recording_is_posted_raw_with_the_key_its_media_type_and_the_settings(
    make_stt, deepgram: FakeDeepgram
) -> None:
    audio = wav()

    transcript = await make_stt(language="en").transcribe(audio, "audio/wav")

    assert transcript == Transcript(text=deepgram.transcript, language="en", duration_seconds=deepgram.duration)
    (request,) = deepgram.requests
    assert request.kind == "listen"
    assert request.path == "/v1/listen"
    assert request.query == {"model": "nova-3", "smart_format": "true", "language": "en"}
    assert request.headers["Authorization"] == f"Token {deepgram.api_key}"
    assert request.headers["Content-Type"] == "audio/wav"
    assert request.body == audio


async def test_without_a_language_deepgram_detects_it_and_says_which(make_stt, deepgram: FakeDeepgram) -> None:
    deepgram.language = "fr"
    deepgram.transcript = "Je voudrais un gâteau."

    transcript = await make_stt().transcribe(WEBM, "audio/webm")

    assert transcript.language == "fr"
    assert transcript.text == "Je voudrais un gâteau."
    assert deepgram.requests[0].query == {"model": "nova-3", "smart_format": "true", "detect_language": "true"}


async def test_the_language_of_a_call_overrides_the_configured_one(make_stt, deepgram: FakeDeepgram) -> None:
    stt = make_stt(language="en", model="nova-2", smart_format=False)

    transcript = await stt.transcribe(WEBM, "audio/webm", language="de")

    assert transcript.language == "de"
    assert deepgram.requests[0].query == {"model": "nova-2", "smart_format": "false", "language": "de"}


async def test_a_recording_of_silence_is_an_empty_transcript(make_stt, deepgram: FakeDeepgram) -> None:
    deepgram.transcript = ""

    transcript = await make_stt(language="en").transcribe(wav(), "audio/wav")

    assert transcript == Transcript(text="", language="en", duration_seconds=deepgram.duration)


async def test_a_recording_deepgram_cannot_decode_is_unreadable_and_not_retried(
    make_stt, deepgram: FakeDeepgram
) -> None:
    with pytest.raises(UnreadableAudio) as raised:
        await make_stt().transcribe(b"<html>not audio</html>", "audio/webm")

    assert len(deepgram.requests) == 1
    assert "corrupt" not in str(raised.value)  # Deepgram's own words stay out


async def test_a_language_deepgram_does_not_offer_is_not_blamed_on_the_recording(
    make_stt, deepgram: FakeDeepgram
) -> None:
    with pytest.raises(SpeechUnavailable, match="HTTP 400"):
        await make_stt().transcribe(WEBM, "audio/webm", language="tlh")

    assert len(deepgram.requests) == 1


@pytest.mark.parametrize(
    ("status", "code"), [(401, "INVALID_AUTH"), (402, "ASR_PAYMENT_REQUIRED"), (403, "ACCESS_DENIED")]
)
async def test_a_refusal_is_unavailable_naming_the_status_and_not_retried(
    make_stt, deepgram: FakeDeepgram, status: int, code: str
) -> None:
    deepgram.status = status

    with pytest.raises(SpeechUnavailable, match=f"HTTP {status} {code}"):
        await make_stt().transcribe(WEBM, "audio/webm")

    assert len(deepgram.requests) == 1


async def test_a_wrong_key_is_refused_by_deepgram(make_stt, deepgram: FakeDeepgram) -> None:
    with pytest.raises(SpeechUnavailable, match="HTTP 401"):
        await make_stt(api_key="dg-someone-elses-key").transcribe(WEBM, "audio/webm")


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_rate_limits_and_server_errors_are_retried(make_stt, deepgram: FakeDeepgram, status: int) -> None:
    deepgram.status, deepgram.failures = status, 2

    transcript = await make_stt(retries=2).transcribe(WEBM, "audio/webm")

    assert transcript.text == deepgram.transcript
    assert len(deepgram.requests) == 3


async def test_after_its_retries_a_failing_deepgram_is_unavailable(make_stt, deepgram: FakeDeepgram) -> None:
    deepgram.status = 503

    with pytest.raises(SpeechUnavailable, match="HTTP 503"):
        await make_stt(retries=2).transcribe(WEBM, "audio/webm")

    assert len(deepgram.requests) == 3


async def test_a_slow_deepgram_runs_into_the_deadline(make_stt, deepgram: FakeDeepgram) -> None:
    deepgram.delay = 3.0
    started = time.monotonic()

    with pytest.raises(SpeechUnavailable, match=r"within 0\.3 s"):
        await make_stt(timeout=0.3).transcribe(WEBM, "audio/webm")

    assert time.monotonic() - started < 1.5


async def test_an_unreachable_deepgram_is_retried_then_unavailable(make_stt) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]

    with pytest.raises(SpeechUnavailable, match="could not be reached"):
        await make_stt(base_url=f"http://127.0.0.1:{port}", retries=1).transcribe(WEBM, "audio/webm")


# Live streams


async def test_a_stream_is_heard_as_the_audio_arrives(make_stt, deepgram: FakeDeepgram) -> None:
    audio = WEBM * 3

    transcript = await make_stt(language="en").transcribe_stream(pieces(audio), "audio/webm")

    assert transcript == Transcript(text=deepgram.transcript, language="en", duration_seconds=deepgram.duration)
    (request,) = deepgram.requests
    assert request.kind == "stream"
    assert request.path == "/v1/listen"
    assert request.query == {"model": "nova-3", "smart_format": "true", "language": "en"}
    assert request.headers["Authorization"] == f"Token {deepgram.api_key}"
    assert request.body == audio
    assert request.messages[-1] == "CloseStream"


async def test_a_stream_without_a_language_is_heard_by_the_multilingual_model(make_stt, deepgram: FakeDeepgram) -> None:
    deepgram.language = "es"
    deepgram.transcript = "Quisiera un pastel para el sábado."

    transcript = await make_stt().transcribe_stream(pieces(WEBM * 2), "audio/webm")

    assert transcript.text == "Quisiera un pastel para el sábado."
    assert transcript.language == "es"
    assert deepgram.requests[0].query["language"] == "multi"
    assert "detect_language" not in deepgram.requests[0].query


async def test_without_the_closing_metadata_a_stream_lasts_as_far_as_its_results_reached(
    make_stt, deepgram: FakeDeepgram
) -> None:
    deepgram.metadata = False
    audio = WEBM * 2

    transcript = await make_stt(language="en").transcribe_stream(pieces(audio), "audio/webm")

    assert transcript.duration_seconds == pytest.approx(len(audio) / STREAM_BYTES_PER_SECOND)


async def test_a_stream_with_a_wrong_key_fails_before_any_audio_is_read(make_stt, deepgram: FakeDeepgram) -> None:
    read: list[bytes] = []

    async def audio() -> AsyncIterator[bytes]:
        read.append(WEBM)
        yield WEBM

    with pytest.raises(SpeechUnavailable, match="HTTP 401"):
        await make_stt(api_key="dg-someone-elses-key").transcribe_stream(audio(), "audio/webm")

    assert read == []
    assert len(deepgram.requests) == 1


async def test_a_stream_connection_refused_for_now_is_retried(make_stt, deepgram: FakeDeepgram) -> None:
    deepgram.status, deepgram.failures = 503, 1

    transcript = await make_stt(language="en").transcribe_stream(pieces(WEBM), "audio/webm")

    assert transcript.text == deepgram.transcript
    assert [request.kind for request in deepgram.requests] == ["stream", "stream"]


async def test_a_stream_of_audio_deepgram_cannot_decode_is_unreadable(make_stt, deepgram: FakeDeepgram) -> None:
    with pytest.raises(UnreadableAudio):
        await make_stt(language="en").transcribe_stream(pieces(b"not audio at all" * 1000), "audio/webm")


async def test_a_stream_that_goes_quiet_after_the_audio_ended_is_unavailable(make_stt, deepgram: FakeDeepgram) -> None:
    deepgram.delay = 3.0
    started = time.monotonic()

    with pytest.raises(SpeechUnavailable, match="stalled"):
        await make_stt(language="en", stall_timeout=0.2).transcribe_stream(pieces(WEBM), "audio/webm")

    assert time.monotonic() - started < 1.5


async def test_a_stream_whose_audio_never_ends_runs_into_the_deadline(make_stt) -> None:
    async def endless() -> AsyncIterator[bytes]:
        yield WEBM
        await asyncio.sleep(10)
        yield WEBM

    started = time.monotonic()

    with pytest.raises(SpeechUnavailable, match=r"within 0\.3 s"):
        await make_stt(language="en", timeout=0.3).transcribe_stream(endless(), "audio/webm")

    assert time.monotonic() - started < 1.5


async def test_keepalives_hold_a_stream_open_while_the_upload_pauses(make_stt, deepgram: FakeDeepgram) -> None:
    deepgram.idle_timeout = 0.3
    stt = make_stt(language="en", keepalive_interval=0.1)

    transcript = await stt.transcribe_stream(pieces(WEBM * 2, 10_000, pause=0.5), "audio/webm")

    assert transcript.text == deepgram.transcript
    assert "KeepAlive" in deepgram.requests[0].messages


async def test_without_keepalives_deepgram_closes_a_paused_stream(make_stt, deepgram: FakeDeepgram) -> None:
    deepgram.idle_timeout = 0.3
    stt = make_stt(language="en", keepalive_interval=5.0)

    with pytest.raises(SpeechUnavailable, match="NET-0001"):
        await stt.transcribe_stream(pieces(WEBM * 2, 10_000, pause=0.5), "audio/webm")


def results(text: str, *, start: float, is_final: bool) -> StreamMessage:
    message = {
        "type": "Results",
        "is_final": is_final,
        "start": start,
        "duration": 1.0,
        "channel": {"alternatives": [{"transcript": text}]},
    }
    return msgspec.json.decode(msgspec.json.encode(message), type=StreamMessage)


def test_only_final_results_make_the_transcript() -> None:
    heard = Heard()
    for message in (
        results("I would", start=0, is_final=False),
        results("I would", start=0, is_final=True),
        results("", start=1, is_final=True),
        results("like", start=2, is_final=False),
        msgspec.json.decode(b'{"type":"SpeechStarted","timestamp":2.0}', type=StreamMessage),
    ):
        heard.add(message)

    assert heard.transcript("en") == Transcript(text="I would", language="en", duration_seconds=3.0)


# Secrets


async def test_no_failure_tells_the_key(make_stt, deepgram: FakeDeepgram) -> None:
    key = "dg-secret-key-0123456789abcdef"
    refused = make_stt(api_key=key)
    failures: list[BaseException] = []
    for attempt in (
        lambda: refused.transcribe(WEBM, "audio/webm"),
        lambda: refused.transcribe_stream(pieces(WEBM), "audio/webm"),
    ):
        with pytest.raises(SpeechUnavailable) as raised:
            await attempt()
        failures.append(raised.value)
    deepgram.api_key = key
    deepgram.status = 500
    for attempt in (
        lambda: refused.transcribe(WEBM, "audio/webm"),
        lambda: refused.transcribe_stream(pieces(WEBM), "audio/webm"),
    ):
        with pytest.raises(SpeechUnavailable) as raised:
            await attempt()
        failures.append(raised.value)

    for failure in failures:
        assert key not in every_text_of(failure)
        assert key[3:] not in every_text_of(failure)


def test_the_base_url_is_an_http_address() -> None:
    with pytest.raises(ValueError, match="https://"):
        DeepgramSpeechToText("key", base_url="ftp://api.deepgram.com")
