import msgspec

from ragsell.application.errors import NotAuthenticated
from ragsell.application.ports.repositories import OwnerRepository, SessionRepository
from ragsell.application.ports.system import Clock
from ragsell.domain.accounts import LoginSession, Owner, SessionPolicy, token_hash


class Authenticated(msgspec.Struct, frozen=True, kw_only=True):
    owner: Owner
    session: LoginSession


class CurrentOwner:
    """Who a session cookie belongs to, while the session lives; each use extends its idle time."""

    def __init__(
        self, sessions: SessionRepository, owners: OwnerRepository, clock: Clock, policy: SessionPolicy
    ) -> None:
        self._sessions = sessions
        self._owners = owners
        self._clock = clock
        self._policy = policy

    async def __call__(self, token: str | None) -> Authenticated:
        now = self._clock.now()
        session = await self._sessions.get(token_hash(token), now=now) if token else None
        if session is None or not session.is_active(now):
            raise NotAuthenticated("Please log in.")
        owner = await self._owners.get(session.owner_id)
        if owner is None or owner.is_closed:
            raise NotAuthenticated("Please log in.")
        if session.needs_touch(now, self._policy):
            session = session.touched(now, self._policy)
            await self._sessions.save_seen(session)
        return Authenticated(owner=owner, session=session)
