from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from ragsell.adapters.mongo.codecs import Document, decode, encode
from ragsell.adapters.mongo.names import PAGES
from ragsell.application.ports.repositories import PageRepository
from ragsell.domain.ids import SiteId
from ragsell.domain.knowledge import Page


class MongoPageRepository(PageRepository):
    """One document per site and URL (a unique index on ``site_id`` and ``url``; the
    ``_id`` is the store's own). Saving replaces the whole document, so its dates are
    never written by update operators. URLs sort by their UTF-8 bytes, which is code point
    order: the order Python's string comparison gives."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._pages = db[PAGES]

    async def save(self, page: Page) -> None:
        scope = {"site_id": page.site_id, "url": page.url}
        document = encode(page, id_field=None)
        try:
            await self._pages.replace_one(scope, document, upsert=True)
        except DuplicateKeyError:
            # Two saves of a new page raced to insert it (MongoDB upserts can); the other
            # one's document exists now, so replacing it is enough.
            await self._pages.replace_one(scope, document)

    async def get(self, site_id: SiteId, url: str) -> Page | None:
        document = await self._pages.find_one({"site_id": site_id, "url": url})
        return None if document is None else _page(document)

    async def list_for_site(self, site_id: SiteId, *, after_url: str | None, limit: int) -> list[Page]:
        if limit <= 0:
            return []
        query: dict[str, Any] = {"site_id": site_id}
        if after_url is not None:
            query["url"] = {"$gt": after_url}
        cursor = self._pages.find(query).sort("url", 1).limit(limit).batch_size(limit)
        return [_page(document) async for document in cursor]

    async def remove(self, site_id: SiteId, url: str) -> bool:
        return (await self._pages.delete_one({"site_id": site_id, "url": url})).deleted_count == 1


def _page(document: Document) -> Page:
    return decode(document, Page, id_field=None)
