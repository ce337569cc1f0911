from ragsell.adapters.memory.conversations import InMemoryConversationRepository
from ragsell.adapters.memory.jobs import InMemoryJobQueue
from ragsell.adapters.memory.knowledge import InMemoryChunkRepository, InMemoryPageRepository
from ragsell.adapters.memory.leads import InMemoryLeadRepository
from ragsell.adapters.memory.notifications import InMemoryNotificationQueue
from ragsell.adapters.memory.page_views import InMemoryPageViewRepository
from ragsell.adapters.memory.snippets import InMemorySnippetRepository
from ragsell.application.ports.repositories import SiteDataEraser
from ragsell.domain.ids import SiteId


class InMemorySiteDataEraser(SiteDataEraser):
    def __init__(
        self,
        snippets: InMemorySnippetRepository,
        conversations: InMemoryConversationRepository,
        page_views: InMemoryPageViewRepository,
        leads: InMemoryLeadRepository,
        pages: InMemoryPageRepository,
        chunks: InMemoryChunkRepository,
        jobs: InMemoryJobQueue,
        notifications: InMemoryNotificationQueue,
    ) -> None:
        self._stores = (snippets, conversations, page_views, leads, pages, chunks, jobs, notifications)

    async def erase_site(self, site_id: SiteId) -> None:
        for store in self._stores:
            await store.erase_site(site_id)
