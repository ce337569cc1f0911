from ragsell.application.ports.repositories import SiteRepository
from ragsell.domain.ids import OwnerId
from ragsell.domain.sites import Site


class ListSites:
    def __init__(self, sites: SiteRepository) -> None:
        self._sites = sites

    async def __call__(self, owner_id: OwnerId) -> list[Site]:
        return await self._sites.list_for_owner(owner_id)
