from ragsell.application.errors import NotFound
from ragsell.application.knowledge.indexing import ChunkIndexer
from ragsell.application.ports.repositories import SiteRepository, SnippetRepository
from ragsell.application.sites.get_site import owned_site
from ragsell.domain.ids import OwnerId, SnippetId
from ragsell.domain.knowledge import ChunkSource


class DeleteSnippet:
    def __init__(self, sites: SiteRepository, snippets: SnippetRepository, indexer: ChunkIndexer) -> None:
        self._sites = sites
        self._snippets = snippets
        self._indexer = indexer

    async def __call__(self, owner_id: OwnerId, site_id: str, snippet_id: str) -> None:
        site = await owned_site(self._sites, owner_id, site_id)
        if not await self._snippets.remove(site.id, SnippetId(snippet_id)):
            raise NotFound("There is no such snippet.")
        await self._indexer.remove(site.id, ChunkSource.SNIPPET, snippet_id)
