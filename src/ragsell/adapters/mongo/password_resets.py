from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from ragsell.adapters.mongo.codecs import decode, encode
from ragsell.adapters.mongo.dates import after
from ragsell.adapters.mongo.errors import duplicate_key
from ragsell.adapters.mongo.names import PASSWORD_RESETS
from ragsell.application.ports.repositories import PasswordResetRepository
from ragsell.domain.ids import OwnerId
from ragsell.domain.password_resets import PasswordReset

_ID = "token_hash"


class MongoPasswordResetRepository(PasswordResetRepository):
    """Resets keyed by token hash. A TTL index removes expired ones eventually; reads check
    the expiry too since that removal comes late. Taking one deletes it by ``_id``, which
    one caller at most can do."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._resets = db[PASSWORD_RESETS]

    async def add(self, reset: PasswordReset) -> None:
        with duplicate_key(_ID):
            await self._resets.insert_one(encode(reset, id_field=_ID))

    async def get(self, token_hash: str, *, now: datetime) -> PasswordReset | None:
        document = await self._resets.find_one({"_id": token_hash, "expires_at": after(now)})
        reset = None if document is None else decode(document, PasswordReset, id_field=_ID)
        return reset if reset is not None and reset.is_valid(now) else None

    async def take(self, token_hash: str, *, now: datetime) -> PasswordReset | None:
        document = await self._resets.find_one_and_delete({"_id": token_hash})
        reset = None if document is None else decode(document, PasswordReset, id_field=_ID)
        return reset if reset is not None and reset.is_valid(now) else None

    async def remove_for_owner(self, owner_id: OwnerId) -> int:
        return (await self._resets.delete_many({"owner_id": owner_id})).deleted_count
