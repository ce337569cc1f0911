from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from ragsell.adapters.mongo.codecs import Document, decode, encode
from ragsell.adapters.mongo.dates import after, at_or_before, first_kept
from ragsell.adapters.mongo.errors import duplicate_key
from ragsell.adapters.mongo.names import SESSIONS
from ragsell.adapters.mongo.removal import remove_found
from ragsell.application.ports.repositories import SessionRepository
from ragsell.domain.accounts import LoginSession
from ragsell.domain.ids import OwnerId

_ID = "token_hash"


class MongoSessionRepository(SessionRepository):
    """Sessions keyed by token hash. A TTL index removes expired ones eventually; every
    read also filters on ``expires_at`` since that removal comes late."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._sessions = db[SESSIONS]

    async def add(self, session: LoginSession) -> None:
        with duplicate_key(_ID):
            await self._sessions.insert_one(encode(session, id_field=_ID))

    async def get(self, token_hash: str, *, now: datetime) -> LoginSession | None:
        document = await self._sessions.find_one({"_id": token_hash, "expires_at": after(now)})
        if document is None:
            return None
        session = decode(document, LoginSession, id_field=_ID)
        return session if session.is_active(now) else None

    async def save_seen(self, session: LoginSession) -> None:
        # Only a session still active at the touch can be touched: an expired one stays
        # expired (a real store may have removed it already). Dates are never written with
        # $set (nx-27017 would store them as strings), so the record is replaced whole.
        scope = {"_id": session.token_hash, "owner_id": session.owner_id}
        document = await self._sessions.find_one({**scope, "expires_at": after(session.last_seen_at)})
        if document is None or not decode(document, LoginSession, id_field=_ID).is_active(session.last_seen_at):
            return
        document["last_seen_at"] = session.last_seen_at
        document["expires_at"] = session.expires_at
        await self._sessions.replace_one(scope, document)

    async def remove(self, token_hash: str) -> None:
        await self._sessions.delete_one({"_id": token_hash})

    async def remove_for_owner(self, owner_id: OwnerId, *, keep: str | None = None) -> int:
        query: dict[str, Any] = {"owner_id": owner_id}
        if keep is not None:
            query["_id"] = {"$ne": keep}
        return (await self._sessions.delete_many(query)).deleted_count

    async def purge_expired(self, now: datetime, *, dry_run: bool = False) -> int:
        return await remove_found(
            self._sessions,
            {"expires_at": at_or_before(now)},
            select=lambda document: document["expires_at"] <= now,
            fields=("expires_at",),
            dry_run=dry_run,
        )

    async def list_for_owner(self, owner_id: OwnerId, *, now: datetime, limit: int) -> list[LoginSession]:
        if limit <= 0:
            return []
        cursor = self._sessions.find({"owner_id": owner_id, "expires_at": after(now)}).sort(
            [("last_seen_at", -1), ("_id", 1)]
        )
        return await first_kept(cursor, decode=_session, keep=lambda session: session.is_active(now), limit=limit)


def _session(document: Document) -> LoginSession:
    return decode(document, LoginSession, id_field=_ID)
