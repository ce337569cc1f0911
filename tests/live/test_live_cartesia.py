"""Opt-in checks of the Cartesia text-to-speech adapter against the real service. They
run only with CARTESIA_API_KEY in the environment (RAGSELL_LIVE_CARTESIA_VOICE_ID and
RAGSELL_LIVE_CARTESIA_MODEL choose another voice or model) and speak about a hundred
characters in all."""

import os
from collections.abc import AsyncIterator

import numpy as np
import pytest

from ragsell.adapters.cartesia.text_to_speech import DEFAULT_MODEL, CartesiaTextToSpeech
from ragsell.application.ports.voice import SpeechUnavailable
from ragsell.domain.voice import VoiceChoice, pcm_seconds

# "Sarah", the stock voice of Cartesia's "Make an API request" quickstart.
QUICKSTART_VOICE = "694f9389-aac1-45b6-b726-9d9369183238"

pytestmark = pytest.mark.skipif(
    not os.environ.get("CARTESIA_API_KEY"), reason="live Cartesia check: set CARTESIA_API_KEY to run it"
)


@pytest.fixture
async def speech() -> AsyncIterator[CartesiaTextToSpeech]:
    speech = CartesiaTextToSpeech(
        os.environ["CARTESIA_API_KEY"],
        model=os.environ.get("RAGSELL_LIVE_CARTESIA_MODEL", DEFAULT_MODEL),
        voice_id=os.environ.get("RAGSELL_LIVE_CARTESIA_VOICE_ID", QUICKSTART_VOICE),
    )
    yield speech
    await speech.close()


def assert_speech(pieces: list[bytes], *, seconds: tuple[float, float]) -> None:
    """Whole samples, of a plausible length, and not silence."""
    assert pieces
    assert all(len(piece) % 2 == 0 for piece in pieces)
    audio = b"".join(pieces)
    assert seconds[0] < pcm_seconds(len(audio)) < seconds[1]
    assert np.abs(np.frombuffer(audio, dtype="<i2").astype(np.int32)).max() > 1000


async def test_a_text_is_spoken_as_pcm(speech: CartesiaTextToSpeech) -> None:
    text = "We open at seven in the morning."

    pieces = [piece async for piece in speech.speak(text, voice=VoiceChoice(), language="en")]

    assert_speech(pieces, seconds=(0.8, 8.0))


async def test_the_sentences_of_an_answer_are_spoken_in_one_context(speech: CartesiaTextToSpeech) -> None:
    async def answer() -> AsyncIterator[str]:
        for sentence in ("Yes, we bake rye bread.", "It comes out of the oven at eight."):
            yield sentence

    pieces = [piece async for piece in speech.speak_sentences(answer(), voice=VoiceChoice(), language="en")]

    assert_speech(pieces, seconds=(1.5, 12.0))


async def test_an_unknown_voice_makes_speech_unavailable_without_the_key(speech: CartesiaTextToSpeech) -> None:
    unknown = VoiceChoice(voice_id="00000000-0000-4000-8000-000000000000")

    with pytest.raises(SpeechUnavailable, match=r"answered 4\d\d") as failure:
        async for _ in speech.speak("Hello.", voice=unknown, language="en"):
            pass

    assert os.environ["CARTESIA_API_KEY"] not in str(failure.value)
