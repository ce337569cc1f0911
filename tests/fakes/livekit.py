"""A local LiveKit server for tests: the RoomService's CreateRoom, ListRooms and
DeleteRoom over Twirp as livekit-api speaks it (POST /twirp/livekit.RoomService/<Method>,
protobuf bodies, JSON error bodies), with the server's token checks, rooms kept in
memory and knobs to fail or slow down. It serves on 127.0.0.1 from its own thread and
event loop, so sync and async tests can use it alike."""

import asyncio
import itertools
import socket
import threading
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any, NamedTuple, Self

import jwt
from aiohttp import web
from google.protobuf.message import DecodeError, Message
from livekit.protocol.models import Room
from livekit.protocol.room import (
    CreateRoomRequest,
    DeleteRoomRequest,
    DeleteRoomResponse,
    ListRoomsRequest,
    ListRoomsResponse,
)

# Twirp's error codes and the HTTP status each is sent with.
TWIRP_STATUS = {
    "invalid_argument": 400,
    "malformed": 400,
    "unauthenticated": 401,
    "permission_denied": 403,
    "not_found": 404,
    "bad_route": 404,
    "resource_exhausted": 429,
    "internal": 500,
    "unavailable": 503,
}


class Call(NamedTuple):
    method: str
    request: Message


class TwirpFailure(Exception):
    def __init__(self, code: str, msg: str) -> None:
        super().__init__(msg)
        self.code = code
        self.msg = msg


class FakeLiveKit:
    """``rooms`` by name (protobuf Rooms, which tests may change); ``calls`` every
    request that passed the token check, in order, as it arrives; ``fail_next`` makes
    the next requests fail with a Twirp code; ``delay`` holds every answer back that long."""

    def __init__(self) -> None:
        self.api_key = "fake-api-key"
        # As long as LiveKit's own secrets: HS256 keys under 32 bytes draw warnings.
        self.api_secret = "fake-api-secret-0123456789abcdefghijklmn"
        self.rooms: dict[str, Room] = {}
        self.calls: list[Call] = []
        self.delay = 0.0
        self.url = ""
        self._failures: list[str] = []
        self._room_ids = itertools.count(1)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, tuple[type[Message], str, Callable[[Message], Message]]] = {
            "CreateRoom": (CreateRoomRequest, "roomCreate", self._create_room),
            "ListRooms": (ListRoomsRequest, "roomList", self._list_rooms),
            "DeleteRoom": (DeleteRoomRequest, "roomCreate", self._delete_room),
        }

    def __enter__(self) -> Self:
        self._thread.start()
        self._run(self._serve())
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._runner is not None:
            self._run(self._runner.cleanup())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def add_room(self, name: str, *, created_at: datetime, metadata: str = "", participants: int = 0) -> Room:
        room = Room(
            sid=f"RM_{next(self._room_ids)}",
            name=name,
            metadata=metadata,
            creation_time=int(created_at.timestamp()),
            creation_time_ms=int(created_at.timestamp() * 1000),
            num_participants=participants,
        )
        self.rooms[name] = room
        return room

    def fail_next(self, times: int, code: str = "unavailable") -> None:
        self._failures += [code] * times

    def methods_called(self) -> list[str]:
        return [call.method for call in self.calls]

    def _run(self, work: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout=5)

    async def _serve(self) -> None:
        app = web.Application()
        app.router.add_post("/twirp/livekit.RoomService/{method}", self._handle)
        # A handler still delaying is cancelled when its client gives up, so shutting down never waits on it.
        self._runner = web.AppRunner(app, handler_cancellation=True, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        sock = socket.create_server(("127.0.0.1", 0))
        await web.SockSite(self._runner, sock).start()
        self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"

    async def _handle(self, request: web.Request) -> web.Response:
        method = self._methods.get(request.match_info["method"])
        if method is None or request.content_type != "application/protobuf":
            return _twirp_error("bad_route", f"no handler for {request.path} as {request.content_type}")
        request_class, grant, answer = method
        claims = self._verified_claims(request.headers.get("Authorization", ""))
        if claims is None:
            # As the real server: a token it cannot verify gets a bare 401, not a Twirp error.
            return web.Response(status=401)
        if not claims.get("video", {}).get(grant):
            return _twirp_error("unauthenticated", "permissions denied")
        try:
            message = request_class.FromString(await request.read())
        except DecodeError:
            return _twirp_error("malformed", "the body is not a protobuf message")
        self.calls.append(Call(request.match_info["method"], message))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self._failures:
            return _twirp_error(self._failures.pop(0), "scripted failure")
        try:
            reply = answer(message)
        except TwirpFailure as failure:
            return _twirp_error(failure.code, failure.msg)
        return web.Response(body=reply.SerializeToString(), content_type="application/protobuf")

    def _verified_claims(self, authorization: str) -> dict | None:
        if not authorization.startswith("Bearer "):
            return None
        try:
            return jwt.decode(
                authorization.removeprefix("Bearer "),
                self.api_secret,
                algorithms=["HS256"],
                issuer=self.api_key,
                options={"require": ["exp", "iss"]},
            )
        except jwt.InvalidTokenError:
            return None

    def _create_room(self, request: CreateRoomRequest) -> Room:
        # As the real server: an existing room is kept, with the settings the request gives.
        if request.name not in self.rooms:
            self.add_room(request.name, created_at=datetime.now(UTC))
        room = self.rooms[request.name]
        if request.empty_timeout:
            room.empty_timeout = request.empty_timeout
        if request.departure_timeout:
            room.departure_timeout = request.departure_timeout
        if request.max_participants:
            room.max_participants = request.max_participants
        if request.metadata:
            room.metadata = request.metadata
        return room

    def _list_rooms(self, request: ListRoomsRequest) -> ListRoomsResponse:
        names = set(request.names)
        return ListRoomsResponse(rooms=[room for name, room in self.rooms.items() if not names or name in names])

    def _delete_room(self, request: DeleteRoomRequest) -> DeleteRoomResponse:
        if self.rooms.pop(request.room, None) is None:
            raise TwirpFailure("not_found", "room not found")
        return DeleteRoomResponse()


def _twirp_error(code: str, msg: str) -> web.Response:
    return web.json_response({"code": code, "msg": msg}, status=TWIRP_STATUS[code])
