import logging
from collections.abc import AsyncIterator

from ragsell.application.conversations import replies
from ragsell.application.conversations.answer_events import (
    AnswerEvent,
    CitationsEvent,
    DoneEvent,
    ErrorEvent,
    TokenEvent,
)
from ragsell.application.conversations.answering import (
    citations_of,
    closest_passages,
    relevant,
    sanitized_answer,
)
from ragsell.application.conversations.prompting import recent_turns, system_prompt
from ragsell.application.conversations.visitor_conversation import VisitorConversationQuery, visitors_conversation
from ragsell.application.errors import MessageIdReused, MessageInProgress
from ragsell.application.ports.ai import ChatModel, ChatRequest, ModelUnavailable, Retriever
from ragsell.application.ports.repositories import ConversationRepository, DuplicateKey, SiteRepository
from ragsell.application.ports.system import Clock, IdGenerator
from ragsell.application.throttling import MESSAGES_PER_SITE, MESSAGES_PER_VISITOR, Throttle
from ragsell.application.usage.quota import Quota, Reservation
from ragsell.application.widget_access import OwnOrigin
from ragsell.domain.conversations import (
    Channel,
    Citation,
    Conversation,
    Message,
    ModelUsage,
    Role,
    check_message_text,
)
from ragsell.domain.ids import MessageId, client_message_id
from ragsell.domain.sites import Site
from ragsell.domain.usage import Meter

log = logging.getLogger(__name__)


class PostVisitorMessageCommand(VisitorConversationQuery, frozen=True, kw_only=True):
    client_message_id: str
    text: str
    channel: Channel = Channel.TEXT


class PostVisitorMessage:
    """Stores the visitor's message and streams the assistant's reply.

    Idempotent on the client message id: the same id with the same text replays the
    stored reply without asking the model again; with another text it is refused.
    """

    def __init__(
        self,
        sites: SiteRepository,
        own: OwnOrigin,
        conversations: ConversationRepository,
        quota: Quota,
        throttle: Throttle,
        retriever: Retriever,
        model: ChatModel,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._sites = sites
        self._own = own
        self._conversations = conversations
        self._quota = quota
        self._throttle = throttle
        self._retriever = retriever
        self._model = model
        self._clock = clock
        self._ids = ids

    async def __call__(self, command: PostVisitorMessageCommand) -> AsyncIterator[AnswerEvent]:
        site, conversation = await visitors_conversation(self._sites, self._own, self._conversations, command)
        return await self.post_in(site, conversation, command)

    async def post_in(
        self, site: Site, conversation: Conversation, command: PostVisitorMessageCommand
    ) -> AsyncIterator[AnswerEvent]:
        """As ``__call__``, in the site and conversation the caller has already checked
        ``command`` against."""
        text = check_message_text(command.text)
        client_id = client_message_id(command.client_message_id)
        earlier = await self._conversations.message_by_client_id(site.id, conversation.id, client_id, Role.VISITOR)
        if earlier is not None:
            if earlier.text != text:
                raise MessageIdReused("This message id was already used for another message.", field="clientMessageId")
            reply = await self._conversations.message_by_client_id(site.id, conversation.id, client_id, Role.ASSISTANT)
            if reply is not None:
                return self._replay(reply)
        now = self._clock.now()
        await self._throttle.check(MESSAGES_PER_VISITOR, f"{site.id}:{conversation.visitor_id}", now)
        await self._throttle.check(MESSAGES_PER_SITE, site.id, now)
        reservation = await self._quota.reserve(
            owner_id=site.owner_id, site_id=site.id, meter=Meter.MESSAGES, amount=1, now=now
        )
        question = earlier or Message(
            id=MessageId(self._ids.new_id()),
            conversation_id=conversation.id,
            site_id=site.id,
            role=Role.VISITOR,
            text=text,
            client_message_id=client_id,
            created_at=now,
            channel=command.channel,
        )
        if earlier is None:
            try:
                await self._conversations.add_message(question)
            except DuplicateKey:
                await self._quota.release(reservation)
                raise MessageInProgress("This message is being answered already.", field="clientMessageId") from None
        return self._answer(site, conversation, question, reservation)

    async def _replay(self, reply: Message) -> AsyncIterator[AnswerEvent]:
        yield TokenEvent(text=reply.text)
        yield CitationsEvent(citations=reply.citations)
        yield DoneEvent(message_id=reply.id, answered=bool(reply.answered))

    async def _answer(
        self, site: Site, conversation: Conversation, question: Message, reservation: Reservation
    ) -> AsyncIterator[AnswerEvent]:
        passages = relevant(await closest_passages(self._retriever, site, question.text))
        if not passages:
            # Nothing relevant: the model is not asked to improvise.
            text = replies.not_covered(site.branding.language)
            yield TokenEvent(text=text)
            yield await self._reply(question, text, (), answered=False, reservation=reservation)
            return
        history = await self._conversations.messages(site.id, conversation.id)
        request = ChatRequest(
            system=system_prompt(site),
            history=recent_turns([message for message in history if message.id != question.id]),
            passages=tuple(passages),
            question=question.text,
        )
        pieces: list[str] = []
        usage: ModelUsage | None = None
        try:
            async for piece in sanitized_answer(self._model, request, site):
                if isinstance(piece, ModelUsage):
                    usage = piece
                else:
                    pieces.append(piece)
                    yield TokenEvent(text=piece)
        except ModelUnavailable as error:
            log.warning("chat model unavailable", extra={"site_id": site.id, "error": repr(error)})
            await self._quota.release(reservation)
            yield ErrorEvent(code="model_unavailable", message=replies.unavailable(site.branding.language))
            return
        citations = citations_of(passages)
        yield CitationsEvent(citations=citations)
        yield await self._reply(
            question, "".join(pieces).strip(), citations, answered=True, reservation=reservation, usage=usage
        )

    async def _reply(
        self,
        question: Message,
        text: str,
        citations: tuple[Citation, ...],
        *,
        answered: bool,
        reservation: Reservation,
        usage: ModelUsage | None = None,
    ) -> DoneEvent:
        reply = Message(
            id=MessageId(self._ids.new_id()),
            conversation_id=question.conversation_id,
            site_id=question.site_id,
            role=Role.ASSISTANT,
            text=text,
            client_message_id=question.client_message_id,
            created_at=self._clock.now(),
            channel=question.channel,
            citations=citations,
            answered=answered,
            model_usage=usage,
        )
        try:
            await self._conversations.add_message(reply)
        except DuplicateKey:
            # The widget sent the same message again while this answer streamed, and that
            # retry stored its reply first: the stored reply stands, and this attempt's
            # unit is given back so the message is paid for once.
            stored = await self._conversations.message_by_client_id(
                question.site_id, question.conversation_id, question.client_message_id, Role.ASSISTANT
            )
            if stored is None:
                raise
            await self._quota.release(reservation)
            return DoneEvent(message_id=stored.id, answered=bool(stored.answered))
        return DoneEvent(message_id=reply.id, answered=answered)
