"""One job of the voice agent: a live call in one LiveKit room, from the visitor joining
to the room closing. Each job runs in a process of its own, with its own container."""

import asyncio
import logging
from contextlib import AsyncExitStack

from dishka import Scope
from livekit import rtc
from livekit.agents import (
    AgentSession,
    AutoSubscribe,
    JobContext,
    SessionUsageUpdatedEvent,
    TurnHandlingOptions,
    inference,
    room_io,
)
from livekit.agents.metrics import AgentSessionUsage
from livekit.plugins import cartesia, deepgram

from ragsell.application.conversations.replies import goodbye
from ragsell.application.voice.start_voice_call import JOIN_WINDOW
from ragsell.application.voice.voice_call import JoinVoiceCall, VoiceCall
from ragsell.domain.errors import DomainError
from ragsell.domain.voice import SPEECH_SAMPLE_RATE
from ragsell.entrypoints.di import make_container
from ragsell.entrypoints.settings import Settings
from ragsell.entrypoints.store import store_provider
from ragsell.entrypoints.voice_agent.assistant import KnowledgeAgent, KnowledgeBaseSlot
from ragsell.entrypoints.voice_agent.metering import CallMeter

log = logging.getLogger("ragsell.voice_agent")


def voice_session(settings: Settings, call: VoiceCall) -> AgentSession:
    """Deepgram hears, Cartesia speaks in the site's voice; a turn ends when Deepgram
    hears the visitor stop. Nothing is downloaded: the VAD (silero, for interruptions)
    is built into livekit-local-inference."""
    brief = call.brief
    return AgentSession(
        stt=deepgram.STT(
            model=settings.deepgram_model,
            # Deepgram detects no language in a live stream; its multilingual model hears them
            # all, as in ragsell's own streamed transcription.
            language=settings.deepgram_language or "multi",
            smart_format=settings.deepgram_smart_format,
            api_key=settings.deepgram_api_key,
            base_url=f"{settings.deepgram_base_url.rstrip('/')}/v1/listen",
        ),
        tts=cartesia.TTS(
            model=brief.voice.model or settings.cartesia_model,
            voice=brief.voice.voice_id or settings.cartesia_voice_id,
            language=brief.language,
            api_key=settings.cartesia_api_key,
            base_url=settings.cartesia_base_url,
            sample_rate=SPEECH_SAMPLE_RATE,
        ),
        vad=inference.VAD(),
        llm=KnowledgeBaseSlot(),
        turn_handling=TurnHandlingOptions(
            turn_detection="stt",
            interruption={"mode": "vad"},
            # A reply stores the visitor's message: it is written only for a finished turn.
            preemptive_generation={"enabled": False},
        ),
    )


async def answer_call(settings: Settings, uri: str | None, ctx: JobContext) -> None:
    """The job's entrypoint: ``settings`` and the store's ``uri`` are bound with
    functools.partial. Whatever ends the job, the call is charged and its room closed."""
    resources = AsyncExitStack()
    ctx.add_shutdown_callback(resources.aclose)
    container = make_container(settings, store=store_provider(settings, uri))
    resources.push_async_callback(container.close)
    request = await resources.enter_async_context(container(scope=Scope.REQUEST))
    room = ctx.job.room
    try:
        call = await (await request.get(JoinVoiceCall))(room.name, room.metadata)
    except DomainError as refusal:
        log.info("voice call refused", extra={"room": room.name, "code": refusal.code})
        await resources.aclose()
        ctx.shutdown("call refused")
        return
    resources.push_async_callback(call.end)

    await ctx.connect(auto_subscribe=AutoSubscribe.AUDIO_ONLY)
    try:
        visitor = await asyncio.wait_for(ctx.wait_for_participant(), JOIN_WINDOW.total_seconds())
    except TimeoutError:
        log.info("visitor never joined the call", extra={"room": room.name})
        ctx.shutdown("visitor never joined")
        return
    session = voice_session(settings, call)
    ends = CallEnds(ctx, call, session, visitor.identity)
    # Runs before call.end (last in, first out): the seconds still being counted are in its total.
    resources.push_async_callback(ends.settle)
    session.on("session_usage_updated", ends.on_usage)
    session.on("close", lambda _: ctx.shutdown("session closed"))
    ctx.room.on("participant_disconnected", ends.on_participant_left)
    await session.start(
        KnowledgeAgent(call),
        room=ctx.room,
        room_options=room_io.RoomOptions(participant_identity=visitor.identity, text_input=False, video_input=False),
        # Nothing of the call goes to LiveKit Cloud, and nobody in the room may drive the session.
        record=False,
        session_host=False,
    )
    ends.start_timer()
    log.info("voice call answered", extra={"room": room.name, "site_id": call.brief.site_id})


class CallEnds:
    """What ends a call besides its room closing: the plan's voice seconds running out,
    the call's time limit (after a goodbye), the visitor leaving."""

    def __init__(self, ctx: JobContext, call: VoiceCall, session: AgentSession, visitor: str) -> None:
        self._ctx = ctx
        self._call = call
        self._session = session
        self._visitor = visitor
        self._meter = CallMeter(call)
        self._counting: set[asyncio.Task[None]] = set()
        self._timer: asyncio.Task[None] | None = None

    def on_usage(self, event: SessionUsageUpdatedEvent) -> None:
        task = asyncio.create_task(self._count(event.usage))
        self._counting.add(task)
        task.add_done_callback(self._counting.discard)

    def on_participant_left(self, participant: rtc.RemoteParticipant) -> None:
        if participant.identity == self._visitor:
            self._ctx.shutdown("visitor left")

    def start_timer(self) -> None:
        self._timer = asyncio.create_task(self._end_at_time_limit())

    async def settle(self) -> None:
        """Stops the time limit's goodbye and waits for the counting under way."""
        if self._timer is not None:
            self._timer.cancel()
            await asyncio.gather(self._timer, return_exceptions=True)
        await asyncio.gather(*self._counting, return_exceptions=True)

    async def _count(self, usage: AgentSessionUsage) -> None:
        try:
            left = await self._meter.count(usage)
        except Exception:
            log.exception("voice seconds not counted", extra={"room": self._call.room})
            return
        if not left:
            log.info("voice seconds used up", extra={"room": self._call.room})
            self._ctx.shutdown("voice seconds used up")

    async def _end_at_time_limit(self) -> None:
        await asyncio.sleep(self._call.time_left().total_seconds())
        await self._session.say(goodbye(self._call.brief.language), allow_interruptions=False)
        self._ctx.shutdown("call time is up")
