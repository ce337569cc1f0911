"""Sites by widget key, remembered for a moment.

Every widget request starts by finding its site by the public widget key: on a busy
site that is most of the store's work. Each process remembers the answer (found or not)
for a couple of seconds; a change made through this process is seen at once, a change
made through another process within ``ttl_seconds``.
"""

import time
from collections import OrderedDict

from ragsell.application.ports.repositories import SiteRepository
from ragsell.domain.ids import OwnerId, SiteId, WidgetKey
from ragsell.domain.sites import Site

TTL_SECONDS = 2.0
MAX_ENTRIES = 10_000


class CachedSiteRepository(SiteRepository):
    def __init__(self, inner: SiteRepository, *, ttl_seconds: float = TTL_SECONDS) -> None:
        self._inner = inner
        self._ttl = ttl_seconds
        self._by_key: OrderedDict[WidgetKey, tuple[float, Site | None]] = OrderedDict()

    async def by_widget_key(self, widget_key: WidgetKey) -> Site | None:
        now = time.monotonic()
        cached = self._by_key.get(widget_key)
        if cached is not None and cached[0] > now:
            return cached[1]
        site = await self._inner.by_widget_key(widget_key)
        self._by_key[widget_key] = (now + self._ttl, site)
        self._by_key.move_to_end(widget_key)
        while len(self._by_key) > MAX_ENTRIES:
            self._by_key.popitem(last=False)
        return site

    def _forget(self, widget_key: WidgetKey) -> None:
        self._by_key.pop(widget_key, None)

    async def add(self, site: Site) -> None:
        self._forget(site.widget_key)
        await self._inner.add(site)

    async def replace(self, site: Site) -> bool:
        self._forget(site.widget_key)
        return await self._inner.replace(site)

    async def remove(self, owner_id: OwnerId, site_id: SiteId) -> bool:
        site = await self._inner.get(owner_id, site_id)
        if site is not None:
            self._forget(site.widget_key)
        return await self._inner.remove(owner_id, site_id)

    async def get(self, owner_id: OwnerId, site_id: SiteId) -> Site | None:
        return await self._inner.get(owner_id, site_id)

    async def get_for_operator(self, site_id: SiteId) -> Site | None:
        return await self._inner.get_for_operator(site_id)

    async def list_for_owner(self, owner_id: OwnerId) -> list[Site]:
        return await self._inner.list_for_owner(owner_id)

    async def list_for_operator(self) -> list[Site]:
        return await self._inner.list_for_operator()

    async def suspend_for_owner(self, owner_id: OwnerId) -> int:
        for site in await self._inner.list_for_owner(owner_id):
            self._forget(site.widget_key)
        return await self._inner.suspend_for_owner(owner_id)
