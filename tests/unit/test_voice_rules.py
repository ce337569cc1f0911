"""Rules of voice: what a recording may be, how speech is metered, where speech may pause,
and how an upload is passed on while it is kept."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ragsell.application.voice.uploaded_recording import UploadedRecording
from ragsell.domain.errors import InvalidValue
from ragsell.domain.voice import (
    MAX_TURN_BYTES,
    SPEECH_SAMPLE_RATE,
    VoiceChoice,
    check_recording_size,
    complete_sentences,
    pcm_seconds,
    turn_media_type,
    voice_seconds,
)
from ragsell.entrypoints.settings import SettingsError, load_settings


@pytest.mark.parametrize(
    ("content_type", "media_type"),
    [("audio/webm;codecs=opus", "audio/webm"), ("Audio/OGG; codecs=opus", "audio/ogg"), ("audio/mp4", "audio/mp4")],
)
def test_a_recordings_media_type_is_read_without_its_parameters(content_type: str, media_type: str) -> None:
    assert turn_media_type(content_type) == media_type


@pytest.mark.parametrize("content_type", [None, "", "text/plain", "video/webm", "audio/x-unknown"])
def test_what_is_not_a_known_audio_type_is_refused(content_type: str | None) -> None:
    with pytest.raises(InvalidValue):
        turn_media_type(content_type)


def test_recordings_past_the_size_cap_are_refused() -> None:
    check_recording_size(MAX_TURN_BYTES)
    with pytest.raises(InvalidValue, match="60 seconds"):
        check_recording_size(MAX_TURN_BYTES + 1)


def test_a_turn_is_counted_as_heard_plus_spoken_rounded_up_once() -> None:
    assert voice_seconds(3.25, 1.5) == 5
    assert voice_seconds(2.0, 1.0) == 3
    assert voice_seconds(0.1 + 0.2, 2.7) == 3
    assert voice_seconds(0, 0) == 0
    with pytest.raises(ValueError):
        voice_seconds(-1, 0)


def test_speech_length_follows_from_its_bytes() -> None:
    assert pcm_seconds(2 * SPEECH_SAMPLE_RATE) == 1.0
    assert pcm_seconds(SPEECH_SAMPLE_RATE) == 0.5


@given(st.lists(st.text(max_size=30), max_size=12))
def test_sentences_found_as_an_answer_streams_are_the_sentences_of_the_whole_answer(pieces: list[str]) -> None:
    spoken: list[str] = []
    rest = ""
    for piece in pieces:
        finished, rest = complete_sentences(rest + piece)
        spoken.extend(finished)
    whole, last = complete_sentences("".join(pieces))
    assert spoken == whole
    assert rest == last


def test_speech_pauses_after_sentence_ends_and_line_breaks() -> None:
    assert complete_sentences("Hello there. How are") == (["Hello there."], "How are")
    assert complete_sentences("One! Two?\nThree") == (["One!", "Two?"], "Three")
    assert complete_sentences("It costs 3.50 a day") == ([], "It costs 3.50 a day")


@pytest.mark.parametrize("voice_id", ["a0e99841-438c-4a64-b679-ae501e7d6091", "sonic-2-2025-03-07", ""])
def test_provider_voice_ids_are_taken_as_they_are(voice_id: str) -> None:
    assert VoiceChoice(voice_id=voice_id).voice_id == voice_id


@pytest.mark.parametrize("voice_id", ["<script>", "a b", "x" * 101, "-starts-with-dash"])
def test_anything_else_as_a_voice_id_is_refused(voice_id: str) -> None:
    with pytest.raises(InvalidValue):
        VoiceChoice(voice_id=voice_id)


async def upload(*pieces: bytes) -> AsyncIterator[bytes]:
    for piece in pieces:
        await asyncio.sleep(0)
        yield piece


async def test_an_upload_is_passed_on_as_it_arrives_and_kept_whole() -> None:
    recording = UploadedRecording(upload(b"", b"RIFF", b"audio", b"more"))
    await recording.begin()

    pieces = recording.pieces()
    passed_on = [await anext(pieces), await anext(pieces)]
    await pieces.aclose()

    assert passed_on == [b"RIFF", b"audio"]
    assert await recording.whole() == b"RIFFaudiomore"


async def test_an_empty_upload_is_refused_before_anything_is_passed_on() -> None:
    with pytest.raises(InvalidValue, match="empty"):
        await UploadedRecording(upload(b"", b"")).begin()


async def test_an_upload_past_the_cap_is_refused_while_it_arrives() -> None:
    recording = UploadedRecording(upload(b"x" * MAX_TURN_BYTES, b"y"))
    await recording.begin()

    with pytest.raises(InvalidValue, match="60 seconds"):
        async for _ in recording.pieces():
            pass


def test_voice_is_off_without_both_speech_keys_and_calls_need_livekit_too() -> None:
    assert not load_settings({}).voice_available
    assert not load_settings({"DEEPGRAM_API_KEY": "d"}).voice_available
    speech = {"DEEPGRAM_API_KEY": "d", "CARTESIA_API_KEY": "c"}
    assert load_settings(speech).voice_available and not load_settings(speech).voice_calls_available
    calls = {**speech, "LIVEKIT_URL": "wss://calls.example", "LIVEKIT_API_KEY": "k", "LIVEKIT_API_SECRET": "s"}
    assert load_settings(calls).voice_calls_available


@pytest.mark.parametrize(
    "variables",
    [
        {"RAGSELL_DEEPGRAM_BASE_URL": "http://api.deepgram.example"},
        {"RAGSELL_CARTESIA_BASE_URL": "http://127.0.0.1:9000"},
        {"RAGSELL_LIVEKIT_URL": "ws://calls.example"},
    ],
)
def test_speech_services_are_reached_over_tls_only(variables: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match="must start with"):
        load_settings(variables)
