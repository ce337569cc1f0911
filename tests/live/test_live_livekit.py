"""Opt-in check of the LiveKit rooms adapter against a real LiveKit server (LiveKit
Cloud or self-hosted). It runs only with LIVEKIT_URL, LIVEKIT_API_KEY and
LIVEKIT_API_SECRET in the environment; it creates one uniquely named empty room and
deletes it again."""

import os
import secrets
from datetime import UTC, datetime, timedelta

import pytest

from ragsell.adapters.livekit.rooms import LiveKitRooms
from ragsell.domain.voice import ROOM_PREFIX

_NAMES = ("LIVEKIT_URL", "LIVEKIT_API_KEY", "LIVEKIT_API_SECRET")

pytestmark = pytest.mark.skipif(
    not all(os.environ.get(name) for name in _NAMES),
    reason=f"live LiveKit check: set {', '.join(_NAMES)} to run it",
)


async def test_a_room_is_created_listed_and_closed_on_the_real_server() -> None:
    rooms = LiveKitRooms(os.environ["LIVEKIT_URL"], os.environ["LIVEKIT_API_KEY"], os.environ["LIVEKIT_API_SECRET"])
    name = f"{ROOM_PREFIX}live-check-{secrets.token_hex(8)}"
    try:
        await rooms.create(name, metadata='{"check":true}', empty_timeout=timedelta(minutes=1), max_participants=2)
        try:
            listed = {room.name: room for room in await rooms.list(f"{ROOM_PREFIX}live-check-")}
            assert listed[name].metadata == '{"check":true}'
            assert listed[name].participants == 0
            assert abs(listed[name].created_at - datetime.now(UTC)) < timedelta(minutes=5)
        finally:
            await rooms.close(name)
        await rooms.close(name)  # already gone: fine
    finally:
        await rooms.aclose()
