from ragsell.application.ports.repositories import DuplicateKey, SnippetRepository
from ragsell.domain.ids import SiteId, SnippetId
from ragsell.domain.knowledge import Snippet


class InMemorySnippetRepository(SnippetRepository):
    def __init__(self) -> None:
        self._snippets: dict[SnippetId, Snippet] = {}

    async def add(self, snippet: Snippet) -> None:
        if snippet.id in self._snippets:
            raise DuplicateKey("id")
        self._snippets[snippet.id] = snippet

    async def list_for_site(self, site_id: SiteId) -> list[Snippet]:
        found = [snippet for snippet in self._snippets.values() if snippet.site_id == site_id]
        return sorted(found, key=lambda snippet: (snippet.created_at, snippet.id))

    async def remove(self, site_id: SiteId, snippet_id: SnippetId) -> bool:
        snippet = self._snippets.get(snippet_id)
        if snippet is None or snippet.site_id != site_id:
            return False
        del self._snippets[snippet_id]
        return True

    async def erase_site(self, site_id: SiteId) -> None:
        for snippet in await self.list_for_site(site_id):
            del self._snippets[snippet.id]
