from ragsell.application.conversations.visitor_conversation import VisitorConversationQuery, visitors_conversation
from ragsell.application.errors import NotFound
from ragsell.application.ports.repositories import ConversationRepository, SiteRepository
from ragsell.application.ports.system import Clock
from ragsell.application.throttling import FEEDBACK_PER_VISITOR, Throttle
from ragsell.application.widget_access import OwnOrigin
from ragsell.domain.conversations import Feedback
from ragsell.domain.ids import MessageId


class RateAnswerCommand(VisitorConversationQuery, frozen=True, kw_only=True):
    message_id: str
    feedback: Feedback


class RateAnswer:
    """A visitor's thumbs up or down on one of the assistant's replies in their own
    conversation; rating again replaces the earlier rating."""

    def __init__(
        self,
        sites: SiteRepository,
        own: OwnOrigin,
        conversations: ConversationRepository,
        throttle: Throttle,
        clock: Clock,
    ) -> None:
        self._sites = sites
        self._own = own
        self._conversations = conversations
        self._throttle = throttle
        self._clock = clock

    async def __call__(self, command: RateAnswerCommand) -> None:
        site, conversation = await visitors_conversation(self._sites, self._own, self._conversations, command)
        await self._throttle.check(FEEDBACK_PER_VISITOR, f"{site.id}:{conversation.visitor_id}", self._clock.now())
        rated = await self._conversations.set_feedback(
            site.id, conversation.id, MessageId(command.message_id), command.feedback
        )
        if not rated:
            raise NotFound("There is no such answer in this conversation.")
