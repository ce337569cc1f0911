"""What the widget does before a question: page views, "active now", starting a conversation."""

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from ragsell.application.conversations.record_page_view import RecordPageView, RecordPageViewCommand
from ragsell.application.conversations.start_conversation import StartConversationCommand
from ragsell.application.errors import NotFound, OriginNotAllowed, QuotaExceeded, RateLimited
from ragsell.application.ports.repositories import ListCursor, PageViewRepository
from ragsell.application.throttling import CONVERSATIONS_PER_VISITOR, PAGE_VIEWS_PER_VISITOR
from ragsell.domain.conversations import ACTIVE_WINDOW, PageView, count_active_visitors
from ragsell.domain.errors import InvalidUrl, InvalidValue
from ragsell.domain.ids import SiteId
from ragsell.domain.usage import DEFAULT_PLANS, Meter, Plan, PlanCatalogue
from tests.application.conftest import Harness, new_visitor

# --- page views and "active now" --------------------------------------------------


async def test_active_now_counts_distinct_visitors_seen_inside_the_window(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    early, steady, late = new_visitor(), new_visitor(), new_visitor()

    await harness.view_page(site, early)
    harness.clock.advance(timedelta(minutes=3))
    await harness.view_page(site, steady)
    await harness.view_page(site, steady, url="https://example.com/pricing")
    await harness.view_page(site, steady, url="https://example.com/contact")
    assert await harness.count_active_visitors(owner.id, site.id) == 2

    harness.clock.advance(ACTIVE_WINDOW - timedelta(minutes=3))
    # The first view is now exactly one window old: no longer active.
    await harness.view_page(site, late)
    assert await harness.count_active_visitors(owner.id, site.id) == 2

    harness.clock.advance(ACTIVE_WINDOW)
    assert await harness.count_active_visitors(owner.id, site.id) == 0


async def test_active_now_counts_only_the_sites_own_visitors(harness: Harness) -> None:
    ada = await harness.owner("ada@example.com")
    bob = await harness.owner("bob@example.com")
    ada_site = await harness.site(ada, "https://ada.example/")
    bob_site = await harness.site(bob, "https://bob.example/")
    shared_visitor = new_visitor()
    await harness.view_page(ada_site, shared_visitor, url="https://ada.example/")
    await harness.view_page(bob_site, shared_visitor, url="https://bob.example/")
    await harness.view_page(bob_site, new_visitor(), url="https://bob.example/")
    assert await harness.count_active_visitors(ada.id, ada_site.id) == 1
    assert await harness.count_active_visitors(bob.id, bob_site.id) == 2


async def test_page_views_are_refused_from_an_origin_the_site_does_not_allow(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    with pytest.raises(OriginNotAllowed):
        await harness.record_page_view(
            RecordPageViewCommand(
                widget_key=site.widget_key,
                origin="https://evil.example",
                visitor_id=new_visitor(),
                url="https://example.com/",
                referrer=None,
            )
        )
    assert await harness.count_active_visitors(owner.id, site.id) == 0


@pytest.mark.parametrize(
    ("visitor", "url", "referrer", "error"),
    [
        ("not-a-uuid", "https://example.com/", None, InvalidValue),
        (None, "javascript:alert(1)", None, InvalidUrl),
        (None, "https://example.com/", "file:///etc/passwd", InvalidUrl),
    ],
)
async def test_malformed_page_views_are_refused(
    harness: Harness, visitor: str | None, url: str, referrer: str | None, error: type[Exception]
) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    with pytest.raises(error):
        await harness.view_page(site, visitor or new_visitor(), url=url, referrer=referrer)
    assert await harness.count_active_visitors(owner.id, site.id) == 0


async def test_page_views_are_throttled_per_visitor(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    visitor = new_visitor()
    for _ in range(PAGE_VIEWS_PER_VISITOR.limit):
        await harness.view_page(site, visitor)
    with pytest.raises(RateLimited):
        await harness.view_page(site, visitor)
    await harness.view_page(site, new_visitor())
    assert await harness.count_active_visitors(owner.id, site.id) == 2


class KeptPageViews(PageViewRepository):
    """A PageViewRepository that keeps what it is given where the test can read it."""

    def __init__(self) -> None:
        self.kept: list[tuple[PageView, datetime]] = []

    async def add(self, view: PageView, *, expires_at: datetime) -> None:
        self.kept.append((view, expires_at))

    async def count_visitors(self, site_id: SiteId, *, since: datetime, until: datetime) -> int:
        views = (view for view, _ in self.kept if view.site_id == site_id)
        return count_active_visitors(views, now=until, window=until - since)


async def test_a_page_view_keeps_the_page_and_referrer_without_query_or_fragment(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    kept = KeptPageViews()
    record = RecordPageView(harness.sites, harness.own, kept, harness.throttle, harness.clock, harness.retention)
    visitor = new_visitor()

    await record(
        RecordPageViewCommand(
            widget_key=site.widget_key,
            origin=harness.origin(site),
            visitor_id=visitor,
            url="https://Example.com/thanks?email=ada@example.com#top",
            referrer="https://search.example/?q=bread+for+ada",
        )
    )

    [(view, expires_at)] = kept.kept
    assert view == PageView(
        site_id=site.id,
        visitor_id=visitor,
        url="https://example.com/thanks",
        referrer="https://search.example/",
        viewed_at=harness.clock.now(),
    )
    assert expires_at == harness.clock.now() + harness.retention.raw_page_views


# --- starting conversations -------------------------------------------------------


async def test_starting_a_conversation_belongs_to_the_visitor_and_uses_one_conversation(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    visitor = new_visitor()

    conversation = await harness.start(site, visitor)

    assert (conversation.site_id, conversation.visitor_id) == (site.id, visitor)
    assert conversation.started_at == conversation.last_message_at == harness.clock.now()
    assert await harness.conversations.get(site.id, conversation.id) == conversation
    assert await harness.used(owner, Meter.CONVERSATIONS) == 1
    assert [c.id for c in await harness.list_conversations(owner.id, site.id)] == [conversation.id]


async def test_conversations_past_the_plans_limit_are_refused(make_harness: Callable[..., Harness]) -> None:
    tiny = Plan(name="tiny", sites=1, pages=1, conversations=2, messages=10, voice_seconds=0)
    harness = make_harness(plans=PlanCatalogue(plans=(tiny, *DEFAULT_PLANS), default="tiny"))
    owner = await harness.owner()
    site = await harness.site(owner)
    await harness.start(site)
    await harness.start(site)
    with pytest.raises(QuotaExceeded) as caught:
        await harness.start(site)
    assert (caught.value.meter, caught.value.limit) == ("conversations", 2)
    assert len(await harness.list_conversations(owner.id, site.id)) == 2

    # The next billing period starts afresh.
    harness.clock.advance(timedelta(days=31))
    await harness.start(site)
    assert await harness.used(owner, Meter.CONVERSATIONS) == 1


async def test_starting_conversations_is_throttled_per_visitor(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    visitor = new_visitor()
    for _ in range(CONVERSATIONS_PER_VISITOR.limit):
        await harness.start(site, visitor)
    with pytest.raises(RateLimited):
        await harness.start(site, visitor)
    assert await harness.used(owner, Meter.CONVERSATIONS) == CONVERSATIONS_PER_VISITOR.limit


async def test_a_conversation_cannot_be_started_with_a_bad_key_origin_or_visitor(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    cases: list[tuple[StartConversationCommand, type[Exception]]] = [
        (StartConversationCommand(widget_key="pk_" + "0" * 22, origin=None, visitor_id=new_visitor()), NotFound),
        (
            StartConversationCommand(
                widget_key=site.widget_key, origin="https://evil.example", visitor_id=new_visitor()
            ),
            OriginNotAllowed,
        ),
        (StartConversationCommand(widget_key=site.widget_key, origin=None, visitor_id="visitor-1"), InvalidValue),
    ]
    for command, error in cases:
        with pytest.raises(error):
            await harness.start_conversation(command)
    assert await harness.used(owner, Meter.CONVERSATIONS) == 0
    assert await harness.list_conversations(owner.id, site.id) == []


async def test_conversations_are_listed_most_recently_active_first(harness: Harness) -> None:
    owner = await harness.owner()
    site = await harness.site(owner)
    await harness.teach(site, "Hours", "We open at nine.")
    older = await harness.start(site)
    harness.clock.advance(timedelta(minutes=1))
    newer = await harness.start(site)
    harness.clock.advance(timedelta(minutes=1))
    await harness.ask(site, older, "When do you open?")
    listed = await harness.list_conversations(owner.id, site.id)
    assert [c.id for c in listed] == [older.id, newer.id]
    assert listed[0].last_message_at == harness.clock.now()
    assert [c.id for c in await harness.list_conversations(owner.id, site.id, limit=1)] == [older.id]
    before = ListCursor(at=listed[0].last_message_at, id=listed[0].id)
    assert [c.id for c in await harness.list_conversations(owner.id, site.id, before=before)] == [newer.id]
