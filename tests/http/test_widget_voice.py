"""Voice through the widget API, against local Deepgram, Cartesia and LiveKit servers
that speak the providers' APIs: recorded turns heard, answered, spoken and metered; live
call tickets scoped to one room and one visitor."""

import asyncio
import io
import math
import uuid
import wave
from collections.abc import Iterator
from datetime import timedelta

import httpx
import jwt
import msgspec
import pytest
from dishka import Scope
from litestar import Litestar

from ragsell.application.usage.change_plan import ChangePlan
from ragsell.domain.voice import SPEECH_SAMPLE_RATE, VOICE_AGENT_NAME, RoomBrief, voice_seconds
from ragsell.entrypoints.settings import Settings, load_settings
from tests.fakes.cartesia import FakeCartesia
from tests.fakes.deepgram import FakeDeepgram
from tests.fakes.livekit import FakeLiveKit
from tests.http.conftest import BASE_URL, Owner
from tests.http.sse import answer_text, parse_events
from tests.http.widget_visitor import FROM_SITE, SITE_ORIGIN, Visitor

HOURS = "We bake to order. Orders placed before noon are ready the next day."
QUESTION = "When can I pick up my cake?"


def recording(seconds: float = 1.0) -> bytes:
    """A WAV file of silence, as a browser could upload it."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as audio:
        audio.setnchannels(1)
        audio.setsampwidth(2)
        audio.setframerate(16_000)
        audio.writeframes(b"\0\0" * int(16_000 * seconds))
    return buffer.getvalue()


@pytest.fixture
def deepgram() -> Iterator[FakeDeepgram]:
    with FakeDeepgram() as fake:
        fake.transcript = QUESTION
        yield fake


@pytest.fixture
def cartesia() -> Iterator[FakeCartesia]:
    with FakeCartesia() as fake:
        yield fake


@pytest.fixture
def livekit() -> Iterator[FakeLiveKit]:
    with FakeLiveKit() as fake:
        yield fake


@pytest.fixture
def settings(deepgram: FakeDeepgram, cartesia: FakeCartesia, livekit: FakeLiveKit) -> Settings:
    return load_settings(
        {},
        public_url=BASE_URL,
        store="memory",
        deepgram_api_key=deepgram.api_key,
        deepgram_base_url=deepgram.url,
        cartesia_api_key=cartesia.api_key,
        cartesia_base_url=cartesia.url,
        livekit_url=livekit.url,
        livekit_api_key=livekit.api_key,
        livekit_api_secret=livekit.api_secret,
        voice_allow_loopback=True,
    )


async def set_plan(app: Litestar, plan: str) -> None:
    async with app.state.dishka_container(scope=Scope.REQUEST) as request:
        await (await request.get(ChangePlan))("ann@example.com", plan)


@pytest.fixture
async def site(app: Litestar, owner: Owner) -> dict:
    site = await owner.add_site()
    response = await owner.client.patch(
        f"/api/sites/{site['id']}",
        json={"allowedOrigins": [SITE_ORIGIN], "voiceEnabled": True, "voice": {"voiceId": "site-voice"}},
        headers=owner.csrf,
    )
    assert response.status_code == 200, response.text
    await owner.add_snippet(site["id"], "Pick-up times", HOURS)
    await set_plan(app, "starter")
    return response.json()


@pytest.fixture
async def visitor(new_client, site: dict) -> Visitor:
    return Visitor(await new_client(), site["widgetKey"])


async def take_turn(
    visitor: Visitor, conversation_id: str, audio: bytes | None = None, *, content_type: str = "audio/wav"
) -> httpx.Response:
    return await visitor.client.post(
        f"/widget/v1/sites/{visitor.key}/conversations/{conversation_id}/voice-turns",
        content=recording() if audio is None else audio,
        headers={
            **FROM_SITE,
            "content-type": content_type,
            "x-visitor-id": visitor.id,
            "x-client-message-id": str(uuid.uuid4()),
        },
    )


async def stored_messages(visitor: Visitor, conversation_id: str) -> list[dict]:
    path = f"/widget/v1/sites/{visitor.key}/conversations/{conversation_id}"
    return (await visitor.client.get(path, headers={**FROM_SITE, "x-visitor-id": visitor.id})).json()["messages"]


async def voice_used(owner: Owner) -> int:
    meters = (await owner.client.get("/api/usage")).json()["meters"]
    return next(m["used"] for m in meters if m["meter"] == "voice_seconds")


def speech_of(events: list[tuple[str, dict]]) -> bytes:
    return b"".join(
        msgspec.json.decode(f'"{data["audio"]}"'.encode(), type=bytes) for name, data in events if name == "speech"
    )


async def test_a_recorded_question_is_heard_answered_spoken_and_stored_as_voice(
    owner: Owner, site: dict, visitor: Visitor, deepgram: FakeDeepgram, cartesia: FakeCartesia
) -> None:
    config = (await visitor.client.get(f"/widget/v1/sites/{visitor.key}/config", headers=FROM_SITE)).json()
    conversation_id = await visitor.start()

    response = await take_turn(visitor, conversation_id)

    assert response.status_code == 200, response.text
    events = parse_events(response.text)
    names = [name for name, _ in events]
    assert (config["voiceEnabled"], config["voiceCalls"]) == (True, True)
    assert names[0] == "transcript" and events[0][1] == {"text": QUESTION, "language": "en"}
    assert names[-1] == "done" and events[-1][1]["answered"] is True
    assert "noon" in answer_text(events) and "citations" in names
    spoken = speech_of(events)
    sentences = [message["transcript"] for message in cartesia.socket_messages() if message.get("transcript")]
    assert spoken == b"".join(cartesia.pcm_for(sentence) for sentence in sentences)
    assert {event[1]["sampleRate"] for event in events if event[0] == "speech"} == {SPEECH_SAMPLE_RATE}
    assert {message["voice"]["id"] for message in cartesia.socket_messages() if "voice" in message} == {"site-voice"}
    assert [(request.kind, bytes(request.body)) for request in deepgram.requests] == [("stream", recording())]
    transcript = (await owner.client.get(f"/api/sites/{site['id']}/conversations/{conversation_id}")).json()
    assert [(m["role"], m["channel"]) for m in transcript["messages"]] == [("visitor", "voice"), ("assistant", "voice")]
    assert transcript["messages"][0]["text"] == QUESTION
    assert await voice_used(owner) == voice_seconds(deepgram.duration, len(spoken) / (2 * SPEECH_SAMPLE_RATE))


async def test_turns_at_the_same_time_are_each_counted_exactly_once(
    owner: Owner, site: dict, visitor: Visitor, deepgram: FakeDeepgram
) -> None:
    conversation_id = await visitor.start()
    deepgram.duration = 2.5

    responses = await asyncio.gather(*(take_turn(visitor, conversation_id) for _ in range(5)))

    spoken = [len(speech_of(parse_events(response.text))) / (2 * SPEECH_SAMPLE_RATE) for response in responses]
    assert [response.status_code for response in responses] == [200] * 5
    assert await voice_used(owner) == sum(voice_seconds(2.5, seconds) for seconds in spoken)


async def test_without_voice_seconds_left_a_turn_is_refused_before_anything_is_heard(
    app: Litestar, owner: Owner, site: dict, visitor: Visitor, deepgram: FakeDeepgram
) -> None:
    conversation_id = await visitor.start()
    await set_plan(app, "free")

    config = (await visitor.client.get(f"/widget/v1/sites/{visitor.key}/config", headers=FROM_SITE)).json()
    response = await take_turn(visitor, conversation_id)

    assert (config["voiceEnabled"], config["voiceCalls"]) == (False, False)
    assert (response.status_code, response.json()["code"]) == (429, "quota_exceeded")
    assert deepgram.requests == []


@pytest.mark.parametrize(
    ("audio", "content_type"),
    [(b"", "audio/wav"), (recording(), "text/plain"), (b"RIFF" + b"\0" * (2 * 1024 * 1024), "audio/wav")],
    ids=["empty", "not-audio", "too-big"],
)
async def test_a_bad_recording_gets_a_clear_error_and_changes_nothing(
    owner: Owner, site: dict, visitor: Visitor, deepgram: FakeDeepgram, audio: bytes, content_type: str
) -> None:
    conversation_id = await visitor.start()

    response = await take_turn(visitor, conversation_id, audio, content_type=content_type)

    assert (response.status_code, response.json()["code"]) == (422, "invalid_value")
    assert deepgram.requests == []
    assert await voice_used(owner) == 0
    assert await stored_messages(visitor, conversation_id) == []


@pytest.mark.parametrize(
    ("status", "code", "http_status"), [(400, "unreadable_recording", 422), (503, "voice_unavailable", 503)]
)
async def test_when_the_recording_cannot_be_heard_nothing_is_stored_or_counted(
    owner: Owner, site: dict, visitor: Visitor, deepgram: FakeDeepgram, status: int, code: str, http_status: int
) -> None:
    conversation_id = await visitor.start()
    deepgram.status, deepgram.failures = status, None

    response = await take_turn(visitor, conversation_id)

    assert (response.status_code, response.json()["code"]) == (http_status, code)
    assert await voice_used(owner) == 0


async def test_when_the_live_stream_fails_the_recording_is_sent_again_whole(
    owner: Owner, site: dict, visitor: Visitor, deepgram: FakeDeepgram
) -> None:
    conversation_id = await visitor.start()
    deepgram.status, deepgram.failures = 503, 3

    events = parse_events((await take_turn(visitor, conversation_id)).text)

    assert events[0] == ("transcript", {"text": QUESTION, "language": "en"})
    assert [request.kind for request in deepgram.requests] == ["stream"] * 3 + ["listen"]
    assert bytes(deepgram.requests[-1].body) == recording()


async def test_silence_is_counted_and_answered_with_a_request_to_try_again(
    owner: Owner, site: dict, visitor: Visitor, deepgram: FakeDeepgram, cartesia: FakeCartesia
) -> None:
    conversation_id = await visitor.start()
    deepgram.transcript, deepgram.duration = "", 1.2

    events = parse_events((await take_turn(visitor, conversation_id)).text)

    names = [name for name, _ in events]
    apology = events[-1][1]["message"]
    spoken = speech_of(events)
    assert names[0] == "transcript" and set(names[1:-1]) == {"speech"} and names[-1] == "error"
    assert events[-1][1]["code"] == "nothing_heard"
    assert [request.body["transcript"] for request in cartesia.requests] == [apology]
    assert spoken == cartesia.pcm_for(apology)
    assert await voice_used(owner) == voice_seconds(1.2, len(spoken) / (2 * SPEECH_SAMPLE_RATE))
    assert await stored_messages(visitor, conversation_id) == []


async def test_when_speech_fails_the_answer_is_still_written(
    owner: Owner, site: dict, visitor: Visitor, deepgram: FakeDeepgram, cartesia: FakeCartesia
) -> None:
    conversation_id = await visitor.start()
    cartesia.status, cartesia.fail_times = 500, 100

    events = parse_events((await take_turn(visitor, conversation_id)).text)

    assert ("error", "speech_unavailable") in [(name, data.get("code")) for name, data in events]
    assert "noon" in answer_text(events) and events[-1][0] == "done"
    assert await voice_used(owner) == math.ceil(deepgram.duration)


async def test_voice_is_refused_on_a_site_that_has_not_turned_it_on(
    owner: Owner, site: dict, visitor: Visitor, deepgram: FakeDeepgram
) -> None:
    await owner.client.patch(f"/api/sites/{site['id']}", json={"voiceEnabled": False}, headers=owner.csrf)
    conversation_id = await visitor.start()

    turn = await take_turn(visitor, conversation_id)
    call = await visitor.client.post(
        f"/widget/v1/sites/{visitor.key}/conversations/{conversation_id}/voice-calls",
        json={"visitorId": visitor.id},
        headers=FROM_SITE,
    )

    assert (turn.status_code, turn.json()["code"]) == (403, "voice_off")
    assert (call.status_code, call.json()["code"]) == (403, "voice_off")
    assert deepgram.requests == []


async def test_a_call_ticket_lets_one_visitor_into_one_new_room(
    site: dict, visitor: Visitor, livekit: FakeLiveKit, new_client
) -> None:
    conversation_id = await visitor.start()
    path = f"/widget/v1/sites/{visitor.key}/conversations/{conversation_id}/voice-calls"

    response = await visitor.client.post(path, json={"visitorId": visitor.id}, headers=FROM_SITE)
    stranger = await Visitor(await new_client(), visitor.key).client.post(
        path, json={"visitorId": str(uuid.uuid4())}, headers=FROM_SITE
    )

    assert response.status_code == 201, response.text
    ticket = response.json()
    claims = jwt.decode(ticket["token"], livekit.api_secret, algorithms=["HS256"])
    assert claims["video"]["room"] == ticket["room"] and claims["video"]["roomJoin"] is True
    assert claims["video"].get("canPublishSources") == ["microphone"]
    assert not any(claims["video"].get(grant) for grant in ("roomCreate", "roomAdmin", "roomList", "canPublishData"))
    assert timedelta(seconds=claims["exp"] - claims["nbf"]) <= timedelta(minutes=2, seconds=1)
    assert visitor.id not in ticket["token"] and ticket["url"].startswith("ws://127.0.0.1:")
    room = livekit.rooms[ticket["room"]]
    brief = msgspec.json.decode(room.metadata, type=RoomBrief)
    assert (brief.site_id, brief.conversation_id, brief.visitor_id) == (site["id"], conversation_id, visitor.id)
    create = next(call for call in livekit.calls if call.method == "CreateRoom")
    assert [agent.agent_name for agent in create.request.agents] == [VOICE_AGENT_NAME]
    assert room.max_participants == 2
    assert stranger.status_code == 404
