"""The voice agent's own code, run for real without a LiveKit server: ragsell's answers
through the agent (its llm_node, and a text-only session as LiveKit's own tests run one),
stored as voice messages; the audio LiveKit reports heard and spoken, charged to the plan;
what ends a call; calls refused before their room is joined. The container is the real
one on the in-memory store, with a local fake LiveKit for the rooms."""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import NamedTuple

import pytest
from dishka import AsyncContainer, Scope
from livekit import rtc
from livekit.agents import ChatContext, JobContext, ModelSettings, SessionUsageUpdatedEvent
from livekit.agents.job import JobAcceptArguments, JobExecutorType, JobProcess, RunningJobInfo
from livekit.agents.metrics import AgentSessionUsage, STTModelUsage, TTSModelUsage
from livekit.protocol import agent, models

from ragsell.adapters.memory.clock import ManualClock
from ragsell.adapters.system.clock import SystemClock
from ragsell.application.accounts.register_owner import RegisterOwner, RegisterOwnerCommand
from ragsell.application.conversations.replies import goodbye, greeting
from ragsell.application.conversations.start_conversation import StartConversation, StartConversationCommand
from ragsell.application.knowledge.add_snippet import AddSnippet, AddSnippetCommand
from ragsell.application.ports.repositories import ConversationRepository, OwnerRepository
from ragsell.application.sites.add_site import AddSite, AddSiteCommand
from ragsell.application.sites.update_site import UpdateSite, UpdateSiteCommand
from ragsell.application.usage.change_plan import ChangePlan
from ragsell.application.usage.usage_summary import UsageSummary
from ragsell.application.voice.start_voice_call import StartVoiceCall, StartVoiceCallCommand
from ragsell.application.voice.voice_call import JoinVoiceCall, VoiceCall
from ragsell.domain.conversations import Channel, Role
from ragsell.domain.ids import OwnerId
from ragsell.domain.knowledge import SnippetKind
from ragsell.domain.sites import UI_LANGUAGES
from ragsell.domain.usage import Meter
from ragsell.domain.voice import SPEECH_SAMPLE_RATE, VoiceChoice
from ragsell.entrypoints.di import MemoryStoreProvider, make_container
from ragsell.entrypoints.settings import Settings, load_settings
from ragsell.entrypoints.voice_agent.assistant import KnowledgeAgent, last_utterance
from ragsell.entrypoints.voice_agent.call import CallEnds, answer_call, voice_session
from ragsell.entrypoints.voice_agent.metering import CallMeter
from tests.fakes.livekit import FakeLiveKit
from tests.http.conftest import HarnessOverrides

EMAIL = "ann@example.com"
HOURS = "We bake to order. Orders placed before noon are ready the next day."
QUESTION = "When will my cake be ready if I order in the morning?"
# The starter plan's voice seconds.
STARTER_VOICE_SECONDS = 3_600


@pytest.fixture
def livekit() -> Iterator[FakeLiveKit]:
    with FakeLiveKit() as fake:
        yield fake


@pytest.fixture
def settings(livekit: FakeLiveKit) -> Settings:
    return load_settings(
        {},
        store="memory",
        deepgram_api_key="fake-deepgram-key",
        cartesia_api_key="fake-cartesia-key",
        livekit_url=livekit.url,
        livekit_api_key=livekit.api_key,
        livekit_api_secret=livekit.api_secret,
        voice_allow_loopback=True,
    )


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(SystemClock().now())


@pytest.fixture
async def container(settings: Settings, clock: ManualClock) -> AsyncIterator[AsyncContainer]:
    container = make_container(settings, store=MemoryStoreProvider(), overrides=[HarnessOverrides(clock)])
    yield container
    await container.close()


class Call(NamedTuple):
    """A live call as the voice agent joins it: the room StartVoiceCall opened on the fake
    LiveKit, with the brief it stored there."""

    room: str
    metadata: str
    owner_id: OwnerId


@pytest.fixture
async def live_call(container: AsyncContainer, livekit: FakeLiveKit) -> Call:
    """A voice-enabled site on the starter plan that knows its baking hours, and a call
    started by one of its visitors."""
    async with container(scope=Scope.REQUEST) as request:
        opened = await (await request.get(RegisterOwner))(
            RegisterOwnerCommand(
                name="Ann",
                email=EMAIL,
                password="correct horse battery",
                confirms_minimum_age=True,
                ip="",
                user_agent="",
            )
        )
        await (await request.get(ChangePlan))(EMAIL, "starter")
        site = await (await request.get(AddSite))(
            AddSiteCommand(owner=opened.owner, name="Bakery", url="https://bakery.example")
        )
        site = await (await request.get(UpdateSite))(
            UpdateSiteCommand(
                owner_id=site.owner_id,
                site_id=site.id,
                voice_enabled=True,
                voice=VoiceChoice(voice_id="site-voice", model="sonic-site"),
            )
        )
        await (await request.get(AddSnippet))(
            AddSnippetCommand(
                owner_id=site.owner_id, site_id=site.id, kind=SnippetKind.TEXT, title="Pick-up times", text=HOURS
            )
        )
        origin = site.allowed_origins[0]
        visitor = str(uuid.uuid4())
        conversation = await (await request.get(StartConversation))(
            StartConversationCommand(widget_key=site.widget_key, origin=origin, visitor_id=visitor)
        )
        ticket = await (await request.get(StartVoiceCall))(
            StartVoiceCallCommand(
                widget_key=site.widget_key, origin=origin, visitor_id=visitor, conversation_id=conversation.id
            )
        )
    return Call(ticket.room, livekit.rooms[ticket.room].metadata, site.owner_id)


@pytest.fixture
async def voice_call(container: AsyncContainer, live_call: Call) -> AsyncIterator[VoiceCall]:
    async with container(scope=Scope.REQUEST) as request:
        yield await (await request.get(JoinVoiceCall))(live_call.room, live_call.metadata)


async def voice_seconds_used(container: AsyncContainer, owner_id: OwnerId) -> int:
    owner = await (await container.get(OwnerRepository)).get(owner_id)
    assert owner is not None
    async with container(scope=Scope.REQUEST) as request:
        report = await (await request.get(UsageSummary))(owner)
    return next(usage.used for usage in report.meters if usage.meter is Meter.VOICE_SECONDS)


def usage(*, heard: float, spoken: float) -> AgentSessionUsage:
    """What LiveKit's session reports: running totals per speech service."""
    return AgentSessionUsage(
        model_usage=[
            STTModelUsage(provider="Deepgram", model="nova-3", audio_duration=heard),
            TTSModelUsage(provider="Cartesia", model="sonic-2", audio_duration=spoken, characters_count=40),
        ]
    )


class Shutdowns(list[str]):
    """The reasons a job was asked to end for, in order; ``asked`` is set at the first."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = asyncio.Event()

    def __call__(self, reason: str) -> None:
        self.append(reason)
        self.asked.set()


def job_context(room: str, metadata: str, shutdowns: Shutdowns) -> JobContext:
    """What LiveKit gives a job that it dispatched into ``room`` (never connected here)."""
    info = RunningJobInfo(
        accept_arguments=JobAcceptArguments(name="", identity="agent-test", metadata=""),
        job=agent.Job(id="job-test", room=models.Room(name=room, metadata=metadata), type=agent.JobType.JT_ROOM),
        url="",
        token="",
        worker_id="worker-test",
        fake_job=False,
    )
    return JobContext(
        proc=JobProcess(executor_type=JobExecutorType.PROCESS, user_arguments=None, http_proxy=None),
        info=info,
        room=rtc.Room(),
        on_connect=lambda: None,
        on_shutdown=shutdowns,
        # Used only by LiveKit's own local models, which ragsell does not run.
        inference_executor=None,  # type: ignore[arg-type]
    )


async def test_what_the_visitor_says_is_answered_from_the_site_and_stored_as_voice_messages(
    container: AsyncContainer, voice_call: VoiceCall
) -> None:
    chat = ChatContext.empty()
    chat.add_message(role="user", content="Hello?")
    chat.add_message(role="assistant", content="Hello! What would you like to know?")
    chat.add_message(role="user", content=QUESTION)

    answer = "".join([piece async for piece in KnowledgeAgent(voice_call).llm_node(chat, [], ModelSettings())])

    assert "before noon" in answer
    stored = await (await container.get(ConversationRepository)).messages(
        voice_call.brief.site_id, voice_call.brief.conversation_id
    )
    assert [(message.role, message.channel) for message in stored] == [
        (Role.VISITOR, Channel.VOICE),
        (Role.ASSISTANT, Channel.VOICE),
    ]
    assert (stored[0].text, stored[1].text) == (QUESTION, answer)


async def test_in_a_session_the_agent_greets_then_answers_from_the_site(
    settings: Settings, voice_call: VoiceCall
) -> None:
    # Text in and out, as LiveKit's own tests run a session: nothing is heard or spoken.
    async with voice_session(settings, voice_call) as session:
        await session.start(KnowledgeAgent(voice_call))
        result = await session.run(user_input=QUESTION)

    reply = result.expect.next_event().is_message(role="assistant").event().item.text_content
    result.expect.no_more_events()
    assert reply is not None and "before noon" in reply
    said = [message.text_content for message in session.history.messages() if message.role == "assistant"]
    assert said == [greeting("en"), reply]


def test_the_last_thing_the_visitor_said_is_what_is_answered() -> None:
    chat = ChatContext.empty()
    assert last_utterance(chat) == ""
    chat.add_message(role="user", content="First question")
    chat.add_message(role="assistant", content="An answer")
    chat.add_message(role="user", content="Second question")
    chat.add_message(role="assistant", content="Another answer")

    assert last_utterance(chat) == "Second question"


async def test_audio_heard_and_spoken_is_charged_once_as_the_totals_grow(
    container: AsyncContainer, voice_call: VoiceCall, live_call: Call
) -> None:
    meter = CallMeter(voice_call)

    assert await meter.count(usage(heard=2.4, spoken=0.0))
    assert await meter.count(usage(heard=2.4, spoken=1.8))
    # A report with nothing new (another model's metrics) changes nothing.
    assert await meter.count(usage(heard=2.4, spoken=1.8))
    assert await voice_seconds_used(container, live_call.owner_id) == 4

    await voice_call.end()
    assert await voice_seconds_used(container, live_call.owner_id) == 5


async def test_when_the_plans_voice_seconds_run_out_the_meter_says_so_and_the_room_is_closed(
    container: AsyncContainer, voice_call: VoiceCall, live_call: Call, livekit: FakeLiveKit
) -> None:
    meter = CallMeter(voice_call)

    assert await meter.count(usage(heard=STARTER_VOICE_SECONDS - 10, spoken=0.0))
    assert live_call.room in livekit.rooms
    assert not await meter.count(usage(heard=STARTER_VOICE_SECONDS - 10, spoken=12.0))

    assert live_call.room not in livekit.rooms
    assert await voice_seconds_used(container, live_call.owner_id) == STARTER_VOICE_SECONDS + 2


async def test_the_session_hears_with_deepgram_and_speaks_in_the_sites_voice(
    settings: Settings, voice_call: VoiceCall
) -> None:
    session = voice_session(settings, voice_call)

    assert (session.stt.provider, session.stt.model) == ("Deepgram", settings.deepgram_model)
    assert (session.tts.provider, session.tts.model) == ("Cartesia", "sonic-site")
    assert session.tts.sample_rate == SPEECH_SAMPLE_RATE
    assert session.turn_detection == "stt"


async def test_when_the_calls_time_is_up_the_agent_says_goodbye_and_ends_the_job(
    settings: Settings, voice_call: VoiceCall, live_call: Call, clock: ManualClock
) -> None:
    shutdowns = Shutdowns()
    clock.advance(voice_call.time_left())
    async with voice_session(settings, voice_call) as session:
        await session.start(KnowledgeAgent(voice_call))
        ends = CallEnds(job_context(live_call.room, live_call.metadata, shutdowns), voice_call, session, "visitor")
        ends.start_timer()
        await asyncio.wait_for(shutdowns.asked.wait(), timeout=10)

    assert shutdowns == ["call time is up"]
    assert session.history.messages()[-1].text_content == goodbye("en")


async def test_a_usage_report_past_the_plans_voice_seconds_ends_the_job(
    settings: Settings, voice_call: VoiceCall, live_call: Call, livekit: FakeLiveKit
) -> None:
    shutdowns = Shutdowns()
    ctx = job_context(live_call.room, live_call.metadata, shutdowns)
    ends = CallEnds(ctx, voice_call, voice_session(settings, voice_call), "visitor")

    ends.on_usage(SessionUsageUpdatedEvent(usage=usage(heard=60.0, spoken=30.0)))
    ends.on_usage(SessionUsageUpdatedEvent(usage=usage(heard=60.0, spoken=STARTER_VOICE_SECONDS)))
    await ends.settle()

    assert shutdowns == ["voice seconds used up"]
    assert live_call.room not in livekit.rooms


def test_the_agent_greets_and_says_goodbye_in_each_language_a_site_can_have() -> None:
    for language in UI_LANGUAGES:
        if language != "en":
            assert greeting(language) != greeting("en")
            assert goodbye(language) != goodbye("en")


async def test_a_call_whose_site_is_not_in_the_agents_store_is_refused_and_its_room_closed(
    settings: Settings, live_call: Call, livekit: FakeLiveKit
) -> None:
    # The job's own container opens an empty in-memory store: the site is not there.
    shutdowns = Shutdowns()
    ctx = job_context(live_call.room, live_call.metadata, shutdowns)

    await answer_call(settings, None, ctx)

    assert shutdowns == ["call refused"]
    assert live_call.room not in livekit.rooms
    assert not ctx.room.isconnected()


async def test_a_room_that_does_not_describe_a_call_is_refused(settings: Settings) -> None:
    shutdowns = Shutdowns()

    await answer_call(settings, None, job_context("ragsell-site-room", "not a brief", shutdowns))

    assert shutdowns == ["call refused"]
