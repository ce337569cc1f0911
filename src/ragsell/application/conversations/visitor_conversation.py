import msgspec

from ragsell.application.errors import NotFound
from ragsell.application.ports.repositories import ConversationRepository, SiteRepository
from ragsell.application.widget_access import OwnOrigin, site_for_widget
from ragsell.domain.conversations import Conversation, Message
from ragsell.domain.ids import ConversationId, visitor_id
from ragsell.domain.sites import Site


class VisitorConversationQuery(msgspec.Struct, frozen=True, kw_only=True):
    widget_key: str
    origin: str | None
    visitor_id: str
    conversation_id: str


async def visitors_conversation(
    sites: SiteRepository, own: OwnOrigin, conversations: ConversationRepository, query: VisitorConversationQuery
) -> tuple[Site, Conversation]:
    """The conversation, only for the site whose widget asks and the visitor who holds it."""
    visitor = visitor_id(query.visitor_id)
    site = await site_for_widget(sites, own, query.widget_key, query.origin)
    conversation = await conversations.get(site.id, ConversationId(query.conversation_id))
    if conversation is None or conversation.visitor_id != visitor:
        raise NotFound("There is no such conversation.")
    return site, conversation


class VisitorConversation:
    """A visitor's own conversation, for the widget to show again after a reload."""

    def __init__(self, sites: SiteRepository, own: OwnOrigin, conversations: ConversationRepository) -> None:
        self._sites = sites
        self._own = own
        self._conversations = conversations

    async def __call__(self, query: VisitorConversationQuery) -> list[Message]:
        site, conversation = await visitors_conversation(self._sites, self._own, self._conversations, query)
        return await self._conversations.messages(site.id, conversation.id)
