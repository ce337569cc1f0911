"""The LiveKit rooms adapter against a local server that speaks LiveKit's Twirp
RoomService and checks its tokens as the real one does."""

import socket
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from ragsell.adapters.livekit.rooms import DEPARTURE_TIMEOUT_SECONDS, LiveKitRooms
from ragsell.application.ports.voice import SpeechUnavailable, VoiceRoom
from tests.fakes.livekit import FakeLiveKit

MakeRooms = Callable[..., LiveKitRooms]


@pytest.fixture
def livekit() -> Iterator[FakeLiveKit]:
    with FakeLiveKit() as fake:
        yield fake


@pytest.fixture
async def make_rooms(livekit: FakeLiveKit) -> AsyncIterator[MakeRooms]:
    """Adapters on the fake server (quick backoff, short time-out), closed afterwards."""
    made: list[LiveKitRooms] = []

    def make(url: str = livekit.url, api_secret: str = livekit.api_secret, **options: float) -> LiveKitRooms:
        made.append(LiveKitRooms(url, livekit.api_key, api_secret, **{"timeout": 2.0, "backoff": 0.01, **options}))
        return made[-1]

    yield make
    for rooms in made:
        await rooms.aclose()


async def test_create_makes_the_room_with_its_brief_and_limits(livekit: FakeLiveKit, make_rooms: MakeRooms) -> None:
    await make_rooms().create(
        "ragsell-s1-r1", metadata='{"siteId":"s1"}', empty_timeout=timedelta(minutes=2), max_participants=2
    )

    room = livekit.rooms["ragsell-s1-r1"]
    assert room.metadata == '{"siteId":"s1"}'
    assert room.empty_timeout == 120
    assert room.departure_timeout == DEPARTURE_TIMEOUT_SECONDS
    assert room.max_participants == 2


async def test_creating_a_room_that_exists_keeps_it(livekit: FakeLiveKit, make_rooms: MakeRooms) -> None:
    rooms = make_rooms()
    await rooms.create("ragsell-s1-r1", metadata="{}", empty_timeout=timedelta(minutes=2), max_participants=2)
    first = livekit.rooms["ragsell-s1-r1"]
    first.num_participants = 1

    await rooms.create("ragsell-s1-r1", metadata="{}", empty_timeout=timedelta(minutes=2), max_participants=2)

    assert livekit.rooms["ragsell-s1-r1"].sid == first.sid
    assert livekit.rooms["ragsell-s1-r1"].num_participants == 1
    assert livekit.methods_called() == ["CreateRoom", "CreateRoom"]


async def test_close_ends_the_room_and_a_room_already_gone_is_fine(livekit: FakeLiveKit, make_rooms: MakeRooms) -> None:
    rooms = make_rooms()
    livekit.add_room("ragsell-s1-r1", created_at=datetime.now(UTC), participants=2)

    await rooms.close("ragsell-s1-r1")
    await rooms.close("ragsell-s1-r1")

    assert livekit.rooms == {}
    assert livekit.methods_called() == ["DeleteRoom", "DeleteRoom"]


async def test_list_gives_only_the_rooms_with_the_prefix(livekit: FakeLiveKit, make_rooms: MakeRooms) -> None:
    created = datetime(2025, 3, 1, 12, 30, 15, 250_000, tzinfo=UTC)
    livekit.add_room("ragsell-s1-r1", created_at=created, metadata='{"a":1}', participants=2)
    livekit.add_room("other-app-room", created_at=created)
    # An older server, which sends the creation time in whole seconds only.
    livekit.add_room("ragsell-s2-r2", created_at=created).creation_time_ms = 0

    listed = await make_rooms().list("ragsell-")

    assert sorted(listed, key=lambda room: room.name) == [
        VoiceRoom(name="ragsell-s1-r1", metadata='{"a":1}', created_at=created, participants=2),
        VoiceRoom(name="ragsell-s2-r2", metadata="", created_at=created.replace(microsecond=0), participants=0),
    ]
    assert all(room.created_at.utcoffset() == timedelta(0) for room in listed)


def test_token_lets_one_visitor_into_one_room_with_the_microphone_only(livekit: FakeLiveKit) -> None:
    rooms = LiveKitRooms(livekit.url, livekit.api_key, livekit.api_secret)

    token = rooms.access_token(room="ragsell-s1-r1", identity="visitor-1", ttl=timedelta(minutes=15))

    claims = jwt.decode(token, livekit.api_secret, algorithms=["HS256"], options={"require": ["exp", "nbf"]})
    assert claims["iss"] == livekit.api_key
    assert claims["sub"] == "visitor-1"
    assert abs(claims["exp"] - (time.time() + 15 * 60)) <= 2
    assert abs(claims["nbf"] - time.time()) <= 2
    video = claims["video"]
    assert video["room"] == "ragsell-s1-r1"
    assert video["roomJoin"] is True
    assert video["canSubscribe"] is True
    assert video["canPublishSources"] == ["microphone"]
    assert video["canPublishData"] is False
    assert not any(video.get(grant) for grant in ("roomCreate", "roomAdmin", "roomList", "roomRecord", "ingressAdmin"))
    assert set(claims) <= {"iss", "sub", "nbf", "exp", "video"}
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "another-secret-0123456789abcdefghijklmn", algorithms=["HS256"])


def test_browsers_get_the_websocket_address_whichever_form_was_configured() -> None:
    def browser_url(url: str) -> str:
        return LiveKitRooms(url, "key", "secret").url

    assert browser_url("wss://project.livekit.cloud") == "wss://project.livekit.cloud"
    assert browser_url("https://livekit.example.com/") == "wss://livekit.example.com"
    assert browser_url("http://127.0.0.1:7880") == "ws://127.0.0.1:7880"
    with pytest.raises(ValueError, match="LiveKit URL"):
        browser_url("livekit.example.com")


async def test_the_api_is_reached_from_a_websocket_address(livekit: FakeLiveKit, make_rooms: MakeRooms) -> None:
    rooms = make_rooms(url=livekit.url.replace("http://", "ws://"))

    await rooms.create("ragsell-s1-r1", metadata="{}", empty_timeout=timedelta(minutes=1), max_participants=2)

    assert [room.name for room in await rooms.list("ragsell-")] == ["ragsell-s1-r1"]


async def test_server_errors_are_retried_until_the_call_succeeds(livekit: FakeLiveKit, make_rooms: MakeRooms) -> None:
    livekit.fail_next(1, "internal")
    livekit.fail_next(1, "unavailable")

    await make_rooms(retries=2).create("ragsell-s1-r1", metadata="{}", empty_timeout=timedelta(1), max_participants=2)

    assert "ragsell-s1-r1" in livekit.rooms
    assert livekit.methods_called() == ["CreateRoom"] * 3


async def test_server_errors_past_the_retries_make_speech_unavailable(
    livekit: FakeLiveKit, make_rooms: MakeRooms
) -> None:
    livekit.fail_next(3, "unavailable")

    with pytest.raises(SpeechUnavailable, match=r"ListRooms failed: unavailable \(HTTP 503\)"):
        await make_rooms(retries=2).list("ragsell-")

    assert livekit.methods_called() == ["ListRooms"] * 3


async def test_a_refusal_is_not_retried(livekit: FakeLiveKit, make_rooms: MakeRooms) -> None:
    livekit.fail_next(1, "invalid_argument")

    with pytest.raises(SpeechUnavailable, match="invalid_argument"):
        await make_rooms().create("ragsell-s1-r1", metadata="{}", empty_timeout=timedelta(1), max_participants=2)

    assert livekit.methods_called() == ["CreateRoom"]


async def test_a_wrong_secret_is_refused_and_never_shown(livekit: FakeLiveKit, make_rooms: MakeRooms) -> None:
    wrong_secret = "wrong-secret-never-printed-9f8e7d6c5b4a39281706"
    rooms = make_rooms(api_secret=wrong_secret)

    for call in (
        rooms.create("ragsell-s1-r1", metadata="{}", empty_timeout=timedelta(1), max_participants=2),
        rooms.close("ragsell-s1-r1"),
        rooms.list("ragsell-"),
    ):
        with pytest.raises(SpeechUnavailable, match="unauthenticated") as refused:
            await call
        assert wrong_secret not in str(refused.value)
        assert wrong_secret not in repr(refused.value.__cause__)

    assert livekit.calls == []


async def test_a_server_slower_than_the_timeout_makes_speech_unavailable(
    livekit: FakeLiveKit, make_rooms: MakeRooms
) -> None:
    livekit.delay = 2.0
    started = time.monotonic()

    with pytest.raises(SpeechUnavailable, match="CreateRoom timed out"):
        await make_rooms(timeout=0.2).create(
            "ragsell-s1-r1", metadata="{}", empty_timeout=timedelta(1), max_participants=2
        )

    assert time.monotonic() - started < 1.0
    assert livekit.methods_called() == ["CreateRoom"]


async def test_an_unreachable_server_makes_speech_unavailable_after_the_retries(make_rooms: MakeRooms) -> None:
    with socket.create_server(("127.0.0.1", 0)) as sock:
        closed_port = sock.getsockname()[1]

    with pytest.raises(SpeechUnavailable, match="no answer from"):
        await make_rooms(url=f"http://127.0.0.1:{closed_port}", retries=1).list("ragsell-")
