"""The workers' sweep closes call rooms past their end, which a voice agent that stopped
left open; other rooms on the same LiveKit server are not touched."""

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import msgspec
import pytest
from dishka import AsyncContainer, Scope

from ragsell.adapters.memory.clock import ManualClock
from ragsell.adapters.system.clock import SystemClock
from ragsell.application.voice.close_overdue_calls import GRACE, CloseOverdueCalls
from ragsell.domain.ids import ConversationId, OwnerId, SiteId, VisitorId, WidgetKey
from ragsell.domain.voice import RoomBrief, VoiceChoice, room_name
from ragsell.entrypoints.di import MemoryStoreProvider, make_container
from ragsell.entrypoints.settings import Settings, load_settings
from tests.fakes.livekit import FakeLiveKit
from tests.http.conftest import HarnessOverrides

CALL_LIMIT = timedelta(minutes=15)


@pytest.fixture
def livekit() -> Iterator[FakeLiveKit]:
    with FakeLiveKit() as fake:
        yield fake


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(SystemClock().now())


def settings_with(livekit: FakeLiveKit, **changes: object) -> Settings:
    values: dict[str, object] = {
        "store": "memory",
        "deepgram_api_key": "fake-deepgram-key",
        "cartesia_api_key": "fake-cartesia-key",
        "livekit_url": livekit.url,
        "livekit_api_key": livekit.api_key,
        "livekit_api_secret": livekit.api_secret,
        "voice_allow_loopback": True,
        "voice_call_max_minutes": int(CALL_LIMIT.total_seconds() // 60),
    }
    return load_settings({}, **{**values, **changes})


@pytest.fixture
async def container(livekit: FakeLiveKit, clock: ManualClock) -> AsyncIterator[AsyncContainer]:
    container = make_container(settings_with(livekit), store=MemoryStoreProvider(), overrides=[HarnessOverrides(clock)])
    yield container
    await container.close()


def brief(ends_in: timedelta, clock: ManualClock) -> str:
    return msgspec.json.encode(
        RoomBrief(
            owner_id=OwnerId("o" * 22),
            site_id=SiteId("s" * 22),
            widget_key=WidgetKey("pk_" + "k" * 22),
            visitor_id=VisitorId("5f0c1b9e-8f7a-4c3d-9b2a-1e2d3c4b5a69"),
            conversation_id=ConversationId("c" * 22),
            language="en",
            voice=VoiceChoice(),
            ends_at=clock.now() + ends_in,
        )
    ).decode()


async def close_overdue(container: AsyncContainer) -> int:
    async with container(scope=Scope.REQUEST) as request:
        return await (await request.get(CloseOverdueCalls))()


async def test_rooms_past_their_end_are_closed_and_the_rest_kept(
    container: AsyncContainer, livekit: FakeLiveKit, clock: ManualClock
) -> None:
    started = clock.now() - timedelta(minutes=20)
    overdue = room_name(SiteId("s" * 22), "overdue")
    running = room_name(SiteId("s" * 22), "running")
    just_ended = room_name(SiteId("s" * 22), "just-ended")
    unreadable = room_name(SiteId("s" * 22), "unreadable")
    livekit.add_room(overdue, created_at=started, metadata=brief(-(GRACE + timedelta(seconds=1)), clock))
    livekit.add_room(running, created_at=started, metadata=brief(timedelta(minutes=1), clock))
    livekit.add_room(just_ended, created_at=started, metadata=brief(-GRACE + timedelta(seconds=5), clock))
    # No brief to read: the call limit counts from the room's creation.
    livekit.add_room(unreadable, created_at=started, metadata="not a brief")
    livekit.add_room("someone-elses-room", created_at=started - timedelta(days=1))

    closed = await close_overdue(container)

    assert closed == 2
    assert sorted(livekit.rooms) == sorted([running, just_ended, "someone-elses-room"])


async def test_without_live_calls_configured_the_sweep_asks_nothing(livekit: FakeLiveKit, clock: ManualClock) -> None:
    container = make_container(
        settings_with(livekit, livekit_url=""), store=MemoryStoreProvider(), overrides=[HarnessOverrides(clock)]
    )
    try:
        assert await close_overdue(container) == 0
    finally:
        await container.close()
    assert livekit.calls == []
