"""Rooms of live calls on a LiveKit server (self-hosted or LiveKit Cloud), through its
Twirp RoomService, and the tokens that let one visitor into one room."""

import asyncio
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from livekit import api
from livekit.api.room_service import RoomService
from livekit.protocol.agent_dispatch import RoomAgentDispatch
from livekit.protocol.models import Room
from livekit.protocol.room import CreateRoomRequest, DeleteRoomRequest, ListRoomsRequest

from ragsell.application.ports.voice import SpeechUnavailable, VoiceRoom, VoiceRooms

# Once the visitor has left, the room ends this soon rather than waiting out empty_timeout.
DEPARTURE_TIMEOUT_SECONDS = 10
_BROWSER_SCHEMES = {"ws": "ws", "wss": "wss", "http": "ws", "https": "wss"}
_API_SCHEMES = {"ws": "http", "wss": "https", "http": "http", "https": "https"}

T = TypeVar("T")


def _addresses(url: str) -> tuple[str, str]:
    """The ws(s) address browsers connect to and the http(s) address of the API, from
    a LiveKit URL given in either form."""
    parts = urlsplit(url.strip().rstrip("/"))
    if parts.scheme not in _API_SCHEMES or not parts.hostname:
        raise ValueError(f"The LiveKit URL must start with wss://, ws://, https:// or http://, not {url!r}.")
    return (
        urlunsplit(parts._replace(scheme=_BROWSER_SCHEMES[parts.scheme])),
        urlunsplit(parts._replace(scheme=_API_SCHEMES[parts.scheme])),
    )


def _code(error: api.ServerError) -> str:
    # The server answers a token it cannot verify with a bare 401, without a Twirp body.
    if error.code == api.ServerErrorCode.UNKNOWN and error.status == 401:
        return api.ServerErrorCode.UNAUTHENTICATED
    return error.code


def _voice_room(room: Room) -> VoiceRoom:
    # creation_time_ms is newer; older servers send only whole seconds.
    seconds = room.creation_time_ms / 1000 if room.creation_time_ms else room.creation_time
    return VoiceRoom(
        name=room.name,
        metadata=room.metadata,
        created_at=datetime.fromtimestamp(seconds, UTC),
        participants=room.num_participants,
    )


class LiveKitRooms(VoiceRooms):
    """Every request gets ``timeout`` seconds. Dropped connections and server errors
    (5xx, unavailable) are retried up to ``retries`` times after a short backoff
    (``backoff`` seconds doubled each time, with jitter); a request that timed out is
    not, so a silent server costs a caller ``timeout`` once, not once per retry. Then,
    or on any other refusal, SpeechUnavailable names the Twirp code."""

    def __init__(
        self,
        url: str,
        api_key: str,
        api_secret: str,
        *,
        timeout: float = 10.0,
        retries: int = 2,
        backoff: float = 0.25,
        agent_name: str | None = None,
    ) -> None:
        if not api_key or not api_secret:
            # AccessToken would fall back to LIVEKIT_API_KEY/SECRET from the environment.
            raise ValueError("Give the LiveKit API key and secret.")
        self.url, self._api_url = _addresses(url)
        self._api_key = api_key
        self._api_secret = api_secret
        self._timeout = timeout
        self._retries = retries
        self._backoff = backoff
        # The agent LiveKit dispatches into every room made here (explicit dispatch).
        self._agents = [RoomAgentDispatch(agent_name=agent_name)] if agent_name else []
        self._api: api.LiveKitAPI | None = None

    async def create(self, name: str, *, metadata: str, empty_timeout: timedelta, max_participants: int) -> None:
        request = CreateRoomRequest(
            name=name,
            metadata=metadata,
            empty_timeout=int(empty_timeout.total_seconds()),
            departure_timeout=DEPARTURE_TIMEOUT_SECONDS,
            max_participants=max_participants,
            agents=self._agents,
        )
        await self._call("CreateRoom", lambda rooms: rooms.create_room(request))

    def access_token(self, *, room: str, identity: str, ttl: timedelta) -> str:
        grants = api.VideoGrants(
            room_join=True,
            room=room,
            can_subscribe=True,
            can_publish=True,
            can_publish_sources=["microphone"],
            can_publish_data=False,
            room_create=False,
            room_admin=False,
            room_list=False,
        )
        token = api.AccessToken(self._api_key, self._api_secret)
        return token.with_identity(identity).with_ttl(ttl).with_grants(grants).to_jwt()

    async def close(self, name: str) -> None:
        async def delete(rooms: RoomService) -> None:
            try:
                await rooms.delete_room(DeleteRoomRequest(room=name))
            except api.ServerError as error:
                if error.code != api.ServerErrorCode.NOT_FOUND:
                    raise

        await self._call("DeleteRoom", delete)

    async def list(self, prefix: str) -> list[VoiceRoom]:
        # ListRooms filters by exact names only; the prefix is applied here.
        response = await self._call("ListRooms", lambda rooms: rooms.list_rooms(ListRoomsRequest()))
        return [_voice_room(room) for room in response.rooms if room.name.startswith(prefix)]

    async def aclose(self) -> None:
        """Closes the HTTP client; the next request opens a new one."""
        if self._api is not None:
            await self._api.aclose()
            self._api = None

    async def _call(self, method: str, request: Callable[[RoomService], Awaitable[T]]) -> T:
        attempt = 0
        while True:
            try:
                # Our own deadline: livekit-api sends each request with timeout=None, which
                # turns off the time-out of its aiohttp session.
                async with asyncio.timeout(self._timeout):
                    return await request(self._room_service())
            except api.ServerError as error:
                if error.status < 500 or attempt == self._retries:
                    detail = f": {error.message}" if error.message else ""
                    raise SpeechUnavailable(
                        f"LiveKit {method} failed: {_code(error)} (HTTP {error.status}){detail}"
                    ) from error
            except TimeoutError as error:  # before ClientError, as aiohttp's own time-outs are both
                raise SpeechUnavailable(f"LiveKit {method} timed out after {self._timeout:g} s.") from error
            except aiohttp.ClientError as error:
                if attempt == self._retries:
                    raise SpeechUnavailable(
                        f"LiveKit {method} failed: no answer from {self._api_url} ({type(error).__name__})."
                    ) from error
            await asyncio.sleep(self._backoff * 2**attempt * random.uniform(0.75, 1.0))  # noqa: S311
            attempt += 1

    def _room_service(self) -> RoomService:
        if self._api is None:
            # Made on first use, inside the serving event loop (an aiohttp session is bound to its loop).
            self._api = api.LiveKitAPI(
                self._api_url,
                self._api_key,
                self._api_secret,
                # One retry policy, ours: the SDK's Cloud region failover would multiply with it.
                failover=False,
            )
        return self._api.room
