from ragsell.application.knowledge.crawl_site import all_pages
from ragsell.application.ports.repositories import PageRepository, SiteDataEraser, SiteRepository
from ragsell.application.sites.get_site import owned_site
from ragsell.application.usage.quota import Quota
from ragsell.domain.ids import OwnerId
from ragsell.domain.usage import Meter


class DeleteSite:
    """Removes a site with everything stored under it, and frees its places in the plan
    (the site itself and its indexed pages)."""

    def __init__(self, sites: SiteRepository, pages: PageRepository, eraser: SiteDataEraser, quota: Quota) -> None:
        self._sites = sites
        self._pages = pages
        self._eraser = eraser
        self._quota = quota

    async def __call__(self, owner_id: OwnerId, site_id: str) -> None:
        site = await owned_site(self._sites, owner_id, site_id)
        indexed = sum([1 async for page in all_pages(self._pages, site.id) if page.outcome.keeps_content])
        await self._eraser.erase_site(site.id)
        if await self._sites.remove(owner_id, site.id):
            await self._quota.release_held(owner_id=owner_id, site_id=site.id, meter=Meter.SITES, amount=1)
            await self._quota.release_held(owner_id=owner_id, site_id=site.id, meter=Meter.PAGES, amount=indexed)
