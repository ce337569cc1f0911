from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from ragsell.adapters.mongo.codecs import decode, encode
from ragsell.adapters.mongo.dates import at_or_before, first_kept
from ragsell.adapters.mongo.errors import duplicate_key
from ragsell.adapters.mongo.names import OWNERS
from ragsell.application.ports.repositories import OwnerRepository
from ragsell.domain.accounts import Owner
from ragsell.domain.ids import OwnerId


class MongoOwnerRepository(OwnerRepository):
    """Owners by id; the email is stored lower-cased under a unique index."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._owners = db[OWNERS]

    async def add(self, owner: Owner) -> None:
        document = encode(owner)
        document["email"] = owner.email.lower()
        with duplicate_key("email"):
            await self._owners.insert_one(document)

    async def get(self, owner_id: OwnerId) -> Owner | None:
        document = await self._owners.find_one({"_id": owner_id})
        return None if document is None else decode(document, Owner)

    async def by_email(self, email: str) -> Owner | None:
        document = await self._owners.find_one({"email": email.lower()})
        return None if document is None else decode(document, Owner)

    async def set_password_hash(self, owner_id: OwnerId, password_hash: str) -> None:
        await self._owners.update_one({"_id": owner_id}, {"$set": {"password_hash": password_hash}})

    async def set_plan(self, owner_id: OwnerId, plan: str) -> None:
        await self._owners.update_one({"_id": owner_id}, {"$set": {"plan": plan}})

    async def close(self, owner_id: OwnerId, closed_at: datetime) -> bool:
        # A date is never written with $set (nx-27017 would store a string): the record is
        # replaced whole, guarded so that a password or plan changed meanwhile is not undone.
        document = await self._owners.find_one({"_id": owner_id})
        if document is None or document.get("closed_at") is not None:
            return False
        guard = {key: document[key] for key in ("_id", "password_hash", "plan")}
        replaced = await self._owners.replace_one({**guard, "closed_at": None}, {**document, "closed_at": closed_at})
        return replaced.matched_count == 1

    async def closed_before(self, cutoff: datetime, *, limit: int) -> list[Owner]:
        if limit <= 0:
            return []
        cursor = self._owners.find({"closed_at": at_or_before(cutoff)}).sort([("closed_at", 1), ("_id", 1)])
        return await first_kept(
            cursor,
            decode=lambda document: decode(document, Owner),
            keep=lambda owner: owner.closed_at is not None and owner.closed_at <= cutoff,
            limit=limit,
        )

    async def remove(self, owner_id: OwnerId) -> bool:
        return (await self._owners.delete_one({"_id": owner_id})).deleted_count == 1
