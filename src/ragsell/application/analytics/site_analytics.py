"""A site's last days in numbers, and the visitor questions worth the owner's attention.

Only the window is read (conversations, messages and leads made in it), at most
MAX_READ of each; the shaping happens here, not in the store."""

from collections import defaultdict
from datetime import date, datetime

import msgspec

from ragsell.application.ports.repositories import ConversationRepository, LeadRepository, SiteRepository
from ragsell.application.ports.system import Clock
from ragsell.application.sites.get_site import owned_site
from ragsell.domain.analytics import DEFAULT_DAYS, day_start, per_day, question_key, window_days
from ragsell.domain.conversations import Feedback, Message, Role
from ragsell.domain.ids import ConversationId, MessageId, OwnerId

MAX_READ = 20_000
TOP_QUESTIONS = 10
MAX_LISTED = 50


class DayCount(msgspec.Struct, frozen=True, kw_only=True):
    day: date
    conversations: int
    messages: int
    leads: int


class TopQuestion(msgspec.Struct, frozen=True, kw_only=True):
    # The latest wording of the question among those that read the same.
    text: str
    count: int
    last_asked_at: datetime


class AnswerToReview(msgspec.Struct, frozen=True, kw_only=True):
    """A reply rated down, or one that said the knowledge base did not cover the question."""

    conversation_id: ConversationId
    message_id: MessageId
    # The visitor's question; None when it fell before the window.
    question: str | None
    answer: str
    at: datetime


class SiteAnalyticsReport(msgspec.Struct, frozen=True, kw_only=True):
    since: datetime
    until: datetime
    days: list[DayCount]
    top_questions: list[TopQuestion]
    rated_down: list[AnswerToReview]
    unanswered: list[AnswerToReview]
    # More than MAX_READ of something was made in the window: the oldest were left out.
    truncated: bool


def _key(message: Message) -> tuple[ConversationId, str]:
    # A reply carries the client message id of the visitor's message it answers.
    return message.conversation_id, message.client_message_id


def _top_questions(questions: list[Message]) -> list[TopQuestion]:
    groups: dict[str, list[Message]] = defaultdict(list)
    for question in questions:  # latest first
        if key := question_key(question.text):
            groups[key].append(question)
    ranked = sorted(groups.values(), key=lambda group: (-len(group), -group[0].created_at.timestamp()))
    return [
        TopQuestion(text=group[0].text, count=len(group), last_asked_at=group[0].created_at)
        for group in ranked[:TOP_QUESTIONS]
    ]


def _review(replies: list[Message], asked: dict[tuple[ConversationId, str], Message]) -> list[AnswerToReview]:
    return [
        AnswerToReview(
            conversation_id=reply.conversation_id,
            message_id=reply.id,
            question=question.text if (question := asked.get(_key(reply))) else None,
            answer=reply.text,
            at=reply.created_at,
        )
        for reply in replies[:MAX_LISTED]
    ]


class SiteAnalytics:
    def __init__(
        self, sites: SiteRepository, conversations: ConversationRepository, leads: LeadRepository, clock: Clock
    ) -> None:
        self._sites = sites
        self._conversations = conversations
        self._leads = leads
        self._clock = clock

    async def __call__(self, owner_id: OwnerId, site_id: str, *, days: int = DEFAULT_DAYS) -> SiteAnalyticsReport:
        now = self._clock.now()
        calendar = window_days(now, days)
        site = await owned_site(self._sites, owner_id, site_id)
        since = day_start(calendar[0])
        window = {"since": since, "until": now, "limit": MAX_READ}
        started = await self._conversations.started_between(site.id, **window)
        messages = await self._conversations.messages_between(site.id, **window)
        leads = await self._leads.created_between(site.id, **window)
        questions = [message for message in messages if message.role is Role.VISITOR]
        replies = [message for message in messages if message.role is Role.ASSISTANT]
        asked = {_key(question): question for question in questions}
        counts = zip(
            per_day((c.started_at for c in started), calendar),
            per_day((m.created_at for m in messages), calendar),
            per_day((lead.created_at for lead in leads), calendar),
            strict=True,
        )
        return SiteAnalyticsReport(
            since=since,
            until=now,
            days=[
                DayCount(day=day, conversations=c, messages=m, leads=n)
                for day, (c, m, n) in zip(calendar, counts, strict=True)
            ],
            top_questions=_top_questions(questions),
            rated_down=_review([r for r in replies if r.feedback is Feedback.DOWN], asked),
            unanswered=_review([r for r in replies if r.answered is False], asked),
            truncated=max(len(started), len(messages), len(leads)) >= MAX_READ,
        )
