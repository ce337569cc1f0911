import msgspec

from ragsell.application.ports.repositories import LeadRepository, ListCursor, SiteRepository
from ragsell.application.sites.get_site import owned_site
from ragsell.domain.ids import OwnerId
from ragsell.domain.leads import Lead
from ragsell.domain.sites import Site

MAX_ROWS = 50_000
_BATCH = 500


class LeadExport(msgspec.Struct, frozen=True, kw_only=True):
    site: Site
    # Newest first.
    leads: list[Lead]
    # The site has more than MAX_ROWS leads: the oldest were left out.
    truncated: bool


class ExportLeads:
    """Every lead of a site (up to MAX_ROWS), for a spreadsheet."""

    def __init__(self, sites: SiteRepository, leads: LeadRepository) -> None:
        self._sites = sites
        self._leads = leads

    async def __call__(self, owner_id: OwnerId, site_id: str) -> LeadExport:
        site = await owned_site(self._sites, owner_id, site_id)
        found: list[Lead] = []
        cursor: ListCursor | None = None
        while len(found) <= MAX_ROWS:
            batch = await self._leads.list_for_site(site.id, before=cursor, limit=_BATCH)
            found.extend(batch)
            if len(batch) < _BATCH:
                break
            cursor = ListCursor(at=batch[-1].created_at, id=batch[-1].id)
        return LeadExport(site=site, leads=found[:MAX_ROWS], truncated=len(found) > MAX_ROWS)
