"""Dependency injection: which adapter serves each port, chosen explicitly from settings."""

from collections.abc import AsyncIterator, Iterable
from datetime import timedelta
from typing import Any

from dishka import AsyncContainer, Provider, Scope, decorate, make_async_container, provide
from pymongo.asynchronous.database import AsyncDatabase

import ragsell
from ragsell.adapters.bedrock.chat_model import BedrockChatModel
from ragsell.adapters.cache.embeddings import RecentEmbeddings
from ragsell.adapters.cache.sites import CachedSiteRepository
from ragsell.adapters.cartesia.text_to_speech import CartesiaTextToSpeech
from ragsell.adapters.deepgram.speech_to_text import DeepgramSpeechToText
from ragsell.adapters.livekit.rooms import LiveKitRooms
from ragsell.adapters.local.extractive_answerer import ExtractiveAnswerer
from ragsell.adapters.local.numpy_retriever import NumpyRetriever
from ragsell.adapters.local.onnx_embedder import OnnxMiniLMEmbedder
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
from ragsell.adapters.memory.probe import InMemoryStoreProbe
from ragsell.adapters.memory.schedules import InMemoryTaskSchedule
from ragsell.adapters.memory.site_data import InMemorySiteDataEraser
from ragsell.adapters.memory.sites import InMemorySiteRepository
from ragsell.adapters.memory.snippets import InMemorySnippetRepository
from ragsell.adapters.mongo.atlas_vector_search import AtlasRetriever
from ragsell.adapters.mongo.chunks import MongoChunkRepository
from ragsell.adapters.mongo.client import connect
from ragsell.adapters.mongo.conversations import MongoConversationRepository
from ragsell.adapters.mongo.indexes import ensure_indexes
from ragsell.adapters.mongo.jobs import MongoJobQueue
from ragsell.adapters.mongo.leads import MongoLeadRepository
from ragsell.adapters.mongo.names import CHUNKS
from ragsell.adapters.mongo.notifications import MongoNotificationQueue
from ragsell.adapters.mongo.owners import MongoOwnerRepository
from ragsell.adapters.mongo.page_views import MongoPageViewRepository
from ragsell.adapters.mongo.pages import MongoPageRepository
from ragsell.adapters.mongo.password_resets import MongoPasswordResetRepository
from ragsell.adapters.mongo.privacy import MongoPrivacyRequestLog
from ragsell.adapters.mongo.probe import MongoStoreProbe
from ragsell.adapters.mongo.rate_limits import MongoRateLimiter
from ragsell.adapters.mongo.schedules import MongoTaskSchedule
from ragsell.adapters.mongo.sessions import MongoSessionRepository
from ragsell.adapters.mongo.site_data import MongoSiteDataEraser
from ragsell.adapters.mongo.sites import MongoSiteRepository
from ragsell.adapters.mongo.snippets import MongoSnippetRepository
from ragsell.adapters.mongo.usage import MongoUsageLedger
from ragsell.adapters.openai.chat_model import OpenAIChatModel
from ragsell.adapters.openai.embedder import OpenAIEmbedder
from ragsell.adapters.security.argon2_hasher import Argon2PasswordHasher
from ragsell.adapters.smtp.mailer import DisabledMailer, SmtpConfig, SmtpMailer, SmtpSecurity
from ragsell.adapters.system.clock import SystemClock
from ragsell.adapters.system.ids import SecretsIdGenerator
from ragsell.adapters.voice_off import NoSpeechServices
from ragsell.adapters.web.crawler import WebSiteCrawler
from ragsell.adapters.web.fetcher import GuardedFetcher
from ragsell.adapters.web.webhooks import WEBHOOK_LIMITS, GuardedWebhookSender
from ragsell.application.accounts.account_sessions import EndSession, ListSessions
from ragsell.application.accounts.change_password import ChangePassword
from ragsell.application.accounts.current_owner import CurrentOwner
from ragsell.application.accounts.log_in import LogIn
from ragsell.application.accounts.log_out import LogOut
from ragsell.application.accounts.reauthentication import Reauthentication
from ragsell.application.accounts.register_owner import RegisterOwner
from ragsell.application.accounts.request_password_reset import RequestPasswordReset
from ragsell.application.accounts.reset_password import ResetPassword
from ragsell.application.accounts.sessions import SessionOpener
from ragsell.application.analytics.site_analytics import SiteAnalytics
from ragsell.application.conversations.count_active_visitors import CountActiveVisitors
from ragsell.application.conversations.owner_conversations import (
    GetTranscript,
    ListConversations,
    SearchConversations,
)
from ragsell.application.conversations.post_visitor_message import PostVisitorMessage
from ragsell.application.conversations.rate_answer import RateAnswer
from ragsell.application.conversations.record_page_view import RecordPageView
from ragsell.application.conversations.start_conversation import StartConversation
from ragsell.application.conversations.visitor_conversation import VisitorConversation
from ragsell.application.conversations.visitor_page_views import VisitorPageViews
from ragsell.application.knowledge.add_snippet import AddSnippet
from ragsell.application.knowledge.crawl_site import CrawlSite
from ragsell.application.knowledge.crawl_status import CrawlStatus
from ragsell.application.knowledge.delete_snippet import DeleteSnippet
from ragsell.application.knowledge.indexing import ChunkIndexer, IndexingOptions
from ragsell.application.knowledge.list_pages import ListPages
from ragsell.application.knowledge.list_snippets import ListSnippets
from ragsell.application.knowledge.remove_page import RemovePage
from ragsell.application.knowledge.request_crawl import OperatorRequestCrawl, RequestCrawl
from ragsell.application.knowledge.run_crawl_jobs import RunCrawlJobs
from ragsell.application.knowledge.try_answer import TryAnswer
from ragsell.application.leads.capture_lead import CaptureLead
from ragsell.application.leads.export_leads import ExportLeads
from ragsell.application.leads.list_leads import ListLeads
from ragsell.application.leads.set_lead_status import SetLeadStatus
from ragsell.application.links import PublicLinks
from ragsell.application.notifications.lead_delivery import LeadDelivery
from ragsell.application.notifications.lead_notifier import LeadNotifier
from ragsell.application.notifications.notification_log import ListNotifications
from ragsell.application.notifications.run_notifications import RunNotifications
from ragsell.application.notifications.webhook_settings import RemoveWebhook, SetWebhook
from ragsell.application.ports.ai import ChatModel, Embedder, Retriever
from ragsell.application.ports.mail import Mailer
from ragsell.application.ports.metering import RateLimiter, UsageLedger
from ragsell.application.ports.notifications import NotificationQueue, WebhookSender
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
from ragsell.application.ports.security import PasswordHasher
from ragsell.application.ports.system import Clock, IdGenerator, StoreProbe, TaskSchedule
from ragsell.application.ports.voice import SpeechToText, TextToSpeech, VoiceRooms
from ragsell.application.ports.web import SiteCrawler
from ragsell.application.privacy.account_purge import AccountCloser, AccountPurger
from ragsell.application.privacy.audit import ListPrivacyRequests, PrivacyAudit
from ragsell.application.privacy.correct_lead import CorrectLead
from ragsell.application.privacy.delete_account import DeleteAccount
from ragsell.application.privacy.erase_visitor_data import EraseVisitorData, OperatorEraseVisitorData
from ragsell.application.privacy.export_account import ExportAccount, SiteExporter
from ragsell.application.privacy.export_visitor_data import ExportVisitorData, OperatorExportVisitorData
from ragsell.application.privacy.visitor_records import VisitorRecords
from ragsell.application.retention.closed_accounts import ClosedAccounts
from ragsell.application.retention.conversation_retention import ConversationRetention
from ragsell.application.retention.expired_records import ExpiredRecords
from ragsell.application.retention.sweep import RetentionSweep
from ragsell.application.sites.add_site import AddSite
from ragsell.application.sites.delete_site import DeleteSite
from ragsell.application.sites.get_site import GetSite
from ragsell.application.sites.install_check import CheckInstall
from ragsell.application.sites.list_sites import ListSites
from ragsell.application.sites.update_site import UpdateSite
from ragsell.application.sites.widget_config import GetWidgetConfig
from ragsell.application.throttling import Throttle
from ragsell.application.usage.change_plan import ChangePlan
from ragsell.application.usage.quota import Quota
from ragsell.application.usage.usage_summary import UsageSummary
from ragsell.application.voice.close_overdue_calls import CloseOverdueCalls
from ragsell.application.voice.features import VoiceFeatures
from ragsell.application.voice.start_voice_call import StartVoiceCall
from ragsell.application.voice.take_voice_turn import TakeVoiceTurn
from ragsell.application.voice.voice_call import JoinVoiceCall
from ragsell.application.widget_access import OwnOrigin
from ragsell.domain.accounts import SessionPolicy
from ragsell.domain.retention import RetentionPolicy
from ragsell.domain.usage import PlanCatalogue
from ragsell.domain.voice import VOICE_AGENT_NAME
from ragsell.entrypoints.settings import Answers, Embeddings, Settings, VectorSearch


class PolicyProvider(Provider):
    """Values read from settings once."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(scope=Scope.APP)
        self._settings = settings

    @provide
    def settings(self) -> Settings:
        return self._settings

    @provide
    def plans(self) -> PlanCatalogue:
        return self._settings.plan_catalogue()

    @provide
    def session_policy(self) -> SessionPolicy:
        return self._settings.session_policy

    @provide
    def retention_policy(self) -> RetentionPolicy:
        return self._settings.retention_policy

    @provide
    def indexing_options(self) -> IndexingOptions:
        # Sentence vectors serve the extractive answerer; a language model does not need them.
        return IndexingOptions(sentence_vectors=self._settings.answers is Answers.EXTRACTIVE)

    @provide
    def own_origin(self) -> OwnOrigin:
        return OwnOrigin(self._settings.public_origin)

    @provide
    def links(self) -> PublicLinks:
        return PublicLinks(self._settings.base_url)


class MailProvider(Provider):
    """Email through the configured SMTP server; none configured: mail is off."""

    scope = Scope.APP

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @provide
    def mailer(self) -> Mailer:
        settings = self._settings
        if not settings.smtp_host:
            return DisabledMailer()
        return SmtpMailer(
            SmtpConfig(
                host=settings.smtp_host,
                port=settings.smtp_port_or_default,
                sender=settings.smtp_from,
                security=SmtpSecurity(settings.smtp_tls.value),
                username=settings.smtp_username,
                password=settings.smtp_password,
            )
        )


class SystemProvider(Provider):
    scope = Scope.APP
    clock = provide(SystemClock, provides=Clock)
    ids = provide(SecretsIdGenerator, provides=IdGenerator)

    @provide
    async def hasher(self) -> AsyncIterator[PasswordHasher]:
        hasher = Argon2PasswordHasher()
        yield hasher
        hasher.close()


class MemoryStoreProvider(Provider):
    """Every repository in memory: the maintainers' harness (RAGSELL_STORE=memory)."""

    scope = Scope.APP
    owners = provide(InMemoryOwnerRepository, provides=OwnerRepository)
    sessions = provide(InMemorySessionRepository, provides=SessionRepository)
    password_resets = provide(InMemoryPasswordResetRepository, provides=PasswordResetRepository)
    sites = provide(InMemorySiteRepository, provides=SiteRepository)
    snippets_store = provide(InMemorySnippetRepository)
    conversations_store = provide(InMemoryConversationRepository)
    page_views_store = provide(InMemoryPageViewRepository)
    leads_store = provide(InMemoryLeadRepository)
    pages_store = provide(InMemoryPageRepository)
    chunks_store = provide(InMemoryChunkRepository)
    jobs_store = provide(InMemoryJobQueue)
    notifications_store = provide(InMemoryNotificationQueue)
    ledger = provide(InMemoryUsageLedger, provides=UsageLedger)
    limiter = provide(InMemoryRateLimiter, provides=RateLimiter)
    eraser = provide(InMemorySiteDataEraser, provides=SiteDataEraser)
    probe = provide(InMemoryStoreProbe, provides=StoreProbe)
    privacy_requests = provide(InMemoryPrivacyRequestLog, provides=PrivacyRequestLog)
    schedule = provide(InMemoryTaskSchedule, provides=TaskSchedule)

    @provide
    def snippets(self, store: InMemorySnippetRepository) -> SnippetRepository:
        return store

    @provide
    def conversations(self, store: InMemoryConversationRepository) -> ConversationRepository:
        return store

    @provide
    def page_views(self, store: InMemoryPageViewRepository) -> PageViewRepository:
        return store

    @provide
    def leads(self, store: InMemoryLeadRepository) -> LeadRepository:
        return store

    @provide
    def pages(self, store: InMemoryPageRepository) -> PageRepository:
        return store

    @provide
    def chunks(self, store: InMemoryChunkRepository) -> ChunkRepository:
        return store

    @provide
    def jobs(self, store: InMemoryJobQueue) -> JobQueue:
        return store

    @provide
    def notifications(self, store: InMemoryNotificationQueue) -> NotificationQueue:
        return store


class MongoStoreProvider(Provider):
    """Every repository on one MongoDB database (embedded nx-27017 or a real server)."""

    scope = Scope.APP
    owners = provide(MongoOwnerRepository, provides=OwnerRepository)
    sessions = provide(MongoSessionRepository, provides=SessionRepository)
    password_resets = provide(MongoPasswordResetRepository, provides=PasswordResetRepository)
    sites = provide(MongoSiteRepository, provides=SiteRepository)
    snippets = provide(MongoSnippetRepository, provides=SnippetRepository)
    conversations = provide(MongoConversationRepository, provides=ConversationRepository)
    page_views = provide(MongoPageViewRepository, provides=PageViewRepository)
    leads = provide(MongoLeadRepository, provides=LeadRepository)
    pages = provide(MongoPageRepository, provides=PageRepository)
    chunks = provide(MongoChunkRepository, provides=ChunkRepository)
    jobs = provide(MongoJobQueue, provides=JobQueue)
    notifications = provide(MongoNotificationQueue, provides=NotificationQueue)
    ledger = provide(MongoUsageLedger, provides=UsageLedger)
    limiter = provide(MongoRateLimiter, provides=RateLimiter)
    eraser = provide(MongoSiteDataEraser, provides=SiteDataEraser)
    probe = provide(MongoStoreProbe, provides=StoreProbe)
    privacy_requests = provide(MongoPrivacyRequestLog, provides=PrivacyRequestLog)
    schedule = provide(MongoTaskSchedule, provides=TaskSchedule)

    def __init__(self, uri: str, database: str) -> None:
        super().__init__()
        self._uri = uri
        self._database = database

    @provide
    async def database(self) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
        # Made on first use, inside the serving event loop (the client is bound to its loop).
        client, db = await connect(self._uri, self._database)
        try:
            await ensure_indexes(db)
            yield db
        finally:
            await client.close()


class AIProvider(Provider):
    """Embeddings, retrieval and answering, as the settings choose them."""

    scope = Scope.APP

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings
        atlas = settings.vector_search is VectorSearch.ATLAS
        self.provide(_atlas_retriever if atlas else _local_retriever, provides=Retriever)

    @provide
    async def model(self, embedder: Embedder) -> AsyncIterator[ChatModel]:
        model = self._chat_model(embedder)
        try:
            yield model
        finally:
            if isinstance(model, BedrockChatModel | OpenAIChatModel):
                await model.close()

    def _chat_model(self, embedder: Embedder) -> ChatModel | BedrockChatModel | OpenAIChatModel:
        settings = self._settings
        if settings.answers is Answers.BEDROCK:
            return BedrockChatModel(
                model_id=settings.bedrock_model_id,
                region=settings.aws_region,
                endpoint_url=settings.bedrock_endpoint_url or None,
                max_tokens=settings.answer_max_tokens,
                deadline=settings.answer_deadline_seconds,
                stall_timeout=settings.answer_stall_seconds,
            )
        if settings.answers is Answers.OPENAI:
            return OpenAIChatModel(
                api_key=settings.openai_api_key,
                base_url=settings.openai_base_url or None,
                model=settings.openai_chat_model,
                max_tokens=settings.answer_max_tokens,
                deadline=settings.answer_deadline_seconds,
                stall_timeout=settings.answer_stall_seconds,
            )
        return ExtractiveAnswerer(embedder)

    @provide
    async def embedder(self) -> AsyncIterator[Embedder]:
        settings = self._settings
        if settings.embeddings is Embeddings.OPENAI:
            yield OpenAIEmbedder(
                api_key=settings.openai_api_key,
                base_url=settings.openai_base_url or None,
                model=settings.openai_embedding_model,
                dimensions=settings.openai_embedding_dimensions or None,
            )
            return
        embedder = OnnxMiniLMEmbedder()
        try:
            yield embedder
        finally:
            embedder.close()


class WebProvider(Provider):
    """The one way the server reads other websites: the guarded fetcher, under the crawler."""

    scope = Scope.APP

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @provide
    def crawler(self) -> SiteCrawler:
        fetcher = GuardedFetcher(
            user_agent=f"ragsell/{ragsell.__version__} (+{self._settings.base_url})",
            allow_loopback=self._settings.crawl_allow_loopback,
        )
        return WebSiteCrawler(fetcher)

    @provide
    def webhooks(self) -> WebhookSender:
        fetcher = GuardedFetcher(
            user_agent=f"ragsell/{ragsell.__version__} (+{self._settings.base_url})",
            limits=WEBHOOK_LIMITS,
            allow_loopback=self._settings.webhook_allow_loopback,
        )
        return GuardedWebhookSender(fetcher)


class VoiceProvider(Provider):
    """Deepgram hears, Cartesia speaks, LiveKit holds live calls: each only when its
    settings are given; otherwise the voice features are off."""

    scope = Scope.APP

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self._settings = settings

    @provide
    def features(self) -> VoiceFeatures:
        settings = self._settings
        return VoiceFeatures(
            turns=settings.voice_available,
            calls=settings.voice_calls_available,
            call_limit=timedelta(minutes=settings.voice_call_max_minutes),
        )

    @provide
    async def hearing(self) -> AsyncIterator[SpeechToText]:
        settings = self._settings
        if not settings.voice_available:
            yield NoSpeechServices()
            return
        hearing = DeepgramSpeechToText(
            settings.deepgram_api_key,
            base_url=settings.deepgram_base_url,
            model=settings.deepgram_model,
            language=settings.deepgram_language or None,
            smart_format=settings.deepgram_smart_format,
        )
        try:
            yield hearing
        finally:
            await hearing.close()

    @provide
    async def speaking(self) -> AsyncIterator[TextToSpeech]:
        settings = self._settings
        if not settings.voice_available:
            yield NoSpeechServices()
            return
        speaking = CartesiaTextToSpeech(
            settings.cartesia_api_key,
            base_url=settings.cartesia_base_url,
            model=settings.cartesia_model,
            voice_id=settings.cartesia_voice_id,
            # Speaking an answer lasts as long as the answer is being written.
            timeout=settings.answer_deadline_seconds + 30,
        )
        try:
            yield speaking
        finally:
            await speaking.close()

    @provide
    async def rooms(self) -> AsyncIterator[VoiceRooms]:
        settings = self._settings
        if not settings.voice_calls_available:
            yield NoSpeechServices()
            return
        rooms = LiveKitRooms(
            settings.livekit_url,
            settings.livekit_api_key,
            settings.livekit_api_secret,
            agent_name=VOICE_AGENT_NAME,
        )
        try:
            yield rooms
        finally:
            await rooms.aclose()


class CacheProvider(Provider):
    """Short-lived per-process memory in front of the store, where a hot path needs it."""

    scope = Scope.APP

    @decorate
    def sites(self, sites: SiteRepository) -> SiteRepository:
        return CachedSiteRepository(sites)

    @decorate
    def embedder(self, embedder: Embedder) -> Embedder:
        return RecentEmbeddings(embedder)


def _local_retriever(chunks: ChunkRepository, embedder: Embedder) -> Retriever:
    return NumpyRetriever(chunks, embedder)


def _atlas_retriever(db: AsyncDatabase[dict[str, Any]], embedder: Embedder) -> Retriever:
    return AtlasRetriever(db[CHUNKS], embedder)


def _use_cases() -> Provider:
    provider = Provider(scope=Scope.REQUEST)
    for shared in (Throttle, Quota, SessionOpener, ChunkIndexer, LeadNotifier, LeadDelivery):
        provider.provide(shared, scope=Scope.APP)
    for use_case in (
        RegisterOwner,
        LogIn,
        LogOut,
        CurrentOwner,
        ChangePassword,
        RequestPasswordReset,
        ResetPassword,
        ListSessions,
        EndSession,
        AddSite,
        GetSite,
        ListSites,
        UpdateSite,
        DeleteSite,
        GetWidgetConfig,
        AddSnippet,
        ListSnippets,
        DeleteSnippet,
        RequestCrawl,
        OperatorRequestCrawl,
        CrawlStatus,
        ListPages,
        RemovePage,
        TryAnswer,
        CrawlSite,
        RunCrawlJobs,
        RecordPageView,
        CountActiveVisitors,
        StartConversation,
        VisitorConversation,
        PostVisitorMessage,
        RateAnswer,
        ListConversations,
        SearchConversations,
        GetTranscript,
        VisitorPageViews,
        CaptureLead,
        ListLeads,
        SetLeadStatus,
        UsageSummary,
        ChangePlan,
        PrivacyAudit,
        VisitorRecords,
        ExportVisitorData,
        OperatorExportVisitorData,
        EraseVisitorData,
        OperatorEraseVisitorData,
        CorrectLead,
        ListPrivacyRequests,
        SiteExporter,
        ExportAccount,
        Reauthentication,
        AccountCloser,
        AccountPurger,
        DeleteAccount,
        ConversationRetention,
        ExpiredRecords,
        ClosedAccounts,
        RetentionSweep,
        RunNotifications,
        SetWebhook,
        RemoveWebhook,
        ListNotifications,
        SiteAnalytics,
        ExportLeads,
        CheckInstall,
        TakeVoiceTurn,
        StartVoiceCall,
        JoinVoiceCall,
        CloseOverdueCalls,
    ):
        provider.provide(use_case)
    return provider


def make_container(settings: Settings, *, store: Provider, overrides: Iterable[Provider] = ()) -> AsyncContainer:
    """``store`` serves the repositories; ``overrides`` come last and win (tests give a manual clock)."""
    return make_async_container(
        PolicyProvider(settings),
        SystemProvider(),
        MailProvider(settings),
        store,
        AIProvider(settings),
        WebProvider(settings),
        VoiceProvider(settings),
        CacheProvider(),
        _use_cases(),
        *overrides,
    )
