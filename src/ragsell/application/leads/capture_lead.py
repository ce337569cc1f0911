import msgspec

from ragsell.application.errors import NotFound
from ragsell.application.notifications.lead_notifier import LeadNotifier
from ragsell.application.ports.repositories import ConversationRepository, LeadRepository, SiteRepository
from ragsell.application.ports.system import Clock, IdGenerator
from ragsell.application.throttling import LEADS_PER_VISITOR, Throttle
from ragsell.application.widget_access import OwnOrigin, site_for_widget
from ragsell.domain.conversations import page_address
from ragsell.domain.ids import ConversationId, LeadId, visitor_id
from ragsell.domain.leads import Lead, LeadKind, LeadStatus, contact_details


class CaptureLeadCommand(msgspec.Struct, frozen=True, kw_only=True):
    widget_key: str
    origin: str | None
    visitor_id: str
    conversation_id: str | None
    name: str
    email: str | None
    phone: str | None
    message: str
    kind: LeadKind
    page_url: str | None


class CaptureLead:
    def __init__(
        self,
        sites: SiteRepository,
        own: OwnOrigin,
        conversations: ConversationRepository,
        leads: LeadRepository,
        throttle: Throttle,
        clock: Clock,
        ids: IdGenerator,
        notifier: LeadNotifier,
    ) -> None:
        self._sites = sites
        self._own = own
        self._conversations = conversations
        self._leads = leads
        self._throttle = throttle
        self._clock = clock
        self._ids = ids
        self._notifier = notifier

    async def __call__(self, command: CaptureLeadCommand) -> Lead:
        visitor = visitor_id(command.visitor_id)
        site = await site_for_widget(self._sites, self._own, command.widget_key, command.origin)
        details = contact_details(
            name=command.name,
            email=command.email,
            phone=command.phone,
            message=command.message,
            phone_region=site.country,
        )
        page_url = page_address(command.page_url) if command.page_url else None
        conversation_id = None
        if command.conversation_id is not None:
            conversation = await self._conversations.get(site.id, ConversationId(command.conversation_id))
            if conversation is None or conversation.visitor_id != visitor:
                raise NotFound("There is no such conversation.")
            conversation_id = conversation.id
        now = self._clock.now()
        await self._throttle.check(LEADS_PER_VISITOR, f"{site.id}:{visitor}", now)
        lead = Lead(
            id=LeadId(self._ids.new_id()),
            site_id=site.id,
            visitor_id=visitor,
            conversation_id=conversation_id,
            name=details.name,
            email=details.email,
            phone=details.phone,
            message=details.message,
            kind=command.kind,
            status=LeadStatus.NEW,
            page_url=page_url,
            created_at=now,
        )
        await self._leads.add(lead)
        await self._notifier.lead_captured(site, lead)
        return lead
