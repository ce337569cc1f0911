"""What the privacy API accepts and returns."""

from datetime import date, datetime
from typing import Annotated

from msgspec import Meta

from ragsell.application.privacy.delete_account import AccountClosed
from ragsell.application.privacy.erase_visitor_data import VisitorErasure
from ragsell.application.privacy.export_account import AccountExport, SiteExport
from ragsell.application.privacy.export_visitor_data import VisitorExport
from ragsell.application.privacy.requests import VisitorQuery
from ragsell.application.privacy.visitor_records import SiteVisitorData
from ragsell.domain.privacy import PrivacyRequest
from ragsell.entrypoints.http.dashboard.schemas import (
    Email,
    KnowledgePageView,
    LeadView,
    Password,
    SiteView,
    SnippetView,
    TranscriptView,
    knowledge_page_view,
    lead_view,
    site_view,
    snippet_view,
    transcript_view,
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


def _site_visitor_data_view(data: SiteVisitorData) -> SiteVisitorDataView:
    return SiteVisitorDataView(
        site_id=data.site_id,
        site_name=data.site_name,
        visitor_ids=list(data.visitor_ids),
        conversations=[transcript_view(transcript) for transcript in data.conversations],
        leads=[lead_view(lead) for lead in data.leads],
        page_views=[
            PageViewRecordView(url=view.url, referrer=view.referrer, viewed_at=view.viewed_at)
            for view in data.page_views
        ],
    )


def visitor_export_view(export: VisitorExport) -> VisitorExportView:
    return VisitorExportView(
        subject=export.subject.value,
        exported_at=export.exported_at,
        sites=[_site_visitor_data_view(data) for data in export.sites],
    )


def visitor_erasure_view(erasure: VisitorErasure) -> VisitorErasureView:
    erased = erasure.erased
    return VisitorErasureView(
        subject=erasure.subject.value,
        sites=erasure.sites,
        erased=ErasedView(
            conversations=erased.conversations,
            messages=erased.messages,
            leads=erased.leads,
            page_views=erased.page_views,
            rate_limit_windows=erased.rate_limit_windows,
        ),
    )


# The record of requests


class PrivacyRequestView(View):
    id: str
    requester: str
    action: str
    subject: str
    site_id: str | None
    requested_at: datetime
    counts: dict[str, int]


def privacy_request_view(request: PrivacyRequest) -> PrivacyRequestView:
    return PrivacyRequestView(
        id=request.id,
        requester=request.requester.value,
        action=request.action.value,
        subject=request.subject.value,
        site_id=request.site_id,
        requested_at=request.requested_at,
        counts=request.counts,
    )


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


def _site_export_view(export: SiteExport) -> SiteExportView:
    return SiteExportView(
        site=site_view(export.site),
        snippets=[snippet_view(snippet) for snippet in export.snippets],
        pages=[knowledge_page_view(page) for page in export.pages],
        conversations=[transcript_view(transcript) for transcript in export.conversations],
        leads=[lead_view(lead) for lead in export.leads],
        daily_page_views=[DailyPageViewsView(day=count.day, views=count.views) for count in export.daily_page_views],
    )


def account_export_view(export: AccountExport) -> AccountExportView:
    account = export.account
    return AccountExportView(
        exported_at=export.exported_at,
        account=AccountRecordView(
            id=account.id,
            name=account.name,
            email=account.email,
            plan=account.plan,
            created_at=account.created_at,
            closed_at=account.closed_at,
        ),
        sessions=[
            SessionRecordView(
                created_at=session.created_at,
                last_seen_at=session.last_seen_at,
                expires_at=session.expires_at,
                ip=session.ip,
                user_agent=session.user_agent,
            )
            for session in export.sessions
        ],
        sites=[_site_export_view(site) for site in export.sites],
        usage=[
            UsageCountView(meter=count.meter.value, period_start=count.period_start, used=count.used)
            for count in export.usage
        ],
        privacy_requests=[privacy_request_view(request) for request in export.privacy_requests],
    )


def account_closed_view(closed: AccountClosed) -> AccountClosedView:
    return AccountClosedView(
        closed_at=closed.closed_at, purge_after=closed.purge_after, ended_sessions=closed.ended_sessions
    )
