from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from ragsell.adapters.mongo.names import CHUNKS, CONVERSATIONS, LEADS, MESSAGES, PAGE_VIEWS, PAGES, SNIPPETS
from ragsell.application.ports.repositories import SiteDataEraser
from ragsell.domain.ids import SiteId

# Every collection holding data under a site id. Messages go before their conversations,
# so an interrupted erase never leaves messages without a conversation to find them by.
SITE_COLLECTIONS = (CHUNKS, SNIPPETS, PAGES, MESSAGES, CONVERSATIONS, PAGE_VIEWS, LEADS)


class MongoSiteDataEraser(SiteDataEraser):
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._db = db

    async def erase_site(self, site_id: SiteId) -> None:
        for name in SITE_COLLECTIONS:
            await self._db[name].delete_many({"site_id": site_id})
