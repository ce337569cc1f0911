from ragsell.application.ports.repositories import PageRepository, SiteRepository
from ragsell.application.sites.get_site import owned_site
from ragsell.domain.ids import OwnerId
from ragsell.domain.knowledge import Page

MAX_PAGE_SIZE = 200


class ListPages:
    """Every URL the last crawls met, with its outcome, in URL order."""

    def __init__(self, sites: SiteRepository, pages: PageRepository) -> None:
        self._sites = sites
        self._pages = pages

    async def __call__(
        self, owner_id: OwnerId, site_id: str, *, after_url: str | None = None, limit: int = 50
    ) -> list[Page]:
        site = await owned_site(self._sites, owner_id, site_id)
        return await self._pages.list_for_site(site.id, after_url=after_url, limit=max(1, min(limit, MAX_PAGE_SIZE)))
