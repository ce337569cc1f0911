from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from ragsell.adapters.mongo.codecs import decode, encode
from ragsell.adapters.mongo.dates import after, between
from ragsell.adapters.mongo.names import PAGE_VIEWS
from ragsell.application.ports.repositories import PageViewRepository
from ragsell.domain.conversations import PageView
from ragsell.domain.ids import SiteId, VisitorId


class MongoPageViewRepository(PageViewRepository):
    """Raw page views, removed by a TTL index on ``expires_at`` (and ignored by every
    query once expired, since TTL removal comes late)."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._views = db[PAGE_VIEWS]

    async def add(self, view: PageView, *, expires_at: datetime) -> None:
        document = encode(view, id_field=None)
        document["expires_at"] = expires_at
        await self._views.insert_one(document)

    async def count_visitors(self, site_id: SiteId, *, since: datetime, until: datetime) -> int:
        # Counted here rather than with distinct(): the date bounds are checked exactly in
        # Python (see dates.py), which needs each view's times.
        cursor = self._views.find(
            {"site_id": site_id, "viewed_at": between(since, until), "expires_at": after(until)},
            {"_id": 0, "visitor_id": 1, "viewed_at": 1, "expires_at": 1},
        )
        visitors = {
            document["visitor_id"]
            async for document in cursor
            if since < document["viewed_at"] <= until and document["expires_at"] > until
        }
        return len(visitors)

    async def newest(self, site_id: SiteId, *, now: datetime, limit: int) -> list[PageView]:
        views: list[PageView] = []
        if limit <= 0:
            return views
        cursor = self._views.find({"site_id": site_id, "expires_at": after(now)}, {"_id": 0}).sort("viewed_at", -1)
        try:
            async for document in cursor:
                if document.pop("expires_at") > now:
                    views.append(decode(document, PageView, id_field=None))
                    if len(views) == limit:
                        break
        finally:
            await cursor.close()
        return views

    async def for_visitor(self, site_id: SiteId, visitor_id: VisitorId, *, now: datetime, limit: int) -> list[PageView]:
        views: list[PageView] = []
        if limit <= 0:
            return views
        # The expiry is checked again exactly here (the filter's date bound is widened).
        query = {"site_id": site_id, "visitor_id": visitor_id, "expires_at": after(now)}
        cursor = self._views.find(query, {"_id": 0}).sort("viewed_at", -1)
        try:
            async for document in cursor:
                if document.pop("expires_at") > now:
                    views.append(decode(document, PageView, id_field=None))
                    if len(views) == limit:
                        break
        finally:
            await cursor.close()
        return views
