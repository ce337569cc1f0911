from ragsell.application.errors import NotFound
from ragsell.application.ports.repositories import SiteRepository
from ragsell.domain.ids import OwnerId, SiteId
from ragsell.domain.sites import Site


async def owned_site(sites: SiteRepository, owner_id: OwnerId, site_id: str) -> Site:
    """The owner's site, or NotFound: another owner's site looks exactly like a missing one."""
    site = await sites.get(owner_id, SiteId(site_id))
    if site is None:
        raise NotFound("There is no such site.")
    return site


class GetSite:
    def __init__(self, sites: SiteRepository) -> None:
        self._sites = sites

    async def __call__(self, owner_id: OwnerId, site_id: str) -> Site:
        return await owned_site(self._sites, owner_id, site_id)
