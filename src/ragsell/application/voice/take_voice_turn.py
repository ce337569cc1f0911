import asyncio
import logging
from collections.abc import AsyncIterable, AsyncIterator

from ragsell.application.conversations import replies
from ragsell.application.conversations.answer_events import AnswerEvent, DoneEvent, ErrorEvent, TokenEvent
from ragsell.application.conversations.post_visitor_message import PostVisitorMessage, PostVisitorMessageCommand
from ragsell.application.conversations.visitor_conversation import VisitorConversationQuery, visitors_conversation
from ragsell.application.errors import UnreadableRecording, VoiceUnavailable
from ragsell.application.ports.repositories import ConversationRepository, SiteRepository
from ragsell.application.ports.system import Clock
from ragsell.application.ports.voice import SpeechToText, SpeechUnavailable, TextToSpeech, Transcript, UnreadableAudio
from ragsell.application.throttling import VOICE_TURNS_PER_VISITOR, Throttle
from ragsell.application.usage.quota import Quota
from ragsell.application.voice.features import VoiceFeatures, require_voice
from ragsell.application.voice.turn_events import SpeechEvent, TranscriptEvent, VoiceTurnEvent
from ragsell.application.voice.uploaded_recording import UploadedRecording
from ragsell.application.widget_access import OwnOrigin
from ragsell.domain.conversations import MAX_MESSAGE_LENGTH, Channel
from ragsell.domain.errors import InvalidValue
from ragsell.domain.sites import Site
from ragsell.domain.usage import Meter
from ragsell.domain.voice import (
    MAX_TURN_SECONDS,
    SPEECH_SAMPLE_BYTES,
    SPEECH_SAMPLE_RATE,
    complete_sentences,
    pcm_seconds,
    turn_media_type,
    voice_seconds,
)

log = logging.getLogger(__name__)
# Speech goes to the widget in events of about half a second: each event costs encoding
# time of its own, and the widget plays them back to back.
SPEECH_EVENT_BYTES = SPEECH_SAMPLE_RATE * SPEECH_SAMPLE_BYTES // 2
# A recording a little longer than the widget's cap is clock skew, not abuse.
_DURATION_TOLERANCE = 2.0


class TakeVoiceTurnCommand(VisitorConversationQuery, frozen=True, kw_only=True):
    client_message_id: str
    media_type: str | None
    # The recording as it is uploaded.
    audio: AsyncIterable[bytes]


class TakeVoiceTurn:
    """A visitor's recorded question: heard, answered like a typed one (both stored as
    voice messages), and the answer spoken while it is written.

    The plan's voice seconds are checked before the recording is heard; the seconds
    heard plus the seconds spoken are counted once the turn ends, however it ends.
    """

    def __init__(
        self,
        sites: SiteRepository,
        own: OwnOrigin,
        conversations: ConversationRepository,
        features: VoiceFeatures,
        quota: Quota,
        throttle: Throttle,
        hearing: SpeechToText,
        speaking: TextToSpeech,
        answer: PostVisitorMessage,
        clock: Clock,
    ) -> None:
        self._sites = sites
        self._own = own
        self._conversations = conversations
        self._features = features
        self._quota = quota
        self._throttle = throttle
        self._hearing = hearing
        self._speaking = speaking
        self._answer = answer
        self._clock = clock

    async def __call__(self, command: TakeVoiceTurnCommand) -> AsyncIterator[VoiceTurnEvent]:
        media_type = turn_media_type(command.media_type)
        site, conversation = await visitors_conversation(self._sites, self._own, self._conversations, command)
        require_voice(self._features, site)
        now = self._clock.now()
        await self._throttle.check(VOICE_TURNS_PER_VISITOR, f"{site.id}:{conversation.visitor_id}", now)
        await self._quota.ensure_remaining(owner_id=site.owner_id, meter=Meter.VOICE_SECONDS, now=now)
        recording = UploadedRecording(command.audio)
        await recording.begin()
        transcript = await self._hear(recording, media_type)
        if transcript.duration_seconds > MAX_TURN_SECONDS + _DURATION_TOLERANCE:
            raise InvalidValue(f"Recordings are at most {MAX_TURN_SECONDS} seconds.")
        question = transcript.text.strip()[:MAX_MESSAGE_LENGTH]
        if not question:
            return self._nothing_heard(site, transcript)
        try:
            answer = await self._answer.post_in(
                site,
                conversation,
                PostVisitorMessageCommand(
                    widget_key=command.widget_key,
                    origin=command.origin,
                    visitor_id=command.visitor_id,
                    conversation_id=command.conversation_id,
                    client_message_id=command.client_message_id,
                    text=question,
                    channel=Channel.VOICE,
                ),
            )
        except BaseException:
            await self._charge(site, transcript.duration_seconds, 0.0)
            raise
        return self._spoken_answer(site, transcript, answer)

    async def _hear(self, recording: UploadedRecording, media_type: str) -> Transcript:
        try:
            try:
                return await self._hearing.transcribe_stream(recording.pieces(), media_type)
            except SpeechUnavailable as error:
                # The live stream failed: the recording, kept as it arrived, is sent again whole.
                log.info("live transcription failed; sending the recording whole", extra={"error": repr(error)})
                return await self._hearing.transcribe(await recording.whole(), media_type)
        except UnreadableAudio:
            raise UnreadableRecording("The recording could not be understood; please try again.") from None
        except SpeechUnavailable as error:
            log.warning("speech to text unavailable", extra={"error": repr(error)})
            raise VoiceUnavailable("Voice is not working right now; please type your question.") from None

    async def _nothing_heard(self, site: Site, transcript: Transcript) -> AsyncIterator[VoiceTurnEvent]:
        """The visitor hears, as well as reads, that nothing was caught."""
        language = site.branding.language
        request = replies.nothing_heard(language)
        spoken_bytes = 0
        try:
            yield TranscriptEvent(text="", language=transcript.language)
            try:
                async for audio in self._speaking.speak(request, voice=site.voice, language=language):
                    spoken_bytes += len(audio)
                    yield SpeechEvent(audio=audio, sample_rate=SPEECH_SAMPLE_RATE)
            except SpeechUnavailable as error:
                log.warning("text to speech unavailable", extra={"site_id": site.id, "error": repr(error)})
            yield ErrorEvent(code="nothing_heard", message=request)
        finally:
            await self._charge(site, transcript.duration_seconds, pcm_seconds(spoken_bytes))

    async def _spoken_answer(
        self, site: Site, transcript: Transcript, answer: AsyncIterator[AnswerEvent]
    ) -> AsyncIterator[VoiceTurnEvent]:
        spoken_bytes = 0
        events: asyncio.Queue[VoiceTurnEvent | None] = asyncio.Queue()
        sentences: asyncio.Queue[str | None] = asyncio.Queue()
        language = transcript.language or site.branding.language

        async def write() -> None:
            """Passes the answer on as it is written, and each finished sentence to the voice."""
            written = ""
            done: DoneEvent | None = None
            try:
                async for event in answer:
                    if isinstance(event, DoneEvent):
                        done = event
                        continue
                    await events.put(event)
                    if isinstance(event, TokenEvent):
                        finished, written = complete_sentences(written + event.text)
                        for sentence in finished:
                            await sentences.put(sentence)
            finally:
                if written.strip():
                    await sentences.put(written.strip())
                await sentences.put(None)
            await speech
            if done is not None:
                await events.put(done)

        async def queued_sentences() -> AsyncIterator[str]:
            while (sentence := await sentences.get()) is not None:
                yield sentence

        async def speak() -> None:
            nonlocal spoken_bytes
            # The first audio goes out at once; the rest in pieces of about SPEECH_EVENT_BYTES.
            unsent = bytearray()

            async def send() -> None:
                if unsent:
                    await events.put(SpeechEvent(audio=bytes(unsent), sample_rate=SPEECH_SAMPLE_RATE))
                    unsent.clear()

            try:
                async for audio in self._speaking.speak_sentences(
                    queued_sentences(), voice=site.voice, language=language
                ):
                    spoken_bytes += len(audio)
                    unsent += audio
                    if spoken_bytes == len(unsent) or len(unsent) >= SPEECH_EVENT_BYTES:
                        await send()
                await send()
            except SpeechUnavailable as error:
                # The answer goes on in writing; the rest of its sentences are not spoken.
                await send()
                log.warning("text to speech unavailable", extra={"site_id": site.id, "error": repr(error)})
                await events.put(ErrorEvent(code="speech_unavailable", message=replies.silent(site.branding.language)))

        speech = asyncio.create_task(speak())
        writing = asyncio.create_task(write())
        writing.add_done_callback(lambda _: events.put_nowait(None))
        try:
            yield TranscriptEvent(text=transcript.text.strip(), language=transcript.language)
            while (event := await events.get()) is not None:
                yield event
            await writing
        finally:
            for task in (writing, speech):
                task.cancel()
            await asyncio.gather(writing, speech, return_exceptions=True)
            await self._charge(site, transcript.duration_seconds, pcm_seconds(spoken_bytes))

    async def _charge(self, site: Site, heard: float, spoken: float) -> None:
        # Shielded: a visitor who hangs up mid-answer has still used what was heard and said.
        await asyncio.shield(
            self._quota.charge(
                owner_id=site.owner_id,
                site_id=site.id,
                meter=Meter.VOICE_SECONDS,
                amount=voice_seconds(heard, spoken),
                now=self._clock.now(),
            )
        )
