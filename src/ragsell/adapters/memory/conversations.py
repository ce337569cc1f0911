from datetime import datetime

import msgspec

from ragsell.application.ports.repositories import ConversationRepository, DuplicateKey, ListCursor
from ragsell.domain.conversations import Conversation, Feedback, Message, Role
from ragsell.domain.ids import ClientMessageId, ConversationId, MessageId, SiteId, VisitorId
from ragsell.domain.mentions import Mention


class InMemoryConversationRepository(ConversationRepository):
    def __init__(self) -> None:
        self._conversations: dict[ConversationId, Conversation] = {}
        self._messages: dict[ConversationId, list[Message]] = {}

    async def add(self, conversation: Conversation) -> None:
        if conversation.id in self._conversations:
            raise DuplicateKey("id")
        self._conversations[conversation.id] = conversation
        self._messages[conversation.id] = []

    async def search(self, site_id: SiteId, text: str, *, limit: int) -> list[Conversation]:
        wanted = text.casefold()
        found = [
            conversation
            for conversation in self._conversations.values()
            if conversation.site_id == site_id
            and any(wanted in message.text.casefold() for message in self._messages[conversation.id])
        ]
        found.sort(key=lambda conversation: (conversation.last_message_at, conversation.id), reverse=True)
        return found[: max(limit, 0)]

    async def get(self, site_id: SiteId, conversation_id: ConversationId) -> Conversation | None:
        conversation = self._conversations.get(conversation_id)
        return conversation if conversation is not None and conversation.site_id == site_id else None

    async def list_for_site(self, site_id: SiteId, *, before: ListCursor | None, limit: int) -> list[Conversation]:
        found = [
            conversation
            for conversation in self._conversations.values()
            if conversation.site_id == site_id
            and (before is None or before.admits(conversation.last_message_at, conversation.id))
        ]
        found.sort(key=lambda conversation: (conversation.last_message_at, conversation.id), reverse=True)
        return found[: max(limit, 0)]

    async def add_message(self, message: Message) -> None:
        conversation = await self.get(message.site_id, message.conversation_id)
        if conversation is None:
            raise LookupError("no such conversation")
        existing = await self.message_by_client_id(
            message.site_id, message.conversation_id, message.client_message_id, message.role
        )
        if existing is not None:
            raise DuplicateKey("client_message_id")
        self._messages[conversation.id].append(message)
        self._conversations[conversation.id] = msgspec.structs.replace(
            conversation, last_message_at=max(conversation.last_message_at, message.created_at)
        )

    async def message_by_client_id(
        self, site_id: SiteId, conversation_id: ConversationId, client_message_id: ClientMessageId, role: Role
    ) -> Message | None:
        return next(
            (
                message
                for message in await self.messages(site_id, conversation_id)
                if message.client_message_id == client_message_id and message.role == role
            ),
            None,
        )

    async def messages(self, site_id: SiteId, conversation_id: ConversationId) -> list[Message]:
        if await self.get(site_id, conversation_id) is None:
            return []
        return sorted(
            self._messages[conversation_id],
            key=lambda message: (message.created_at, message.role != Role.VISITOR, message.id),
        )

    async def set_feedback(
        self, site_id: SiteId, conversation_id: ConversationId, message_id: MessageId, feedback: Feedback
    ) -> bool:
        if await self.get(site_id, conversation_id) is None:
            return False
        messages = self._messages[conversation_id]
        for index, message in enumerate(messages):
            if message.id == message_id and message.role is Role.ASSISTANT:
                messages[index] = msgspec.structs.replace(message, feedback=feedback)
                return True
        return False

    async def started_between(
        self, site_id: SiteId, *, since: datetime, until: datetime, limit: int
    ) -> list[Conversation]:
        found = [c for c in self._conversations.values() if c.site_id == site_id and since <= c.started_at <= until]
        found.sort(key=lambda conversation: (conversation.started_at, conversation.id), reverse=True)
        return found[: max(limit, 0)]

    async def messages_between(self, site_id: SiteId, *, since: datetime, until: datetime, limit: int) -> list[Message]:
        found = [
            message
            for conversation_id, messages in self._messages.items()
            if self._conversations[conversation_id].site_id == site_id
            for message in messages
            if since <= message.created_at <= until
        ]
        found.sort(key=lambda message: (message.created_at, message.id), reverse=True)
        return found[: max(limit, 0)]

    async def list_for_visitor(self, site_id: SiteId, visitor_id: VisitorId) -> list[Conversation]:
        found = [c for c in self._conversations.values() if c.site_id == site_id and c.visitor_id == visitor_id]
        return sorted(found, key=lambda conversation: (conversation.started_at, conversation.id))

    async def visitors_whose_messages_mention(
        self, site_id: SiteId, mention: Mention, *, limit: int
    ) -> list[VisitorId]:
        mentioning = [
            message
            for conversation_id, messages in self._messages.items()
            if self._conversations[conversation_id].site_id == site_id
            for message in messages
            if message.role is Role.VISITOR and mention.found_in(message.text)
        ]
        mentioning.sort(key=lambda message: (message.created_at, message.id), reverse=True)
        visitors = dict.fromkeys(self._conversations[message.conversation_id].visitor_id for message in mentioning)
        return list(visitors)[: max(limit, 0)]

    async def inactive_before(self, site_id: SiteId, cutoff: datetime, *, limit: int) -> list[Conversation]:
        found = [c for c in self._conversations.values() if c.site_id == site_id and c.last_message_at < cutoff]
        found.sort(key=lambda conversation: (conversation.last_message_at, conversation.id))
        return found[: max(limit, 0)]

    async def remove(self, site_id: SiteId, conversation_id: ConversationId) -> int:
        if await self.get(site_id, conversation_id) is None:
            return 0
        del self._conversations[conversation_id]
        return len(self._messages.pop(conversation_id))

    async def erase_site(self, site_id: SiteId) -> None:
        for conversation_id in [c.id for c in self._conversations.values() if c.site_id == site_id]:
            del self._conversations[conversation_id]
            del self._messages[conversation_id]
