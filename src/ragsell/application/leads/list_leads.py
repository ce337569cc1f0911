from ragsell.application.ports.repositories import LeadRepository, ListCursor, SiteRepository
from ragsell.application.sites.get_site import owned_site
from ragsell.domain.ids import OwnerId
from ragsell.domain.leads import Lead

MAX_PAGE_SIZE = 100


class ListLeads:
    def __init__(self, sites: SiteRepository, leads: LeadRepository) -> None:
        self._sites = sites
        self._leads = leads

    async def __call__(
        self, owner_id: OwnerId, site_id: str, *, before: ListCursor | None = None, limit: int = 50
    ) -> list[Lead]:
        site = await owned_site(self._sites, owner_id, site_id)
        return await self._leads.list_for_site(site.id, before=before, limit=max(1, min(limit, MAX_PAGE_SIZE)))
