"""Everything stored about a visitor on one site: finding it by visitor id, email or
phone, gathering it for an export, and erasing it.

A visitor's records are their conversations (messages, with the ratings they gave),
their leads, their page views and the rate-limit windows counting them. Found by email
or phone, a visitor is every visitor id whose lead gave that address or number, and
every visitor id whose own messages mention it (``domain/mentions.py``: the address in
any case, the number typed with the usual separators, with or without its country code),
at most MAX_MENTIONING_VISITORS of those per site: the ones who mentioned it last. An
erasure removes their messages, so asking again finds the next ones. What is not about
one visitor stays: usage counters (totals per owner and period) and the site's daily
page-view counts.
"""

import msgspec

from ragsell.application.conversations.owner_conversations import Transcript
from ragsell.application.ports.metering import RateLimiter
from ragsell.application.ports.repositories import ConversationRepository, LeadRepository, PageViewRepository
from ragsell.application.ports.system import Clock
from ragsell.domain.conversations import PageView
from ragsell.domain.ids import SiteId, VisitorId
from ragsell.domain.leads import Lead
from ragsell.domain.mentions import Mention, MentionKind
from ragsell.domain.privacy import SubjectKind, VisitorSubject
from ragsell.domain.sites import Site

# More page views than a visitor can make in the raw views' retention (rate limits apply).
MAX_PAGE_VIEWS = 100_000
# Visitors found per site by what they typed into the chat (beyond leads): one person
# rarely has more browsers than this; an address many visitors typed (the shop's own)
# stops here rather than sweeping up the whole site.
MAX_MENTIONING_VISITORS = 100


class SiteVisitorData(msgspec.Struct, frozen=True, kw_only=True):
    site_id: SiteId
    site_name: str
    visitor_ids: tuple[VisitorId, ...]
    conversations: tuple[Transcript, ...]
    leads: tuple[Lead, ...]
    page_views: tuple[PageView, ...]

    @property
    def is_empty(self) -> bool:
        return not (self.conversations or self.leads or self.page_views)


class ErasedCounts(msgspec.Struct, frozen=True, kw_only=True):
    conversations: int = 0
    messages: int = 0
    leads: int = 0
    page_views: int = 0
    rate_limit_windows: int = 0

    def __add__(self, other: "ErasedCounts") -> "ErasedCounts":
        return ErasedCounts(**{field: getattr(self, field) + getattr(other, field) for field in self.__struct_fields__})

    def as_dict(self) -> dict[str, int]:
        return msgspec.structs.asdict(self)


class VisitorRecords:
    def __init__(
        self,
        conversations: ConversationRepository,
        leads: LeadRepository,
        page_views: PageViewRepository,
        limiter: RateLimiter,
        clock: Clock,
    ) -> None:
        self._conversations = conversations
        self._leads = leads
        self._page_views = page_views
        self._limiter = limiter
        self._clock = clock

    async def visitors(self, site: Site, subject: VisitorSubject) -> tuple[VisitorId, ...]:
        """The visitor ids the subject stands for on the site."""
        if subject.kind is SubjectKind.VISITOR_ID:
            return (VisitorId(subject.value),)
        by_email = subject.kind is SubjectKind.EMAIL
        contact = {"email": subject.value} if by_email else {"phone": subject.value}
        leads = await self._leads.with_contact(site.id, **contact)
        mention = Mention(kind=MentionKind.EMAIL if by_email else MentionKind.PHONE, value=subject.value)
        mentioning = await self._conversations.visitors_whose_messages_mention(
            site.id, mention, limit=MAX_MENTIONING_VISITORS
        )
        return tuple(dict.fromkeys([*(lead.visitor_id for lead in leads), *mentioning]))

    async def collect(self, site: Site, visitors: tuple[VisitorId, ...]) -> SiteVisitorData:
        conversations: list[Transcript] = []
        leads: list[Lead] = []
        views: list[PageView] = []
        for visitor in visitors:
            for conversation in await self._conversations.list_for_visitor(site.id, visitor):
                messages = await self._conversations.messages(site.id, conversation.id)
                conversations.append(Transcript(conversation=conversation, messages=messages))
            leads += await self._leads.list_for_visitor(site.id, visitor)
            views += await self._page_views.for_visitor(site.id, visitor, now=self._clock.now(), limit=MAX_PAGE_VIEWS)
        return SiteVisitorData(
            site_id=site.id,
            site_name=site.name,
            visitor_ids=visitors,
            conversations=tuple(conversations),
            leads=tuple(leads),
            page_views=tuple(sorted(views, key=lambda view: view.viewed_at)),
        )

    async def erase(self, site: Site, visitors: tuple[VisitorId, ...], *, dry_run: bool) -> ErasedCounts:
        """Leads go last: they are how an email or phone finds the visitor, so an erasure
        cut short can be asked for again."""
        total = ErasedCounts()
        for visitor in visitors:
            total += await (self._count(site, visitor) if dry_run else self._erase(site, visitor))
        return total

    async def _count(self, site: Site, visitor: VisitorId) -> ErasedCounts:
        data = await self.collect(site, (visitor,))
        return ErasedCounts(
            conversations=len(data.conversations),
            messages=sum(len(transcript.messages) for transcript in data.conversations),
            leads=len(data.leads),
            page_views=len(data.page_views),
            rate_limit_windows=await self._limiter.forget(site.id, visitor, dry_run=True),
        )

    async def _erase(self, site: Site, visitor: VisitorId) -> ErasedCounts:
        windows = await self._limiter.forget(site.id, visitor)
        views = await self._page_views.remove_for_visitor(site.id, visitor)
        conversations = await self._conversations.list_for_visitor(site.id, visitor)
        messages = sum([await self._conversations.remove(site.id, c.id) for c in conversations])
        leads = await self._leads.list_for_visitor(site.id, visitor)
        removed_leads = sum([await self._leads.remove(site.id, lead.id) for lead in leads])
        return ErasedCounts(
            conversations=len(conversations),
            messages=messages,
            leads=removed_leads,
            page_views=views,
            rate_limit_windows=windows,
        )
