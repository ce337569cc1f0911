"""Opening a dashboard session: shared by sign-up and log-in."""

import msgspec

from ragsell.application.ports.repositories import SessionRepository
from ragsell.application.ports.system import Clock, IdGenerator
from ragsell.domain.accounts import LoginSession, Owner, SessionPolicy, open_session, token_hash


class OpenedSession(msgspec.Struct, frozen=True, kw_only=True):
    owner: Owner
    # The secret for the cookie; only its hash is stored.
    token: str
    session: LoginSession


class SessionOpener:
    def __init__(self, sessions: SessionRepository, clock: Clock, ids: IdGenerator, policy: SessionPolicy) -> None:
        self._sessions = sessions
        self._clock = clock
        self._ids = ids
        self._policy = policy

    async def open(self, owner: Owner, *, ip: str, user_agent: str) -> OpenedSession:
        token = self._ids.secret_token()
        session = open_session(
            token_hash=token_hash(token),
            owner_id=owner.id,
            csrf_token=self._ids.secret_token(),
            now=self._clock.now(),
            policy=self._policy,
            ip=ip,
            user_agent=user_agent,
        )
        await self._sessions.add(session)
        return OpenedSession(owner=owner, token=token, session=session)
