from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from ragsell.adapters.mongo.codecs import decode, encode
from ragsell.adapters.mongo.dates import before
from ragsell.adapters.mongo.names import PRIVACY_REQUESTS
from ragsell.adapters.mongo.removal import remove_found
from ragsell.application.ports.privacy import PrivacyRequestLog
from ragsell.domain.ids import OwnerId
from ragsell.domain.privacy import PrivacyRequest


class MongoPrivacyRequestLog(PrivacyRequestLog):
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._requests = db[PRIVACY_REQUESTS]

    async def add(self, request: PrivacyRequest) -> None:
        await self._requests.insert_one(encode(request))

    async def list_for_owner(self, owner_id: OwnerId, *, limit: int) -> list[PrivacyRequest]:
        if limit <= 0:
            return []
        cursor = self._requests.find({"owner_id": owner_id}).sort([("requested_at", -1), ("_id", -1)]).limit(limit)
        return [decode(document, PrivacyRequest) async for document in cursor]

    async def purge_before(self, cutoff: datetime, *, dry_run: bool = False) -> int:
        return await remove_found(
            self._requests,
            {"requested_at": before(cutoff)},
            select=lambda document: document["requested_at"] < cutoff,
            fields=("requested_at",),
            dry_run=dry_run,
        )
