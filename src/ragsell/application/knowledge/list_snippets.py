from ragsell.application.ports.repositories import SiteRepository, SnippetRepository
from ragsell.application.sites.get_site import owned_site
from ragsell.domain.ids import OwnerId
from ragsell.domain.knowledge import Snippet


class ListSnippets:
    def __init__(self, sites: SiteRepository, snippets: SnippetRepository) -> None:
        self._sites = sites
        self._snippets = snippets

    async def __call__(self, owner_id: OwnerId, site_id: str) -> list[Snippet]:
        site = await owned_site(self._sites, owner_id, site_id)
        return await self._snippets.list_for_site(site.id)
