from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from ragsell.adapters.mongo.chunks import VERSION
from ragsell.adapters.mongo.names import (
    CHUNK_SOURCES,
    CHUNKS,
    CONVERSATIONS,
    CRAWL_JOBS,
    KNOWLEDGE_VERSIONS,
    LEADS,
    MESSAGES,
    NOTIFICATIONS,
    PAGE_VIEW_DAYS,
    PAGE_VIEWS,
    PAGES,
    SNIPPETS,
)
from ragsell.application.ports.repositories import SiteDataEraser
from ragsell.domain.ids import SiteId

# Every collection holding data under a site id. Crawl jobs go first, so a crawl still
# running loses its job (and stops at its next heartbeat). A source's record goes before
# its chunks, which hides them at once. Messages go before their conversations, so an
# interrupted erase never leaves messages without a conversation to find them by.
SITE_COLLECTIONS = (
    CRAWL_JOBS,
    CHUNK_SOURCES,
    CHUNKS,
    SNIPPETS,
    PAGES,
    MESSAGES,
    CONVERSATIONS,
    PAGE_VIEWS,
    PAGE_VIEW_DAYS,
    NOTIFICATIONS,
    LEADS,
)
_KNOWLEDGE = (CHUNK_SOURCES, CHUNKS)


class MongoSiteDataEraser(SiteDataEraser):
    """The site's knowledge version (one integer, in ``knowledge_versions``) is not
    removed but moved on when chunks went, so a version number never comes back with
    other chunks behind it (app processes cache a site's chunks by version)."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._db = db

    async def erase_site(self, site_id: SiteId) -> None:
        knowledge_removed = False
        for name in SITE_COLLECTIONS:
            removed = await self._db[name].delete_many({"site_id": site_id})
            if name in _KNOWLEDGE and removed.deleted_count:
                knowledge_removed = True
            if name == CHUNKS and knowledge_removed:
                await self._db[KNOWLEDGE_VERSIONS].update_one({"_id": site_id}, {"$inc": {VERSION: 1}})
