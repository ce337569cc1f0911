from datetime import date, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ClientBulkWriteException, DuplicateKeyError, InvalidOperation
from pymongo.operations import InsertOne, UpdateOne

from ragsell.adapters.mongo.codecs import decode, encode
from ragsell.adapters.mongo.dates import after, at_or_before, between
from ragsell.adapters.mongo.names import PAGE_VIEW_DAYS, PAGE_VIEWS
from ragsell.adapters.mongo.removal import remove_found
from ragsell.application.ports.repositories import PageViewRepository
from ragsell.domain.conversations import DailyPageViews, PageView, view_day
from ragsell.domain.ids import SiteId, VisitorId

_COUNT = {"$inc": {"views": 1}}
_DUPLICATE_KEY = 11000


def _lost_counter_race(error: ClientBulkWriteException) -> bool:
    """Whether the only failure was the day counter's upsert losing a race to insert it
    (MongoDB upserts can), after the view went in."""
    failures = error.write_errors or []
    return (
        bool(failures)
        and error.error is None
        and all(failure.get("idx") == 1 and failure.get("code") == _DUPLICATE_KEY for failure in failures)
    )


class MongoPageViewRepository(PageViewRepository):
    """Raw page views, removed by a TTL index on ``expires_at`` (and ignored by every
    query once expired, since TTL removal comes late), and their counts per site and UTC
    day in ``page_view_days`` (the day an ISO date string), which stay."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._client = db.client
        self._views = db[PAGE_VIEWS]
        self._days = db[PAGE_VIEW_DAYS]
        # MongoDB 8 (and nx-27017) write to two collections in one round trip; older
        # servers take two.
        self._one_round_trip = True

    async def add(self, view: PageView, *, expires_at: datetime) -> None:
        document = encode(view, id_field=None)
        document["expires_at"] = expires_at
        day = view_day(view.viewed_at).isoformat()
        counter = {"_id": f"{view.site_id}\n{day}", "site_id": view.site_id, "day": day}
        if self._one_round_trip:
            try:
                await self._client.bulk_write(
                    [
                        InsertOne(namespace=self._views.full_name, document=document),
                        UpdateOne(namespace=self._days.full_name, filter=counter, update=_COUNT, upsert=True),
                    ]
                )
                return
            except ClientBulkWriteException as error:
                if not _lost_counter_race(error):
                    raise
                # The view is in; the day's first views raced to insert its counter: it exists now.
                await self._days.update_one(counter, _COUNT)
                return
            except InvalidOperation:
                self._one_round_trip = False
        await self._views.insert_one(document)
        try:
            await self._days.update_one(counter, _COUNT, upsert=True)
        except DuplicateKeyError:
            await self._days.update_one(counter, _COUNT)

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

    async def daily_counts(self, site_id: SiteId, *, since: date, until: date) -> list[DailyPageViews]:
        cursor = self._days.find({"site_id": site_id, "day": {"$gte": since.isoformat(), "$lte": until.isoformat()}})
        return [
            DailyPageViews(site_id=site_id, day=date.fromisoformat(document["day"]), views=int(document["views"]))
            async for document in cursor.sort("day", 1)
        ]

    async def remove_for_visitor(self, site_id: SiteId, visitor_id: VisitorId) -> int:
        return await remove_found(self._views, {"site_id": site_id, "visitor_id": visitor_id})

    async def purge_expired(self, now: datetime, *, dry_run: bool = False) -> int:
        return await remove_found(
            self._views,
            {"expires_at": at_or_before(now)},
            select=lambda document: document["expires_at"] <= now,
            fields=("expires_at",),
            dry_run=dry_run,
        )

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
