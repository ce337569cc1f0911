from ragsell.application.errors import NotFound
from ragsell.application.ports.repositories import LeadRepository, SiteRepository
from ragsell.application.sites.get_site import owned_site
from ragsell.domain.ids import LeadId, OwnerId
from ragsell.domain.leads import LeadStatus


class SetLeadStatus:
    def __init__(self, sites: SiteRepository, leads: LeadRepository) -> None:
        self._sites = sites
        self._leads = leads

    async def __call__(self, owner_id: OwnerId, site_id: str, lead_id: str, status: LeadStatus) -> None:
        site = await owned_site(self._sites, owner_id, site_id)
        if not await self._leads.set_status(site.id, LeadId(lead_id), status):
            raise NotFound("There is no such lead.")
