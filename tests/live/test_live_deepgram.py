"""Opt-in checks of the Deepgram speech-to-text adapter against the real service. They
run only with DEEPGRAM_API_KEY in the environment (DEEPGRAM_BASE_URL and
RAGSELL_LIVE_DEEPGRAM_MODEL to try another address or model), and cost a few seconds
of audio each: a tone made here, and words spoken by espeak-ng when it is installed."""

import io
import math
import os
import shutil
import subprocess
import wave
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from ragsell.adapters.deepgram.speech_to_text import DEFAULT_BASE_URL, DEFAULT_MODEL, DeepgramSpeechToText
from ragsell.application.ports.voice import Transcript

pytestmark = pytest.mark.skipif(
    not os.environ.get("DEEPGRAM_API_KEY"), reason="live Deepgram check: set DEEPGRAM_API_KEY to run it"
)

RATE = 16_000


def tone(seconds: float, hertz: float = 440.0) -> bytes:
    samples = (int(9_000 * math.sin(2 * math.pi * hertz * n / RATE)) for n in range(int(seconds * RATE)))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(2)
        recording.setframerate(RATE)
        recording.writeframes(b"".join(sample.to_bytes(2, "little", signed=True) for sample in samples))
    return buffer.getvalue()


def spoken(text: str, directory: Path) -> bytes:
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        pytest.skip("espeak-ng is not installed: the words Deepgram hears are not checked")
    path = directory / "spoken.wav"
    subprocess.run([espeak, "-v", "en-us", "-w", str(path), text], check=True, timeout=30)
    return path.read_bytes()


async def pieces(audio: bytes, size: int = 8_000) -> AsyncIterator[bytes]:
    for start in range(0, len(audio), size):
        yield audio[start : start + size]


@pytest.fixture
async def deepgram() -> AsyncIterator[DeepgramSpeechToText]:
    stt = DeepgramSpeechToText(
        os.environ["DEEPGRAM_API_KEY"],
        base_url=os.environ.get("DEEPGRAM_BASE_URL", DEFAULT_BASE_URL),
        model=os.environ.get("RAGSELL_LIVE_DEEPGRAM_MODEL", DEFAULT_MODEL),
    )
    yield stt
    await stt.close()


@pytest.fixture(params=["recording", "stream"])
def hear(request: pytest.FixtureRequest, deepgram: DeepgramSpeechToText):
    async def heard(audio: bytes, language: str | None = None) -> Transcript:
        if request.param == "recording":
            return await deepgram.transcribe(audio, "audio/wav", language=language)
        return await deepgram.transcribe_stream(pieces(audio), "audio/wav", language=language)

    return heard


async def test_deepgram_hears_how_long_a_recording_lasts(hear) -> None:
    transcript = await hear(tone(2.0), language="en")

    assert isinstance(transcript.text, str)
    assert transcript.language == "en"
    assert transcript.duration_seconds == pytest.approx(2.0, abs=0.25)


async def test_deepgram_hears_the_words_and_their_language(hear, tmp_path: Path) -> None:
    audio = spoken("Hello. I would like to order a birthday cake for Saturday.", tmp_path)

    transcript = await hear(audio)

    assert "cake" in transcript.text.lower()
    assert (transcript.language or "").startswith("en")
    assert transcript.duration_seconds > 1.0
