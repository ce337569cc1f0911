import msgspec

from ragsell.application.errors import NotFound
from ragsell.application.ports.repositories import ConversationRepository, ListCursor, SiteRepository
from ragsell.application.sites.get_site import owned_site
from ragsell.domain.conversations import Conversation, Message
from ragsell.domain.errors import InvalidValue
from ragsell.domain.ids import ConversationId, OwnerId

MAX_PAGE_SIZE = 100


class Transcript(msgspec.Struct, frozen=True, kw_only=True):
    conversation: Conversation
    messages: list[Message]


class ListConversations:
    def __init__(self, sites: SiteRepository, conversations: ConversationRepository) -> None:
        self._sites = sites
        self._conversations = conversations

    async def __call__(
        self, owner_id: OwnerId, site_id: str, *, before: ListCursor | None = None, limit: int = 50
    ) -> list[Conversation]:
        site = await owned_site(self._sites, owner_id, site_id)
        return await self._conversations.list_for_site(site.id, before=before, limit=max(1, min(limit, MAX_PAGE_SIZE)))


MIN_SEARCH_LENGTH = 2
MAX_SEARCH_LENGTH = 100


class SearchConversations:
    """The site's conversations in which the visitor or the assistant said ``text``."""

    def __init__(self, sites: SiteRepository, conversations: ConversationRepository) -> None:
        self._sites = sites
        self._conversations = conversations

    async def __call__(self, owner_id: OwnerId, site_id: str, text: str, *, limit: int = 50) -> list[Conversation]:
        site = await owned_site(self._sites, owner_id, site_id)
        wanted = " ".join(text.split())
        if not MIN_SEARCH_LENGTH <= len(wanted) <= MAX_SEARCH_LENGTH:
            raise InvalidValue(f"Search for {MIN_SEARCH_LENGTH} to {MAX_SEARCH_LENGTH} characters.", field="q")
        return await self._conversations.search(site.id, wanted, limit=max(1, min(limit, MAX_PAGE_SIZE)))


class GetTranscript:
    def __init__(self, sites: SiteRepository, conversations: ConversationRepository) -> None:
        self._sites = sites
        self._conversations = conversations

    async def __call__(self, owner_id: OwnerId, site_id: str, conversation_id: str) -> Transcript:
        site = await owned_site(self._sites, owner_id, site_id)
        conversation = await self._conversations.get(site.id, ConversationId(conversation_id))
        if conversation is None:
            raise NotFound("There is no such conversation.")
        return Transcript(
            conversation=conversation, messages=await self._conversations.messages(site.id, conversation.id)
        )
