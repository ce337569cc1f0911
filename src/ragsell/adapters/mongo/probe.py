from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import PyMongoError

from ragsell.application.ports.system import StoreProbe


class MongoStoreProbe(StoreProbe):
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._db = db

    async def ping(self) -> bool:
        try:
            await self._db.command("ping")
        except PyMongoError:
            return False
        return True
