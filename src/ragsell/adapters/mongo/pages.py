from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from ragsell.adapters.mongo.codecs import Document, decode, encode
from ragsell.adapters.mongo.names import PAGES
from ragsell.application.ports.repositories import PageRepository
from ragsell.domain.ids import SiteId
from ragsell.domain.knowledge import Page


def page_id(site_id: SiteId, url: str) -> str:
    """A page's ``_id``: its site id and URL (site ids hold no newline, so it is unambiguous)."""
    if "\n" in site_id:
        raise ValueError("Not a site id.")
    return f"{site_id}\n{url}"


class MongoPageRepository(PageRepository):
    """One document per site and URL, keyed by both (``page_id``; the unique index on
    ``site_id`` and ``url`` says so too). Reads and writes of one page go by ``_id``:
    nx-27017 finds other filters through a scan of the collection when writing. Saving
    replaces the whole document, so its dates are never written by update operators.
    URLs sort by their UTF-8 bytes, which is code point order: the order of Python's
    string comparison."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._pages = db[PAGES]

    async def save(self, page: Page) -> None:
        scope = {"_id": page_id(page.site_id, page.url), "site_id": page.site_id}
        document = {**encode(page, id_field=None), "_id": scope["_id"]}
        try:
            await self._pages.replace_one(scope, document, upsert=True)
        except DuplicateKeyError:
            # Two saves of a new page raced to insert it (MongoDB upserts can); the other
            # one's document exists now, so replacing it is enough.
            await self._pages.replace_one(scope, document)

    async def get(self, site_id: SiteId, url: str) -> Page | None:
        document = await self._pages.find_one({"_id": page_id(site_id, url), "site_id": site_id})
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
        removed = await self._pages.delete_one({"_id": page_id(site_id, url), "site_id": site_id})
        return removed.deleted_count == 1


def _page(document: Document) -> Page:
    return decode(document, Page, id_field=None)
