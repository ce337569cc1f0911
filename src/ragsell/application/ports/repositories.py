"""Where aggregates are kept. Every method on tenant data takes the tenant's scope
(owner or site); no method reads across tenants."""

from datetime import date, datetime, timedelta
from typing import Protocol

import msgspec

from ragsell.domain.accounts import LoginSession, Owner
from ragsell.domain.conversations import Conversation, DailyPageViews, Feedback, Message, PageView, Role
from ragsell.domain.ids import (
    ClientMessageId,
    ConversationId,
    JobId,
    LeadId,
    MessageId,
    OwnerId,
    SiteId,
    SnippetId,
    VisitorId,
    WidgetKey,
)
from ragsell.domain.jobs import CrawlJob, CrawlProgress
from ragsell.domain.knowledge import Chunk, ChunkSource, Page, Snippet
from ragsell.domain.leads import Lead, LeadStatus
from ragsell.domain.mentions import Mention
from ragsell.domain.password_resets import PasswordReset
from ragsell.domain.sites import Site


class ListCursor(msgspec.Struct, frozen=True, kw_only=True):
    """Where a newest-first page ended: the next page holds what is older, or as old with
    a smaller id (times alone would skip items sharing the boundary's time)."""

    at: datetime
    id: str = ""

    def admits(self, at: datetime, item_id: str) -> bool:
        return (at, item_id) < (self.at, self.id)


class DuplicateKey(Exception):
    """A unique key (email, widget key, client message id...) is already taken."""


class OwnerRepository(Protocol):
    async def add(self, owner: Owner) -> None:
        """Raises DuplicateKey when the email is taken."""

    async def get(self, owner_id: OwnerId) -> Owner | None: ...

    async def by_email(self, email: str) -> Owner | None: ...

    async def set_password_hash(self, owner_id: OwnerId, password_hash: str) -> None: ...

    async def set_plan(self, owner_id: OwnerId, plan: str) -> None: ...

    async def close(self, owner_id: OwnerId, closed_at: datetime) -> bool:
        """Mark the account closed; False when there is no such account or it was closed
        already (its first closing time stands)."""

    async def closed_before(self, cutoff: datetime, *, limit: int) -> list[Owner]:
        """Accounts closed at or before ``cutoff``, longest closed first (the retention sweep's)."""

    async def remove(self, owner_id: OwnerId) -> bool: ...


class SessionRepository(Protocol):
    async def add(self, session: LoginSession) -> None: ...

    async def get(self, token_hash: str, *, now: datetime) -> LoginSession | None:
        """The session, only while it has not expired."""

    async def save_seen(self, session: LoginSession) -> None:
        """Store a touched session's last-seen and expiry times."""

    async def remove(self, token_hash: str) -> None: ...

    async def remove_for_owner(self, owner_id: OwnerId, *, keep: str | None = None) -> int:
        """End all of an owner's sessions but ``keep`` (a token hash); returns how many ended."""

    async def purge_expired(self, now: datetime, *, dry_run: bool = False) -> int:
        """Remove the sessions expired by ``now`` (a TTL index removes them late, if at all);
        returns how many were removed, or with ``dry_run`` would be."""

    async def list_for_owner(self, owner_id: OwnerId, *, now: datetime, limit: int) -> list[LoginSession]:
        """The owner's sessions still active at ``now``, most recently seen first (ties: by token hash)."""


class PasswordResetRepository(Protocol):
    async def add(self, reset: PasswordReset) -> None:
        """Raises DuplicateKey when the token hash is taken."""

    async def get(self, token_hash: str, *, now: datetime) -> PasswordReset | None:
        """The reset, only while it is valid."""

    async def take(self, token_hash: str, *, now: datetime) -> PasswordReset | None:
        """Remove the reset and return it if it was valid: of concurrent takes, one gets it."""

    async def remove_for_owner(self, owner_id: OwnerId) -> int:
        """Remove every reset of the owner; returns how many went."""


class SiteRepository(Protocol):
    async def add(self, site: Site) -> None: ...

    async def get(self, owner_id: OwnerId, site_id: SiteId) -> Site | None: ...

    async def by_widget_key(self, widget_key: WidgetKey) -> Site | None: ...

    async def get_for_operator(self, site_id: SiteId) -> Site | None:
        """Any owner's site: for the operator's command-line tools only, never reachable
        from the HTTP API."""

    async def list_for_owner(self, owner_id: OwnerId) -> list[Site]:
        """Oldest first."""

    async def list_for_operator(self) -> list[Site]:
        """Every owner's sites, oldest first: for the operator's command-line tools and the
        retention sweep only, never reachable from the HTTP API."""

    async def suspend_for_owner(self, owner_id: OwnerId) -> int:
        """The owner's sites are no longer found by widget key (a closed account's widget
        stops collecting); returns how many sites were suspended."""

    async def replace(self, site: Site) -> bool:
        """Store new settings of an existing site of the same owner; False when there is none."""

    async def remove(self, owner_id: OwnerId, site_id: SiteId) -> bool: ...


class SnippetRepository(Protocol):
    async def add(self, snippet: Snippet) -> None: ...

    async def list_for_site(self, site_id: SiteId) -> list[Snippet]:
        """Oldest first."""

    async def remove(self, site_id: SiteId, snippet_id: SnippetId) -> bool: ...


class PageRepository(Protocol):
    async def save(self, page: Page) -> None:
        """Insert or replace the record of the page at ``page.url`` of the site."""

    async def get(self, site_id: SiteId, url: str) -> Page | None: ...

    async def list_for_site(self, site_id: SiteId, *, after_url: str | None, limit: int) -> list[Page]:
        """In URL order, those after ``after_url`` when given."""

    async def remove(self, site_id: SiteId, url: str) -> bool: ...


class ChunkRepository(Protocol):
    async def replace_source(self, site_id: SiteId, source: ChunkSource, source_key: str, chunks: list[Chunk]) -> None:
        """The chunks of one page or snippet become ``chunks`` (none removes them)."""

    async def for_site(self, site_id: SiteId) -> list[Chunk]:
        """All the site's chunks with their vectors (for building search indexes)."""

    async def version(self, site_id: SiteId) -> int:
        """A number that changes whenever the site's chunks change (0 before any)."""


class JobQueue(Protocol):
    async def enqueue(self, job: CrawlJob) -> CrawlJob:
        """Add ``job`` unless the site has an active (queued or running) crawl already, in
        which case a queued one due later than ``job.run_after`` is brought forward to it
        (a scheduled crawl becomes "crawl now"); returns the site's active job."""

    async def claim(self, *, worker: str, now: datetime, lease: timedelta) -> CrawlJob | None:
        """Atomically take the oldest claimable job (queued and due, or running with an
        expired lease) for ``worker``; None when there is none."""

    async def renew(
        self, job_id: JobId, *, worker: str, now: datetime, lease: timedelta, progress: CrawlProgress
    ) -> bool:
        """Extend the lease and record progress; False when the worker lost the job."""

    async def finish(self, job_id: JobId, *, worker: str, now: datetime, error: str | None) -> bool:
        """Mark the job done (or failed, with ``error``); False when the worker lost the job."""

    async def latest(self, site_id: SiteId, *, now: datetime) -> CrawlJob | None:
        """The site's most recently created job among those due by ``now`` (a scheduled
        crawl waiting for its day is not the latest crawl)."""

    async def purge_finished(self, finished_before: datetime, *, now: datetime, dry_run: bool = False) -> int:
        """Remove jobs finished before ``finished_before``, except each site's latest (by ``now``),
        which its crawl status shows; returns how many were (or would be) removed."""


class ConversationRepository(Protocol):
    async def add(self, conversation: Conversation) -> None: ...

    async def search(self, site_id: SiteId, text: str, *, limit: int) -> list[Conversation]:
        """The site's conversations with a message containing ``text`` (any case), most
        recently active first (ties: larger id first)."""

    async def get(self, site_id: SiteId, conversation_id: ConversationId) -> Conversation | None: ...

    async def list_for_site(self, site_id: SiteId, *, before: ListCursor | None, limit: int) -> list[Conversation]:
        """Most recently active first (ties: larger id first), after ``before`` when given."""

    async def add_message(self, message: Message) -> None:
        """Also moves the conversation's last-message time. Raises DuplicateKey when the
        conversation already has a message of that role with that client message id."""

    async def message_by_client_id(
        self, site_id: SiteId, conversation_id: ConversationId, client_message_id: ClientMessageId, role: Role
    ) -> Message | None: ...

    async def messages(self, site_id: SiteId, conversation_id: ConversationId) -> list[Message]:
        """Oldest first."""

    async def set_feedback(
        self, site_id: SiteId, conversation_id: ConversationId, message_id: MessageId, feedback: Feedback
    ) -> bool:
        """Rates a reply, replacing an earlier rating; False when the conversation has no
        such reply (a visitor's own message is not a reply)."""

    async def list_for_visitor(self, site_id: SiteId, visitor_id: VisitorId) -> list[Conversation]:
        """The visitor's conversations on the site, oldest first."""

    async def visitors_whose_messages_mention(
        self, site_id: SiteId, mention: Mention, *, limit: int
    ) -> list[VisitorId]:
        """The visitors whose own messages (role visitor) on the site mention the address or
        number (``Mention.found_in``), each once, the one with the newest such message first
        (ties: larger message id first). At most ``limit``: beyond it, the visitors whose
        latest mention is older are left out."""

    async def inactive_before(self, site_id: SiteId, cutoff: datetime, *, limit: int) -> list[Conversation]:
        """Conversations whose last message is older than ``cutoff``, least recently active first."""

    async def remove(self, site_id: SiteId, conversation_id: ConversationId) -> int:
        """Remove the conversation and its messages (with their ratings); returns how many
        messages went."""

    async def started_between(
        self, site_id: SiteId, *, since: datetime, until: datetime, limit: int
    ) -> list[Conversation]:
        """The site's conversations started in [since, until], latest first, at most ``limit``."""

    async def messages_between(self, site_id: SiteId, *, since: datetime, until: datetime, limit: int) -> list[Message]:
        """The site's messages (of every conversation) made in [since, until], latest first,
        at most ``limit``."""


class PageViewRepository(Protocol):
    async def add(self, view: PageView, *, expires_at: datetime) -> None:
        """Keep the view until ``expires_at``, and count it in its site's day (counts stay)."""

    async def count_visitors(self, site_id: SiteId, *, since: datetime, until: datetime) -> int:
        """Distinct visitors with a page view in (since, until]."""

    async def daily_counts(self, site_id: SiteId, *, since: date, until: date) -> list[DailyPageViews]:
        """The site's views per UTC day in [since, until], days without views left out, in order."""

    async def remove_for_visitor(self, site_id: SiteId, visitor_id: VisitorId) -> int:
        """Remove the visitor's page views on the site (the daily counts stay); returns how many."""

    async def purge_expired(self, now: datetime, *, dry_run: bool = False) -> int:
        """Remove every site's views expired by ``now``; returns how many were (or would be) removed."""

    async def newest(self, site_id: SiteId, *, now: datetime, limit: int) -> list[PageView]:
        """The site's latest page views not expired at ``now``, latest first."""

    async def for_visitor(self, site_id: SiteId, visitor_id: VisitorId, *, now: datetime, limit: int) -> list[PageView]:
        """The visitor's page views not expired by ``now``, newest first, at most ``limit``."""


class LeadRepository(Protocol):
    async def add(self, lead: Lead) -> None: ...

    async def get(self, site_id: SiteId, lead_id: LeadId) -> Lead | None: ...

    async def list_for_site(self, site_id: SiteId, *, before: ListCursor | None, limit: int) -> list[Lead]:
        """Newest first (ties: larger id first), after ``before`` when given."""

    async def set_status(self, site_id: SiteId, lead_id: LeadId, status: LeadStatus) -> bool: ...

    async def list_for_visitor(self, site_id: SiteId, visitor_id: VisitorId) -> list[Lead]:
        """The visitor's leads on the site, oldest first."""

    async def with_contact(self, site_id: SiteId, *, email: str | None = None, phone: str | None = None) -> list[Lead]:
        """The site's leads giving that (normalized) email address, or that E.164 phone number."""

    async def replace(self, lead: Lead) -> bool:
        """Store corrected details of an existing lead of the same site; False when there is none."""

    async def remove(self, site_id: SiteId, lead_id: LeadId) -> bool: ...

    async def created_between(self, site_id: SiteId, *, since: datetime, until: datetime, limit: int) -> list[Lead]:
        """The site's leads made in [since, until], latest first, at most ``limit``."""


class SiteDataEraser(Protocol):
    async def erase_site(self, site_id: SiteId) -> None:
        """Remove everything stored under a site: knowledge, conversations, messages,
        page views (and their daily counts) and leads."""
