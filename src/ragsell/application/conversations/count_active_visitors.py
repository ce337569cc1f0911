from ragsell.application.ports.repositories import PageViewRepository, SiteRepository
from ragsell.application.ports.system import Clock
from ragsell.application.sites.get_site import owned_site
from ragsell.domain.conversations import ACTIVE_WINDOW
from ragsell.domain.ids import OwnerId


class CountActiveVisitors:
    """Visitors "active now": distinct visitors with a page view within the last few minutes."""

    def __init__(self, sites: SiteRepository, page_views: PageViewRepository, clock: Clock) -> None:
        self._sites = sites
        self._page_views = page_views
        self._clock = clock

    async def __call__(self, owner_id: OwnerId, site_id: str) -> int:
        site = await owned_site(self._sites, owner_id, site_id)
        now = self._clock.now()
        return await self._page_views.count_visitors(site.id, since=now - ACTIVE_WINDOW, until=now)
