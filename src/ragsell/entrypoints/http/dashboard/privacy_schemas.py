"""What the privacy API accepts and returns."""

from datetime import date, datetime
from typing import Annotated

from msgspec import Meta

from ragsell.application.privacy.requests import VisitorQuery
from ragsell.entrypoints.http.dashboard.schemas import (
    Email,
    KnowledgePageView,
    LeadView,
    Password,
    SiteView,
    SnippetView,
    TranscriptView,
)
from ragsell.entrypoints.http.wire import Body, View

# Requests


class VisitorBody(Body):
    """Exactly one of the three names the visitor."""

    visitor_id: Annotated[str, Meta(max_length=64)] | None = None
    email: Email | None = None
    phone: Annotated[str, Meta(max_length=40)] | None = None

    def query(self) -> VisitorQuery:
        return VisitorQuery(visitor_id=self.visitor_id, email=self.email, phone=self.phone)


class DeleteAccountBody(Body):
    password: Password
    # Purge the data now rather than after the grace period.
    immediately: bool = False


# A visitor's data


class PageViewRecordView(View):
    url: str
    referrer: str | None
    viewed_at: datetime


class SiteVisitorDataView(View):
    site_id: str
    site_name: str
    visitor_ids: list[str]
    conversations: list[TranscriptView]
    leads: list[LeadView]
    page_views: list[PageViewRecordView]


class VisitorExportView(View):
    subject: str
    exported_at: datetime
    sites: list[SiteVisitorDataView]


class ErasedView(View):
    conversations: int
    messages: int
    leads: int
    page_views: int
    rate_limit_windows: int


class VisitorErasureView(View):
    subject: str
    sites: int
    erased: ErasedView


# The record of requests


class PrivacyRequestView(View):
    id: str
    requester: str
    action: str
    subject: str
    site_id: str | None
    requested_at: datetime
    counts: dict[str, int]


# The owner's account


class AccountRecordView(View):
    id: str
    name: str
    email: str
    plan: str
    created_at: datetime
    closed_at: datetime | None


class SessionRecordView(View):
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ip: str
    user_agent: str


class DailyPageViewsView(View):
    day: date
    views: int


class SiteExportView(View):
    site: SiteView
    snippets: list[SnippetView]
    pages: list[KnowledgePageView]
    conversations: list[TranscriptView]
    leads: list[LeadView]
    daily_page_views: list[DailyPageViewsView]


class UsageCountView(View):
    meter: str
    period_start: datetime
    used: int


class AccountExportView(View):
    exported_at: datetime
    account: AccountRecordView
    sessions: list[SessionRecordView]
    sites: list[SiteExportView]
    usage: list[UsageCountView]
    privacy_requests: list[PrivacyRequestView]


class AccountClosedView(View):
    closed_at: datetime
    # When the account's data goes; null: it is gone already.
    purge_after: datetime | None
    ended_sessions: int
