import msgspec

from ragsell.application.ports.repositories import ConversationRepository, SiteRepository
from ragsell.application.ports.system import Clock, IdGenerator
from ragsell.application.throttling import CONVERSATIONS_PER_VISITOR, Throttle
from ragsell.application.usage.quota import Quota
from ragsell.application.widget_access import OwnOrigin, site_for_widget
from ragsell.domain.conversations import Conversation
from ragsell.domain.ids import ConversationId, visitor_id
from ragsell.domain.usage import Meter


class StartConversationCommand(msgspec.Struct, frozen=True, kw_only=True):
    widget_key: str
    origin: str | None
    visitor_id: str


class StartConversation:
    def __init__(
        self,
        sites: SiteRepository,
        own: OwnOrigin,
        conversations: ConversationRepository,
        quota: Quota,
        throttle: Throttle,
        clock: Clock,
        ids: IdGenerator,
    ) -> None:
        self._sites = sites
        self._own = own
        self._conversations = conversations
        self._quota = quota
        self._throttle = throttle
        self._clock = clock
        self._ids = ids

    async def __call__(self, command: StartConversationCommand) -> Conversation:
        visitor = visitor_id(command.visitor_id)
        site = await site_for_widget(self._sites, self._own, command.widget_key, command.origin)
        now = self._clock.now()
        await self._throttle.check(CONVERSATIONS_PER_VISITOR, f"{site.id}:{visitor}", now)
        conversation_id = ConversationId(self._ids.new_id())
        reservation = await self._quota.reserve(
            owner_id=site.owner_id, site_id=site.id, meter=Meter.CONVERSATIONS, amount=1, now=now
        )
        conversation = Conversation(
            id=conversation_id, site_id=site.id, visitor_id=visitor, started_at=now, last_message_at=now
        )
        try:
            await self._conversations.add(conversation)
        except BaseException:
            await self._quota.release(reservation)
            raise
        return conversation
