import msgspec

from ragsell.application.knowledge.indexing import ChunkIndexer, snippet_sections
from ragsell.application.ports.repositories import SiteRepository, SnippetRepository
from ragsell.application.ports.system import Clock, IdGenerator
from ragsell.application.sites.get_site import owned_site
from ragsell.domain.ids import OwnerId, SnippetId
from ragsell.domain.knowledge import ChunkSource, Snippet, SnippetKind


class AddSnippetCommand(msgspec.Struct, frozen=True, kw_only=True):
    owner_id: OwnerId
    site_id: str
    kind: SnippetKind
    title: str
    text: str
    question: str | None = None


class AddSnippet:
    """Owners teach the assistant what their pages do not say: a text, or a question and its answer."""

    def __init__(
        self, sites: SiteRepository, snippets: SnippetRepository, indexer: ChunkIndexer, clock: Clock, ids: IdGenerator
    ) -> None:
        self._sites = sites
        self._snippets = snippets
        self._indexer = indexer
        self._clock = clock
        self._ids = ids

    async def __call__(self, command: AddSnippetCommand) -> Snippet:
        site = await owned_site(self._sites, command.owner_id, command.site_id)
        question = " ".join(command.question.split()) if command.question is not None else None
        snippet = Snippet(
            id=SnippetId(self._ids.new_id()),
            site_id=site.id,
            kind=command.kind,
            title=" ".join(command.title.split()),
            question=question or None if command.kind is SnippetKind.QA else None,
            text=command.text.strip(),
            created_at=self._clock.now(),
        )
        # Embedded first: a snippet that cannot be searched is not added.
        await self._indexer.index(site.id, ChunkSource.SNIPPET, snippet.id, snippet.title, snippet_sections(snippet))
        try:
            await self._snippets.add(snippet)
        except BaseException:
            await self._indexer.remove(site.id, ChunkSource.SNIPPET, snippet.id)
            raise
        return snippet
