from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from ragsell.adapters.mongo.codecs import decode, encode
from ragsell.adapters.mongo.errors import duplicate_key
from ragsell.adapters.mongo.names import SITES
from ragsell.application.ports.repositories import SiteRepository
from ragsell.domain.ids import OwnerId, SiteId, WidgetKey
from ragsell.domain.sites import Site

# Set on the sites of a closed account: the widget key finds them no more.
SUSPENDED = "suspended"


class MongoSiteRepository(SiteRepository):
    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._sites = db[SITES]

    async def add(self, site: Site) -> None:
        with duplicate_key("widget_key"):
            await self._sites.insert_one(encode(site))

    async def get(self, owner_id: OwnerId, site_id: SiteId) -> Site | None:
        document = await self._sites.find_one({"_id": site_id, "owner_id": owner_id})
        return None if document is None else decode(document, Site)

    async def get_for_operator(self, site_id: SiteId) -> Site | None:
        document = await self._sites.find_one({"_id": site_id})
        return None if document is None else decode(document, Site)

    async def by_widget_key(self, widget_key: WidgetKey) -> Site | None:
        # The widget key is the site's public identifier: it is the scope here.
        document = await self._sites.find_one({"widget_key": widget_key})
        return None if document is None or SUSPENDED in document else decode(document, Site)

    async def list_for_owner(self, owner_id: OwnerId) -> list[Site]:
        cursor = self._sites.find({"owner_id": owner_id}).sort([("created_at", 1), ("_id", 1)])
        return [decode(document, Site) async for document in cursor]

    async def list_for_operator(self) -> list[Site]:
        cursor = self._sites.find({}).sort([("created_at", 1), ("_id", 1)])
        return [decode(document, Site) async for document in cursor]

    async def suspend_for_owner(self, owner_id: OwnerId) -> int:
        # A string set alone, by _id (nx-27017 scans for writes filtered otherwise).
        sites = await self.list_for_owner(owner_id)
        for site in sites:
            scope = {"_id": site.id, "owner_id": owner_id}
            await self._sites.update_one(scope, {"$set": {SUSPENDED: "account_closed"}})
        return len(sites)

    async def replace(self, site: Site) -> bool:
        with duplicate_key("widget_key"):
            result = await self._sites.replace_one({"_id": site.id, "owner_id": site.owner_id}, encode(site))
        return result.matched_count == 1

    async def remove(self, owner_id: OwnerId, site_id: SiteId) -> bool:
        return (await self._sites.delete_one({"_id": site_id, "owner_id": owner_id})).deleted_count == 1
