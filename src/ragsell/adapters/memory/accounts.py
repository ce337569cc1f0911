from datetime import datetime

import msgspec

from ragsell.application.ports.repositories import DuplicateKey, OwnerRepository, SessionRepository
from ragsell.domain.accounts import LoginSession, Owner
from ragsell.domain.ids import OwnerId


class InMemoryOwnerRepository(OwnerRepository):
    def __init__(self) -> None:
        self._owners: dict[OwnerId, Owner] = {}

    async def add(self, owner: Owner) -> None:
        if owner.id in self._owners or await self.by_email(owner.email) is not None:
            raise DuplicateKey("email")
        self._owners[owner.id] = owner

    async def get(self, owner_id: OwnerId) -> Owner | None:
        return self._owners.get(owner_id)

    async def by_email(self, email: str) -> Owner | None:
        wanted = email.lower()
        return next((owner for owner in self._owners.values() if owner.email == wanted), None)

    async def set_password_hash(self, owner_id: OwnerId, password_hash: str) -> None:
        if owner_id in self._owners:
            self._owners[owner_id] = msgspec.structs.replace(self._owners[owner_id], password_hash=password_hash)

    async def set_plan(self, owner_id: OwnerId, plan: str) -> None:
        if owner_id in self._owners:
            self._owners[owner_id] = msgspec.structs.replace(self._owners[owner_id], plan=plan)

    async def close(self, owner_id: OwnerId, closed_at: datetime) -> bool:
        owner = self._owners.get(owner_id)
        if owner is None or owner.is_closed:
            return False
        self._owners[owner_id] = msgspec.structs.replace(owner, closed_at=closed_at)
        return True

    async def closed_before(self, cutoff: datetime, *, limit: int) -> list[Owner]:
        closed = [owner for owner in self._owners.values() if owner.closed_at is not None and owner.closed_at <= cutoff]
        closed.sort(key=lambda owner: (owner.closed_at, owner.id))
        return closed[: max(limit, 0)]

    async def remove(self, owner_id: OwnerId) -> bool:
        return self._owners.pop(owner_id, None) is not None


class InMemorySessionRepository(SessionRepository):
    def __init__(self) -> None:
        self._sessions: dict[str, LoginSession] = {}

    async def add(self, session: LoginSession) -> None:
        if session.token_hash in self._sessions:
            raise DuplicateKey("token_hash")
        self._sessions[session.token_hash] = session

    async def get(self, token_hash: str, *, now: datetime) -> LoginSession | None:
        session = self._sessions.get(token_hash)
        return session if session is not None and session.is_active(now) else None

    async def save_seen(self, session: LoginSession) -> None:
        stored = self._sessions.get(session.token_hash)
        # Like a real store (whose TTL index may have removed it), an expired session
        # cannot be brought back by touching it.
        if stored is not None and stored.owner_id == session.owner_id and stored.is_active(session.last_seen_at):
            self._sessions[session.token_hash] = msgspec.structs.replace(
                stored, last_seen_at=session.last_seen_at, expires_at=session.expires_at
            )

    async def remove(self, token_hash: str) -> None:
        self._sessions.pop(token_hash, None)

    async def remove_for_owner(self, owner_id: OwnerId, *, keep: str | None = None) -> int:
        ending = [
            token_hash
            for token_hash, session in self._sessions.items()
            if session.owner_id == owner_id and token_hash != keep
        ]
        for token_hash in ending:
            del self._sessions[token_hash]
        return len(ending)

    async def purge_expired(self, now: datetime, *, dry_run: bool = False) -> int:
        expired = [token_hash for token_hash, session in self._sessions.items() if not session.is_active(now)]
        if not dry_run:
            for token_hash in expired:
                del self._sessions[token_hash]
        return len(expired)

    async def list_for_owner(self, owner_id: OwnerId, *, now: datetime, limit: int) -> list[LoginSession]:
        active = [s for s in self._sessions.values() if s.owner_id == owner_id and s.is_active(now)]
        active.sort(key=lambda s: (-s.last_seen_at.timestamp(), s.token_hash))
        return active[: max(limit, 0)]
