from datetime import datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from ragsell.adapters.mongo.codecs import utc_key
from ragsell.adapters.mongo.names import USAGE
from ragsell.adapters.mongo.removal import remove_found
from ragsell.application.ports.metering import UsageCount, UsageLedger
from ragsell.domain.ids import OwnerId, SiteId
from ragsell.domain.usage import Meter, fits

# How often a release retries when reservations keep moving the counter under it.
_RELEASE_ATTEMPTS = 5


def counter_id(owner_id: OwnerId, meter: Meter, period_start: datetime) -> str:
    return f"{owner_id}:{meter.value}:{utc_key(period_start)}"


def _site_field(site_id: SiteId) -> str:
    # Issued ids are url-safe base64; anything else could address another field.
    if not site_id or "." in site_id or site_id.startswith("$"):
        raise ValueError("Not a site id.")
    return f"by_site.{site_id}"


class MongoUsageLedger(UsageLedger):
    """One document per owner, meter and period: ``used`` in total and ``by_site.<id>``.

    A reservation is one ``find_one_and_update`` whose filter holds the limit
    (``used <= limit - amount``), so the store itself refuses a reservation that would
    pass it, however many app processes reserve at once. The first reservation of a
    period inserts the document; if another process inserted it first, the guarded
    update is tried once more.
    """

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._usage: AsyncCollection[dict[str, Any]] = db[USAGE]

    async def reserve(
        self,
        *,
        owner_id: OwnerId,
        site_id: SiteId | None,
        meter: Meter,
        period_start: datetime,
        amount: int,
        limit: int,
    ) -> bool:
        if not fits(used=0, amount=amount, limit=limit):
            return False
        key = counter_id(owner_id, meter, period_start)
        increment = {"used": amount}
        if site_id is not None:
            increment[_site_field(site_id)] = amount
        guarded = {"_id": key, "owner_id": owner_id, "used": {"$lte": limit - amount}}
        if await self._usage.find_one_and_update(guarded, {"$inc": increment}) is not None:
            return True
        try:
            await self._usage.insert_one(
                {
                    "_id": key,
                    "owner_id": owner_id,
                    "meter": meter.value,
                    "period_start": period_start,
                    "used": amount,
                    "by_site": {} if site_id is None else {site_id: amount},
                }
            )
            return True
        except DuplicateKeyError:
            # The counter exists: it was over the limit, or another process created it first.
            return await self._usage.find_one_and_update(guarded, {"$inc": increment}) is not None

    async def release(
        self, *, owner_id: OwnerId, site_id: SiteId | None, meter: Meter, period_start: datetime, amount: int
    ) -> None:
        if amount <= 0:
            return
        scope = {"_id": counter_id(owner_id, meter, period_start), "owner_id": owner_id}
        await self._decrement(scope, "used", amount)
        if site_id is not None:
            await self._decrement(scope, _site_field(site_id), amount)

    async def _decrement(self, scope: dict[str, Any], field: str, amount: int) -> None:
        """Take ``amount`` off ``field``, stopping at zero, without a read-then-write race."""
        for _ in range(_RELEASE_ATTEMPTS):
            taken = await self._usage.update_one({**scope, field: {"$gte": amount}}, {"$inc": {field: -amount}})
            if taken.matched_count:
                return
            cleared = await self._usage.update_one({**scope, field: {"$gt": 0, "$lt": amount}}, {"$set": {field: 0}})
            if cleared.matched_count:
                return
            # Neither matched: the counter is at zero (or absent), or a reservation raised it in between.
            document = await self._usage.find_one(scope)
            if document is None or _nested(document, field) <= 0:
                return

    async def used(self, owner_id: OwnerId, periods: dict[Meter, datetime]) -> dict[Meter, int]:
        keys = {counter_id(owner_id, meter, start): meter for meter, start in periods.items()}
        found = {meter: 0 for meter in periods}
        async for document in self._usage.find({"_id": {"$in": list(keys)}, "owner_id": owner_id}):
            found[keys[document["_id"]]] = int(document.get("used", 0))
        return found

    async def history(self, owner_id: OwnerId) -> list[UsageCount]:
        counts = [
            UsageCount(meter=Meter(document["meter"]), period_start=document["period_start"], used=document["used"])
            async for document in self._usage.find({"owner_id": owner_id})
            if document.get("used", 0) > 0
        ]
        return sorted(counts, key=lambda count: (count.period_start, count.meter.value))

    async def remove_owner(self, owner_id: OwnerId) -> int:
        return await remove_found(self._usage, {"owner_id": owner_id})

    async def used_by_site(self, owner_id: OwnerId, periods: dict[Meter, datetime]) -> dict[Meter, dict[SiteId, int]]:
        keys = {counter_id(owner_id, meter, start): meter for meter, start in periods.items()}
        found: dict[Meter, dict[SiteId, int]] = {meter: {} for meter in periods}
        async for document in self._usage.find({"_id": {"$in": list(keys)}, "owner_id": owner_id}):
            by_site = document.get("by_site") or {}
            found[keys[document["_id"]]] = {SiteId(site): int(used) for site, used in by_site.items()}
        return found


def _nested(document: dict[str, Any], dotted: str) -> int:
    value: Any = document
    for part in dotted.split("."):
        value = value.get(part, 0) if isinstance(value, dict) else 0
    return int(value)
