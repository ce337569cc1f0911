"""Cartesia text-to-speech against a local server that speaks its bytes endpoint and
its WebSocket contexts."""

import asyncio
import contextlib
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterator

import pytest

from ragsell.adapters.cartesia.text_to_speech import CartesiaTextToSpeech
from ragsell.application.ports.ai import ModelUnavailable
from ragsell.application.ports.voice import SpeechUnavailable
from ragsell.domain.voice import VoiceChoice
from tests.fakes.cartesia import FakeCartesia

SPEECH_FORMAT = {"container": "raw", "encoding": "pcm_s16le", "sample_rate": 24_000}


@pytest.fixture
def cartesia() -> Iterator[FakeCartesia]:
    with FakeCartesia() as fake:
        yield fake


@pytest.fixture
async def make_speech(cartesia: FakeCartesia) -> AsyncIterator:
    made: list[CartesiaTextToSpeech] = []

    def make(**options: object) -> CartesiaTextToSpeech:
        settings: dict = {
            "base_url": cartesia.url,
            "voice_id": "default-voice",
            "timeout": 5.0,
            "connect_timeout": 1.0,
            "stall_timeout": 1.0,
            "backoff": 0.01,
            **options,
        }
        made.append(CartesiaTextToSpeech(str(settings.pop("api_key", cartesia.api_key)), **settings))
        return made[-1]

    yield make
    for speech in made:
        await speech.close()


async def spoken(speech: CartesiaTextToSpeech, text: str, voice: VoiceChoice | None = None) -> list[bytes]:
    return [piece async for piece in speech.speak(text, voice=voice or VoiceChoice(), language="en")]


async def spoken_sentences(speech: CartesiaTextToSpeech, sentences: AsyncIterable[str]) -> list[bytes]:
    return [piece async for piece in speech.speak_sentences(sentences, voice=VoiceChoice(), language="en")]


async def written(*sentences: str) -> AsyncIterator[str]:
    for sentence in sentences:
        yield sentence


async def test_the_request_carries_the_key_the_version_and_what_to_say_how(make_speech, cartesia) -> None:
    await spoken(make_speech(), "Hello there.")

    (request,) = cartesia.requests
    assert (request.transport, request.path) == ("bytes", "/tts/bytes")
    assert request.headers["Authorization"] == f"Bearer {cartesia.api_key}"
    assert request.headers["Cartesia-Version"] == "2025-04-16"
    assert request.body == {
        "model_id": "sonic-2",
        "transcript": "Hello there.",
        "voice": {"mode": "id", "id": "default-voice"},
        "output_format": SPEECH_FORMAT,
        "language": "en",
    }


async def test_a_sites_voice_and_model_replace_the_defaults(make_speech, cartesia) -> None:
    await spoken(make_speech(), "Hello.", VoiceChoice(voice_id="site-voice", model="sonic-turbo"))

    assert cartesia.requests[0].body["voice"] == {"mode": "id", "id": "site-voice"}
    assert cartesia.requests[0].body["model_id"] == "sonic-turbo"


async def test_the_speech_is_the_pcm_the_service_made_in_pieces_as_they_came(make_speech, cartesia) -> None:
    cartesia.chunk_size, cartesia.chunk_interval = 480, 0.005

    pieces = await spoken(make_speech(), "We open at 7am.")

    assert b"".join(pieces) == cartesia.pcm_for("We open at 7am.")
    assert len(pieces) > 1


async def test_pieces_are_whole_samples_even_when_the_service_cuts_samples_in_two(make_speech, cartesia) -> None:
    cartesia.chunk_size = 481
    cartesia.chunk_interval = 0.005

    pieces = await spoken(make_speech(), "Hello there.")

    assert b"".join(pieces) == cartesia.pcm_for("Hello there.")
    assert all(len(piece) % 2 == 0 for piece in pieces)
    assert len(pieces) > 1


async def test_a_blank_text_says_nothing_without_asking(make_speech, cartesia) -> None:
    assert await spoken(make_speech(), " \n") == []
    assert cartesia.requests == []


async def test_a_refused_key_makes_speech_unavailable_naming_the_status_not_the_key(make_speech, cartesia) -> None:
    with pytest.raises(SpeechUnavailable, match=r"answered 401: .*Invalid API key") as failure:
        await spoken(make_speech(api_key="sk_car_wrong-secret"), "Hello.")

    assert "sk_car_wrong-secret" not in str(failure.value)
    assert len(cartesia.requests) == 1


async def test_a_bad_request_is_not_tried_again(make_speech, cartesia) -> None:
    with pytest.raises(SpeechUnavailable, match=r"answered 400: .*model_id is required"):
        await spoken(make_speech(model=""), "Hello.")

    assert len(cartesia.requests) == 1


@pytest.mark.parametrize("status", [429, 500, 503])
async def test_a_rate_limit_or_a_server_error_is_tried_again(make_speech, cartesia, status: int) -> None:
    cartesia.status, cartesia.fail_times = status, 1

    pieces = await spoken(make_speech(), "Hello.")

    assert b"".join(pieces) == cartesia.pcm_for("Hello.")
    assert len(cartesia.requests) == 2


async def test_failures_past_the_retries_make_speech_unavailable(make_speech, cartesia) -> None:
    cartesia.status, cartesia.fail_times = 503, 10

    with pytest.raises(SpeechUnavailable, match=r"answered 503: .*\(3 attempts\)"):
        await spoken(make_speech(retries=2), "Hello.")

    assert len(cartesia.requests) == 3


async def test_a_stream_that_stalls_after_some_audio_is_cut_and_not_tried_again(make_speech, cartesia) -> None:
    cartesia.chunk_size, cartesia.stall_after_chunks = 480, 2
    pieces: list[bytes] = []
    started = time.monotonic()

    with pytest.raises(SpeechUnavailable, match=r"stalled: nothing came for 0\.2 s"):
        async for piece in make_speech(stall_timeout=0.2).speak("Hello there.", voice=VoiceChoice(), language="en"):
            pieces.append(piece)

    assert b"".join(pieces) == cartesia.pcm_for("Hello there.")[:960]
    assert len(cartesia.requests) == 1
    assert time.monotonic() - started < 1.0


async def test_a_service_that_sends_no_audio_at_all_is_tried_again(make_speech, cartesia) -> None:
    cartesia.stall_after_chunks = 0

    with pytest.raises(SpeechUnavailable, match=r"stalled.*\(2 attempts\)"):
        await spoken(make_speech(stall_timeout=0.2, retries=1), "Hello.")

    assert len(cartesia.requests) == 2


async def test_speech_not_finished_by_the_deadline_is_cut(make_speech, cartesia) -> None:
    cartesia.chunk_size, cartesia.chunk_interval = 480, 0.05
    started = time.monotonic()

    with pytest.raises(SpeechUnavailable, match=r"did not finish speaking within 0.15 s"):
        await spoken(make_speech(timeout=0.15), "Hello there, we open at 7am.")

    assert time.monotonic() - started < 0.5


async def test_an_unreachable_service_makes_speech_unavailable(make_speech) -> None:
    speech = make_speech(base_url="http://127.0.0.1:9", api_key="sk_car_secret", retries=1)

    with pytest.raises(SpeechUnavailable, match=r"could not be reached .*\(2 attempts\)") as failure:
        await spoken(speech, "Hello.")

    assert "sk_car_secret" not in str(failure.value)


async def test_sentences_are_spoken_in_one_context_that_continues_until_the_answer_ends(make_speech, cartesia) -> None:
    speech = make_speech()

    pieces = await spoken_sentences(speech, written("Hello there.", "We open at 7am. ", "  ", "Bye."))

    transcripts = ["Hello there. ", "We open at 7am. ", "Bye. "]
    assert b"".join(pieces) == b"".join(cartesia.pcm_for(transcript) for transcript in transcripts)
    messages = cartesia.socket_messages()
    assert [message["transcript"] for message in messages] == [*transcripts, ""]
    assert [message["continue"] for message in messages] == [True, True, True, False]
    assert len({message["context_id"] for message in messages}) == 1
    assert all(message["context_id"] for message in messages)
    expected = {"model_id": "sonic-2", "voice": {"mode": "id", "id": "default-voice"}, "language": "en"}
    assert all(message | expected == message for message in messages)
    assert all(message["output_format"] == SPEECH_FORMAT for message in messages)
    handshake = cartesia.requests[0]
    assert (handshake.transport, handshake.path) == ("websocket", "/tts/websocket")
    assert handshake.headers["Authorization"] == f"Bearer {cartesia.api_key}"
    assert handshake.headers["Cartesia-Version"] == "2025-04-16"


async def test_context_pieces_are_whole_samples_even_when_chunks_are_not(make_speech, cartesia) -> None:
    cartesia.chunk_size = 481

    pieces = await spoken_sentences(make_speech(), written("Hello there.", "Bye."))

    assert b"".join(pieces) == cartesia.pcm_for("Hello there. ") + cartesia.pcm_for("Bye. ")
    assert all(len(piece) % 2 == 0 for piece in pieces)


async def test_an_error_message_on_the_context_makes_speech_unavailable(make_speech, cartesia) -> None:
    cartesia.status, cartesia.fail_times = 400, 1

    with pytest.raises(SpeechUnavailable, match="answered 400: scripted failure"):
        await spoken_sentences(make_speech(), written("Hello there.", "Bye."))

    assert len({message["context_id"] for message in cartesia.socket_messages()}) == 1


async def test_a_busy_service_is_given_the_sentences_again_on_a_new_context(make_speech, cartesia) -> None:
    cartesia.status, cartesia.fail_times = 500, 1

    pieces = await spoken_sentences(make_speech(), written("Hello there.", "Bye."))

    assert b"".join(pieces) == cartesia.pcm_for("Hello there. ") + cartesia.pcm_for("Bye. ")
    contexts: dict[str, list[str]] = {}
    for message in cartesia.socket_messages():
        contexts.setdefault(message["context_id"], []).append(message["transcript"])
    failed, retried = contexts.values()
    assert failed[0] == "Hello there. "
    assert retried == ["Hello there. ", "Bye. ", ""]


async def test_a_context_that_stalls_after_some_audio_is_cut_and_not_tried_again(make_speech, cartesia) -> None:
    cartesia.chunk_size, cartesia.stall_after_chunks = 480, 2
    pieces: list[bytes] = []
    speech = make_speech(stall_timeout=0.2)

    with pytest.raises(SpeechUnavailable, match="stalled"):
        async for piece in speech.speak_sentences(written("Hello there.", "Bye."), voice=VoiceChoice(), language="en"):
            pieces.append(piece)

    assert b"".join(pieces) == cartesia.pcm_for("Hello there. ")[:960]
    assert len({message["context_id"] for message in cartesia.socket_messages()}) == 1


async def test_a_refused_key_on_the_websocket_makes_speech_unavailable(make_speech, cartesia) -> None:
    with pytest.raises(SpeechUnavailable, match="answered 401") as failure:
        await spoken_sentences(make_speech(api_key="sk_car_wrong-secret"), written("Hello."))

    assert "sk_car_wrong-secret" not in str(failure.value)
    assert cartesia.socket_messages() == []


async def test_a_failure_of_the_sentences_is_raised_as_it_is(make_speech, cartesia) -> None:
    async def failing() -> AsyncIterator[str]:
        yield "Hello there."
        raise ModelUnavailable("the model stopped")

    with pytest.raises(ModelUnavailable, match="the model stopped"):
        await spoken_sentences(make_speech(), failing())


async def test_no_sentences_say_nothing(make_speech, cartesia) -> None:
    assert await spoken_sentences(make_speech(), written()) == []
    assert cartesia.socket_messages() == []


async def test_a_listener_that_stops_early_stops_the_sentences_being_read(make_speech, cartesia) -> None:
    stopped = []

    async def endless() -> AsyncIterator[str]:
        try:
            yield "Hello there."
            while True:
                await asyncio.sleep(0.01)
                yield "And more."
        finally:
            stopped.append(True)

    speech = make_speech()
    async with contextlib.aclosing(speech.speak_sentences(endless(), voice=VoiceChoice(), language="en")) as pieces:
        assert await anext(pieces)

    assert stopped == [True]
