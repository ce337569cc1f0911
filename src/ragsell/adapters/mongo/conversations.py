import re
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from ragsell.adapters.mongo.codecs import Document, decode, encode
from ragsell.adapters.mongo.dates import at_or_before, before, between, first_kept
from ragsell.adapters.mongo.errors import duplicate_key
from ragsell.adapters.mongo.names import CONVERSATIONS, MESSAGES
from ragsell.adapters.mongo.removal import remove_found
from ragsell.application.ports.repositories import ConversationRepository, ListCursor
from ragsell.domain.conversations import Conversation, Feedback, Message, Role
from ragsell.domain.ids import ClientMessageId, ConversationId, MessageId, SiteId, VisitorId
from ragsell.domain.mentions import Mention

# A conversation document's revision: bumped by every write, so a write can be made
# conditional on nothing having changed since the read (dates cannot serve as that guard:
# nx-27017 compares them to the second, and $max on dates does not work there).
_REVISION = "_rev"
# How often adding a message re-reads a conversation that other writers keep moving.
_ATTEMPTS = 10


class MongoConversationRepository(ConversationRepository):
    """Conversations and their messages, in two collections. Messages carry their
    site id, so every query is scoped by site without a join."""

    def __init__(self, db: AsyncDatabase[dict[str, Any]]) -> None:
        self._conversations = db[CONVERSATIONS]
        self._messages = db[MESSAGES]

    async def add(self, conversation: Conversation) -> None:
        with duplicate_key("id"):
            await self._conversations.insert_one({**encode(conversation), _REVISION: 0})

    async def search(self, site_id: SiteId, text: str, *, limit: int) -> list[Conversation]:
        if limit <= 0 or not text:
            return []
        # The newest matching messages name the conversations; their number is bounded, so
        # a common word costs a bounded read.
        matches = (
            self._messages.find(
                {"site_id": site_id, "text": {"$regex": re.escape(text), "$options": "i"}}, {"conversation_id": 1}
            )
            .sort([("created_at", -1)])
            .limit(SEARCH_SCAN)
        )
        ids = list(dict.fromkeys([document["conversation_id"] async for document in matches]))
        if not ids:
            return []
        found = [
            _conversation(document)
            async for document in self._conversations.find({"_id": {"$in": ids}, "site_id": site_id})
        ]
        found.sort(key=lambda conversation: (conversation.last_message_at, conversation.id), reverse=True)
        return found[:limit]

    async def get(self, site_id: SiteId, conversation_id: ConversationId) -> Conversation | None:
        document = await self._conversations.find_one({"_id": conversation_id, "site_id": site_id})
        return None if document is None else _conversation(document)

    async def list_for_site(self, site_id: SiteId, *, before: ListCursor | None, limit: int) -> list[Conversation]:
        if limit <= 0:
            return []
        query: dict[str, Any] = {"site_id": site_id}
        if before is not None:
            query["last_message_at"] = at_or_before(before.at)
        cursor = self._conversations.find(query).sort([("last_message_at", -1), ("_id", -1)]).batch_size(limit + 10)
        return await first_kept(
            cursor,
            decode=_conversation,
            keep=lambda conversation: before is None or before.admits(conversation.last_message_at, conversation.id),
            limit=limit,
        )

    async def add_message(self, message: Message) -> None:
        scope = {"_id": message.conversation_id, "site_id": message.site_id}
        document = await self._conversations.find_one(scope)
        if document is None:
            raise LookupError("no such conversation")
        with duplicate_key("client_message_id"):
            await self._messages.insert_one(encode(message))
        # The last-message time only moves forward. Dates are never written with $set or
        # $max (nx-27017 stores them as strings or ignores them), so the record is replaced
        # whole, guarded by its revision, and re-read when another message got there first.
        for _ in range(_ATTEMPTS):
            if document is None or document["last_message_at"] >= message.created_at:
                return
            revision = document.get(_REVISION, 0)
            moved = {**document, "last_message_at": message.created_at, _REVISION: revision + 1}
            replaced = await self._conversations.replace_one({**scope, _REVISION: revision}, moved)
            if replaced.matched_count:
                return
            document = await self._conversations.find_one(scope)
        raise RuntimeError("The conversation kept changing; its last-message time was not moved.")

    async def message_by_client_id(
        self, site_id: SiteId, conversation_id: ConversationId, client_message_id: ClientMessageId, role: Role
    ) -> Message | None:
        document = await self._messages.find_one(
            {
                "conversation_id": conversation_id,
                "client_message_id": client_message_id,
                "role": role.value,
                "site_id": site_id,
            }
        )
        return None if document is None else decode(document, Message)

    async def messages(self, site_id: SiteId, conversation_id: ConversationId) -> list[Message]:
        cursor = self._messages.find({"conversation_id": conversation_id, "site_id": site_id}).sort("created_at", 1)
        found = [decode(document, Message) async for document in cursor]
        # Within one moment the visitor's message comes before the reply (then by id, so
        # the order never depends on the engine).
        return sorted(found, key=lambda message: (message.created_at, message.role != Role.VISITOR, message.id))

    async def set_feedback(
        self, site_id: SiteId, conversation_id: ConversationId, message_id: MessageId, feedback: Feedback
    ) -> bool:
        # A string field set alone: nx-27017 mishandles only dates written with $set.
        result = await self._messages.update_one(
            {
                "_id": message_id,
                "conversation_id": conversation_id,
                "site_id": site_id,
                "role": Role.ASSISTANT.value,
            },
            {"$set": {"feedback": feedback.value}},
        )
        return result.matched_count == 1

    async def list_for_visitor(self, site_id: SiteId, visitor_id: VisitorId) -> list[Conversation]:
        cursor = self._conversations.find({"site_id": site_id, "visitor_id": visitor_id})
        found = [_conversation(document) async for document in cursor]
        return sorted(found, key=lambda conversation: (conversation.started_at, conversation.id))

    async def visitors_whose_messages_mention(
        self, site_id: SiteId, mention: Mention, *, limit: int
    ) -> list[VisitorId]:
        if limit <= 0:
            return []
        # The store's regex selects candidates (a looser pattern: its case rules and
        # character classes need not be Python's); the domain rule decides.
        candidates = self._messages.find(
            {"site_id": site_id, "role": Role.VISITOR.value, "text": {"$regex": mention.pattern(), "$options": "i"}},
            {"conversation_id": 1, "text": 1},
        ).sort([("created_at", -1), ("_id", -1)])
        visitors: dict[VisitorId, None] = {}
        seen: set[str] = set()
        pending: list[str] = []
        async for document in candidates:
            conversation_id = document["conversation_id"]
            if conversation_id in seen or not mention.found_in(document["text"]):
                continue
            seen.add(conversation_id)
            pending.append(conversation_id)
            if len(pending) == _MENTION_BATCH:
                await self._add_visitors(site_id, pending, visitors)
                pending = []
                if len(visitors) >= limit:
                    break
        await self._add_visitors(site_id, pending, visitors)
        return list(visitors)[:limit]

    async def _add_visitors(
        self, site_id: SiteId, conversation_ids: list[str], visitors: dict[VisitorId, None]
    ) -> None:
        """Add the visitors of the conversations to ``visitors``, in the conversations' order."""
        if not conversation_ids:
            return
        found = self._conversations.find({"_id": {"$in": conversation_ids}, "site_id": site_id}, {"visitor_id": 1})
        owners = {document["_id"]: VisitorId(document["visitor_id"]) async for document in found}
        for conversation_id in conversation_ids:
            if conversation_id in owners:
                visitors.setdefault(owners[conversation_id])

    async def inactive_before(self, site_id: SiteId, cutoff: datetime, *, limit: int) -> list[Conversation]:
        if limit <= 0:
            return []
        cursor = self._conversations.find({"site_id": site_id, "last_message_at": before(cutoff)}).sort(
            [("last_message_at", 1), ("_id", 1)]
        )
        return await first_kept(
            cursor, decode=_conversation, keep=lambda conversation: conversation.last_message_at < cutoff, limit=limit
        )

    async def remove(self, site_id: SiteId, conversation_id: ConversationId) -> int:
        scope = {"_id": conversation_id, "site_id": site_id}
        if await self._conversations.find_one(scope, {"_id": 1}) is None:
            return 0
        messages = {"conversation_id": conversation_id, "site_id": site_id}
        removed = await remove_found(self._messages, messages)
        await self._conversations.delete_one(scope)
        # A message added while the first pass ran found its conversation still there.
        return removed + await remove_found(self._messages, messages)

    async def started_between(
        self, site_id: SiteId, *, since: datetime, until: datetime, limit: int
    ) -> list[Conversation]:
        if limit <= 0:
            return []
        cursor = self._conversations.find({"site_id": site_id, "started_at": between(since, until)}).sort(
            [("started_at", -1), ("_id", -1)]
        )
        return await first_kept(
            cursor,
            decode=_conversation,
            keep=lambda conversation: since <= conversation.started_at <= until,
            limit=limit,
        )

    async def messages_between(self, site_id: SiteId, *, since: datetime, until: datetime, limit: int) -> list[Message]:
        if limit <= 0:
            return []
        cursor = self._messages.find({"site_id": site_id, "created_at": between(since, until)}).sort(
            [("created_at", -1), ("_id", -1)]
        )
        return await first_kept(
            cursor, decode=_message, keep=lambda message: since <= message.created_at <= until, limit=limit
        )


def _message(document: Document) -> Message:
    return decode(document, Message)


# Conversations whose visitors are looked up at once while finding mentions.
_MENTION_BATCH = 100

# Matching messages read at most per search.
SEARCH_SCAN = 2_000


def _conversation(document: Document) -> Conversation:
    fields = dict(document)
    fields.pop(_REVISION, None)
    return decode(fields, Conversation)
