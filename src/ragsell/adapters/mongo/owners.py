from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from ragsell.adapters.mongo.codecs import decode, encode
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
