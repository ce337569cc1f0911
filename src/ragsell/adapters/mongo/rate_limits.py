from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from ragsell.adapters.mongo.codecs import utc_key
from ragsell.adapters.mongo.dates import at_or_before
from ragsell.adapters.mongo.names import RATE_LIMITS
from ragsell.adapters.mongo.removal import remove_found
from ragsell.adapters.windows import names_subjects, retry_after, window_start
from ragsell.application.ports.metering import RateDecision, RateLimiter

# A window document is created at most this often per hit (insert lost to a concurrent one).
_ATTEMPTS = 3
# Windows this process has counted in, remembered so their next hit goes straight to $inc.
_REMEMBERED_WINDOWS = 50_000


class MongoRateLimiter(RateLimiter):
    """Fixed windows: one document per key and window, counted with ``$inc`` and removed
    by a TTL index once the window has ended.

    A hit is one round trip to the store: a window this process has not counted in yet is
    most likely new (most visitors send one page view a minute), so it is inserted first;
    one it has counted in is incremented first. Either guess, when wrong, costs one more."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._windows = db[RATE_LIMITS]
        self._counted: OrderedDict[str, None] = OrderedDict()

    async def hit(self, key: str, *, limit: int, window: timedelta, now: datetime) -> RateDecision:
        start = window_start(now, window)
        # The window length is part of the id: two rules sharing a key must not share a count.
        window_id = f"{key}|{int(window.total_seconds())}|{utc_key(start)}"
        count = await self._count(window_id, now=now, ends=start + window)
        self._remember(window_id)
        if count <= limit:
            return RateDecision(allowed=True, retry_after_seconds=0)
        return RateDecision(allowed=False, retry_after_seconds=retry_after(now, start, window))

    async def _count(self, window_id: str, *, now: datetime, ends: datetime) -> int:
        if window_id not in self._counted and await self._opened(window_id, ends):
            return 1
        for _ in range(_ATTEMPTS):
            counted = await self._windows.find_one_and_update(
                {"_id": window_id, "expires_at": {"$gt": now}},
                {"$inc": {"count": 1}},
                return_document=ReturnDocument.AFTER,
            )
            if counted is not None:
                return int(counted["count"])
            if await self._opened(window_id, ends):
                return 1
        raise RuntimeError("The rate-limit window could not be counted.")

    async def _opened(self, window_id: str, ends: datetime) -> bool:
        """Whether this hit created the window (counting itself); False when it exists."""
        try:
            # Not an upsert: nx-27017 ignores $setOnInsert in find_one_and_update upserts.
            await self._windows.insert_one({"_id": window_id, "count": 1, "expires_at": ends})
        except DuplicateKeyError:
            return False
        return True

    def _remember(self, window_id: str) -> None:
        self._counted[window_id] = None
        self._counted.move_to_end(window_id)
        if len(self._counted) > _REMEMBERED_WINDOWS:
            self._counted.popitem(last=False)

    async def forget(self, *subjects: str, dry_run: bool = False) -> int:
        # Window ids are "<key>|<seconds>|<start>", so the key's parts are parts of the id.
        # Only live windows are kept, so reading every id is cheap.
        return await remove_found(
            self._windows, {}, select=lambda document: names_subjects(document["_id"], subjects), dry_run=dry_run
        )

    async def purge_expired(self, now: datetime, *, dry_run: bool = False) -> int:
        return await remove_found(
            self._windows,
            {"expires_at": at_or_before(now)},
            select=lambda document: document["expires_at"] <= now,
            fields=("expires_at",),
            dry_run=dry_run,
        )
