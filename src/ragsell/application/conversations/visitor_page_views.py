from ragsell.application.ports.repositories import PageViewRepository, SiteRepository
from ragsell.application.ports.system import Clock
from ragsell.application.sites.get_site import owned_site
from ragsell.domain.conversations import PageView
from ragsell.domain.ids import OwnerId, VisitorId

MAX_PAGE_VIEWS = 100


class VisitorPageViews:
    """The pages one visitor of the owner's site viewed, newest first (as long as raw page
    views are kept): shown beside the visitor's transcript."""

    def __init__(self, sites: SiteRepository, page_views: PageViewRepository, clock: Clock) -> None:
        self._sites = sites
        self._page_views = page_views
        self._clock = clock

    async def __call__(self, owner_id: OwnerId, site_id: str, visitor_id: str, *, limit: int = 50) -> list[PageView]:
        site = await owned_site(self._sites, owner_id, site_id)
        return await self._page_views.for_visitor(
            site.id, VisitorId(visitor_id), now=self._clock.now(), limit=max(1, min(limit, MAX_PAGE_VIEWS))
        )
