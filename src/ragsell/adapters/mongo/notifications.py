"""Lead notifications in the ``lead_notifications`` collection: a job queue like the
crawl jobs' (see jobs.py), and the delivery log the dashboard shows.

Notifications hold dates (run after, lease, last attempt, finish), which nx-27017
corrupts when update operators write them, so every change replaces the whole document,
guarded by its revision ``_rev``: a claim or a settle goes through only if nobody changed
the notification since it was read. Date filters are widened by a second and checked
exactly in Python (see dates.py).
"""

from collections.abc import AsyncIterator
from contextlib import aclosing
from datetime import datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from ragsell.adapters.mongo.codecs import Document, decode, encode
from ragsell.adapters.mongo.dates import at_or_before, first_kept
from ragsell.adapters.mongo.errors import duplicate_key
from ragsell.adapters.mongo.leases import claim_candidates
from ragsell.adapters.mongo.names import NOTIFICATIONS
from ragsell.application.ports.notifications import NotificationQueue
from ragsell.application.ports.repositories import ListCursor
from ragsell.domain.ids import SiteId
from ragsell.domain.notifications import DeliveryState, LeadNotification

_REVISION = "_rev"


def _document(notification: LeadNotification, revision: int) -> Document:
    return {**encode(notification), _REVISION: revision}


def _notification(document: Document) -> LeadNotification:
    fields = dict(document)
    fields.pop(_REVISION, None)
    return decode(fields, LeadNotification)


class MongoNotificationQueue(NotificationQueue):
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._notifications = db[NOTIFICATIONS]

    async def add(self, notification: LeadNotification) -> None:
        with duplicate_key("id"):
            await self._notifications.insert_one(_document(notification, 0))

    async def claim(self, *, worker: str, now: datetime, lease: timedelta) -> LeadNotification | None:
        async with aclosing(self._candidates(now)) as candidates:
            async for document in candidates:
                notification = _notification(document)
                if not notification.claimable(now):
                    continue
                claimed = notification.claimed(worker=worker, now=now, lease=lease)
                if await self._replace(document, claimed):
                    return claimed
                # Another worker got there first: the next one.
        return None

    def _candidates(self, now: datetime) -> AsyncIterator[Document]:
        return claim_candidates(
            self._notifications,
            queued=DeliveryState.QUEUED.value,
            running=DeliveryState.SENDING.value,
            now=now,
        )

    async def _replace(self, document: Document, notification: LeadNotification) -> bool:
        """Store ``notification`` over ``document`` unless the document changed since it was read."""
        revision = document.get(_REVISION, 0)
        replaced = await self._notifications.replace_one(
            {"_id": notification.id, _REVISION: revision}, _document(notification, revision + 1)
        )
        return replaced.matched_count == 1

    async def settle(self, notification: LeadNotification, *, worker: str) -> bool:
        document = await self._notifications.find_one({"_id": notification.id, "site_id": notification.site_id})
        if document is None:
            return False
        held = _notification(document)
        if held.state is not DeliveryState.SENDING or held.worker != worker:
            return False
        # Only a claim by another worker (after this one's lease ran out) changes it meanwhile.
        return await self._replace(document, notification)

    async def list_for_site(self, site_id: SiteId, *, before: ListCursor | None, limit: int) -> list[LeadNotification]:
        if limit <= 0:
            return []
        query: dict[str, Any] = {"site_id": site_id}
        if before is not None:
            query["created_at"] = at_or_before(before.at)
        cursor = self._notifications.find(query).sort([("created_at", -1), ("_id", -1)]).batch_size(limit + 10)
        return await first_kept(
            cursor,
            decode=_notification,
            keep=lambda notification: before is None or before.admits(notification.created_at, notification.id),
            limit=limit,
        )
