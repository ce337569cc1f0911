"""What the widget API accepts and returns."""

from datetime import datetime
from typing import Annotated, Literal

from msgspec import Meta

from ragsell.domain.accounts import MAX_NAME_LENGTH
from ragsell.domain.contact import MAX_EMAIL_LENGTH
from ragsell.domain.conversations import MAX_MESSAGE_LENGTH
from ragsell.domain.leads import MAX_LEAD_MESSAGE_LENGTH
from ragsell.domain.urls import MAX_URL_LENGTH
from ragsell.entrypoints.http.wire import Body, BrandingView, CitationView, View

VisitorId = Annotated[str, Meta(min_length=36, max_length=36, description="crypto.randomUUID() kept by the widget")]
ClientMessageId = Annotated[str, Meta(min_length=36, max_length=36)]
Url = Annotated[str, Meta(min_length=1, max_length=MAX_URL_LENGTH)]
Id = Annotated[str, Meta(min_length=22, max_length=22, pattern=r"^[A-Za-z0-9_-]{22}$")]


class PageViewBody(Body):
    visitor_id: VisitorId
    url: Url
    referrer: Url | None = None


class StartConversationBody(Body):
    visitor_id: VisitorId


class MessageBody(Body):
    visitor_id: VisitorId
    client_message_id: ClientMessageId
    text: Annotated[str, Meta(min_length=1, max_length=MAX_MESSAGE_LENGTH)]


class FeedbackBody(Body):
    visitor_id: VisitorId
    rating: Literal["up", "down"]


class LeadBody(Body):
    visitor_id: VisitorId
    name: Annotated[str, Meta(min_length=1, max_length=MAX_NAME_LENGTH)]
    kind: Literal["callback", "message"]
    email: Annotated[str, Meta(max_length=MAX_EMAIL_LENGTH)] | None = None
    phone: Annotated[str, Meta(max_length=32)] | None = None
    message: Annotated[str, Meta(max_length=MAX_LEAD_MESSAGE_LENGTH)] = ""
    conversation_id: Id | None = None
    page_url: Url | None = None


class WidgetConfigView(View):
    widget_key: str
    site_name: str
    site_url: str
    branding: BrandingView
    # Recorded voice turns are offered; live calls too.
    voice_enabled: bool
    voice_calls: bool


class VoiceCallView(View):
    url: str
    token: str
    room: str
    ends_at: datetime


class ConversationStartedView(View):
    conversation_id: str


class LeadCapturedView(View):
    lead_id: str


class WidgetMessageView(View):
    id: str
    role: str
    text: str
    # The id the widget gave the question (the reply carries it too): asking again with it
    # answers the stored question rather than storing it twice.
    client_message_id: str
    citations: list[CitationView]
    answered: bool | None
    feedback: str | None


class HistoryView(View):
    conversation_id: str
    messages: list[WidgetMessageView]
