"""Visitors, their conversations with the assistant, and the pages they view."""

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

import msgspec

from ragsell.domain.errors import InvalidValue
from ragsell.domain.ids import ClientMessageId, ConversationId, MessageId, SiteId, VisitorId
from ragsell.domain.urls import normalize_url

MAX_MESSAGE_LENGTH = 2000
MAX_CITATIONS = 8
# A visitor counts as "active now" for this long after their last page view.
ACTIVE_WINDOW = timedelta(minutes=5)


class Role(StrEnum):
    VISITOR = "visitor"
    ASSISTANT = "assistant"


class Channel(StrEnum):
    TEXT = "text"
    VOICE = "voice"


class Feedback(StrEnum):
    """A visitor's thumbs up or down on a reply."""

    UP = "up"
    DOWN = "down"


class Citation(msgspec.Struct, frozen=True, kw_only=True):
    url: str
    title: str
    heading: str = ""


def check_message_text(text: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise InvalidValue("Type a message first.", field="text")
    if len(cleaned) > MAX_MESSAGE_LENGTH:
        raise InvalidValue(f"Messages are at most {MAX_MESSAGE_LENGTH} characters.", field="text")
    return cleaned


class ModelUsage(msgspec.Struct, frozen=True, kw_only=True):
    """What a language model reported about one answer."""

    stop_reason: str
    input_tokens: int = 0
    output_tokens: int = 0


class Conversation(msgspec.Struct, frozen=True, kw_only=True):
    id: ConversationId
    site_id: SiteId
    visitor_id: VisitorId
    started_at: datetime
    last_message_at: datetime

    def __post_init__(self) -> None:
        if self.last_message_at < self.started_at:
            raise InvalidValue("A conversation cannot end before it starts.")


class Message(msgspec.Struct, frozen=True, kw_only=True):
    id: MessageId
    conversation_id: ConversationId
    site_id: SiteId
    role: Role
    text: str
    # The visitor's message carries the id the widget chose; the reply carries the same one.
    client_message_id: ClientMessageId
    created_at: datetime
    channel: Channel = Channel.TEXT
    citations: tuple[Citation, ...] = ()
    # Replies only: whether the knowledge base held the answer.
    answered: bool | None = None
    # Replies written by a language model: its stop reason and token counts.
    model_usage: ModelUsage | None = None
    # Replies only: the visitor's rating, which they may change.
    feedback: Feedback | None = None

    def __post_init__(self) -> None:
        if self.role is Role.VISITOR and (
            self.citations or self.answered is not None or self.model_usage or self.feedback
        ):
            raise InvalidValue("Only replies carry citations, model usage and feedback.")
        if len(self.citations) > MAX_CITATIONS:
            raise InvalidValue(f"A reply cites at most {MAX_CITATIONS} pages.")


class PageView(msgspec.Struct, frozen=True, kw_only=True):
    """What is kept of a page view: the page and where the visitor came from, nothing else."""

    site_id: SiteId
    visitor_id: VisitorId
    url: str
    referrer: str | None
    viewed_at: datetime


class DailyPageViews(msgspec.Struct, frozen=True, kw_only=True):
    """How many page views a site had on one UTC day: kept after the raw views expire."""

    site_id: SiteId
    day: date
    views: int


def view_day(viewed_at: datetime) -> date:
    """The UTC day a page view is counted under."""
    return viewed_at.astimezone(UTC).date()


def page_address(raw: str) -> str:
    """A page or referrer URL as stored: query strings and fragments dropped, since
    they often carry e-mail addresses, tokens and campaign ids."""
    return normalize_url(raw, keep_query=False)


def count_active_visitors(views: Iterable[PageView], *, now: datetime, window: timedelta = ACTIVE_WINDOW) -> int:
    """Distinct visitors with a page view in (now - window, now]."""
    since = now - window
    return len({view.visitor_id for view in views if since < view.viewed_at <= now})
