"""The stores the contract tests run against, and builders of valid domain values.

Each contract test body runs once per store: the in-memory adapters, the Mongo adapters
on the nx-27017 server of the test session (real TCP), and, when MONGODB_URI is set,
the Mongo adapters on that MongoDB.
"""

import os
import secrets
import struct
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from ragsell.adapters.memory.accounts import InMemoryOwnerRepository, InMemorySessionRepository
from ragsell.adapters.memory.conversations import InMemoryConversationRepository
from ragsell.adapters.memory.jobs import InMemoryJobQueue
from ragsell.adapters.memory.knowledge import InMemoryChunkRepository, InMemoryPageRepository
from ragsell.adapters.memory.leads import InMemoryLeadRepository
from ragsell.adapters.memory.metering import InMemoryRateLimiter, InMemoryUsageLedger
from ragsell.adapters.memory.notifications import InMemoryNotificationQueue
from ragsell.adapters.memory.page_views import InMemoryPageViewRepository
from ragsell.adapters.memory.password_resets import InMemoryPasswordResetRepository
from ragsell.adapters.memory.privacy import InMemoryPrivacyRequestLog
from ragsell.adapters.memory.schedules import InMemoryTaskSchedule
from ragsell.adapters.memory.site_data import InMemorySiteDataEraser
from ragsell.adapters.memory.sites import InMemorySiteRepository
from ragsell.adapters.memory.snippets import InMemorySnippetRepository
from ragsell.adapters.mongo.chunks import MongoChunkRepository
from ragsell.adapters.mongo.client import connect
from ragsell.adapters.mongo.conversations import MongoConversationRepository
from ragsell.adapters.mongo.indexes import ensure_indexes
from ragsell.adapters.mongo.jobs import MongoJobQueue
from ragsell.adapters.mongo.leads import MongoLeadRepository
from ragsell.adapters.mongo.notifications import MongoNotificationQueue
from ragsell.adapters.mongo.owners import MongoOwnerRepository
from ragsell.adapters.mongo.page_views import MongoPageViewRepository
from ragsell.adapters.mongo.pages import MongoPageRepository
from ragsell.adapters.mongo.password_resets import MongoPasswordResetRepository
from ragsell.adapters.mongo.privacy import MongoPrivacyRequestLog
from ragsell.adapters.mongo.rate_limits import MongoRateLimiter
from ragsell.adapters.mongo.schedules import MongoTaskSchedule
from ragsell.adapters.mongo.sessions import MongoSessionRepository
from ragsell.adapters.mongo.site_data import MongoSiteDataEraser
from ragsell.adapters.mongo.sites import MongoSiteRepository
from ragsell.adapters.mongo.snippets import MongoSnippetRepository
from ragsell.adapters.mongo.usage import MongoUsageLedger
from ragsell.application.ports.metering import RateLimiter, UsageLedger
from ragsell.application.ports.notifications import NotificationQueue
from ragsell.application.ports.privacy import PrivacyRequestLog
from ragsell.application.ports.repositories import (
    ChunkRepository,
    ConversationRepository,
    JobQueue,
    LeadRepository,
    OwnerRepository,
    PageRepository,
    PageViewRepository,
    PasswordResetRepository,
    SessionRepository,
    SiteDataEraser,
    SiteRepository,
    SnippetRepository,
)
from ragsell.application.ports.system import TaskSchedule
from ragsell.domain.accounts import LoginSession, Owner, SessionPolicy, open_session
from ragsell.domain.conversations import Channel, Citation, Conversation, Message, PageView, Role
from ragsell.domain.crawling import PageOutcome
from ragsell.domain.ids import (
    ChunkId,
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
from ragsell.domain.jobs import CrawlJob, JobState
from ragsell.domain.knowledge import Chunk, ChunkSource, Page, Snippet, SnippetKind
from ragsell.domain.leads import Lead, LeadKind, LeadStatus
from ragsell.domain.sites import Branding, CrawlSettings, Site

MEMORY = "memory"
NX = "nx-27017"
MONGODB = "mongodb"


def store_params() -> list[Any]:
    """memory and nx-27017 always; a real MongoDB too when MONGODB_URI is set (the param is
    left out rather than skipped otherwise, so the report is not full of skips)."""
    params = [pytest.param(MEMORY, id=MEMORY), pytest.param(NX, id=NX)]
    if os.environ.get("MONGODB_URI"):
        params.append(pytest.param(MONGODB, id=MONGODB))
    return params


def store_uri(kind: str, request: pytest.FixtureRequest) -> str:
    if kind == NX:
        return str(request.getfixturevalue("mongo_uri"))
    return os.environ["MONGODB_URI"]


@dataclass
class Stores:
    kind: str
    owners: OwnerRepository
    sessions: SessionRepository
    sites: SiteRepository
    snippets: SnippetRepository
    conversations: ConversationRepository
    page_views: PageViewRepository
    leads: LeadRepository
    usage: UsageLedger
    rate_limiter: RateLimiter
    pages: PageRepository
    chunks: ChunkRepository
    jobs: JobQueue
    eraser: SiteDataEraser
    privacy_requests: PrivacyRequestLog
    schedule: TaskSchedule
    password_resets: PasswordResetRepository
    notifications: NotificationQueue


def memory_stores() -> Stores:
    snippets = InMemorySnippetRepository()
    conversations = InMemoryConversationRepository()
    page_views = InMemoryPageViewRepository()
    leads = InMemoryLeadRepository()
    pages = InMemoryPageRepository()
    chunks = InMemoryChunkRepository()
    jobs = InMemoryJobQueue()
    notifications = InMemoryNotificationQueue()
    return Stores(
        kind=MEMORY,
        owners=InMemoryOwnerRepository(),
        sessions=InMemorySessionRepository(),
        sites=InMemorySiteRepository(),
        snippets=snippets,
        conversations=conversations,
        page_views=page_views,
        leads=leads,
        usage=InMemoryUsageLedger(),
        rate_limiter=InMemoryRateLimiter(),
        pages=pages,
        chunks=chunks,
        jobs=jobs,
        privacy_requests=InMemoryPrivacyRequestLog(),
        schedule=InMemoryTaskSchedule(),
        eraser=InMemorySiteDataEraser(snippets, conversations, page_views, leads, pages, chunks, jobs, notifications),
        password_resets=InMemoryPasswordResetRepository(),
        notifications=notifications,
    )


def mongo_stores(kind: str, db: AsyncDatabase[dict[str, Any]]) -> Stores:
    return Stores(
        kind=kind,
        owners=MongoOwnerRepository(db),
        sessions=MongoSessionRepository(db),
        sites=MongoSiteRepository(db),
        snippets=MongoSnippetRepository(db),
        conversations=MongoConversationRepository(db),
        page_views=MongoPageViewRepository(db),
        leads=MongoLeadRepository(db),
        usage=MongoUsageLedger(db),
        rate_limiter=MongoRateLimiter(db),
        pages=MongoPageRepository(db),
        chunks=MongoChunkRepository(db),
        jobs=MongoJobQueue(db),
        privacy_requests=MongoPrivacyRequestLog(db),
        schedule=MongoTaskSchedule(db),
        eraser=MongoSiteDataEraser(db),
        password_resets=MongoPasswordResetRepository(db),
        notifications=MongoNotificationQueue(db),
    )


@asynccontextmanager
async def fresh_database(uri: str) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    """A database of its own (random name) with every index, dropped afterwards."""
    client, db = await connect(uri, f"ragsell_test_{uuid.uuid4().hex}")
    try:
        await ensure_indexes(db)
        yield db
    finally:
        await client.drop_database(db.name)
        await client.close()


# --- builders -----------------------------------------------------------------


def real_now() -> datetime:
    """Now, to the millisecond (what BSON dates keep). Data with an expiry uses real
    time, since TTL indexes remove documents by the server's clock."""
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def new_id() -> str:
    return secrets.token_urlsafe(16)[:22]


def new_uuid() -> str:
    return str(uuid.uuid4())


def owner(*, email: str | None = None, created_at: datetime | None = None) -> Owner:
    return Owner(
        id=OwnerId(new_id()),
        name="Ada Owner",
        email=email or f"owner-{new_id().lower()}@example.com",
        password_hash="$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
        plan="free",
        created_at=created_at or real_now(),
    )


def session(owner_id: OwnerId, *, now: datetime | None = None, policy: SessionPolicy | None = None) -> LoginSession:
    return open_session(
        token_hash=secrets.token_hex(32),
        owner_id=owner_id,
        csrf_token=secrets.token_urlsafe(32),
        now=now or real_now(),
        policy=policy or SessionPolicy(),
        ip="203.0.113.7",
        user_agent="Mozilla/5.0 (contract test)",
    )


def site(owner_id: OwnerId, *, created_at: datetime | None = None, widget_key: str | None = None) -> Site:
    return Site(
        id=SiteId(new_id()),
        owner_id=owner_id,
        widget_key=WidgetKey(widget_key or f"pk_{new_id()}"),
        name="Example Shop",
        url="https://shop.example.com/",
        branding=Branding(
            assistant_name="Sam",
            colour="#0f766e",
            suggested_questions=("Do you ship abroad?", "What are your opening hours?"),
        ),
        allowed_origins=("https://shop.example.com", "https://www.shop.example.com"),
        crawl=CrawlSettings(include_patterns=("/products/*",), exclude_patterns=("/cart*",)),
        retention_days=90,
        voice_enabled=True,
        created_at=created_at or real_now(),
        country="DE",
    )


def snippet(site_id: SiteId, *, created_at: datetime | None = None, question: str | None = None) -> Snippet:
    return Snippet(
        id=SnippetId(new_id()),
        site_id=site_id,
        kind=SnippetKind.TEXT if question is None else SnippetKind.QA,
        title="Shipping",
        question=question,
        text="We ship to every EU country within three days.",
        created_at=created_at or real_now(),
    )


def conversation(site_id: SiteId, *, at: datetime | None = None) -> Conversation:
    started = at or real_now()
    return Conversation(
        id=ConversationId(new_id()),
        site_id=site_id,
        visitor_id=VisitorId(new_uuid()),
        started_at=started,
        last_message_at=started,
    )


def message(
    of: Conversation,
    *,
    role: Role = Role.VISITOR,
    at: datetime | None = None,
    client_message_id: str | None = None,
    text: str = "Do you ship to Norway?",
) -> Message:
    reply = role is Role.ASSISTANT
    return Message(
        id=MessageId(new_id()),
        conversation_id=of.id,
        site_id=of.site_id,
        role=role,
        text=text,
        client_message_id=ClientMessageId(client_message_id or new_uuid()),
        created_at=at or of.last_message_at,
        channel=Channel.TEXT,
        citations=(Citation(url="https://shop.example.com/shipping", title="Shipping", heading="Norway"),)
        if reply
        else (),
        answered=True if reply else None,
    )


def lead(site_id: SiteId, *, created_at: datetime | None = None, conversation_id: ConversationId | None = None) -> Lead:
    return Lead(
        id=LeadId(new_id()),
        site_id=site_id,
        visitor_id=VisitorId(new_uuid()),
        conversation_id=conversation_id,
        name="Vera Visitor",
        email="vera@example.org",
        phone="+4930123456",
        message="Please call me about bulk orders.",
        kind=LeadKind.CALLBACK,
        status=LeadStatus.NEW,
        page_url="https://shop.example.com/products/tea",
        created_at=created_at or real_now(),
    )


def page_view(site_id: SiteId, *, visitor: str | None = None, at: datetime | None = None) -> PageView:
    return PageView(
        site_id=site_id,
        visitor_id=VisitorId(visitor or new_uuid()),
        url="https://shop.example.com/products/tea",
        referrer="https://search.example.net/",
        viewed_at=at or real_now(),
    )


def page(
    site_id: SiteId,
    url: str = "https://shop.example.com/products/tea",
    *,
    outcome: PageOutcome = PageOutcome.INDEXED,
    checked_at: datetime | None = None,
    title: str = "Green tea",
    chunk_count: int = 2,
) -> Page:
    keeps = outcome.keeps_content
    return Page(
        site_id=site_id,
        url=url,
        outcome=outcome,
        reason="" if keeps else "The server answered with an error.",
        title=title,
        checked_at=checked_at or real_now(),
        content_hash="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" if keeps else None,
        etag='W/"5e1-abc"' if keeps else None,
        last_modified="Wed, 21 Oct 2026 07:28:00 GMT" if keeps else None,
        chunk_count=chunk_count if keeps else 0,
        embedding_model="local/all-MiniLM-L6-v2-int8" if keeps else None,
    )


def vector(*values: float) -> bytes:
    """float32 little-endian bytes, as a Chunk holds them."""
    return struct.pack(f"<{len(values)}f", *values)


def chunk(
    site_id: SiteId,
    source_key: str = "https://shop.example.com/products/tea",
    *,
    source: ChunkSource = ChunkSource.PAGE,
    position: int = 0,
    text: str = "Our green tea comes from Shizuoka.",
    raw_vector: bytes | None = None,
) -> Chunk:
    return Chunk(
        id=ChunkId(new_id()),
        site_id=site_id,
        source=source,
        source_key=source_key,
        title="Green tea",
        heading_path=("Teas", "Green"),
        text=text,
        position=position,
        embedding_model="local/all-MiniLM-L6-v2-int8",
        vector=raw_vector if raw_vector is not None else vector(0.25, -1.5, float(position), 3.0e-8),
    )


def crawl_job(
    site_id: SiteId,
    *,
    created_at: datetime | None = None,
    run_after: datetime | None = None,
    owner_id: OwnerId | None = None,
) -> CrawlJob:
    created = created_at or real_now()
    return CrawlJob(
        id=JobId(new_id()),
        site_id=site_id,
        owner_id=owner_id or OwnerId(new_id()),
        state=JobState.QUEUED,
        created_at=created,
        run_after=run_after or created,
    )


def ms(n: int) -> timedelta:
    return timedelta(milliseconds=n)
