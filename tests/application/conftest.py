"""Use cases wired by hand on the in-memory adapters, with a clock the tests move.

``Harness`` is the whole service spine without HTTP: the stores are the memory
adapters, ids and password hashes are the real ones (argon2id with small
parameters, so a sign-up takes a millisecond), and answers come from the keyword
retriever and the quoting model unless a test brings its own ``ChatModel``.
"""

import uuid
from collections.abc import Callable, Iterator

import pytest

from ragsell.adapters.local.extractive_answerer import ExtractiveAnswerer
from ragsell.adapters.local.numpy_retriever import NumpyRetriever
from ragsell.adapters.memory.accounts import InMemoryOwnerRepository, InMemorySessionRepository
from ragsell.adapters.memory.clock import ManualClock
from ragsell.adapters.memory.conversations import InMemoryConversationRepository
from ragsell.adapters.memory.jobs import InMemoryJobQueue
from ragsell.adapters.memory.knowledge import InMemoryChunkRepository, InMemoryPageRepository
from ragsell.adapters.memory.leads import InMemoryLeadRepository
from ragsell.adapters.memory.mailer import InMemoryMailer
from ragsell.adapters.memory.metering import InMemoryRateLimiter, InMemoryUsageLedger
from ragsell.adapters.memory.notifications import InMemoryNotificationQueue
from ragsell.adapters.memory.page_views import InMemoryPageViewRepository
from ragsell.adapters.memory.password_resets import InMemoryPasswordResetRepository
from ragsell.adapters.memory.site_data import InMemorySiteDataEraser
from ragsell.adapters.memory.sites import InMemorySiteRepository
from ragsell.adapters.memory.snippets import InMemorySnippetRepository
from ragsell.adapters.security.argon2_hasher import Argon2PasswordHasher
from ragsell.adapters.system.ids import SecretsIdGenerator
from ragsell.application.accounts.account_sessions import EndSession, ListSessions
from ragsell.application.accounts.change_password import ChangePassword
from ragsell.application.accounts.current_owner import CurrentOwner
from ragsell.application.accounts.log_in import LogIn, LogInCommand
from ragsell.application.accounts.log_out import LogOut
from ragsell.application.accounts.register_owner import RegisterOwner, RegisterOwnerCommand
from ragsell.application.accounts.request_password_reset import RequestPasswordReset
from ragsell.application.accounts.reset_password import ResetPassword
from ragsell.application.accounts.sessions import OpenedSession, SessionOpener
from ragsell.application.analytics.site_analytics import SiteAnalytics
from ragsell.application.conversations.answer_events import AnswerEvent, DoneEvent, TokenEvent
from ragsell.application.conversations.count_active_visitors import CountActiveVisitors
from ragsell.application.conversations.owner_conversations import GetTranscript, ListConversations
from ragsell.application.conversations.post_visitor_message import PostVisitorMessage, PostVisitorMessageCommand
from ragsell.application.conversations.record_page_view import RecordPageView, RecordPageViewCommand
from ragsell.application.conversations.start_conversation import StartConversation, StartConversationCommand
from ragsell.application.conversations.visitor_conversation import VisitorConversation
from ragsell.application.knowledge.add_snippet import AddSnippet, AddSnippetCommand
from ragsell.application.knowledge.delete_snippet import DeleteSnippet
from ragsell.application.knowledge.indexing import ChunkIndexer, IndexingOptions
from ragsell.application.knowledge.list_snippets import ListSnippets
from ragsell.application.leads.capture_lead import CaptureLead, CaptureLeadCommand
from ragsell.application.leads.export_leads import ExportLeads
from ragsell.application.leads.list_leads import ListLeads
from ragsell.application.leads.set_lead_status import SetLeadStatus
from ragsell.application.links import PublicLinks
from ragsell.application.notifications.lead_delivery import LeadDelivery
from ragsell.application.notifications.lead_notifier import LeadNotifier
from ragsell.application.notifications.notification_log import ListNotifications
from ragsell.application.notifications.run_notifications import RunNotifications
from ragsell.application.notifications.webhook_settings import RemoveWebhook, SetWebhook
from ragsell.application.ports.ai import ChatModel
from ragsell.application.ports.mail import DeliveryFailed
from ragsell.application.ports.notifications import WebhookRequest, WebhookSender
from ragsell.application.sites.add_site import AddSite, AddSiteCommand
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
from ragsell.application.voice.features import VoiceFeatures
from ragsell.application.widget_access import OwnOrigin
from ragsell.domain.accounts import Owner, SessionPolicy
from ragsell.domain.conversations import Conversation
from ragsell.domain.ids import OwnerId
from ragsell.domain.knowledge import Snippet, SnippetKind
from ragsell.domain.leads import Lead, LeadKind
from ragsell.domain.retention import RetentionPolicy
from ragsell.domain.sites import Site
from ragsell.domain.usage import Meter, PlanCatalogue
from tests.conftest import shared_embedder

PASSWORD = "correct horse battery"


def cheap_hasher(memory_kib: int = 1024, time_cost: int = 1) -> Argon2PasswordHasher:
    return Argon2PasswordHasher(memory_kib=memory_kib, time_cost=time_cost)


def new_visitor() -> str:
    return str(uuid.uuid4())


class RecordingWebhookSender(WebhookSender):
    """Keeps what it is asked to POST in ``sent``; ``failing`` makes each post fail."""

    def __init__(self) -> None:
        self.sent: list[WebhookRequest] = []
        self.failing: DeliveryFailed | None = None

    async def post(self, request: WebhookRequest) -> None:
        if self.failing is not None:
            raise self.failing
        self.sent.append(request)


class Harness:
    def __init__(
        self,
        *,
        hasher: Argon2PasswordHasher,
        model: ChatModel | None = None,
        plans: PlanCatalogue | None = None,
        policy: SessionPolicy | None = None,
        retention: RetentionPolicy | None = None,
        voice: VoiceFeatures | None = None,
    ) -> None:
        self.clock = ManualClock()
        self.ids = SecretsIdGenerator()
        self.hasher = hasher
        self.plans = plans or PlanCatalogue()
        self.policy = policy or SessionPolicy()
        self.retention = retention or RetentionPolicy()
        # Off, as without the speech services' keys.
        self.voice = voice or VoiceFeatures(turns=False, calls=False)
        # ragsell's own origin, where its demo page runs.
        self.own = OwnOrigin("https://ragsell.example")

        self.owners = InMemoryOwnerRepository()
        self.sessions = InMemorySessionRepository()
        self.sites = InMemorySiteRepository()
        self.snippets = InMemorySnippetRepository()
        self.conversations = InMemoryConversationRepository()
        self.page_views = InMemoryPageViewRepository()
        self.leads = InMemoryLeadRepository()
        self.ledger = InMemoryUsageLedger()
        self.limiter = InMemoryRateLimiter()
        self.pages = InMemoryPageRepository()
        self.chunks = InMemoryChunkRepository()
        self.jobs = InMemoryJobQueue()
        self.embedder = shared_embedder()
        self.indexer = ChunkIndexer(self.chunks, self.embedder, self.ids, IndexingOptions())
        self.retriever = NumpyRetriever(self.chunks, self.embedder)
        self.notifications = InMemoryNotificationQueue()
        self.password_resets = InMemoryPasswordResetRepository()
        self.mailer = InMemoryMailer()
        self.webhooks = RecordingWebhookSender()
        self.links = PublicLinks("https://ragsell.example")
        self.eraser = InMemorySiteDataEraser(
            self.snippets,
            self.conversations,
            self.page_views,
            self.leads,
            self.pages,
            self.chunks,
            self.jobs,
            self.notifications,
        )
        self.model: ChatModel = model or ExtractiveAnswerer(self.embedder)

        self.throttle = Throttle(self.limiter)
        self.quota = Quota(self.owners, self.ledger, self.plans)
        self.opener = SessionOpener(self.sessions, self.clock, self.ids, self.policy)

        self.register = RegisterOwner(
            self.owners, self.hasher, self.opener, self.throttle, self.clock, self.ids, self.plans
        )
        self.log_in = LogIn(self.owners, self.hasher, self.opener, self.throttle, self.clock)
        self.log_out = LogOut(self.sessions)
        self.current_owner = CurrentOwner(self.sessions, self.owners, self.clock, self.policy)
        self.change_password = ChangePassword(self.owners, self.sessions, self.hasher, self.throttle, self.clock)
        self.request_password_reset = RequestPasswordReset(
            self.owners, self.password_resets, self.mailer, self.throttle, self.clock, self.ids, self.links
        )
        self.reset_password = ResetPassword(
            self.password_resets, self.owners, self.sessions, self.hasher, self.throttle, self.clock
        )
        self.list_sessions = ListSessions(self.sessions, self.clock)
        self.end_session = EndSession(self.sessions, self.clock)

        self.add_site = AddSite(self.sites, self.quota, self.clock, self.ids)
        self.get_site = GetSite(self.sites)
        self.list_sites = ListSites(self.sites)
        self.update_site = UpdateSite(self.sites)
        self.delete_site = DeleteSite(self.sites, self.pages, self.eraser, self.quota)
        self.widget_config = GetWidgetConfig(self.sites, self.own, self.voice, self.quota)

        self.add_snippet = AddSnippet(self.sites, self.snippets, self.indexer, self.clock, self.ids)
        self.list_snippets = ListSnippets(self.sites, self.snippets)
        self.delete_snippet = DeleteSnippet(self.sites, self.snippets, self.indexer)

        self.record_page_view = RecordPageView(
            self.sites, self.own, self.page_views, self.throttle, self.clock, self.retention
        )
        self.count_active_visitors = CountActiveVisitors(self.sites, self.page_views, self.clock)
        self.start_conversation = StartConversation(
            self.sites, self.own, self.conversations, self.quota, self.throttle, self.clock, self.ids
        )
        self.post_visitor_message = PostVisitorMessage(
            self.sites,
            self.own,
            self.conversations,
            self.quota,
            self.throttle,
            self.retriever,
            self.model,
            self.clock,
            self.ids,
        )
        self.visitor_conversation = VisitorConversation(self.sites, self.own, self.conversations)
        self.list_conversations = ListConversations(self.sites, self.conversations)
        self.get_transcript = GetTranscript(self.sites, self.conversations)

        self.notifier = LeadNotifier(self.notifications, self.mailer, self.clock, self.ids)
        self.capture_lead = CaptureLead(
            self.sites, self.own, self.conversations, self.leads, self.throttle, self.clock, self.ids, self.notifier
        )
        self.list_leads = ListLeads(self.sites, self.leads)
        self.set_lead_status = SetLeadStatus(self.sites, self.leads)
        self.export_leads = ExportLeads(self.sites, self.leads)
        self.run_notifications = RunNotifications(
            self.notifications,
            LeadDelivery(self.sites, self.leads, self.owners, self.mailer, self.webhooks, self.links),
            self.clock,
        )
        self.set_webhook = SetWebhook(self.sites, self.ids)
        self.remove_webhook = RemoveWebhook(self.sites)
        self.list_notifications = ListNotifications(self.sites, self.notifications, self.mailer)
        self.analytics = SiteAnalytics(self.sites, self.conversations, self.leads, self.clock)
        self.check_install = CheckInstall(self.sites, self.page_views, self.clock)

        self.usage_summary = UsageSummary(self.ledger, self.plans, self.clock, self.sites)
        self.change_plan = ChangePlan(self.owners, self.plans)

    # --- owners -------------------------------------------------------------------

    async def sign_up(
        self, email: str = "ada@example.com", *, password: str = PASSWORD, name: str = "Ada", ip: str = "203.0.113.1"
    ) -> OpenedSession:
        return await self.register(
            RegisterOwnerCommand(
                name=name, email=email, password=password, confirms_minimum_age=True, ip=ip, user_agent="test"
            )
        )

    async def owner(self, email: str = "ada@example.com") -> Owner:
        return (await self.sign_up(email)).owner

    async def enter(self, email: str, password: str = PASSWORD, *, ip: str = "203.0.113.1") -> OpenedSession:
        return await self.log_in(LogInCommand(email=email, password=password, ip=ip, user_agent="test"))

    async def stored_owner(self, owner_id: OwnerId) -> Owner:
        owner = await self.owners.get(owner_id)
        assert owner is not None
        return owner

    async def used(self, owner: Owner, meter: Meter) -> int:
        report = await self.usage_summary(owner)
        return next(usage.used for usage in report.meters if usage.meter is meter)

    # --- sites and knowledge ------------------------------------------------------

    async def site(self, owner: Owner, url: str = "https://example.com/", name: str = "Example") -> Site:
        return await self.add_site(AddSiteCommand(owner=owner, name=name, url=url))

    async def teach(self, site: Site, title: str, text: str, question: str | None = None) -> Snippet:
        return await self.add_snippet(
            AddSnippetCommand(
                owner_id=site.owner_id,
                site_id=site.id,
                kind=SnippetKind.QA if question else SnippetKind.TEXT,
                title=title,
                text=text,
                question=question,
            )
        )

    # --- the widget ---------------------------------------------------------------

    @staticmethod
    def origin(site: Site) -> str:
        return site.allowed_origins[0]

    async def view_page(
        self, site: Site, visitor: str, url: str = "https://example.com/", referrer: str | None = None
    ) -> None:
        await self.record_page_view(
            RecordPageViewCommand(
                widget_key=site.widget_key, origin=self.origin(site), visitor_id=visitor, url=url, referrer=referrer
            )
        )

    async def start(self, site: Site, visitor: str | None = None) -> Conversation:
        return await self.start_conversation(
            StartConversationCommand(
                widget_key=site.widget_key, origin=self.origin(site), visitor_id=visitor or new_visitor()
            )
        )

    def message(
        self, site: Site, conversation: Conversation, text: str, client_message_id: str | None = None
    ) -> PostVisitorMessageCommand:
        return PostVisitorMessageCommand(
            widget_key=site.widget_key,
            origin=self.origin(site),
            visitor_id=conversation.visitor_id,
            conversation_id=conversation.id,
            client_message_id=client_message_id or str(uuid.uuid4()),
            text=text,
        )

    async def send(self, command: PostVisitorMessageCommand) -> list[AnswerEvent]:
        return [event async for event in await self.post_visitor_message(command)]

    async def ask(
        self, site: Site, conversation: Conversation, text: str, client_message_id: str | None = None
    ) -> list[AnswerEvent]:
        return await self.send(self.message(site, conversation, text, client_message_id))

    async def leave_lead(
        self, site: Site, visitor: str | None = None, *, conversation_id: str | None = None, **fields: object
    ) -> Lead:
        details: dict[str, object] = {
            "name": "Grace",
            "email": "grace@example.org",
            "phone": None,
            "message": "Please get in touch.",
            "kind": LeadKind.MESSAGE,
            "page_url": None,
        }
        details.update(fields)
        return await self.capture_lead(
            CaptureLeadCommand(
                widget_key=site.widget_key,
                origin=self.origin(site),
                visitor_id=visitor or new_visitor(),
                conversation_id=conversation_id,
                **details,  # type: ignore[arg-type]
            )
        )


def answer_text(events: list[AnswerEvent]) -> str:
    return "".join(event.text for event in events if isinstance(event, TokenEvent))


def done(events: list[AnswerEvent]) -> DoneEvent:
    last = events[-1]
    assert isinstance(last, DoneEvent), events
    return last


@pytest.fixture
def make_harness() -> Iterator[Callable[..., Harness]]:
    """Builds a harness; ``hasher`` defaults to a cheap argon2id, closed afterwards."""
    hashers: list[Argon2PasswordHasher] = []

    def make(*, hasher: Argon2PasswordHasher | None = None, **options: object) -> Harness:
        chosen = hasher or cheap_hasher()
        hashers.append(chosen)
        return Harness(hasher=chosen, **options)  # type: ignore[arg-type]

    yield make
    for hasher in hashers:
        hasher.close()


@pytest.fixture
def harness(make_harness: Callable[..., Harness]) -> Harness:
    return make_harness()
