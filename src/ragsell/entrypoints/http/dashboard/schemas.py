"""What the dashboard API accepts and returns; kept apart from the domain's Structs."""

from datetime import datetime
from typing import Annotated, Literal

from msgspec import UNSET, Meta, UnsetType

from ragsell.application.knowledge.try_answer import TriedAnswer
from ragsell.application.usage.usage_summary import UsageReport
from ragsell.domain.accounts import MAX_NAME_LENGTH, MAX_PASSWORD_LENGTH
from ragsell.domain.contact import MAX_EMAIL_LENGTH
from ragsell.domain.conversations import MAX_MESSAGE_LENGTH
from ragsell.domain.knowledge import MAX_QUESTION_LENGTH, MAX_SNIPPET_TEXT_LENGTH, MAX_SNIPPET_TITLE_LENGTH
from ragsell.domain.leads import MAX_LEAD_MESSAGE_LENGTH
from ragsell.domain.sites import (
    MAX_GREETING_LENGTH,
    MAX_ORIGINS,
    MAX_PATTERN_LENGTH,
    MAX_PATTERNS,
    MAX_RETENTION_DAYS,
    MAX_SUGGESTION_LENGTH,
    MAX_SUGGESTIONS,
)
from ragsell.domain.urls import MAX_URL_LENGTH
from ragsell.entrypoints.http.wire import Body, BrandingView, CitationView, View, view_of

Name = Annotated[str, Meta(min_length=1, max_length=MAX_NAME_LENGTH)]
Email = Annotated[str, Meta(min_length=3, max_length=MAX_EMAIL_LENGTH)]
Password = Annotated[str, Meta(min_length=1, max_length=MAX_PASSWORD_LENGTH)]
Url = Annotated[str, Meta(min_length=1, max_length=MAX_URL_LENGTH)]
Pattern = Annotated[str, Meta(min_length=1, max_length=MAX_PATTERN_LENGTH)]


# Accounts


class SignUpBody(Body):
    name: Name
    email: Email
    password: Password
    confirms_minimum_age: bool


class LogInBody(Body):
    email: Email
    password: Password


class ChangePasswordBody(Body):
    current_password: Password
    new_password: Password


class OwnerView(View):
    id: str
    name: str
    email: str
    plan: str
    created_at: datetime


class SessionView(View):
    owner: OwnerView
    csrf_token: str
    expires_at: datetime


class PasswordChangedView(View):
    ended_sessions: int


# Sites


class AddSiteBody(Body):
    name: Name
    url: Url


class BrandingBody(Body):
    assistant_name: Name
    colour: Annotated[str, Meta(min_length=7, max_length=7)]
    greeting: Annotated[str, Meta(max_length=MAX_GREETING_LENGTH)]
    position: Literal["bottom-right", "bottom-left"]
    language: Annotated[str, Meta(min_length=2, max_length=5)]
    tone: Literal["friendly", "professional", "concise"]
    suggested_questions: Annotated[
        list[Annotated[str, Meta(max_length=MAX_SUGGESTION_LENGTH)]], Meta(max_length=MAX_SUGGESTIONS)
    ] = []
    auto_open: bool = False
    avatar_url: Annotated[str, Meta(max_length=MAX_URL_LENGTH)] | None = None
    privacy_policy_url: Annotated[str, Meta(max_length=MAX_URL_LENGTH)] | None = None


class CrawlBody(Body):
    include_patterns: Annotated[list[Pattern], Meta(max_length=MAX_PATTERNS)] = []
    exclude_patterns: Annotated[list[Pattern], Meta(max_length=MAX_PATTERNS)] = []
    schedule: Literal["manual", "daily", "weekly"] = "weekly"
    www_is_same_site: bool = True


class VoiceBody(Body):
    """The speech provider's voice id and model; "" for the service's default."""

    voice_id: Annotated[str, Meta(max_length=100)] = ""
    model: Annotated[str, Meta(max_length=100)] = ""


class UpdateSiteBody(Body):
    name: Name | UnsetType = UNSET
    branding: BrandingBody | UnsetType = UNSET
    allowed_origins: Annotated[list[Url], Meta(max_length=MAX_ORIGINS)] | UnsetType = UNSET
    crawl: CrawlBody | UnsetType = UNSET
    retention_days: Annotated[int, Meta(ge=1, le=MAX_RETENTION_DAYS)] | UnsetType | None = UNSET
    voice_enabled: bool | UnsetType = UNSET
    voice: VoiceBody | UnsetType = UNSET
    country: Annotated[str, Meta(min_length=2, max_length=2)] | UnsetType | None = UNSET


class CrawlView(View):
    include_patterns: list[str]
    exclude_patterns: list[str]
    schedule: str
    www_is_same_site: bool


class VoiceView(View):
    voice_id: str
    model: str


class SiteView(View):
    id: str
    name: str
    url: str
    widget_key: str
    branding: BrandingView
    allowed_origins: list[str]
    crawl: CrawlView
    retention_days: int | None
    voice_enabled: bool
    voice: VoiceView
    country: str | None
    created_at: datetime


# Knowledge


class AddSnippetBody(Body):
    kind: Literal["text", "qa"]
    title: Annotated[str, Meta(min_length=1, max_length=MAX_SNIPPET_TITLE_LENGTH)]
    text: Annotated[str, Meta(min_length=1, max_length=MAX_SNIPPET_TEXT_LENGTH)]
    question: Annotated[str, Meta(min_length=1, max_length=MAX_QUESTION_LENGTH)] | None = None


class SnippetView(View):
    id: str
    kind: str
    title: str
    question: str | None
    text: str
    created_at: datetime


class CrawlProgressView(View):
    found: int
    done: int
    failed: int
    percent: int


class CrawlJobView(View):
    id: str
    state: str
    created_at: datetime
    run_after: datetime
    finished_at: datetime | None
    error: str | None
    progress: CrawlProgressView


class KnowledgePageView(View):
    url: str
    outcome: str
    reason: str
    title: str
    checked_at: datetime
    chunk_count: int


class TryAnswerBody(Body):
    question: Annotated[str, Meta(min_length=1, max_length=MAX_MESSAGE_LENGTH)]


class PassageView(View):
    text: str
    score: float
    used: bool
    citation: CitationView | None


class TriedAnswerView(View):
    text: str
    answered: bool
    citations: list[CitationView]
    passages: list[PassageView]


def tried_answer_view(tried: TriedAnswer) -> TriedAnswerView:
    """Explicit: a passage's score is rounded and ``used`` is worked out from the threshold."""
    return TriedAnswerView(
        text=tried.text,
        answered=tried.answered,
        citations=[view_of(citation, CitationView) for citation in tried.citations],
        passages=[
            PassageView(
                text=passage.text,
                score=round(passage.score, 4),
                used=passage.score >= tried.threshold,
                citation=None if passage.citation is None else view_of(passage.citation, CitationView),
            )
            for passage in tried.passages
        ],
    )


# Conversations and visitors


class ActiveVisitorsView(View):
    active_now: int
    window_seconds: int


class MessageView(View):
    id: str
    role: str
    text: str
    channel: str
    citations: list[CitationView]
    answered: bool | None
    feedback: str | None
    created_at: datetime


class ConversationView(View):
    id: str
    visitor_id: str
    started_at: datetime
    last_message_at: datetime


class TranscriptView(View):
    conversation: ConversationView
    messages: list[MessageView]


# Leads


class LeadChangeBody(Body):
    """A new status, corrected contact details, or both. Fields left out stay as they are;
    an email or phone sent as null is removed (one of the two must remain)."""

    status: Literal["new", "contacted", "closed"] | UnsetType = UNSET
    name: Name | UnsetType = UNSET
    email: Email | UnsetType | None = UNSET
    phone: Annotated[str, Meta(min_length=1, max_length=40)] | UnsetType | None = UNSET
    message: Annotated[str, Meta(max_length=MAX_LEAD_MESSAGE_LENGTH)] | UnsetType = UNSET


class LeadView(View):
    id: str
    visitor_id: str
    conversation_id: str | None
    name: str
    email: str | None
    phone: str | None
    message: str
    kind: str
    status: str
    page_url: str | None
    created_at: datetime


# Usage


class MeterView(View):
    meter: str
    used: int
    limit: int
    near_limit: bool


class SiteUsageView(View):
    site_id: str
    # None: the site was deleted this period.
    site_name: str | None
    conversations: int
    messages: int
    voice_seconds: int


class UsageView(View):
    plan: str
    period_start: datetime
    period_end: datetime
    meters: list[MeterView]
    # This period's conversations and messages per site, the busiest first.
    by_site: list[SiteUsageView]


def usage_view(report: UsageReport) -> UsageView:
    """Explicit: the period's start and end are flattened into the view."""
    return UsageView(
        plan=report.plan,
        period_start=report.period.start,
        period_end=report.period.end,
        meters=[view_of(meter, MeterView) for meter in report.meters],
        by_site=[view_of(site, SiteUsageView) for site in report.by_site],
    )
