from ragsell.application.ports.repositories import DuplicateKey, SiteRepository
from ragsell.domain.ids import OwnerId, SiteId, WidgetKey
from ragsell.domain.sites import Site


class InMemorySiteRepository(SiteRepository):
    def __init__(self) -> None:
        self._sites: dict[SiteId, Site] = {}
        self._suspended: set[SiteId] = set()

    async def add(self, site: Site) -> None:
        if site.id in self._sites or self._holder(site.widget_key) is not None:
            raise DuplicateKey("widget_key")
        self._sites[site.id] = site

    async def get(self, owner_id: OwnerId, site_id: SiteId) -> Site | None:
        site = self._sites.get(site_id)
        return site if site is not None and site.owner_id == owner_id else None

    async def get_for_operator(self, site_id: SiteId) -> Site | None:
        return self._sites.get(site_id)

    async def by_widget_key(self, widget_key: WidgetKey) -> Site | None:
        site = self._holder(widget_key)
        return None if site is None or site.id in self._suspended else site

    def _holder(self, widget_key: WidgetKey) -> Site | None:
        return next((site for site in self._sites.values() if site.widget_key == widget_key), None)

    async def list_for_owner(self, owner_id: OwnerId) -> list[Site]:
        owned = [site for site in self._sites.values() if site.owner_id == owner_id]
        return sorted(owned, key=lambda site: (site.created_at, site.id))

    async def list_for_operator(self) -> list[Site]:
        return sorted(self._sites.values(), key=lambda site: (site.created_at, site.id))

    async def suspend_for_owner(self, owner_id: OwnerId) -> int:
        owned = {site.id for site in self._sites.values() if site.owner_id == owner_id}
        self._suspended |= owned
        return len(owned)

    async def replace(self, site: Site) -> bool:
        if await self.get(site.owner_id, site.id) is None:
            return False
        holder = self._holder(site.widget_key)
        if holder is not None and holder.id != site.id:
            raise DuplicateKey("widget_key")
        self._sites[site.id] = site
        return True

    async def remove(self, owner_id: OwnerId, site_id: SiteId) -> bool:
        if await self.get(owner_id, site_id) is None:
            return False
        del self._sites[site_id]
        self._suspended.discard(site_id)
        return True
