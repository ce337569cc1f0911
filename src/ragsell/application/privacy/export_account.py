"""An owner's access request about their own account: everything it holds, as data."""

from datetime import datetime

import msgspec

from ragsell.application.conversations.owner_conversations import Transcript
from ragsell.application.knowledge.crawl_site import all_pages
from ragsell.application.ports.metering import UsageCount, UsageLedger
from ragsell.application.ports.privacy import PrivacyRequestLog
from ragsell.application.ports.repositories import (
    ConversationRepository,
    LeadRepository,
    ListCursor,
    PageRepository,
    PageViewRepository,
    SessionRepository,
    SiteRepository,
    SnippetRepository,
)
from ragsell.application.ports.system import Clock
from ragsell.application.privacy.audit import PrivacyAudit
from ragsell.domain.accounts import Owner
from ragsell.domain.conversations import DailyPageViews
from ragsell.domain.knowledge import Page, Snippet
from ragsell.domain.leads import Lead
from ragsell.domain.privacy import PrivacyAction, PrivacyRequest, SubjectKind
from ragsell.domain.sites import Site

BATCH = 100
# More sessions than an owner has open at once, and requests than they make in the
# records' retention.
MAX_SESSIONS = 1_000
MAX_REQUESTS = 10_000


class AccountRecord(msgspec.Struct, frozen=True, kw_only=True):
    """The owner record without its password hash."""

    id: str
    name: str
    email: str
    plan: str
    created_at: datetime
    closed_at: datetime | None


class SessionRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A session's log-in metadata, without its token hash or CSRF token."""

    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ip: str
    user_agent: str


class SiteExport(msgspec.Struct, frozen=True, kw_only=True):
    site: Site
    snippets: tuple[Snippet, ...]
    pages: tuple[Page, ...]
    conversations: tuple[Transcript, ...]
    leads: tuple[Lead, ...]
    daily_page_views: tuple[DailyPageViews, ...]


class AccountExport(msgspec.Struct, frozen=True, kw_only=True):
    exported_at: datetime
    account: AccountRecord
    sessions: tuple[SessionRecord, ...]
    sites: tuple[SiteExport, ...]
    usage: tuple[UsageCount, ...]
    privacy_requests: tuple[PrivacyRequest, ...]

    def counts(self) -> dict[str, int]:
        return {
            "sessions": len(self.sessions),
            "sites": len(self.sites),
            "conversations": sum(len(site.conversations) for site in self.sites),
            "leads": sum(len(site.leads) for site in self.sites),
        }


class SiteExporter:
    """Everything stored under one site, read in batches."""

    def __init__(
        self,
        snippets: SnippetRepository,
        pages: PageRepository,
        conversations: ConversationRepository,
        leads: LeadRepository,
        page_views: PageViewRepository,
    ) -> None:
        self._snippets = snippets
        self._pages = pages
        self._conversations = conversations
        self._leads = leads
        self._page_views = page_views

    async def export(self, site: Site, now: datetime) -> SiteExport:
        return SiteExport(
            site=site,
            snippets=tuple(await self._snippets.list_for_site(site.id)),
            pages=tuple([page async for page in all_pages(self._pages, site.id)]),
            conversations=tuple(await self._transcripts(site)),
            leads=tuple(await self._all_leads(site)),
            daily_page_views=tuple(
                await self._page_views.daily_counts(site.id, since=site.created_at.date(), until=now.date())
            ),
        )

    async def _transcripts(self, site: Site) -> list[Transcript]:
        transcripts: list[Transcript] = []
        cursor: ListCursor | None = None
        while batch := await self._conversations.list_for_site(site.id, before=cursor, limit=BATCH):
            for conversation in batch:
                messages = await self._conversations.messages(site.id, conversation.id)
                transcripts.append(Transcript(conversation=conversation, messages=messages))
            cursor = ListCursor(at=batch[-1].last_message_at, id=batch[-1].id)
        return transcripts

    async def _all_leads(self, site: Site) -> list[Lead]:
        leads: list[Lead] = []
        cursor: ListCursor | None = None
        while batch := await self._leads.list_for_site(site.id, before=cursor, limit=BATCH):
            leads += batch
            cursor = ListCursor(at=batch[-1].created_at, id=batch[-1].id)
        return leads


class ExportAccount:
    def __init__(
        self,
        sessions: SessionRepository,
        sites: SiteRepository,
        site_exporter: SiteExporter,
        ledger: UsageLedger,
        requests: PrivacyRequestLog,
        audit: PrivacyAudit,
        clock: Clock,
    ) -> None:
        self._sessions = sessions
        self._sites = sites
        self._site_exporter = site_exporter
        self._ledger = ledger
        self._requests = requests
        self._audit = audit
        self._clock = clock

    async def __call__(self, owner: Owner) -> AccountExport:
        now = self._clock.now()
        sessions = await self._sessions.list_for_owner(owner.id, now=now, limit=MAX_SESSIONS)
        export = AccountExport(
            exported_at=now,
            account=AccountRecord(
                id=owner.id,
                name=owner.name,
                email=owner.email,
                plan=owner.plan,
                created_at=owner.created_at,
                closed_at=owner.closed_at,
            ),
            sessions=tuple(
                SessionRecord(
                    created_at=session.created_at,
                    last_seen_at=session.last_seen_at,
                    expires_at=session.expires_at,
                    ip=session.ip,
                    user_agent=session.user_agent,
                )
                for session in sessions
            ),
            sites=tuple(
                [await self._site_exporter.export(site, now) for site in await self._sites.list_for_owner(owner.id)]
            ),
            usage=tuple(await self._ledger.history(owner.id)),
            privacy_requests=tuple(await self._requests.list_for_owner(owner.id, limit=MAX_REQUESTS)),
        )
        await self._audit.record(
            owner_id=owner.id,
            action=PrivacyAction.EXPORT,
            subject=SubjectKind.ACCOUNT,
            site_id=None,
            counts=export.counts(),
        )
        return export
