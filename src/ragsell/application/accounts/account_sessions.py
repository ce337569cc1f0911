"""An owner's dashboard sessions: which are open, and ending any of them."""

from datetime import datetime

import msgspec

from ragsell.application.accounts.current_owner import Authenticated
from ragsell.application.errors import NotFound
from ragsell.application.ports.repositories import SessionRepository
from ragsell.application.ports.system import Clock
from ragsell.domain.devices import describe_device

# Sessions shown; ending one looks further (an owner rarely has more than a handful).
MAX_LISTED = 100
MAX_SEARCHED = 1000


class SessionSummary(msgspec.Struct, frozen=True, kw_only=True):
    # Not the token hash: see LoginSession.public_id.
    id: str
    device: str
    ip: str
    created_at: datetime
    last_seen_at: datetime
    current: bool


class ListSessions:
    def __init__(self, sessions: SessionRepository, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def __call__(self, auth: Authenticated) -> list[SessionSummary]:
        found = await self._sessions.list_for_owner(auth.owner.id, now=self._clock.now(), limit=MAX_LISTED)
        return [
            SessionSummary(
                id=session.public_id,
                device=describe_device(session.user_agent),
                ip=session.ip,
                created_at=session.created_at,
                last_seen_at=session.last_seen_at,
                current=session.token_hash == auth.session.token_hash,
            )
            for session in found
        ]


class EndSession:
    def __init__(self, sessions: SessionRepository, clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def __call__(self, auth: Authenticated, session_id: str) -> bool:
        """Ends the owner's session shown as ``session_id``; True when it was the current one."""
        found = await self._sessions.list_for_owner(auth.owner.id, now=self._clock.now(), limit=MAX_SEARCHED)
        ending = next((session for session in found if session.public_id == session_id), None)
        if ending is None:
            raise NotFound("There is no such session.")
        await self._sessions.remove(ending.token_hash)
        return ending.token_hash == auth.session.token_hash
